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
// Its load-time warnings ("cannot polyfill …") are about exactly this deferral.
const warn = console.warn;
console.warn = () => {};
const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs').finally(() => {
  loader._load = load;
  delete globals.DOMMatrix;
  console.warn = warn;
});

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
