import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { jobView } from '../api/views.js';
import { changeOf, isFinal, type JobChange } from '../jobs/job.js';
import { RETRY_SOON_S } from '../jobs/retry-after.js';
import type { AppDeps } from './deps.js';
import { ApiError } from './errors.js';
import { errorResponses, idParamSchema } from './schemas.js';

const eventsRoute = createRoute({
  method: 'get',
  path: '/api/jobs/{id}/events',
  summary: 'Progress as Server-Sent Events',
  description:
    'Events `progress` (data `{"pages_done","pages_total"}`), then one final event named by the status ' +
    '(`succeeded`, `failed`, `cancelled`) with the job as data; then the stream ends. The first event is ' +
    'the current state, so a late client catches up at once. A comment line (`: keep-alive`) is sent ' +
    'when nothing else was for the heartbeat interval (15 s). Progress is not throttled, but a slow ' +
    'client gets only the latest state instead of a backlog. At most MAX_EVENT_STREAMS streams are open at ' +
    'once: past it, `429 too_many_streams`.',
  request: { params: idParamSchema },
  responses: {
    200: { description: 'the event stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...errorResponses(401, 404, 429, 503),
  },
});

export function eventRoutes(deps: AppDeps) {
  const app = new OpenAPIHono();
  const { maxStreams, heartbeatMs, onStreams } = deps.events;
  let open = 0;

  app.openapi(eventsRoute, async (c) => {
    const { id } = c.req.valid('param');
    // Taken before the first await: on an API instance the job is read from Redis, and a burst
    // checked before that round trip and counted after it would all pass together.
    if (open >= maxStreams) {
      throw new ApiError(429, 'too_many_streams', `${maxStreams} event streams are open; poll GET /api/jobs/{id} or try again later`, undefined, {
        'Retry-After': String(RETRY_SOON_S),
      });
    }
    open++;
    onStreams(1);
    // Subscribed before the first read, so no change falls between the two.
    let latest: JobChange | undefined;
    let wake: (() => void) | undefined;
    const unsubscribe = deps.jobs.watch(id, (change) => {
      latest = change;
      wake?.();
    });
    const giveBack = () => {
      unsubscribe();
      open--;
      onStreams(-1);
    };
    const job = await deps.jobs.get(id).catch((err: unknown) => {
      giveBack();
      throw err;
    });
    if (!job) {
      giveBack();
      throw new ApiError(404, 'job_not_found', 'no job with this id (it may have expired)');
    }
    latest ??= changeOf(job);
    const requestSignal = c.req.raw.signal;

    return streamSSE(c, async (stream) => {
      // One writer loop: a change only replaces `latest` and wakes the loop, so a client that
      // reads slowly gets the newest state next instead of a queue of stale ones.
      let gone = false;
      const leave = () => {
        gone = true;
        wake?.();
      };
      stream.onAbort(leave);
      requestSignal.addEventListener('abort', leave);
      let sent: JobChange | undefined;
      try {
        while (!gone && !stream.aborted) {
          if (latest === sent) {
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
          const change = latest!;
          const progressed = sent === undefined || change.pagesDone !== sent.pagesDone || change.pagesTotal !== sent.pagesTotal;
          sent = change;
          if (isFinal(change.status)) {
            // The final event carries the whole job; a job deleted at its end is shown as last seen.
            const ended = (await deps.jobs.get(id).catch(() => undefined)) ?? { ...job, status: change.status, pagesDone: change.pagesDone };
            await stream.writeSSE({ event: ended.status, data: JSON.stringify(jobView(ended)) });
            break;
          }
          if (!progressed) continue; // e.g. queued → running: nothing new to show
          await stream.writeSSE({ event: 'progress', data: JSON.stringify({ pages_done: change.pagesDone, pages_total: change.pagesTotal }) });
        }
      } finally {
        requestSignal.removeEventListener('abort', leave);
        giveBack();
      }
    });
  });

  return app;
}
