import type { Context } from 'hono';
import type { OpsDeps } from './deps.js';
import type { Health } from './schemas.js';

/**
 * /healthz and /metrics as plain handlers: the API documents them through zod-openapi
 * (ops.ts), a worker-only instance serves them from a bare Hono app (wiring/ops-app.ts) and
 * so never loads the OpenAPI machinery.
 */
export async function health(c: Context, deps: OpsDeps) {
  const draining = deps.draining();
  const body: Health = { status: draining ? 'draining' : 'ok', queue: await deps.queue.stats(), memory: { rss_mb: deps.rssMb() } };
  return draining ? c.json(body, 503) : c.json(body, 200);
}

export async function metrics(c: Context, deps: OpsDeps) {
  const text = await deps.metrics.render();
  return c.text(text, 200, { 'Content-Type': deps.metrics.contentType, 'Cache-Control': 'no-store' });
}
