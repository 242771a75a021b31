import type { Config } from '../config.js';
import type { JobRepository } from '../jobs/repository.js';
import { Scheduler } from '../jobs/scheduler.js';
import { Supervisor } from '../jobs/supervisor.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { ocrEngineSchema } from '../protocol.js';
import { observeChildren } from './observe.js';

const WORKER_FILE = new URL('../../workers/pdf-worker.js', import.meta.url).pathname;
const IDLE_COLLECT_DELAY_MS = 500;

/** What runs jobs on this machine: the scheduler and the supervisor below it, writing to `repository`. */
export interface Engine {
  scheduler: Scheduler;
  supervisor: Supervisor;
}

export function createEngine(config: Config, repository: JobRepository, metrics: Metrics, log: Logger): Engine {
  const supervisor = new Supervisor({
    workerFile: WORKER_FILE,
    childMemoryMb: config.childMemoryMb,
    pageTimeoutMs: config.pageTimeoutMs,
    ...observeChildren(metrics, log),
  });
  const scheduler = new Scheduler(repository, supervisor, {
    slots: config.workerThreads,
    maxPages: config.maxPages,
    ocrDpi: config.ocrDpi,
    maxPagePixels: config.maxPagePixels,
    model: config.ocrModel,
    // The child needs the engine, not why it was chosen.
    engine: ocrEngineSchema.parse(config.ocrEngine),
    jobTimeoutMs: config.jobTimeoutMs,
    maxResultBytes: config.maxResultBytes,
    splitDocuments: config.cpus >= 2,
  });
  collectWhenIdle(repository, scheduler);
  return { scheduler, supervisor };
}

/**
 * V8 keeps the heap it grew while jobs ran; once the service falls idle, one full collection
 * hands it back (measured over 300 small jobs: the parent's RSS floor climbed ~20 MB without
 * it). `npm start` runs node with --expose-gc for this.
 */
function collectWhenIdle(repository: JobRepository, scheduler: Scheduler): void {
  let timer: NodeJS.Timeout | undefined;
  repository.events.on('final', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const { running, queued } = scheduler.stats();
      if (running === 0 && queued === 0) globalThis.gc?.();
    }, IDLE_COLLECT_DELAY_MS);
    timer.unref();
  });
}
