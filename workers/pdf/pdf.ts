import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { withoutPaths } from '../../src/paths.js';
import type { FailureCode } from '../../src/protocol.js';
import { getDocument, type PDFDocumentProxy } from './pdfjs.js';
import { PdfjsData } from './standard-fonts.js';

const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const asset = (dir: string) => path.join(pdfjsRoot, dir) + path.sep;

const OVERSIZED_IMAGE_WARNING = 'exceeded maximum allowed size';
let oversizedImages = 0;
// pdfjs tells of an image it left out (over maxImageSize) only through console.warn; its other
// warnings are about damage it has already worked around, and the child has no use for them.
console.warn = (...args: unknown[]) => {
  if (String(args[0]).includes(OVERSIZED_IMAGE_WARNING)) oversizedImages++;
};

/** How many images pdfjs has left out so far; compare before and after a page. */
export function oversizedImageCount(): number {
  return oversizedImages;
}

/** A failure that ends the job with a stable code; `detail`, for the log only, may name server paths. */
export class JobFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

/** Images over `maxImagePixels` are left out by pdfjs instead of decoded (bombs, giant scans). */
export async function openPdf(file: string, password: string | undefined, maxImagePixels: number): Promise<PDFDocumentProxy> {
  try {
    return await load(file, password, maxImagePixels);
  } catch (err) {
    // pdfjs takes a password as bytes: AES-256 files (R5, R6) want the UTF-8 bytes of a
    // non-ASCII password, older ones the characters' own codes; try both before giving up.
    const utf8 = password && Buffer.from(password, 'utf8').toString('latin1');
    if (!utf8 || utf8 === password || (err as { code?: number }).code !== 2) throw toJobFailure(err);
    return load(file, utf8, maxImagePixels).catch((retry: unknown) => {
      throw toJobFailure(retry);
    });
  }
}

/** Reads from the file as needed rather than as one copy of the whole PDF in memory. */
function load(file: string, password: string | undefined, maxImagePixels: number): Promise<PDFDocumentProxy> {
  return getDocument({
    url: pathToFileURL(file).href,
    disableAutoFetch: true,
    disableStream: true,
    password,
    standardFontDataUrl: asset('standard_fonts'),
    cMapUrl: asset('cmaps'),
    wasmUrl: asset('wasm'),
    iccUrl: asset('iccs'),
    BinaryDataFactory: PdfjsData,
    isEvalSupported: false,
    maxImageSize: maxImagePixels,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 1,
  }).promise;
}

/** pdfjs 5.6 does not export its exception classes, so they are told apart by name. */
function toJobFailure(err: unknown): JobFailure {
  const e = err as { name?: string; code?: number; message?: string };
  if (e?.name === 'PasswordException') {
    return e.code === 2
      ? new JobFailure('pdf_password_incorrect', 'the password given for this PDF is incorrect')
      : new JobFailure('pdf_password_required', 'this PDF is encrypted and needs a password');
  }
  // pdfjs names the file's URL when it cannot read it (a server path).
  const detail = e?.message ? `: ${withoutPaths(e.message)}` : '';
  return new JobFailure('pdf_invalid', `the file could not be read as a PDF${detail}`, e?.message);
}
