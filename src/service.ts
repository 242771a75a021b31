import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from './config.js';
import { createEngine, type Engine } from './engine.js';
import { createHttpApp } from './http.js';
import { embeddedDeps } from './jobs/embedded.js';
import type { Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { createCallbacks } from './webhook/callbacks.js';

export interface ServiceOptions {
  sseHeartbeatMs?: number;
}

export interface Service {
  /** The HTTP app; a worker-only instance serves only /healthz and /metrics. */
  app: OpenAPIHono;
  /** Stops taking work, lets running jobs finish within the grace period, then stops the rest. */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Wires the rooms of the house together; the server (or a test) only calls this. Without
 * REDIS_URL everything lives in this process; with it, the scaled service (loaded only then,
 * so one instance never pays for BullMQ) shares jobs with other instances through Redis.
 */
export async function createService(config: Config, log: Logger, options: ServiceOptions = {}): Promise<Service> {
  if (config.redisUrl) return (await import('./scaled/service.js')).createScaledService(config, config.redisUrl, log, options);
  return createEmbeddedService(config, log, options);
}

export function createEmbeddedService(config: Config, log: Logger, options: ServiceOptions): Service & { engine: Engine } {
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
