import { z } from '@hono/zod-openapi';
import { parsePageSpec } from '../pages.js';
import { deliveryStateSchema, jobErrorSchema, jobStatusSchema, optionValuesSchema } from '../jobs/job.js';
import { bboxSchema, formFieldSchema, ocrModeSchema, pageResultSchema, wordSchema } from '../protocol.js';

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

export const jobSchema = z
  .object({
    id: z.string(),
    status: jobStatusSchema,
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    progress: z.object({ pages_done: z.number(), pages_total: z.number().nullable() }),
    file: z.object({ name: z.string(), bytes: z.number() }),
    options: optionValuesSchema.omit({ callbackUrl: true }),
    error: jobErrorSchema.optional(),
    webhook: z
      .object({
        url: z.string(),
        state: deliveryStateSchema,
        attempts: z.number(),
        last_status: z.number().nullable(),
        last_error: z.string().nullable(),
      })
      .optional(),
  })
  .openapi('Job');
/** The job as the API, its event stream and webhooks show it. */
export type JobBody = z.infer<typeof jobSchema>;

// protocol.ts's schemas exist before @hono/zod-openapi gives zod `.openapi()` (the child never
// loads it), so they are documented with zod's own `.meta()`, which the generator reads alike.
const bboxDoc = bboxSchema.meta({
  description: '[left, top, right, bottom] in PDF points from the top-left corner of the page as displayed',
  example: [72, 90.2, 96.4, 102.1],
});

const field = formFieldSchema.shape;
export const formFieldDoc = formFieldSchema
  .extend({
    name: field.name.meta({ description: "the widget's name; null where the PDF gives none (drawn and scanned fields)", example: 'roof.leaks' }),
    value: field.value.meta({
      description: 'text: its string ("" when empty); checkbox: true/false; radio: true for the selected widget of its group; choice: the option or options; signature, button: null',
    }),
    export: field.export.meta({ description: "a radio button's export value" }),
    bbox: bboxDoc,
    origin: field.origin.meta({ description: 'acroform: a live widget; drawn: vector paths or glyphs on a text-layer page; scan: found in the page image of an OCR page' }),
    label: field.label.meta({ description: "the text beside, before or above the field: a box's option (Yes), an answer box's question", example: 'Yes' }),
    question: field.question.meta({ description: "a check box's or radio button's question: the text on its line before the options, or on the line above", example: 'Known roof leaks?' }),
    confidence: field.confidence.meta({ description: 'scan fields only: how sure the reading is, 0-100' }),
  })
  .openapi('FormField');

const wordDoc = wordSchema
  .extend({ bbox: bboxDoc, confidence: wordSchema.shape.confidence.meta({ description: 'OCR words only' }) })
  .openapi('Word');

const page = pageResultSchema.shape;
/** Absent only on pages the parent recorded itself; the result shows them as null. */
const pageWidth = page.width.unwrap().meta({ description: 'the page as displayed (after /Rotate), PDF points; null when it could not be read' });
const pageHeight = page.height.unwrap();

/** A page of the JSON result: the page as the child reported it, without its words and Markdown (other formats). */
const resultPageSchema = pageResultSchema.omit({ words: true, markdown: true }).extend({
  text: page.text.meta({ description: 'in reading order, with filled-in form values where they sit ([x] / [ ] for boxes)' }),
  width: pageWidth,
  height: pageHeight,
  fields: z.array(formFieldDoc).optional().openapi({ description: 'form fields in reading order: AcroForm widgets, and check boxes, radio buttons and answer boxes drawn or scanned' }),
  notes: page.notes.meta({ description: 'xfa_form: the form lives only in XFA; its answers cannot be read' }),
});
export type ResultPage = z.infer<typeof resultPageSchema>;

export const resultSchema = z
  .object({
    id: z.string(),
    pages_total: z.number(),
    document_pages: z.number().nullable(),
    pages: z.array(resultPageSchema),
    text: z.string(),
  })
  .openapi('Result');

/** `?format=words`. */
export const wordsResultSchema = z
  .object({
    id: z.string(),
    pages: z.array(
      z.object({
        page: page.page,
        width: pageWidth,
        height: pageHeight,
        source: page.source,
        words: z.array(wordDoc).openapi({ description: 'in reading order' }),
      }),
    ),
  })
  .openapi('WordsResult');

export type Health = z.infer<typeof healthSchema>;
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
