import type { Config } from '../config.js';
import { keepAwake } from '../keep-awake.js';
import type { Logger } from '../log.js';
import { createMetrics, processRssMb } from '../metrics.js';
import { createOpsApp } from './ops-app.js';
import type { Parts, PartsContext } from './parts.js';
import type { Service } from './service.js';

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
    ? await (await import('./scaled.js')).scaledParts(context, config.redisUrl)
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
