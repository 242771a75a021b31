/**
 * Whether a text-layer page may draw a check box, a radio button or an answer box, judged from
 * its raw content and resources without pdfjs's operator list: the full reading (drawnForm)
 * costs as much CPU as the page's text layer read again (measured on test/corpus/text), so a
 * plain text page must not pay it. A page may draw a box only when it strokes a closed shape (a
 * rectangle, a quadrilateral, a four-Bézier curve), draws a form XObject (a flattened widget's appearance), uses a
 * dingbat font, or shows a box or tick glyph in its text. Anything this reader cannot take
 * (encryption, other filters, damage) opens the gate: the page is read in full.
 */
import { statSync } from 'node:fs';
import { PdfObjects } from '../pdf/pdf-objects.js';
import { asArray, isName, isStream, PdfRef, type PdfDict, type PdfValue } from '../pdf/pdf-lexer.js';

const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)`;
const SP = String.raw`\s+`;
/** Stroke-painting operators (a box's outline is stroked; pdfTeX's rules and table shading are filled). */
const PAINT = String.raw`(?:S|s|B\*?|b\*?)(?=[\s/[(<%]|$)`;
/**
 * A closed shape stroked: a rectangle (`re`, maybe more of them, then a stroke), a
 * quadrilateral (`m l l l` with `h` or a fourth `l`), or a closed curve of four Béziers.
 */
const STROKED_SHAPE = new RegExp(
  [
    String.raw`(?<=\s)re(?:${SP}(?:${NUM}${SP}){4}re)*\s+(?:[wJjMd]\s+|${NUM}${SP}w${SP})*${PAINT}`,
    String.raw`(?:${NUM}${SP}){2}m(?:${SP}(?:${NUM}${SP}){2}l){3,4}(?:${SP}h)?${SP}${PAINT}`,
    String.raw`(?:${NUM}${SP}){2}m(?:${SP}(?:${NUM}${SP}){6}c){4}(?:${SP}h)?${SP}${PAINT}`,
  ].join('|'),
);
/** Glyphs of box and tick that a text layer may carry (ZapfDingbats and Wingdings are told by their fonts). */
const MARK_CHARS = /[☐☑☒✓✔✗✘❏❐❑❒□]/u;
const SYMBOL_FONT = /dingbats|wingdings/i;
/** Nesting of Pages a page's inherited resources are looked up through. */
const MAX_DEPTH = 32;

/** Opened once per document; null when the file is beyond the small reader (every page is then read in full). */
export class DrawnGate {
  private constructor(private readonly pdf: PdfObjects) {}

  static open(file: string): DrawnGate | null {
    try {
      return new DrawnGate(new PdfObjects(file, statSync(file).size));
    } catch {
      return null;
    }
  }

  close(): void {
    this.pdf.close();
  }

  /** False only when the page surely draws no mark and no answer box. */
  mayDraw(ref: { num: number; gen: number } | null, layerText: string): boolean {
    if (MARK_CHARS.test(layerText) || !ref) return true;
    try {
      return this.draws(ref.num);
    } catch {
      return true;
    }
  }

  private draws(pageNum: number): boolean {
    const pdf = this.pdf;
    const page = pdf.dict(new PdfRef(pageNum, 0));
    if (!page) return true;
    const resources = pdf.dict(this.inherited(page, 'Resources'));
    if (this.hasSymbolFont(resources) || this.hasForm(resources)) return true;
    const contents = pdf.resolve(page.get('Contents'));
    for (const part of isStream(contents) ? [contents] : asArray(contents)) {
      const stream = pdf.resolve(part);
      if (!isStream(stream)) return true;
      if (STROKED_SHAPE.test(Buffer.from(pdf.decodedStream(stream)).toString('latin1'))) return true;
    }
    return false;
  }

  private hasSymbolFont(resources: PdfDict | undefined): boolean {
    for (const font of this.pdf.dict(resources?.get('Font'))?.values() ?? []) {
      const base = this.pdf.dict(font)?.get('BaseFont');
      if (isName(base) && SYMBOL_FONT.test(base.name)) return true;
    }
    return false;
  }

  private hasForm(resources: PdfDict | undefined): boolean {
    for (const value of this.pdf.dict(resources?.get('XObject'))?.values() ?? []) {
      const xobject = this.pdf.resolve(value);
      if (!isStream(xobject) || isName(this.pdf.resolve(xobject.dict.get('Subtype')), 'Form')) return true;
    }
    return false;
  }

  private inherited(page: PdfDict, key: string): PdfValue | undefined {
    let node: PdfDict | undefined = page;
    for (let depth = 0; node && depth < MAX_DEPTH; depth++) {
      if (node.has(key)) return node.get(key);
      node = this.pdf.dict(node.get('Parent'));
    }
    return undefined;
  }
}
