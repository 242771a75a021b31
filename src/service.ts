import { createApp } from './app.js';
import type { Config } from './config.js';
import { ApiError } from './errors.js';
import type { Job } from './jobs/job.js';
import { Scheduler } from './jobs/scheduler.js';
import { JobStore } from './jobs/store.js';
import { Supervisor } from './jobs/supervisor.js';
import type { Logger } from './log.js';
import { shortId } from './log.js';
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
export function createService(config: Config, log: Logger) {
  const store = new JobStore({ ttlMs: config.resultTtlMs, purgeIntervalMs: config.purgeIntervalMs, maxBytes: config.resultStoreBytes });
  const supervisor = new Supervisor({ workerFile: WORKER_FILE, childMemoryMb: config.childMemoryMb, timeoutMs: config.jobTimeoutMs });
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
  });
  let draining = false;

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
  });

  store.on('final', (job) => {
    log.info({ job: shortId(job.id), status: job.status, code: job.error?.code, pages: job.pages.size }, 'job ended');
    if (job.options.callbackUrl) sendWebhook(job, job.options.callbackUrl);
  });
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

  return { app, store, scheduler, supervisor, shutdown };
}
