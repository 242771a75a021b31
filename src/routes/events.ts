import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { ApiError } from '../errors.js';
import { isFinal, jobView } from '../jobs/job.js';
import type { AppDeps } from './deps.js';
import { errorResponses, idParamSchema } from './schemas.js';

const DEFAULT_HEARTBEAT_MS = 15_000;

const eventsRoute = createRoute({
  method: 'get',
  path: '/api/jobs/{id}/events',
  summary: 'Progress as Server-Sent Events',
  description:
    'Events `progress` (data `{"pages_done","pages_total"}`), then one final event named by the status ' +
    '(`succeeded`, `failed`, `cancelled`) with the job as data; then the stream ends. The first event is ' +
    'the current state, so a late client catches up at once. A comment line (`: keep-alive`) is sent ' +
    'when nothing else was for the heartbeat interval (15 s). Progress is not throttled, but a slow ' +
    'client gets only the latest state instead of a backlog.',
  request: { params: idParamSchema },
  responses: {
    200: { description: 'the event stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...errorResponses(401, 404, 503),
  },
});

export function eventRoutes(deps: AppDeps) {
  const app = new OpenAPIHono();
  const heartbeatMs = deps.sseHeartbeatMs ?? DEFAULT_HEARTBEAT_MS;

  app.openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await deps.store.get(id))) throw new ApiError(404, 'job_not_found', 'no job with this id (it may have expired)');
    const requestSignal = c.req.raw.signal;

    return streamSSE(c, async (stream) => {
      // One writer loop: a change only marks the job dirty and wakes the loop, so a client
      // that reads slowly gets the newest state next instead of a queue of stale ones.
      let dirty = true; // the current state goes out first
      let wake: (() => void) | undefined;
      const poke = () => {
        dirty = true;
        wake?.();
      };
      let gone = false;
      const leave = () => {
        gone = true;
        wake?.();
      };
      const unsubscribe = deps.watch(id, poke);
      stream.onAbort(leave);
      requestSignal.addEventListener('abort', leave);
      let lastProgress = '';
      try {
        while (!gone && !stream.aborted) {
          if (!dirty) {
            const changed = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), heartbeatMs);
              wake = () => {
                clearTimeout(timer);
                resolve(true);
              };
            });
            wake = undefined;
            if (gone) break;
            if (!changed) {
              await stream.write(': keep-alive\n\n');
              continue;
            }
          }
          dirty = false;
          // Deleted or expired: nothing more will come. Redis unreachable (scaled): the stream
          // ends and the client's EventSource reconnects, to a 503 until Redis is back.
          const job = await deps.store.get(id).catch(() => undefined);
          if (!job) break;
          const view = jobView(job);
          if (isFinal(job.status)) {
            await stream.writeSSE({ event: job.status, data: JSON.stringify(view) });
            break;
          }
          const progress = JSON.stringify(view.progress);
          if (progress === lastProgress) continue; // e.g. queued → running: nothing new to show
          lastProgress = progress;
          await stream.writeSSE({ event: 'progress', data: progress });
        }
      } finally {
        unsubscribe();
        requestSignal.removeEventListener('abort', leave);
      }
    });
  });

  return app;
}
