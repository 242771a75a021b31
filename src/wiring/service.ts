/** A running instance as its entry point (src/server.ts) or a test sees it. */
export interface Service {
  /** The HTTP app (Hono); a worker-only instance serves only /healthz and /metrics. */
  app: { fetch(request: Request): Response | Promise<Response> };
  /** Stops taking work, lets running jobs finish within the grace period, then stops the rest. */
  shutdown(graceMs: number): Promise<void>;
}
