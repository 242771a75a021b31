import type { Config } from './config.js';
import type { Logger } from './log.js';

export interface ServiceOptions {
  sseHeartbeatMs?: number;
}

export interface Service {
  /** The HTTP app (Hono); a worker-only instance serves only /healthz and /metrics. */
  app: { fetch(request: Request): Response | Promise<Response> };
  /** Stops taking work, lets running jobs finish within the grace period, then stops the rest. */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * Wires the rooms of the house together; the server (or a test) only calls this. Without
 * REDIS_URL everything lives in this process; with it, the scaled service shares jobs with
 * other instances through Redis. Each is loaded only when used: one instance never pays for
 * BullMQ, a worker instance never for the API's routes.
 */
export async function createService(config: Config, log: Logger, options: ServiceOptions = {}): Promise<Service> {
  if (config.redisUrl) return (await import('./scaled/service.js')).createScaledService(config, config.redisUrl, log, options);
  return (await import('./embedded-service.js')).createEmbeddedService(config, log, options);
}
