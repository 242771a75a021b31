import { z } from 'zod';

/**
 * Everything that crosses the process boundary between the supervisor and a child.
 * Both sides parse what they receive with these schemas; nothing else is sent.
 */

export const pageErrorSchema = z.object({ code: z.string(), message: z.string() });

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
  /** A document with more pages than this fails with `too_many_pages`. */
  maxPages: z.number().int().positive(),
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
  z.object({ type: z.literal('failed'), code: z.string(), message: z.string() }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;
