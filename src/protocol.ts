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

/** `[left, top, right, bottom]` in PDF points from the top-left corner of the page as displayed. */
export const bboxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export type Bbox = z.infer<typeof bboxSchema>;

export const fieldTypeSchema = z.enum(['text', 'checkbox', 'radio', 'choice', 'signature', 'button']);
export type FieldType = z.infer<typeof fieldTypeSchema>;

/** Where a form field was found: a live widget, vector ink or glyphs on a text page, or a scan's pixels. */
export const fieldOriginSchema = z.enum(['acroform', 'drawn', 'scan']);
export type FieldOrigin = z.infer<typeof fieldOriginSchema>;

/**
 * One form field: an AcroForm widget, or a check box, radio button or ruled answer box the page
 * shows without one. A text field's string, a box's state, the chosen option(s); null for
 * signatures and buttons.
 */
export const formFieldSchema = z.object({
  /** The widget's name; null where the PDF gives none (every drawn and scanned field). */
  name: z.string().nullable(),
  type: fieldTypeSchema,
  value: z.union([z.string(), z.boolean(), z.array(z.string()), z.null()]),
  /** A radio button's export value (what its group's value is when it is the one selected). */
  export: z.string().optional(),
  bbox: bboxSchema,
  origin: fieldOriginSchema,
  /** The text a reader takes for the field's question: beside it (a box's own words) or before or above it. */
  label: z.string().optional(),
  /** A check box's or radio button's question: the text on its line before the options, or on the line above. */
  question: z.string().optional(),
  /** 0-100, on fields found in a scan: how sure the reading of the mark's state is. */
  confidence: z.number().min(0).max(100).optional(),
});
export type FormField = z.infer<typeof formFieldSchema>;

/** Things a reader of the page should know that its text cannot say. */
export const pageNoteSchema = z.enum(['xfa_form']);

/** A word with its box; `confidence` (0-100) only on words read by OCR. */
export const wordSchema = z.object({ text: z.string(), bbox: bboxSchema, confidence: z.number().min(0).max(100).optional() });
export type Word = z.infer<typeof wordSchema>;

/** Words in a packed text: its spaces plus one (none in ''), counted without splitting it (the parent checks every page). */
function wordsIn(text: string): number {
  if (text === '') return 0;
  let words = 1;
  for (let i = text.indexOf(' '); i >= 0; i = text.indexOf(' ', i + 1)) words++;
  return words;
}

/**
 * A page's words, packed: the parent keeps every page's words until the job is deleted, and as
 * objects they cost ~150 bytes a word in its heap (+63 MB of server RSS over the corpus sweep
 * of test/corpus.test.ts); packed, ~30. `text` is the words joined by single spaces (a word
 * never holds whitespace); `boxes` four integers a word, tenths of a point (finer than any box
 * here is true to; the boxes are most of a page's message); `confidence`
 * one a word, OCR only. src/api/formats.ts unpacks them for the API.
 */
export const packedWordsSchema = z
  .object({
    text: z.string(),
    boxes: z.array(z.number().int()),
    confidence: z.array(z.number().int().min(0).max(100)).optional(),
  })
  .refine((w) => w.boxes.length === 4 * wordsIn(w.text), 'four box numbers a word')
  .refine((w) => w.confidence === undefined || w.confidence.length * 4 === w.boxes.length, 'one confidence a word');
export type PackedWords = z.infer<typeof packedWordsSchema>;

/**
 * Packs words one at a time (the child packs a page's words as it walks its layout). Arrays
 * grow by index, not push: in the child pdfjs's core-js replaces Array.prototype.push with a
 * slower one taking `arguments` (measured: most of the packing's garbage on a fresh child).
 * Given the number of words, they are made at their size once rather than grown (each growth
 * copies: ~2.5 MB of garbage on pdkids).
 */
export class WordPacker {
  private readonly texts: string[];
  private readonly boxes: number[];
  private readonly confidence: number[] = [];
  private count = 0;

  constructor(words = 0) {
    this.texts = new Array<string>(words);
    this.boxes = new Array<number>(4 * words);
  }

  add(text: string, bbox: Bbox, confidence?: number): void {
    const n = this.count++;
    this.texts[n] = text;
    const boxes = this.boxes;
    boxes[4 * n] = Math.round(bbox[0] * 10);
    boxes[4 * n + 1] = Math.round(bbox[1] * 10);
    boxes[4 * n + 2] = Math.round(bbox[2] * 10);
    boxes[4 * n + 3] = Math.round(bbox[3] * 10);
    if (confidence !== undefined) this.confidence[this.confidence.length] = Math.round(confidence);
  }

