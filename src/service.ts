import { createApp } from './app.js';
import type { Config } from './config.js';
import { Scheduler } from './jobs/scheduler.js';
import { JobStore } from './jobs/store.js';
import { storeWatch } from './jobs/watch.js';
import { Supervisor } from './jobs/supervisor.js';
import type { Logger } from './log.js';
import { shortId } from './log.js';
import { loadPageAssets } from './page/assets.js';
import { createUploadReceiver } from './upload.js';

const WORKER_FILE = new URL('../workers/pdf-worker.js', import.meta.url).pathname;

/** Wires the rooms of the house together; the server (or a test) only calls this. */
export function createService(config: Config, log: Logger, options: { sseHeartbeatMs?: number } = {}) {
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
  let draining = false;

  const app = createApp({
    store,
    queue: scheduler,
    uploads: createUploadReceiver({ maxBytes: config.maxUploadBytes, tmpDir: config.tmpDir }),
    languages: config.ocrModel.languages,
    apiKey: config.apiKey,
    rssMb: () => Math.round(process.memoryUsage.rss() / 1048576),
    draining: () => draining,
    // Upload page and event stream (issue 6).
    watch: storeWatch(store),
    sseHeartbeatMs: options.sseHeartbeatMs,
    page: loadPageAssets(),
  });

  store.on('final', (job) => {
    log.info({ job: shortId(job.id), status: job.status, code: job.error?.code, pages: job.pages.size }, 'job ended');
  });
  store.startPurging((removed) => log.info({ removed }, 'purged expired jobs'));

  /** Stops taking work, lets running jobs finish within the grace period, then cancels the rest. */
  async function shutdown(graceMs: number): Promise<void> {
    draining = true;
    if (!(await scheduler.idle(graceMs))) await scheduler.cancelAll();
    store.close();
  }

  return { app, store, scheduler, supervisor, shutdown };
}
