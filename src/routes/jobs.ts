import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createHash } from 'node:crypto';
import { resultChunks, resultFormatSchema, storedPages, type ResultFormat } from '../api/formats.js';
import { jobView } from '../api/views.js';
import { QueueFull } from '../jobs/errors.js';
import { queuedJob, type Job, type NewJob } from '../jobs/job.js';
import { RETRY_SOON_S } from '../jobs/retry-after.js';
import type { ReceivedUpload, UploadDigest } from '../upload/receiver.js';
import type { AppDeps } from './deps.js';
import { ApiError } from './errors.js';
import { textStream } from './stream-body.js';
import {
  errorResponses,
  idempotencyKeySchema,
  idParamSchema,
  jobOptionsSchema,
  jobSchema,
  pdfPasswordHeaderSchema,
  resultSchema,
  wordsResultSchema,
  type JobOptionsInput,
} from './schemas.js';

const submitRoute = createRoute({
  method: 'post',
  path: '/api/jobs',
  summary: 'Submit a PDF',
  description:
    'With an `Idempotency-Key` header (1-255 printable ASCII), a retried submit returns the job the key was first used ' +
    'for (200, same `Location`) instead of creating another; the same key with a different body is ' +
    '`422 idempotency_key_reused`. A retry counts toward the queue limit while its body arrives, like any upload ' +
    '(`429` when the queue is full). An encrypted PDF\'s password goes in the `X-PDF-Password` header (or the ' +
    '`password` field; a query string ends up in access logs).',
  request: {
    query: jobOptionsSchema.partial(),
    headers: z.object({ 'idempotency-key': idempotencyKeySchema.optional(), 'x-pdf-password': pdfPasswordHeaderSchema.optional() }),
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
    200: { description: 'the job an Idempotency-Key was first used for', content: { 'application/json': { schema: jobSchema } } },
    ...errorResponses(400, 401, 408, 413, 415, 422, 429, 503),
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
  summary: 'The text, its words with boxes, or Markdown',
  description:
    '`format=json` (default): page by page, with each page\'s size, form fields and notes. `format=text` (or ' +
    '`Accept: text/plain`): the plain text, pages separated by form feed. `format=words`: every word with its box ' +
    '(PDF points from the top-left of the displayed page) and, on OCR pages, its confidence (a WordsResult). ' +
    '`format=markdown` (or `Accept: text/markdown`): headings, paragraphs, lists, tables and form answers, each ' +
    'page after a `<!-- page N -->` line. Sent as a stream; at most MAX_RESULT_STREAMS are sent at once: past it, ' +
    '`429 too_many_results` with `Retry-After`.',
  request: { params: idParamSchema, query: z.object({ format: resultFormatSchema.optional() }) },
  responses: {
    200: {
      description: 'the result in the format asked for',
      content: {
        'application/json': { schema: z.union([resultSchema, wordsResultSchema]) },
        'text/plain': { schema: z.string() },
        'text/markdown': { schema: z.string() },
      },
    },
    ...errorResponses(401, 404, 409, 429, 503),
  },
});

const CONTENT_TYPES: Record<ResultFormat, string> = {
  json: 'application/json',
  words: 'application/json',
  text: 'text/plain; charset=UTF-8',
  markdown: 'text/markdown; charset=utf-8',
};

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
    const job = await deps.jobs.get(id);
    if (!job) throw new ApiError(404, 'job_not_found', 'no job with this id (it may have expired)');
    return job;
  };

  /** The submit's options: the query's, then the form's, then the password header's, each over the one before. */
  const submitOptions = async (query: Record<string, string>, fields: Record<string, string>, password: string | undefined) => {
    const options = parseOptions({ ...query, ...fields, ...(password === undefined ? {} : { password }) }, deps.languages);
    if (options.callback_url) await deps.checkCallbackUrl(options.callback_url);
    return options;
  };

  app.openapi(submitRoute, async (c) => {
    if (deps.draining()) throw new ApiError(503, 'shutting_down', 'the service is shutting down; try again shortly');
    const headers = c.req.valid('header');
    const key = scopedKey(headers['idempotency-key'], deps.apiKey);
    // Every upload holds room while it arrives, whatever its key: a retry streams as many bytes as a first submit.
    const admission = await deps.queue.admit().catch(async (err: unknown) => {
      if (err instanceof QueueFull) await deps.uploads.drain(c.req.raw);
      throw err;
    });
    try {
      const earlier = key === undefined ? undefined : await deps.jobs.findByIdempotencyKey(key);
      if (earlier) {
        // Answered as of this lookup: the body is only hashed, never stored, and no job comes of it.
        const digest = await deps.uploads.digest(c.req.raw);
        const options = await submitOptions(c.req.query(), digest.fields, headers['x-pdf-password']);
        if (fingerprint(digest, options) !== earlier.fingerprint) throw keyReused();
        const job = (await deps.jobs.get(earlier.job.id)) ?? earlier.job;
        return c.json(jobView(job), 200, { Location: `/api/jobs/${job.id}` });
      }
      const id = crypto.randomUUID();
      const upload = await deps.uploads.receive(c.req.raw, id);
      let kept = false;
      try {
        const options = await submitOptions(c.req.query(), upload.fields, headers['x-pdf-password']);
        const job = newJob(id, upload, options, new URL(c.req.url).origin, key);
        const submitted = await deps.queue.submit(job);
        if (submitted.created) {
          kept = true;
          return c.json(jobView(queuedJob(job)), 202, { Location: `/api/jobs/${id}` });
        }
        if (!submitted.sameBody) throw keyReused();
        return c.json(jobView(submitted.existing), 200, { Location: `/api/jobs/${submitted.existing.id}` });
      } finally {
        if (!kept) await deps.uploads.discard(upload);
      }
    } finally {
      admission.release();
    }
  });

  app.openapi(getRoute, async (c) => c.json(jobView(await findJob(c.req.valid('param').id)), 200));

  // Result bodies being sent by this instance: each holds a page or two of its result at a time.
  let resultStreams = 0;
  app.openapi(resultRoute, async (c) => {
    const job = await findJob(c.req.valid('param').id);
    if (job.status === 'queued' || job.status === 'running') {
      throw new ApiError(409, 'job_not_finished', `the job is ${job.status}; its result is not ready`);
    }
    if (job.status !== 'succeeded') {
      throw new ApiError(409, job.error?.code ?? 'cancelled', job.error?.message ?? 'the job was cancelled');
    }
    if (resultStreams >= deps.maxResultStreams) {
      throw new ApiError(429, 'too_many_results', `${deps.maxResultStreams} results are being sent; try again shortly`, undefined, {
        'Retry-After': String(RETRY_SOON_S),
      });
    }
    resultStreams++;
    const release = () => resultStreams--;
    const pages = await storedPages(deps.jobs, job.id).catch((err: unknown) => {
      release();
      throw err;
    });
    const format = c.req.valid('query').format ?? formatFromAccept(c.req.header('accept'));
    return c.body(textStream(resultChunks(format, job, pages), release), 200, { 'Content-Type': CONTENT_TYPES[format] });
  });

  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid('param');
    await findJob(id);
    await deps.queue.cancel(id);
    await deps.jobs.delete(id);
    return c.body(null, 204);
  });

  return app;
}

