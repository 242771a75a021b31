import { z } from '@hono/zod-openapi';
import { parsePageSpec } from '../pages.js';
import { failureCodeSchema, ocrModeSchema, pageErrorCodeSchema } from '../protocol.js';

/** Job options, from query parameters (raw PDF body) or form fields (multipart). */
export const jobOptionsSchema = z.object({
  ocr: ocrModeSchema.default('auto').openapi({ description: 'auto: OCR pages without usable text; force: every page; off: never' }),
  pages: z
    .string()
    .max(1000)
    .refine((v) => parsePageSpec(v) !== null, 'pages must be a selection like 1-3,7,10-')
    .optional()
    .openapi({ example: '1-3,7,10-' }),
  lang: z
    .string()
    .max(64)
    .regex(/^[a-z_]{3,16}(\+[a-z_]{3,16})*$/, 'lang must be tesseract language codes like eng or eng+deu')
    .default('eng'),
  password: z.string().max(1024).optional(),
  callback_url: z
    .url({ protocol: /^https?$/, error: 'callback_url must be an http(s) URL' })
    .max(2048)
    .optional(),
});
export type JobOptionsInput = z.infer<typeof jobOptionsSchema>;

/** `Idempotency-Key`: 1-255 printable ASCII characters. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x20-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 printable ASCII characters')
  .openapi({ param: { name: 'idempotency-key', in: 'header' }, example: 'order-4711-upload' });

export const idParamSchema = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });

export const errorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .openapi('Error');

const jobErrorSchema = z.object({ code: failureCodeSchema, message: z.string() });
const pageErrorSchema = z.object({ code: pageErrorCodeSchema, message: z.string() });

export const jobSchema = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    progress: z.object({ pages_done: z.number(), pages_total: z.number().nullable() }),
    file: z.object({ name: z.string(), bytes: z.number() }),
    options: z.object({ ocr: ocrModeSchema, pages: z.string().nullable(), lang: z.string() }),
    error: jobErrorSchema.optional(),
    webhook: z
      .object({
        url: z.string(),
        state: z.enum(['pending', 'delivered', 'failed']),
        attempts: z.number(),
        last_status: z.number().nullable(),
        last_error: z.string().nullable(),
      })
      .optional(),
  })
  .openapi('Job');

export const resultSchema = z
  .object({
    id: z.string(),
    pages_total: z.number(),
    document_pages: z.number().nullable(),
    pages: z.array(
      z.object({
        page: z.number(),
        text: z.string(),
        source: z.enum(['text', 'ocr']),
        confidence: z.number().optional(),
        error: pageErrorSchema.nullable(),
      }),
    ),
    text: z.string(),
  })
  .openapi('Result');

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'draining']),
    queue: z.object({ running: z.number(), queued: z.number(), limit: z.number() }),
    memory: z.object({ rss_mb: z.number() }),
  })
  .openapi('Health');

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [s, { description: 'error', content: { 'application/json': { schema: errorSchema } } }]),
  );
