import { Hono } from 'hono';
import { ApiError, errorResponse } from '../routes/errors.js';
import type { OpsDeps } from '../routes/deps.js';
import { health, metrics } from '../routes/ops-handlers.js';
import { noSniff } from '../routes/secure-headers.js';

/**
 * A worker-only instance's app: /healthz and /metrics, for orchestrators and Prometheus. Plain
 * Hono, so a worker's parent stays as small as the embedded service's (measured: zod-openapi
 * and the API routes add ~14 MB RSS).
 */
export function createOpsApp(deps: OpsDeps) {
  const app = new Hono();
  app.use('*', noSniff);
  app.get('/healthz', (c) => health(c, deps));
  app.get('/metrics', (c) => metrics(c, deps));
  app.notFound((c) => c.json(new ApiError(404, 'not_found', 'no such route').body(), 404));
  app.onError((err, c) => errorResponse(err, c));
  return app;
}
