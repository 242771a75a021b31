/**
 * The child program: one per PDF run. Receives one `start` message, streams a `page`
 * message per finished page, then `done` (or `failed`) and exits so the OS takes back
 * every byte, WASM memory included.
 */
import { packWords, parentMessageSchema, type ChildMessage, type FormField, type PageResult, type ProfileStage, type StartMessage } from '../src/protocol.js';
import { selectPages } from '../src/pages.js';
import { withoutPaths } from '../src/paths.js';
import { formAnswers } from './forms/answers.js';
import { drawnForm } from './forms/drawn-form.js';
import { DrawnGate } from './forms/drawn-gate.js';
import { formFields, formKind } from './forms/fields.js';
import type { PageForm } from './forms/page-form.js';
import { scanForm } from './forms/scan-form.js';
import type { PageView } from './page/page-view.js';
import { createOcr, type OcrEngine } from './ocr/engine.js';
import type { OcrText } from './ocr/ocr.js';
import { JpegScans } from './pdf/jpeg-scan.js';
import { ocrContent, textLayerContent } from './output/page-content.js';
import { ImageTooLarge, pageImage } from './image/page-image.js';
import { middleRows, rotate, type GrayImage } from './image/pixels.js';
import { eraseRuledLines } from './image/ruled-lines.js';
import { fitToShare, pageShareBytes } from './output/page-share.js';
import { JobFailure, openPdf, oversizedImageCount } from './pdf/pdf.js';
import { StageClock } from './output/profile.js';
import { isUsableText, layerBudget, layerText, readTextLayer } from './text/text-layer.js';
import type { DocumentFonts } from './text/font-fit.js';
import { textWords } from './text/text-words.js';
import type { PDFDocumentProxy, PDFPageProxy } from './pdf/pdfjs.js';

/** The parent checks every message against the protocol; the types keep this side to it (a check here cost ~1 ms a page). */
function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve())));
}

/** Pages this child may still process; narrowed by the parent when it splits the document. */
let allowed: Set<number> | null = null;

async function run(task: StartMessage, clock: StageClock): Promise<void> {
  if (task.only) allowed = new Set(task.only);
  const doc = await clock.time('open', () => openPdf(task.file, task.password, task.maxPagePixels));
  const ocr = createOcr(task.engine, task.lang, task.model);
  const jpegs = new LazyReader(() => JpegScans.open(task.file), 'open', clock);
  const gate = new LazyReader(() => DrawnGate.open(task.file), 'forms', clock);
  try {
    const selected = selectPages(task.pages, doc.numPages);
    // The limit guards the work done: a few pages of a long manual are a small job.
    if (selected.length > task.maxPages) {
      throw new JobFailure('too_many_pages', `${selected.length} pages are selected; the limit is ${task.maxPages}`);
    }
    await clock.time('ipc', () => send({ type: 'document', pagesTotal: doc.numPages, pages: selected }));
    const skip = new Set(task.skip);
    const share = pageShareBytes(task.maxResultBytes, selected.length);
    const budget = layerBudget(share);
    const form = await formKind(doc).catch(() => 'none' as const);
    const fonts: DocumentFonts = new Map();
    const notes = form === 'xfa' ? (['xfa_form'] as const) : null;
    for (const pageNumber of selected) {
      if (skip.has(pageNumber) || (allowed && !allowed.has(pageNumber))) continue;
      const result = await processPage(doc, pageNumber, task, { ocr, jpegs, gate, clock, hasForm: form === 'acroform', fonts, layerBudget: budget });
      await clock.time('ipc', () => send({ type: 'page', result: fitToShare(notes ? { ...result, notes: [...notes] } : result, share) }));
    }
  } finally {
    ocr.close();
    jpegs.close();
    gate.close();
    await doc.destroy();
  }
}

/**
 * One of the child's own readings of the file, opened at the first page that needs it: the JPEG
 * scans' reader at the first OCR page, the drawn-forms gate at the first text page; a document
 * that needs neither never has its raw structure read (null when the file is beyond the reader:
 * encrypted, damaged).
 */
class LazyReader<T extends { close(): void }> {
  private reader: T | null | undefined;

  constructor(
    private readonly open: () => Promise<T | null> | T | null,
    private readonly stage: ProfileStage,
    private readonly clock: StageClock,
  ) {}

