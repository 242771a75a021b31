import { createApp } from './app.js';
import type { Config } from './config.js';
import { Scheduler } from './jobs/scheduler.js';
import { JobStore } from './jobs/store.js';
import { Supervisor } from './jobs/supervisor.js';
import { storeWatch } from './jobs/watch.js';
import type { Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { observeChildren, observeJobs } from './observe.js';
import { loadPageAssets } from './page/assets.js';
import { createUploadReceiver } from './upload.js';
import { createCallbacks } from './webhook/callbacks.js';

const WORKER_FILE = new URL('../workers/pdf-worker.js', import.meta.url).pathname;
const IDLE_COLLECT_DELAY_MS = 500;

/** Wires the rooms of the house together; the server (or a test) only calls this. */
export function createService(config: Config, log: Logger, options: { sseHeartbeatMs?: number } = {}) {
  const store = new JobStore({ ttlMs: config.resultTtlMs, purgeIntervalMs: config.purgeIntervalMs, maxBytes: config.resultStoreBytes });
  const metrics = createMetrics({ queueDepth: () => scheduler.stats().queued, runningChildren: () => supervisor.running });
  const supervisor = new Supervisor({
    workerFile: WORKER_FILE,
    childMemoryMb: config.childMemoryMb,
    timeoutMs: config.jobTimeoutMs,
    ...observeChildren(metrics, log),
  });
  const scheduler = new Scheduler(store, supervisor, {
    slots: config.workerThreads,
    queueLimit: config.queueLimit,
    maxPages: config.maxPages,
    ocrDpi: config.ocrDpi,
    maxPagePixels: config.maxPagePixels,
    model: config.ocrModel,
  });
  observeJobs(store, metrics, log);
  collectWhenIdle(store, scheduler);
  const callbacks = createCallbacks(config, store, metrics, log);
  store.startPurging((removed) => log.info({ removed }, 'purged expired jobs'));
  let draining = false;

  const app = createApp({
    store,
    queue: scheduler,
    uploads: createUploadReceiver({ maxBytes: config.maxUploadBytes, tmpDir: config.tmpDir }),
    languages: config.ocrModel.languages,
    apiKey: config.apiKey,
    checkCallbackUrl: callbacks.check,
    rssMb: () => Math.round(process.memoryUsage.rss() / 1048576),
    draining: () => draining,
    metrics,
    watch: storeWatch(store),
    sseHeartbeatMs: options.sseHeartbeatMs,
    page: loadPageAssets(),
  });

  /**
   * Stops taking work, lets running jobs finish within the grace period, then cancels the rest;
   * webhooks still pending (the cancelled jobs' among them) are attempted in the time left.
   */
  async function shutdown(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    draining = true;
    if (!(await scheduler.idle(graceMs))) await scheduler.cancelAll();
    await callbacks.flush(deadline);
    store.close();
  }

  return { app, store, scheduler, supervisor, metrics, shutdown };
}

/**
 * V8 keeps the heap it grew while jobs ran; once the service falls idle, one full collection
 * hands it back (measured over 300 small jobs: the parent's RSS floor climbed ~20 MB without
 * it). `npm start` runs node with --expose-gc for this.
 */
function collectWhenIdle(store: JobStore, scheduler: Scheduler): void {
  let timer: NodeJS.Timeout | undefined;
  store.on('final', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const { running, queued } = scheduler.stats();
      if (running === 0 && queued === 0) globalThis.gc?.();
    }, IDLE_COLLECT_DELAY_MS);
    timer.unref();
  });
}
