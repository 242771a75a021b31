import { createApp } from './app.js';
import type { Config } from './config.js';
import { Scheduler } from './jobs/scheduler.js';
import { JobStore } from './jobs/store.js';
import { isFinal, type JobStatus } from './jobs/job.js';
import { Supervisor, type ChildExit } from './jobs/supervisor.js';
import type { Logger } from './log.js';
import { shortId } from './log.js';
import { createMetrics } from './metrics.js';
import { createUploadReceiver } from './upload.js';

const WORKER_FILE = new URL('../workers/pdf-worker.js', import.meta.url).pathname;

/** Wires the rooms of the house together; the server (or a test) only calls this. */
export function createService(config: Config, log: Logger) {
  const store = new JobStore({ ttlMs: config.resultTtlMs, purgeIntervalMs: config.purgeIntervalMs, maxBytes: config.resultStoreBytes });
  const supervisor = new Supervisor({
    workerFile: WORKER_FILE,
    childMemoryMb: config.childMemoryMb,
    timeoutMs: config.jobTimeoutMs,
    onChildSpawn: (pid, task) => log.info({ job: jobOfFile(task.file), pid }, 'child spawned'),
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
  let draining = false;
  const metrics = createMetrics({ queueDepth: () => scheduler.stats().queued, runningChildren: () => supervisor.running });

  const app = createApp({
    store,
    queue: scheduler,
    uploads: createUploadReceiver({ maxBytes: config.maxUploadBytes, tmpDir: config.tmpDir }),
    languages: config.ocrModel.languages,
    apiKey: config.apiKey,
    rssMb: () => Math.round(process.memoryUsage.rss() / 1048576),
    draining: () => draining,
    metrics,
  });

  // One log line per state change (not per page): the last status seen of each active job.
  const lastStatus = new Map<string, JobStatus>();
  // Children are told a file, not a job: this finds the job again for their log lines.
  const activeFiles = new Map<string, string>();
  const jobOfFile = (file: string) => shortId(activeFiles.get(file) ?? '?');
  store.on('update', (job) => {
    const from = lastStatus.get(job.id);
    if (from === job.status || isFinal(job.status)) return; // final states: the 'final' listener below
    lastStatus.set(job.id, job.status);
    activeFiles.set(job.file.path, job.id);
    if (job.status === 'running') metrics.jobStarted(job);
    log.info({ job: shortId(job.id), from: from ?? null, status: job.status }, 'job state');
  });
  store.on('final', (job) => {
    const from = lastStatus.get(job.id) ?? null;
    lastStatus.delete(job.id);
    activeFiles.delete(job.file.path);
    const durationMs = (job.finishedAt ?? new Date()).getTime() - job.createdAt.getTime();
    log.info(
      { job: shortId(job.id), from, status: job.status, code: job.error?.code, pages: job.pages.size, pagesTotal: job.pagesTotal, durationMs },
      'job state',
    );
    metrics.jobFinished(job);
  });

  function childExited(exit: ChildExit): void {
    const { outcome, task, ...rest } = exit;
    const code = outcome.ok ? undefined : outcome.code;
    log.info({ job: jobOfFile(task.file), ...rest, code }, 'child exited');
    metrics.childExited({ peakRssMb: exit.peakRssMb, outcome: code ?? 'ok' });
  }
  store.startPurging((removed) => log.info({ removed }, 'purged expired jobs'));

  /** Stops taking work, lets running jobs finish within the grace period, then cancels the rest. */
  async function shutdown(graceMs: number): Promise<void> {
    draining = true;
    if (!(await scheduler.idle(graceMs))) await scheduler.cancelAll();
    store.close();
  }

  return { app, store, scheduler, supervisor, metrics, shutdown };
}