/** Without `format`, the Accept header chooses: plain text or Markdown, else JSON. */
function formatFromAccept(accept = ''): 'text' | 'markdown' | 'json' {
  if (/^text\/plain/.test(accept)) return 'text';
  if (/^text\/markdown/.test(accept)) return 'markdown';
  return 'json';
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

/** An idempotency key belongs to the API key it came with: the same key under another API key is another key. */
function scopedKey(key: string | undefined, apiKey: string | undefined): string | undefined {
  return key === undefined ? undefined : sha256(`${apiKey ?? ''}\n${key}`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function keyReused(): ApiError {
  return new ApiError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different submit');
}

/** Same PDF and same options: the same submit, sent again. */
function fingerprint(upload: UploadDigest, options: JobOptionsInput): string {
  return sha256(`${upload.sha256}\n${JSON.stringify(options)}`);
}

function newJob(id: string, upload: ReceivedUpload, options: JobOptionsInput, origin: string, key: string | undefined): NewJob {
  return {
    id,
    createdAt: new Date(),
    file: { name: upload.name, bytes: upload.bytes },
    upload: { kind: 'local', path: upload.path },
    options: { ocr: options.ocr, pages: options.pages ?? null, lang: options.lang, callbackUrl: options.callback_url },
    password: options.password,
    origin,
    ...(key === undefined ? {} : { idempotency: { key, fingerprint: fingerprint(upload, options) } }),
  };
}
