import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from './deps.js';
import { healthSchema } from './schemas.js';

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness and load',
  responses: {
    200: { description: 'serving', content: { 'application/json': { schema: healthSchema } } },
    503: { description: 'draining', content: { 'application/json': { schema: healthSchema } } },
  },
});

export function opsRoutes(deps: AppDeps) {
  const app = new OpenAPIHono();
  app.openapi(healthRoute, (c) => {
    const draining = deps.draining();
    const body = { status: draining ? 'draining' : 'ok', queue: deps.queue.stats(), memory: { rss_mb: deps.rssMb() } } as const;
    return draining ? c.json(body, 503) : c.json(body, 200);
  });
  return app;
}
