import type { Config } from './config.js';
import { createEngine, type Engine } from './engine.js';
import { createHttpApp } from './http.js';
import { embeddedDeps } from './jobs/embedded.js';
import type { Logger } from './log.js';
import { createMetrics } from './metrics.js';
import type { Service, ServiceOptions } from './service.js';
import { createCallbacks } from './webhook/callbacks.js';

/** One instance that does everything in this process: the default, no Redis. */
export function createEmbeddedService(config: Config, log: Logger, options: ServiceOptions): Service & { engine: Engine; app: ReturnType<typeof createHttpApp> } {
  const metrics = createMetrics({ queueDepth: async () => engine.scheduler.stats().queued, runningChildren: () => engine.supervisor.running });
  const engine = createEngine(config, metrics, log);
  const { store, scheduler } = engine;
  // Delivery state goes back into the store, the only holder of job state.
  const callbacks = createCallbacks(
    config,
    (job, state) => {
      const current = store.get(job.id);
      if (!current?.webhook) return;
      current.webhook = state;
      store.touch(current);
    },
    metrics,
    log,
  );
  store.on('final', (job) => callbacks.deliver(job));
  let draining = false;

  const app = createHttpApp(config, {
    ...embeddedDeps(store, scheduler),
    checkCallbackUrl: callbacks.check,
    draining: () => draining,
    metrics,
    sseHeartbeatMs: options.sseHeartbeatMs,
  });

  async function shutdown(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    draining = true;
    if (!(await scheduler.idle(graceMs))) await scheduler.cancelAll();
    // Webhooks still pending (the cancelled jobs' among them) are attempted in the time left.
    await callbacks.flush(deadline);
    store.close();
  }

  return { app, engine, shutdown };
}
