/**
 * A scanned page whose only content is one JPEG: its raw bytes, found with pdf-objects.ts, so a
 * native decoder can read them at the size OCR needs. pdfjs decodes such an image in JavaScript
 * at full size, 3 bytes a pixel even for gray (measured on 300-dpi gray pages: 0.26 CPU s a
 * page plus 0.06 to make it gray and small, about a fifth of the page's CPU). Any page that
 * is not plainly that returns null and goes through pdfjs as before.
 */
import { compose, type Placement } from '../page/placement.js';
import { asArray, isName, isOp, isStream, Lexer, PdfName, PdfRef, type PdfDict, type PdfStream, type PdfValue } from './pdf-lexer.js';
import { PdfObjects } from './pdf-objects.js';

export interface JpegScan {
  jpeg: Uint8Array;
  width: number;
  height: number;
  /** The image's placement in the page's user space (its unit square to points). */
  ctm: Placement;
}

/** Content-stream operators a plain scan page may hold besides its one `Do`: colours, intents and line styles paint no image. */
const HARMLESS_OPS = new Set(['q', 'Q', 'cm', 'g', 'G', 'rg', 'RG', 'k', 'K', 'ri', 'i', 'w', 'J', 'j', 'M', 'd']);

/** XObjects looked at on one page for an oversized JPEG; a page that scans are made of has one. */
const MAX_XOBJECTS = 64;

/** Reads JPEG scans of one PDF; created once per document, null if the file is beyond it. */
export class JpegScans {
  private constructor(private readonly pdf: PdfObjects) {}

  static open(file: string): JpegScans | null {
    const pdf = PdfObjects.open(file);
    return pdf && new JpegScans(pdf);
  }

  close(): void {
    this.pdf.close();
  }

  /** The page's JPEG and its placement, or null when the page is anything else. */
  page(ref: { num: number; gen: number } | null, maxPixels: number): JpegScan | null {
    if (!ref) return null;
    try {
      return this.scan(ref.num, maxPixels);
    } catch {
      // An unknown structure, damage, a corrupt Flate stream: pdfjs reads this page instead.
      return null;
    }
  }

  private scan(pageNum: number, maxPixels: number): JpegScan | null {
    const pdf = this.pdf;
    const page = pdf.dict(new PdfRef(pageNum, 0));
    if (!page || !isName(page.get('Type'), 'Page')) return null;
    const placed = this.singleImage(page);
    if (!placed) return null;
    const resources = pdf.dict(this.inherited(page, 'Resources'));
    const image = pdf.resolve(pdf.dict(resources?.get('XObject'))?.get(placed.name));
    if (!isStream(image)) return null;
    const dict = image.dict;
    const width = pdf.resolve(dict.get('Width'));
    const height = pdf.resolve(dict.get('Height'));
    if (typeof width !== 'number' || typeof height !== 'number' || width * height > maxPixels) return null;
    if (!isName(pdf.resolve(dict.get('Subtype')), 'Image') || !this.plainJpeg(dict)) return null;
    const jpeg = pdf.rawStream(image as PdfStream);
    const frame = jpegFrame(jpeg);
    // The JPEG must be what the dictionary says: same size, gray or colour.
    if (!frame || frame.width !== width || frame.height !== height || (frame.components !== 1 && frame.components !== 3)) return null;
    return { jpeg, width, height, ctm: placed.ctm };
  }

  /**
   * Whether an image the page draws (itself or through its forms) is a JPEG whose own header
   * says it has more than `maxPixels` pixels. pdfjs checks an image's size against its dictionary
   * only, then decodes a JPEG at the size its header says: a small /Width and /Height can hide
   * a giant. False when the page cannot be read here (pdfjs's own check is all there is then).
   */
  oversized(ref: { num: number; gen: number } | null, maxPixels: number): boolean {
    if (!ref) return false;
    try {
      const page = this.pdf.dict(new PdfRef(ref.num, 0));
      return !!page && this.drawsOversized(this.pdf.dict(this.inherited(page, 'Resources')), maxPixels, new Set());
    } catch {
      return false;
    }
  }

  /** Walks the XObjects of `resources`, each object once, forms included, up to MAX_XOBJECTS. */
  private drawsOversized(resources: PdfDict | undefined, maxPixels: number, seen: Set<number>): boolean {
    const pdf = this.pdf;
    for (const value of pdf.dict(resources?.get('XObject'))?.values() ?? []) {
      if (value instanceof PdfRef) {
        if (seen.has(value.num)) continue;
        seen.add(value.num);
      }
      if (seen.size > MAX_XOBJECTS) return false;
      const xobject = pdf.resolve(value);
      if (!isStream(xobject)) continue;
      const subtype = pdf.resolve(xobject.dict.get('Subtype'));
      if (isName(subtype, 'Form') && this.drawsOversized(pdf.dict(xobject.dict.get('Resources')), maxPixels, seen)) return true;
      if (!isName(subtype, 'Image') || !asArray(pdf.resolve(xobject.dict.get('Filter'))).some((f) => isName(pdf.resolve(f), 'DCTDecode'))) continue;
      const frame = jpegHeader(pdf.rawStream(xobject));
      if (frame && frame.width * frame.height > maxPixels) return true;
    }
    return false;
  }

