import type { Config } from './config.js';
import type { JobQueue, QueueStats } from './jobs/queue.js';
import { keepAwake } from './keep-awake.js';
import type { Logger } from './log.js';
import { createMetrics, processRssMb, type Metrics } from './metrics.js';
import { createOpsApp } from './ops-app.js';
import type { AppDeps } from './routes/deps.js';
import type { Service } from './service.js';
import type { Webhooks } from './webhook/callbacks.js';

/** What one instance is made of, for its role: built by src/embedded.ts or src/scaled/parts.ts. */
export interface Parts {
  /** Present when this instance answers /api/*. */
  api?: { jobs: AppDeps['jobs']; queue: JobQueue };
  webhooks: Webhooks;
  /** The queue as /healthz and queue_depth show it. */
  stats(): Promise<QueueStats>;
  runningChildren(): number;
  /** Whether the instance holds work for clients: a job queued or running, or a result kept. */
  held(): Promise<boolean>;
  /** Running jobs get until `deadline`; then they are cancelled (one instance) or handed back to the queue (scaled). */
  drain(deadline: number): Promise<void>;
  close(): Promise<void>;
}

export interface PartsContext {
  config: Config;
  log: Logger;
  metrics: Metrics;
}

/**
 * Builds what the configured role needs and owns the one shutdown sequence. Without REDIS_URL
 * everything lives in this process; with it, the instance shares jobs with others through
 * Redis. Each backend is loaded only when used: one instance never pays for BullMQ, a worker
 * instance never for the API's routes.
 */
export async function createRuntime(config: Config, log: Logger): Promise<Service> {
  let parts: Parts | undefined;
  const metrics = createMetrics({
    queueDepth: async () => (parts ? (await parts.stats()).queued : 0),
    runningChildren: () => parts?.runningChildren() ?? 0,
  });
  const context: PartsContext = { config, log, metrics };
  parts = config.redisUrl
    ? await (await import('./scaled/parts.js')).scaledParts(context, config.redisUrl)
    : (await import('./embedded.js')).embeddedParts(context);
  const built = parts;
  let draining = false;
  const stopKeepingAwake = config.renderExternalUrl
    ? keepAwake({ url: config.renderExternalUrl, intervalMs: config.keepAwakeIntervalMs, held: () => built.held(), log })
    : () => {};

  const app = built.api
    ? (await import('./http.js')).createHttpApp(config, {
        ...built.api,
        checkCallbackUrl: built.webhooks.check,
        draining: () => draining,
        metrics,
        onStreams: (delta) => metrics.eventStreams(delta),
      })
    : createOpsApp({ queue: { stats: () => built.stats() }, draining: () => draining, rssMb: processRssMb, metrics });

  async function shutdown(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    draining = true;
    stopKeepingAwake();
    await built.drain(deadline);
    // Webhooks still pending (the cancelled jobs' among them) are attempted in the time left.
    await built.webhooks.flush(deadline);
    await built.close();
  }

  return { app, shutdown };
}