  packed(): PackedWords {
    // Made for more words than came: cut to those that did.
    this.texts.length = this.count;
    this.boxes.length = 4 * this.count;
    const packed: PackedWords = { text: this.texts.join(' '), boxes: this.boxes };
    if (this.texts.length > 0 && this.confidence.length === this.texts.length) packed.confidence = this.confidence;
    return packed;
  }
}

export function packWords(words: Word[]): PackedWords {
  const packer = new WordPacker(words.length);
  for (const w of words) packer.add(w.text, w.bbox, w.confidence);
  return packer.packed();
}

export function unpackWords(packed: PackedWords): Word[] {
  if (packed.text === '') return [];
  return packed.text.split(' ').map((text, i) => {
    const b = packed.boxes.slice(4 * i, 4 * i + 4).map((v) => v / 10) as Bbox;
    const c = packed.confidence?.[i];
    return c === undefined ? { text, bbox: b } : { text, bbox: b, confidence: c };
  });
}

/** Where a page's text came from: its text layer or OCR. */
export const pageSourceSchema = z.enum(['text', 'ocr']);
export type PageSource = z.infer<typeof pageSourceSchema>;

export const pageResultSchema = z.object({
  page: z.number().int().positive(),
  /** The page's text in reading order, with filled-in form values where they sit. */
  text: z.string(),
  source: pageSourceSchema,
  confidence: z.number().min(0).max(100).optional(),
  error: pageErrorSchema.nullable(),
  /**
   * The page as displayed (after /Rotate), in PDF points; null for a page that could not be
   * opened. The fields below are absent on results the parent makes itself (a page that killed
   * its child), which know nothing of the page.
   */
  width: z.number().positive().nullable().optional(),
  height: z.number().positive().nullable().optional(),
  /** AcroForm widgets in reading order, when the page has any. */
  fields: z.array(formFieldSchema).optional(),
  notes: z.array(pageNoteSchema).optional(),
  /** Words in reading order. */
  words: packedWordsSchema.optional(),
  /** This page as Markdown, without the `<!-- page N -->` line the whole document puts before it. */
  markdown: z.string().optional(),
});
export type PageResult = z.infer<typeof pageResultSchema>;

export const ocrModeSchema = z.enum(['auto', 'force', 'off']);
export type OcrMode = z.infer<typeof ocrModeSchema>;

/**
 * The OCR engine a child drives: tesseract.js-core's WebAssembly inside the child, or the
 * system's tesseract program (`binary`), one process per pass, a descendant of the child.
 */
export const ocrEngineSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('wasm') }),
  z.object({ kind: z.literal('native'), binary: z.string() }),
]);
export type OcrEngineChoice = z.infer<typeof ocrEngineSchema>;

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
  /** MAX_RESULT_MB: each selected page gets its share of it (workers/output/page-share.ts). */
  maxResultBytes: z.number().int().positive(),
  ocrDpi: z.number().int().positive(),
  maxPagePixels: z.number().int().positive(),
  model: z.object({ dir: z.string(), gzip: z.boolean() }),
  engine: ocrEngineSchema,
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
  /** Text layers and form fields read (pdfjs). */
  'text',
  /** What a page says put together: word boxes, reading order, text, Markdown (document fidelity). */
  'layout',
  /** Scanned images decoded, or pages rendered. */
  'decode',
  /** Pixels converted in JavaScript: gray, orientation, scaling, quarter turns, ruled lines erased. */
  'scale',
  /** Forms without widgets: check boxes, radio buttons and answer boxes found on the page. */
  'forms',
  /** The OCR engine's WebAssembly instantiated and its model loaded (the native engine loads its model in each pass: `ocr`). */
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
  /** Pixels of the page images OCR read, summed: the resolution chosen from each page's text (the engine's CPU follows it). */
  ocrPixels: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
});
export type Profile = z.infer<typeof profileSchema>;

/** Child → parent. */
export const childMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('document'), pagesTotal: z.number().int().nonnegative(), pages: z.array(z.number().int().positive()) }),
  z.object({ type: z.literal('page'), result: pageResultSchema }),
  z.object({ type: z.literal('done'), profile: profileSchema }),
  // `message` reaches the job (API, webhooks) and names no server path; `detail`, the error as the child saw it, is only logged.
  z.object({ type: z.literal('failed'), code: failureCodeSchema, message: z.string(), detail: z.string().optional() }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;

/** What was wrong with a message that did not parse, in one line for logs and job errors. */
export function describeProtocolError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
}