  /** A JPEG drawn as it is: no mask, no decode array, a gray or RGB colour space, 8 bits. */
  private plainJpeg(dict: PdfDict): boolean {
    const pdf = this.pdf;
    const filters = asArray(pdf.resolve(dict.get('Filter')));
    if (filters.length !== 1 || !isName(pdf.resolve(filters[0]), 'DCTDecode')) return false;
    for (const key of ['SMask', 'Mask', 'Decode', 'DecodeParms', 'ImageMask']) if (dict.has(key) && pdf.resolve(dict.get(key)) !== false) return false;
    if (pdf.resolve(dict.get('BitsPerComponent')) !== 8) return false;
    const cs = pdf.resolve(dict.get('ColorSpace'));
    if (isName(cs)) return cs.name === 'DeviceGray' || cs.name === 'DeviceRGB';
    const [family, params] = asArray(cs).map((v) => pdf.resolve(v));
    if (isName(family, 'ICCBased')) {
      const n = pdf.dict(params)?.get('N');
      return n === 1 || n === 3;
    }
    return isName(family, 'CalGray') || isName(family, 'CalRGB');
  }

  /** A page attribute, looked up the page tree's /Parent chain. */
  private inherited(page: PdfDict, key: string): PdfValue | undefined {
    let node: PdfDict | undefined = page;
    for (let depth = 0; node && depth < 32; depth++) {
      if (node.has(key)) return node.get(key);
      node = this.pdf.dict(node.get('Parent'));
    }
    return undefined;
  }

  /** The content holds `q`, `Q`, `cm` and exactly one `Do`: its XObject name and the CTM then. */
  private singleImage(page: PdfDict): { name: string; ctm: Placement } | null {
    const contents = this.pdf.resolve(page.get('Contents'));
    const parts = isStream(contents) ? [contents] : asArray(contents);
    const chunks: Uint8Array[] = [];
    for (const part of parts) {
      const stream = this.pdf.resolve(part);
      if (!isStream(stream)) return null;
      chunks.push(this.pdf.decodedStream(stream), Buffer.from('\n'));
    }
    const lexer = new Lexer(Buffer.concat(chunks));
    let ctm: Placement = [1, 0, 0, 1, 0, 0];
    const saved: Placement[] = [];
    let operands: PdfValue[] = [];
    let found: { name: string; ctm: Placement } | null = null;
    while (!lexer.atEnd()) {
      const token = lexer.next();
      if (!isOp(token)) {
        operands.push(token);
        continue;
      }
      if (token.op === 'Do') {
        const name = operands[0];
        if (found || operands.length !== 1 || !(name instanceof PdfName)) return null;
        found = { name: name.name, ctm };
      } else if (!HARMLESS_OPS.has(token.op)) {
        return null;
      } else if (token.op === 'q') {
        saved.push(ctm);
      } else if (token.op === 'Q') {
        ctm = saved.pop() ?? ctm;
      } else if (token.op === 'cm') {
        if (operands.length !== 6 || !operands.every((v) => typeof v === 'number')) return null;
        // `cm` concatenates its matrix before the current one: it applies first.
        ctm = compose(ctm, operands as Placement);
      }
      operands = [];
    }
    return operands.length === 0 ? found : null;
  }
}

/** Width, height and components from an 8-bit JPEG's start-of-frame marker; null if it has none. */
export function jpegFrame(jpeg: Uint8Array): { width: number; height: number; components: number } | null {
  const header = jpegHeader(jpeg);
  return header && header.precision === 8 ? header : null;
}

/** A JPEG's start-of-frame as it says: size, components, bits per sample; null if it has none. */
function jpegHeader(jpeg: Uint8Array): { width: number; height: number; components: number; precision: number } | null {
  let at = jpeg.indexOf(0xff);
  if (at < 0 || jpeg[at + 1] !== 0xd8) return null;
  at += 2;
  while (at + 9 < jpeg.length) {
    if (jpeg[at] !== 0xff) return null;
    const marker = jpeg[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
    // Baseline, extended and progressive Huffman frames; arithmetic and lossless ones are left to pdfjs.
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      return { precision: jpeg[at + 4]!, height: (jpeg[at + 5]! << 8) | jpeg[at + 6]!, width: (jpeg[at + 7]! << 8) | jpeg[at + 8]!, components: jpeg[at + 9]! };
    }
    if (marker === 0xda || marker === 0xd9) return null;
    at += 2 + length;
  }
  return null;
}
