import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { OpsDeps } from './deps.js';
import { health, metrics } from './ops-handlers.js';
import { errorSchema, healthSchema } from './schemas.js';

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness and load',
  responses: {
    200: { description: 'serving', content: { 'application/json': { schema: healthSchema } } },
    503: {
      description: 'draining, or (scaled) Redis unreachable: then the error `queue_unavailable`',
      content: { 'application/json': { schema: z.union([healthSchema, errorSchema]) } },
    },
  },
});

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics',
  description:
    'Prometheus text format: jobs by final status, job duration, pages by source, queue depth, running children, ' +
    'child peak memory, webhook deliveries by outcome, and the process metrics of the service itself.',
  responses: {
    200: { description: 'the metrics', content: { 'text/plain': { schema: z.string() } } },
  },
});

export function opsRoutes(deps: OpsDeps) {
  const app = new OpenAPIHono();
  app.openapi(healthRoute, (c) => health(c, deps));
  app.openapi(metricsRoute, (c) => metrics(c, deps));
  return app;
}
