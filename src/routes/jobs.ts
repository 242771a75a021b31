import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.js';
import { jobView, resultView, plainText, type Job } from '../jobs/job.js';
import type { ReceivedUpload } from '../upload.js';
import type { AppDeps } from './deps.js';
import { errorResponses, idParamSchema, jobOptionsSchema, jobSchema, resultSchema, type JobOptionsInput } from './schemas.js';

const submitRoute = createRoute({
  method: 'post',
  path: '/api/jobs',
  summary: 'Submit a PDF',
  request: {
    query: jobOptionsSchema.partial(),
    body: {
      required: true,
      // Documented here but parsed as a stream by the upload receiver, never buffered.
      content: {
        'application/pdf': { schema: { type: 'string', format: 'binary' } },
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['file'],
            properties: { file: { type: 'string', format: 'binary' }, ...z.toJSONSchema(jobOptionsSchema, { io: 'input' }).properties },
          },
        },
      },
    },
  },
  responses: {
    202: { description: 'accepted', content: { 'application/json': { schema: jobSchema } } },
    ...errorResponses(400, 401, 413, 415, 429, 503),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/jobs/{id}',
  summary: 'The job',
  request: { params: idParamSchema },
  responses: { 200: { description: 'the job', content: { 'application/json': { schema: jobSchema } } }, ...errorResponses(401, 404, 503) },
});

const resultRoute = createRoute({
  method: 'get',
  path: '/api/jobs/{id}/result',
  summary: 'The text',
  request: { params: idParamSchema, query: z.object({ format: z.enum(['json', 'text']).optional() }) },
  responses: {
    200: {
      description: 'the text, per page',
      content: { 'application/json': { schema: resultSchema }, 'text/plain': { schema: z.string() } },
    },
    ...errorResponses(401, 404, 409, 503),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/api/jobs/{id}',
  summary: 'Cancel and forget',
  request: { params: idParamSchema },
  responses: { 204: { description: 'gone' }, ...errorResponses(401, 404, 503) },
});

export function jobRoutes(deps: AppDeps) {
  const app = new OpenAPIHono();

  const findJob = async (id: string): Promise<Job> => {
    const job = await deps.store.get(id);
    if (!job) throw new ApiError(404, 'job_not_found', 'no job with this id (it may have expired)');
    return job;
  };

  app.openapi(submitRoute, async (c) => {
    if (deps.draining()) throw new ApiError(503, 'shutting_down', 'the service is shutting down; try again shortly');
    await deps.queue.assertCapacity();
    const upload = await deps.uploads.receive(c.req.raw);
    try {
      const options = parseOptions({ ...c.req.query(), ...upload.fields }, deps.languages);
      if (options.callback_url) await deps.checkCallbackUrl(options.callback_url);
      const job = newJob(upload, options, new URL(c.req.url).origin);
      await deps.queue.submit(job);
      return c.json(jobView(job), 202, { Location: `/api/jobs/${job.id}` });
    } catch (err) {
      await deps.uploads.discard(upload);
      throw err;
    }
  });

  app.openapi(getRoute, async (c) => c.json(jobView(await findJob(c.req.valid('param').id)), 200));

  app.openapi(resultRoute, async (c) => {
    const job = await findJob(c.req.valid('param').id);
    if (job.status === 'queued' || job.status === 'running') {
      throw new ApiError(409, 'job_not_finished', `the job is ${job.status}; its result is not ready`);
    }
    if (job.status !== 'succeeded') {
      throw new ApiError(409, job.error?.code ?? 'cancelled', job.error?.message ?? 'the job was cancelled');
    }
    const format = c.req.valid('query').format;
    const wantsText = format === 'text' || (format === undefined && /^text\/plain/.test(c.req.header('accept') ?? ''));
    if (wantsText) return c.text(plainText(job), 200);
    return c.json(resultView(job), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid('param');
    await findJob(id);
    await deps.queue.cancel(id);
    await deps.store.delete(id);
    return c.body(null, 204);
  });

  return app;
}

function parseOptions(raw: Record<string, string>, languages: string[]): JobOptionsInput {
  const parsed = jobOptionsSchema.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, 'invalid_request', 'invalid job options', z.treeifyError(parsed.error));
  const missing = parsed.data.lang.split('+').filter((l) => !languages.includes(l));
  if (missing.length > 0) {
    throw new ApiError(400, 'invalid_request', `OCR language not installed: ${missing.join(', ')}`, { available: languages });
  }
  return parsed.data;
}

function newJob(upload: ReceivedUpload, options: JobOptionsInput, origin: string): Job {
  return {
    id: crypto.randomUUID(),
    status: 'queued',
    createdAt: new Date(),
    startedAt: null,
    finishedAt: null,
    selected: null,
    documentPages: null,
    file: { name: upload.name, bytes: upload.bytes, path: upload.path },
    options: {
      ocr: options.ocr,
      pages: options.pages ?? null,
      lang: options.lang,
      password: options.password,
      callbackUrl: options.callback_url,
    },
    pages: new Map(),
    ...(options.callback_url ? { webhook: { url: options.callback_url, state: 'pending', attempts: 0 } } : {}),
    origin,
  };
}