  async get(): Promise<T | null> {
    if (this.reader === undefined) this.reader = await this.clock.time(this.stage, this.open);
    return this.reader;
  }

  close(): void {
    this.reader?.close();
  }
}

/**
 * What the child keeps across pages: the engine, its JPEG reader, the stage clock, whether the
 * document has a form, what it learned of its fonts, how much of a page's text layer it reads.
 */
interface DocumentState {
  ocr: OcrEngine;
  jpegs: LazyReader<JpegScans>;
  gate: LazyReader<DrawnGate>;
  clock: StageClock;
  hasForm: boolean;
  fonts: DocumentFonts;
  layerBudget: number;
}

async function processPage(doc: PDFDocumentProxy, pageNumber: number, task: StartMessage, state: DocumentState): Promise<PageResult> {
  const { clock } = state;
  let page;
  try {
    page = await clock.time('open', () => doc.getPage(pageNumber));
  } catch (err) {
    const error = { code: 'pdf_invalid' as const, message: `page could not be read: ${errorText(err)}` };
    return { page: pageNumber, text: '', source: 'text', error, width: null, height: null, words: packWords([]), markdown: '' };
  }
  try {
    const view = page.getViewport({ scale: 1 });
    const fields = state.hasForm ? await clock.time('text', () => formFields(page!, view).catch(() => [])) : [];
    const layer = task.ocr === 'force' ? null : await clock.time('text', () => readTextLayer(page!, state.layerBudget).catch(() => null));
    const content = layer?.content;
    const text = content ? layerText(content) : '';
    if (task.ocr === 'off' || (task.ocr === 'auto' && isUsableText(text))) {
      const words = await clock.time('layout', () => (content ? textWords(content, view, state.fonts) : []));
      const drawn = await clock.time('forms', async () => {
        // pdfjs's operator list costs about a text-layer read: only a page the gate finds a box-sized candidate on, a word beside it, pays it.
        const gate = await state.gate.get();
        const form = !gate || gate.mayDraw(page!.ref, text, words, view.transform) ? await drawnForm(page!, view).catch(() => NO_FORM) : NO_FORM;
        return formAnswers(words, form, 'drawn', fields);
      });
      const read = await clock.time('layout', () => textLayerContent(drawn.words, [...fields, ...drawn.fields]));
      return { page: pageNumber, source: 'text', error: layer?.cut ? cutLayerError(state.layerBudget) : null, ...size(view), ...read };
    }
    return await ocrPage(page, pageNumber, task, state, view, fields);
  } finally {
    page.cleanup();
  }
}

/** A page form with nothing on it: what a reader that failed gives (the page's text still counts). */
const NO_FORM: PageForm = { marks: [], answerBoxes: [] };

/** The page error of a text layer cut where readTextLayer stopped; fitToShare keeps it. */
function cutLayerError(budget: number): NonNullable<PageResult['error']> {
  const message = `the page's text is more than the ${Math.round(budget / 1024)} kB a page may keep (its share of MAX_RESULT_MB, within the worker's memory): it was cut`;
  return { code: 'text_truncated', message };
}

/** The displayed page's size, in points. */
function size(view: PageView): { width: number; height: number } {
  return { width: Math.round(view.width * 100) / 100, height: Math.round(view.height * 100) / 100 };
}

