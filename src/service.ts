import { createApp } from './app.js';
import type { Config } from './config.js';
import { ApiError } from './errors.js';
import type { Job } from './jobs/job.js';
import { Scheduler } from './jobs/scheduler.js';
import { JobStore } from './jobs/store.js';
import { isFinal, type JobStatus } from './jobs/job.js';
import { storeWatch } from './jobs/watch.js';
import { Supervisor, type ChildExit } from './jobs/supervisor.js';
import type { Logger } from './log.js';
import { shortId } from './log.js';
import { createMetrics } from './metrics.js';
import { loadPageAssets } from './page/assets.js';
import { createUploadReceiver } from './upload.js';
import { WebhookSender, type DeliveryReport } from './webhook/deliver.js';
import { webhookMessage } from './webhook/event.js';
import { assertPublicUrl, ForbiddenTargetError } from './webhook/guard.js';
import { createSigner } from './webhook/sign.js';

const WORKER_FILE = new URL('../workers/pdf-worker.js', import.meta.url).pathname;
/**
 * Webhooks of jobs cancelled at the end of the grace period still get this long for one prompt
 * attempt; orchestrators leave a margin past SHUTDOWN_GRACE_S (25 s of Kubernetes' 30 s).
 */
const WEBHOOK_FLUSH_FLOOR_MS = 3000;

/** Wires the rooms of the house together; the server (or a test) only calls this. */
export function createService(config: Config, log: Logger, options: { sseHeartbeatMs?: number } = {}) {
  const store = new JobStore({ ttlMs: config.resultTtlMs, purgeIntervalMs: config.purgeIntervalMs, maxBytes: config.resultStoreBytes });
  const supervisor = new Supervisor({
    workerFile: WORKER_FILE,
    childMemoryMb: config.childMemoryMb,
    timeoutMs: config.jobTimeoutMs,
    onChildSpawn: (pid, tag) => log.info({ job: tag, pid }, 'child spawned'),
    onChildExit: (exit) => childExited(exit),
  });
  const scheduler = new Scheduler(store, supervisor, {
    slots: config.workerThreads,
    queueLimit: config.queueLimit,
    maxPages: config.maxPages,
    ocrDpi: config.ocrDpi,
    maxPagePixels: config.maxPagePixels,
    model: config.ocrModel,
  });
  const webhooks = new WebhookSender({
    maxAttempts: config.webhookMaxAttempts,
    timeoutMs: config.webhookTimeoutMs,
    retryBaseMs: config.webhookRetryBaseMs,
    allowPrivate: config.webhookAllowPrivate,
    signer: config.webhookSecret ? createSigner(config.webhookSecret) : undefined,
    onOutcome: (outcome) => metrics.webhookDelivery(outcome),
  });
  let draining = false;
  const metrics = createMetrics({ queueDepth: () => scheduler.stats().queued, runningChildren: () => supervisor.running });

  /** Runs in the route before a job with a callback_url is accepted. */
  async function checkCallbackUrl(url: string): Promise<void> {
    if (config.webhookAllowPrivate) return;
    try {
      await assertPublicUrl(url);
    } catch (err) {
      if (err instanceof ForbiddenTargetError) throw new ApiError(400, 'callback_url_forbidden', err.message);
      throw err;
    }
  }

  /** Delivery state goes back into the store, the only holder of job state. */
  function sendWebhook(job: Job, url: string): void {
    webhooks.send(webhookMessage(job, url, config.publicUrl), (report: DeliveryReport) => {
      const current = store.get(job.id);
      if (!current?.webhook) return;
      current.webhook = { url, ...report };
      store.touch(current);
      if (report.state !== 'pending') {
        log.info({ job: shortId(job.id), webhook: report.state, attempts: report.attempts, status: report.lastStatus, error: report.lastError }, 'webhook done');
      }
    });
  }

  const app = createApp({
    store,
    queue: scheduler,
    uploads: createUploadReceiver({ maxBytes: config.maxUploadBytes, tmpDir: config.tmpDir }),
    languages: config.ocrModel.languages,
    apiKey: config.apiKey,
    checkCallbackUrl,
    rssMb: () => Math.round(process.memoryUsage.rss() / 1048576),
    draining: () => draining,
    metrics,
    watch: storeWatch(store),
    sseHeartbeatMs: options.sseHeartbeatMs,
    page: loadPageAssets(),
  });

  // One log line per state change (not per page): the last status seen of each active job.
  const lastStatus = new Map<string, JobStatus>();
  store.on('update', (job) => {
    const from = lastStatus.get(job.id);
    if (from === job.status || isFinal(job.status)) return; // final states: the 'final' listener below
    lastStatus.set(job.id, job.status);
    if (job.status === 'running') metrics.jobStarted(job);
    log.info({ job: shortId(job.id), from: from ?? null, status: job.status }, 'job state');
  });
  store.on('final', (job) => {
    const from = lastStatus.get(job.id) ?? null;
    lastStatus.delete(job.id);
    const durationMs = (job.finishedAt ?? new Date()).getTime() - job.createdAt.getTime();
    log.info(
      { job: shortId(job.id), from, status: job.status, code: job.error?.code, pages: job.pages.size, pagesTotal: job.selected?.length ?? null, durationMs },
      'job state',
    );
    metrics.jobFinished(job);
    if (job.options.callbackUrl) sendWebhook(job, job.options.callbackUrl);
  });

  function childExited(exit: ChildExit): void {
    const { outcome, tag, ...rest } = exit;
    const code = outcome.ok ? undefined : outcome.code;
    log.info({ job: tag, ...rest, code }, 'child exited');
    metrics.childExited({ peakMemoryMb: exit.peakMemoryMb, outcome: code ?? 'ok' });
  }
  store.startPurging((removed) => log.info({ removed }, 'purged expired jobs'));

  /**
   * Stops taking work, lets running jobs finish within the grace period, then cancels the rest;
   * webhooks still pending (the cancelled jobs' among them) are attempted in the time left.
   */
  async function shutdown(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    draining = true;
    if (!(await scheduler.idle(graceMs))) await scheduler.cancelAll();
    await webhooks.flush(Math.max(deadline - Date.now(), WEBHOOK_FLUSH_FLOOR_MS));
    store.close();
  }

  return { app, store, scheduler, supervisor, metrics, shutdown };
}
