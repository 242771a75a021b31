/**
 * One measuring run of the child's own compiled code (dist/workers), for the fidelity cost
 * (fidelity-cost.ts starts it as the Supervisor starts a child: same node flags and env):
 *
 *   node dist/bench/fidelity-pass.js text <pdf> layer|text|full   a text document read three ways (TextWay)
 *   node dist/bench/fidelity-pass.js ocr <pdf>…                    one-page scans: plain text vs words
 *
 * It prints one JSON line. The service has no switch to turn fidelity off (and must have none),
 * so the ways are run here, on the same functions the child calls.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../src/config.js';
import type { ChildMessage, PageResult } from '../src/protocol.js';
import { formKind } from '../workers/forms/fields.js';
import { JpegScans } from '../workers/pdf/jpeg-scan.js';
import { Ocr } from '../workers/ocr/ocr.js';
import { readWords } from '../workers/ocr/ocr-words.js';
import { layoutPage } from '../workers/layout/layout.js';
import { ocrContent, textLayerContent } from '../workers/output/page-content.js';
import { pageImage } from '../workers/image/page-image.js';
import { fitToShare, pageShareBytes } from '../workers/output/page-share.js';
import { openPdf } from '../workers/pdf/pdf.js';
import { plainText } from '../workers/output/plain-text.js';
import { StageClock } from '../workers/output/profile.js';
import { isUsableText, layerText } from '../workers/text/text-layer.js';
import type { TextContent } from '../workers/text/decode.js';
import type { DocumentFonts } from '../workers/text/font-fit.js';
import { textWords } from '../workers/text/text-words.js';
import { TEXT_WAYS, type TextWay } from './fidelity-ways.js';

export interface TextPass {
  /** CPU of reading the document: open, every page, close (not node's start nor the imports). */
  cpuS: number;
  /** Of that, the work beyond the layer's text: words, layout, text (and with full: Markdown, packing), the form check. */
  fidelityS: number;
  /** Of that, each page's message in the child: fitted to its share of MAX_RESULT_MB and serialised as IPC sends it. */
  messageS: number;
  /** The process's peak RSS (VmHWM), MB. */
  peakMb: number;
  pages: number;
}

export interface OcrPass {
  pages: number;
  recognizeS: number;
  /** The engine's plain text, as the child read it before issue 12. */
  plainS: number;
  /** Its words with boxes and confidences from the result iterator, as the child reads them now. */
  wordsS: number;
  /** Their layout, text, Markdown and packing. */
  layoutS: number;
}

const config = parseConfig({});

function cpuS(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * A document's fonts, none of them learned (null, as DocumentFonts has it for a font given up on):
 * the learned glyph widths make the word boxes fit their glyphs, and change no page's text nor
 * its Markdown (checked on every text document of the corpus), so plain text alone would not
 * learn them; they are part of what the words cost.
 */
class NotLearned extends Map<string, null> {
  override get(): null {
    return null;
  }
}

/** A text document read as the child reads a text page, one of the TextWays. */
async function textPass(file: string, way: TextWay): Promise<TextPass> {
  const started = cpuS();
  const spent = { fidelityS: 0, messageS: 0 };
  const timed = async <T>(key: keyof typeof spent, work: () => Promise<T> | T): Promise<T> => {
    const t = cpuS();
    try {
      return await work();
    } finally {
      spent[key] += cpuS() - t;
    }
  };
  const doc = await openPdf(file, undefined, config.maxPagePixels);
  const share = pageShareBytes(config.maxResultBytes, doc.numPages);
  const fonts: DocumentFonts = way === 'text' ? new NotLearned() : new Map();
  try {
    if (way !== 'layer') await timed('fidelityS', () => formKind(doc));
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const view = page.getViewport({ scale: 1 });
      const content = (await page.getTextContent()) as TextContent;
      const text = layerText(content);
      if (!isUsableText(text)) throw new Error(`${path.basename(file)} page ${n} has no usable text layer`);
      const read =
        way === 'layer'
          ? { text }
          : await timed('fidelityS', () => {
              const words = textWords(content, view, fonts);
              return way === 'full' ? textLayerContent(words, []) : { text: plainText(layoutPage(words, [])) };
            });
      const result: PageResult = { page: n, source: 'text', error: null, width: view.width, height: view.height, ...read };
      // As pdf-worker.ts sends it: fitted to its share, then serialised by the IPC channel
      // (serialization 'json'); the child does not check its own messages, the parent does.
      await timed('messageS', () => {
        const message: ChildMessage = { type: 'page', result: fitToShare(result, share) };
        return JSON.stringify(message);
      });
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
  const peakMb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
  return { cpuS: cpuS() - started, ...spent, peakMb, pages: doc.numPages };
}

/** Each scan's first page recognized once, as Ocr.recognize does, and its result read both ways. */
async function ocrPass(files: string[]): Promise<OcrPass> {
  const ocr = new Ocr('eng', { dir: config.ocrModel.dir, gzip: config.ocrModel.gzip });
  const cost: OcrPass = { pages: 0, recognizeS: 0, plainS: 0, wordsS: 0, layoutS: 0 };
  const time = <T>(key: Exclude<keyof OcrPass, 'pages'>, work: () => T): T => {
    const t = cpuS();
    const value = work();
    cost[key] += cpuS() - t;
    return value;
  };
  try {
    const { core, api, memory } = await ocr.start();
    for (const file of files) {
      const doc = await openPdf(file, undefined, config.maxPagePixels);
      const jpegs = JpegScans.open(file);
      try {
        const image = await pageImage(await doc.getPage(1), { dpi: config.ocrDpi, maxPixels: config.maxPagePixels }, new StageClock(), jpegs);
        const ptr = core._malloc(image.pixels.length);
        new Uint8Array(memory.buffer, ptr, image.pixels.length).set(image.pixels);
        api.SetImage(ptr, image.width, image.height, 1, image.width);
        core._free(ptr);
        api.SetSourceResolution(Math.round(image.dpi));
        time('recognizeS', () => api.Recognize(null));
        time('plainS', () => (api as unknown as { GetUTF8Text(): string }).GetUTF8Text());
        const scratch = core._malloc(16);
        const iterator = api.GetIterator();
        const words = time('wordsS', () => readWords(iterator, () => memory.buffer, scratch, image.placement));
        iterator.__destroy__();
        core._free(scratch);
        time('layoutS', () => ocrContent(words, []));
        api.Clear();
        cost.pages++;
      } finally {
        jpegs?.close();
        await doc.destroy();
      }
    }
  } finally {
    ocr.close();
  }
  return cost;
}

async function main(): Promise<TextPass | OcrPass> {
  const [kind, ...args] = process.argv.slice(2);
  const way = TEXT_WAYS.find((w) => w === args[1]);
  if (kind === 'text' && args.length === 2 && way) return textPass(args[0]!, way);
  if (kind === 'ocr' && args.length > 0) return ocrPass(args);
  throw new Error(`usage: fidelity-pass.js text <pdf> ${TEXT_WAYS.join('|')} | ocr <pdf>…`);
}

main().then(
  (result) => console.log(JSON.stringify(result)),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