async function ocrPage(page: PDFPageProxy, pageNumber: number, task: StartMessage, state: DocumentState, view: PageView, fields: FormField[]): Promise<PageResult> {
  const { ocr, jpegs, clock } = state;
  const base = { page: pageNumber, source: 'ocr' as const, error: null, ...size(view) };
  const oversizedBefore = oversizedImageCount();
  try {
    const reduce = task.reduced.includes(pageNumber) ? 2 : 1;
    const image = await pageImage(page, { dpi: task.ocrDpi / reduce, maxPixels: task.maxPagePixels / (reduce * reduce), reduce }, clock, await jpegs.get());
    // Before the rules go: a box is four of them, and the reader erases the marks' ink itself.
    const form = await clock.time('forms', () => {
      try {
        return scanForm(image);
      } catch {
        return NO_FORM;
      }
    });
    const grids = await clock.time('scale', () => eraseRuledLines(image));
    clock.countOcrPage(image.width * image.height);
    await clock.time('engine', () => ocr.start());
    const result = await recognizeUpright(ocr, image, clock);
    const scanned = await clock.time('forms', () => formAnswers(result.words, form, 'scan', fields));
    const ocred = { ...base, ...(await clock.time('layout', () => ocrContent(scanned.words, [...fields, ...scanned.fields], grids))), confidence: result.confidence };
    if (oversizedImageCount() === oversizedBefore) return ocred;
    const message = `an image on this page has more than ${task.maxPagePixels / 1e6} megapixels (MAX_PAGE_MEGAPIXELS) and was left out`;
    return { ...ocred, error: { code: 'image_too_large', message } };
  } catch (err) {
    if (err instanceof JobFailure) throw err;
    if (err instanceof ImageTooLarge) {
      const message = `an image on this page says it has more than ${task.maxPagePixels / 1e6} megapixels (MAX_PAGE_MEGAPIXELS); the page was not read`;
      return { ...base, ...ocrContent([], fields), error: { code: 'image_too_large', message } };
    }
    return { ...base, ...ocrContent([], fields), error: { code: 'ocr_failed', message: errorText(err) } };
  } finally {
    // Decoded images are held outside the small JS heap, so V8 would rarely collect them by itself
    // (measured without it: 0.02 CPU s a page less, a 300-dpi child's peak 6 MB higher).
    await clock.time('gc', () => globalThis.gc?.());
  }
}

/** Below this mean confidence a page may be upside down. */
const UPRIGHT_CONFIDENCE = 60;
/** The share of a page's rows, around its middle, read half-turned to test whether it is upside down. */
const PROBE_SHARE = 1 / 3;
/** The half-turned probe must read this much more confidently than the page did to earn a second full pass. */
const TURN_MARGIN = 10;

/**
 * Scans come sideways and upside down, and the LSTM engine has no orientation detection. Its
 * layout analysis does read sideways lines (cardinal.pdf's pages turned by a quarter read at 94
 * either way; upside down at 32-35), so only a half turn is in doubt. A page read with low
 * confidence has a band from its middle read half-turned; only when that band reads clearly
 * better is the whole page read again half-turned. A dim upright page (a photo, a form) then
 * costs a third of a pass more instead of three passes.
 */
async function recognizeUpright(ocr: OcrEngine, image: GrayImage, clock: StageClock): Promise<OcrText> {
  const upright = await clock.time('ocr', () => ocr.recognize(image));
  if (upright.confidence >= UPRIGHT_CONFIDENCE || upright.words.length === 0) return upright;
  clock.countRetry();
  const probe = await clock.time('scale', () => rotate(middleRows(image, PROBE_SHARE), 2));
  const probed = await clock.time('retry', () => ocr.recognize(probe));
  if (probed.confidence < upright.confidence + TURN_MARGIN) return upright;
  clock.countRetry();
  const turned = await clock.time('scale', () => rotate(image, 2));
  const read = await clock.time('retry', () => ocr.recognize(turned));
  return read.confidence > upright.confidence ? read : upright;
}

/** An error as a page or job may show it: without the server's paths (a model file, the upload). */
function errorText(err: unknown): string {
  return withoutPaths(err instanceof Error ? err.message : String(err));
}

async function main(task: StartMessage): Promise<void> {
  const clock = new StageClock();
  try {
    await run(task, clock);
    await send({ type: 'done', profile: clock.report() });
  } catch (err) {
    const failure = err instanceof JobFailure ? err : new JobFailure('worker_crashed', errorText(err), err instanceof Error ? err.message : String(err));
    await send({ type: 'failed', code: failure.code, message: failure.message, detail: failure.detail }).catch(() => {});
  }
  process.disconnect();
}

if (!process.send) {
  console.error('pdf-worker must be started by the supervisor with an IPC channel');
  process.exit(2);
}
// A child never outlives its parent: when the IPC channel closes, it is done.
process.on('disconnect', () => process.exit(0));
process.on('message', (raw) => {
  const message = parentMessageSchema.parse(raw);
  if (message.type === 'start') void main(message);
  else allowed = new Set(message.pages);
});
void send({ type: 'ready' });
