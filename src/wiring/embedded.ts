import { localQueue } from '../jobs/local-queue.js';
import { MemoryJobRepository } from '../jobs/memory-repository.js';
import { createCallbacks } from '../webhook/callbacks.js';
import { createEngine } from './engine.js';
import { observeJobs } from './observe.js';
import type { Parts, PartsContext } from './parts.js';

/** One instance that does everything in this process: the default, no Redis. */
export function embeddedParts({ config, log, metrics }: PartsContext): Parts {
  const repository = new MemoryJobRepository({
    ttlMs: config.resultTtlMs,
    purgeIntervalMs: config.purgeIntervalMs,
    maxBytes: config.resultStoreBytes,
    onPurge: (removed) => log.info({ removed }, 'purged expired jobs'),
  });
  const { scheduler, supervisor } = createEngine(config, repository, metrics, log);
  const webhooks = createCallbacks(config, (id, state) => repository.setWebhook(id, state), metrics, log);
  observeJobs(repository.events, metrics, log);
  repository.events.on('final', (job) => webhooks.deliver(job));

  return {
    api: { jobs: repository, queue: localQueue(repository, scheduler, { slots: config.workerThreads, queueLimit: config.queueLimit }) },
    webhooks,
    stats: async () => scheduler.stats(),
    runningChildren: () => supervisor.running,
    held: () => repository.held(),
    async drain(deadline) {
      if (!(await scheduler.idle(Math.max(0, deadline - Date.now())))) await scheduler.cancelAll();
    },
    async close() {
      repository.close();
    },
  };
}
