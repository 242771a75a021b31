import { z } from 'zod';

/**
 * Everything that crosses the process boundary between the supervisor and a child, and the
 * codes that go with it. Both sides parse what they receive with these schemas; nothing else
 * is sent. The code lists are the service's one list: API, OpenAPI and webhooks use them too.
 */

/** Why a job failed: stable strings clients switch on (API.md). */
export const failureCodeSchema = z.enum([
  'pdf_password_required',
  'pdf_password_incorrect',
  'pdf_invalid',
  'too_many_pages',
  'memory_limit',
  'timeout',
  'worker_crashed',
  'ocr_failed',
  'cancelled',
  'result_too_large',
]);
export type FailureCode = z.infer<typeof failureCodeSchema>;

/** Why one page has no (or only part of its) text while its job still succeeds. */
export const pageErrorCodeSchema = z.enum([
  'pdf_invalid',
  'ocr_failed',
  'image_too_large',
  'text_truncated',
  // The page took down its child (or stalled it) too often; set by the parent.
  'worker_crashed',
  'memory_limit',
  'timeout',
]);
export type PageErrorCode = z.infer<typeof pageErrorCodeSchema>;

export const pageErrorSchema = z.object({ code: pageErrorCodeSchema, message: z.string() });

export const pageResultSchema = z.object({
  page: z.number().int().positive(),
  text: z.string(),
  source: z.enum(['text', 'ocr']),
  confidence: z.number().min(0).max(100).optional(),
  error: pageErrorSchema.nullable(),
});
export type PageResult = z.infer<typeof pageResultSchema>;

export const ocrModeSchema = z.enum(['auto', 'force', 'off']);
export type OcrMode = z.infer<typeof ocrModeSchema>;

/** Parent → child: the one task a child gets in its life. */
export const startMessageSchema = z.object({
  type: z.literal('start'),
  file: z.string(),
  password: z.string().optional(),
  ocr: ocrModeSchema,
  lang: z.string(),
  /** Page selection like `1-3,7,10-`; null = every page. */
  pages: z.string().nullable(),
  /** Pages already done by an earlier child of the same job: skipped on resume. */
  skip: z.array(z.number().int().positive()),
  /** Pages that killed an earlier child: rendered at half the resolution this time. */
  reduced: z.array(z.number().int().positive()),
  /** When set, only these of the selected pages (the other share went to a sibling child). */
  only: z.array(z.number().int().positive()).nullable(),
  /** A selection of more pages than this fails with `too_many_pages`. */
  maxPages: z.number().int().positive(),
  /** MAX_RESULT_MB: each selected page gets its share of it (workers/page-share.ts). */
  maxResultBytes: z.number().int().positive(),
  ocrDpi: z.number().int().positive(),
  maxPagePixels: z.number().int().positive(),
  model: z.object({ dir: z.string(), gzip: z.boolean() }),
});
export type StartMessage = z.infer<typeof startMessageSchema>;
/** Parent → child, while it works: hand the pages outside this list to a sibling child. */
export const narrowMessageSchema = z.object({ type: z.literal('narrow'), pages: z.array(z.number().int().positive()) });
export type NarrowMessage = z.infer<typeof narrowMessageSchema>;

export const parentMessageSchema = z.discriminatedUnion('type', [startMessageSchema, narrowMessageSchema]);
export type ParentMessage = z.infer<typeof parentMessageSchema>;

/** Where a child's CPU time goes, so the next speed-up is chosen by numbers (npm run bench prints it). */
export const profileStageSchema = z.enum([
  /** Node's start and the child's modules (pdfjs) loaded, until the task arrived. */
  'startup',
  /** The PDF opened, pages looked up. */
  'open',
  /** Text layers read. */
  'text',
  /** Scanned images decoded, or pages rendered. */
  'decode',
  /** Pixels converted in JavaScript: gray, orientation, scaling, quarter turns. */
  'scale',
  /** The OCR engine's WebAssembly instantiated and its model loaded. */
  'engine',
  /** The first OCR pass of each page. */
  'ocr',
  /** OCR passes at other quarter turns. */
  'retry',
  /** Collections the child asks for between pages. */
  'gc',
  /** Messages to the parent. */
  'ipc',
]);
export type ProfileStage = z.infer<typeof profileStageSchema>;
export const profileSchema = z.object({
  /** CPU milliseconds (user + system, all of the child's threads) per stage. */
  cpuMs: z.record(profileStageSchema, z.number().nonnegative()),
  /** The child's CPU milliseconds from its start until it reported; what no stage holds is the rest. */
  totalCpuMs: z.number().nonnegative(),
  /** Pages read by OCR, and extra OCR passes at other quarter turns. */
  ocrPages: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
});
export type Profile = z.infer<typeof profileSchema>;

/** Child → parent. */
export const childMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('document'), pagesTotal: z.number().int().nonnegative(), pages: z.array(z.number().int().positive()) }),
  z.object({ type: z.literal('page'), result: pageResultSchema }),
  z.object({ type: z.literal('done'), profile: profileSchema }),
  z.object({ type: z.literal('failed'), code: failureCodeSchema, message: z.string() }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;

/** What was wrong with a message that did not parse, in one line for logs and job errors. */
export function describeProtocolError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
}
