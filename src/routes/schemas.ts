import { z } from '@hono/zod-openapi';
import { parsePageSpec } from '../pages.js';
import { failureCodeSchema, fieldTypeSchema, ocrModeSchema, pageErrorCodeSchema, pageNoteSchema } from '../protocol.js';

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
  password: z
    .string()
    .max(1024)
    .optional()
    .openapi({ description: "An encrypted PDF's password. Prefer the `X-PDF-Password` header: a query string ends up in access logs." }),
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

/** `X-PDF-Password`: the password out of the URL, where proxies and access logs would keep it. */
export const pdfPasswordHeaderSchema = z
  .string()
  .max(1024)
  .openapi({
    param: { name: 'x-pdf-password', in: 'header' },
    description: "An encrypted PDF's password (printable ASCII; others go in the form field `password`). Wins over the field.",
  });

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

const bboxSchema = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .openapi({ description: '[left, top, right, bottom] in PDF points from the top-left corner of the page as displayed', example: [72, 90.2, 96.4, 102.1] });

export const formFieldSchema = z
  .object({
    name: z.string().openapi({ example: 'roof.leaks' }),
    type: fieldTypeSchema,
    value: z.union([z.string(), z.boolean(), z.array(z.string()), z.null()]).openapi({
      description: 'text: its string ("" when empty); checkbox: true/false; radio: true for the selected widget of its group; choice: the option or options; signature, button: null',
    }),
    export: z.string().optional().openapi({ description: "a radio button's export value" }),
    bbox: bboxSchema,
    label: z.string().optional().openapi({ description: 'the text beside, before or above the field: what it asks', example: 'Roof leaks' }),
  })
  .openapi('FormField');

export const wordSchema = z
  .object({
    text: z.string(),
    bbox: bboxSchema,
    confidence: z.number().min(0).max(100).optional().openapi({ description: 'OCR words only' }),
  })
  .openapi('Word');

export const resultSchema = z
  .object({
    id: z.string(),
    pages_total: z.number(),
    document_pages: z.number().nullable(),
    pages: z.array(
      z.object({
        page: z.number(),
        text: z.string().openapi({ description: 'in reading order, with filled-in form values where they sit ([x] / [ ] for boxes)' }),
        source: z.enum(['text', 'ocr']),
        confidence: z.number().optional(),
        error: pageErrorSchema.nullable(),
        width: z.number().nullable().openapi({ description: 'the page as displayed (after /Rotate), PDF points; null when it could not be read' }),
        height: z.number().nullable(),
        fields: z.array(formFieldSchema).optional().openapi({ description: 'AcroForm widgets in reading order' }),
        notes: z.array(pageNoteSchema).optional().openapi({ description: 'xfa_form: the form lives only in XFA; its answers cannot be read' }),
      }),
    ),
    text: z.string(),
  })
  .openapi('Result');

/** `?format=words`. */
export const wordsResultSchema = z
  .object({
    id: z.string(),
    pages: z.array(
      z.object({
        page: z.number(),
        width: z.number().nullable(),
        height: z.number().nullable(),
        source: z.enum(['text', 'ocr']),
        words: z.array(wordSchema).openapi({ description: 'in reading order' }),
      }),
    ),
  })
  .openapi('WordsResult');

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
