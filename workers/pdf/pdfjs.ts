/**
 * pdfjs-dist, loaded without Skia. On import in Node, pdfjs requires @napi-rs/canvas for its
 * rendering polyfills: ~29 MB more per child (measured), which most OCR pages never use, since
 * a scan is taken as decoded. The require is refused while pdfjs loads (pdfjs only warns) and
 * `loadCanvas()` brings Skia in the first time a page has to be rendered. pdfjs builds one
 * identity matrix at load, later handed to Skia as a plain {a..f} transform: a plain class
 * with those fields stands in for DOMMatrix until then.
 */
import Module from 'node:module';

type Load = (request: string, ...rest: unknown[]) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;
loader._load = function (this: unknown, request: string, ...rest: unknown[]) {
  if (request === '@napi-rs/canvas') throw new Error('Skia is loaded on first render');
  return load.call(this, request, ...rest);
};
const globals = globalThis as Record<string, unknown>;
globals.DOMMatrix = class IdentityMatrix {
  a = 1;
  b = 0;
  c = 0;
  d = 1;
  e = 0;
  f = 0;
};
// The legacy build (the one Node 20 runs) installs core-js's Array.prototype.push and
// JSON.stringify over V8's, for corner cases no PDF reaches (a non-writable length's error,
// JSON.rawJSON); written in JavaScript, they sit under every text item pdfjs and the layout
// build (stringify measured 11x slower). V8's are put back once the library and its worker
// (run in this thread, loaded here rather than at the first document, where its own core-js
// would install them again) are loaded. Measured on pdkids' 55 text pages, medians of 5 fresh
// processes: 1.04 -> 0.82 CPU s for the text alone, 1.51 -> 1.11 with words and Markdown.
const { push } = Array.prototype;
const { stringify } = JSON;
// Its load-time warnings ("cannot polyfill …") are about exactly this deferral.
const warn = console.warn;
console.warn = () => {};
const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs').finally(() => {
  loader._load = load;
  delete globals.DOMMatrix;
  console.warn = warn;
});
globals.pdfjsWorker = await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
Array.prototype.push = push;
JSON.stringify = stringify;

export const { getDocument, ImageKind, OPS, Util } = pdfjs;
export type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Skia's canvas, with the globals pdfjs's renderer looks up when it draws. */
export async function loadCanvas(): Promise<typeof import('@napi-rs/canvas')> {
  const canvas = await import('@napi-rs/canvas');
  globals.DOMMatrix ??= canvas.DOMMatrix;
  globals.ImageData ??= canvas.ImageData;
  globals.Path2D ??= canvas.Path2D;
  return canvas;
}
