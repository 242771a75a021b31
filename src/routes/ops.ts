import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { OpsDeps } from './deps.js';
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
  app.openapi(healthRoute, async (c) => {
    const draining = deps.draining();
    const body = { status: draining ? 'draining' : 'ok', queue: await deps.queue.stats(), memory: { rss_mb: deps.rssMb() } } as const;
    return draining ? c.json(body, 503) : c.json(body, 200);
  });
  app.openapi(metricsRoute, async (c) => {
    const text = await deps.metrics.render();
    return c.text(text, 200, { 'Content-Type': deps.metrics.contentType, 'Cache-Control': 'no-store' });
  });
  return app;
}
