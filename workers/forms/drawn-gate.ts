/**
 * Whether a text-layer page may draw a check box or a radio button, judged from its raw content
 * and resources without pdfjs's operator list: the full reading (drawnForm) costs as much CPU as
 * the page's text layer read again (measured on test/corpus/text), so a page without a box must
 * not pay it. A page may draw one only when it has a candidate of a box's size on the page
 * (drawn-gate-scan.ts) with a word of its text layer beside it, as an option's label is
 * (drawn-gate-words.ts): a stroked rectangle, closed quadrilateral or closed curve; a form XObject
 * whose box is that small (a flattened widget's appearance) or whose own content has one; or a
 * dingbat font set by `Tf`; a box or tick glyph in its text. Table cells, page frames and
 * figures' large shapes do not open it; nor do answer boxes alone (a ruled rectangle holding
 * words is a table's cell to this reader), so they are read only on pages that have marks.
 * Anything this reader cannot take (encryption, other filters, damage) opens the gate: the page
 * is read in full.
 */
import { PdfObjects } from '../pdf/pdf-objects.js';
import { asArray, isName, isStream, PdfRef, type PdfDict, type PdfValue } from '../pdf/pdf-lexer.js';
import { compose, onPage } from '../page/placement.js';
import { mayBeMark, scanContent, Verdict, type Matrix, type ScanHooks } from './drawn-gate-scan.js';
import { GateWords } from './drawn-gate-words.js';
import type { Bbox } from '../../src/protocol.js';

/** Glyphs of box and tick that a text layer may carry (ZapfDingbats and Wingdings are told by their fonts). */
const MARK_CHARS = /[☐☑☒✓✔✗✘❏❐❑❒□]/u;
const SYMBOL_FONT = /dingbats|wingdings/i;
/** Nesting of Pages a page's inherited resources are looked up through. */
const MAX_DEPTH = 32;
/** Forms drawn inside forms, and forms read a page, past which the gate stops looking and opens. */
const MAX_FORM_DEPTH = 8;
const MAX_FORMS_PER_PAGE = 64;
/** Forms, fonts and resource dictionaries remembered across pages (each up to a few hundred bytes); dropped past it. */
const MAX_REMEMBERED = 1024;
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const NO_WORDS = new GateWords([]);

/** What the gate keeps of a form XObject: where it draws, and whether its content showed no shape at all. */
interface FormFacts {
  bbox: number[];
  matrix: Matrix;
  shapeless: boolean;
}

/** Opened once per document; null when the file is beyond the small reader (every page is then read in full). */
export class DrawnGate {
  /** Form XObjects by object number (null: an image, or not a form). */
  private readonly forms = new Map<number, FormFacts | null>();
  private readonly symbolFonts = new Map<number, boolean>();
  private readonly dicts = new Map<number, PdfDict>();
  private readonly symbolNames = new WeakMap<PdfDict, ReadonlySet<string>>();
  private formsLeft = 0;
  /** The words of the page being judged. */
  private words = NO_WORDS;

  private constructor(private readonly pdf: PdfObjects) {}

  static open(file: string): DrawnGate | null {
    const pdf = PdfObjects.open(file);
    return pdf && new DrawnGate(pdf);
  }

  close(): void {
    this.pdf.close();
  }

  /**
   * False only when the page surely draws no check box or radio button with a label beside it.
   * `words` are its text layer's words and `transform` its view's (PDF user space to the
   * displayed page, where the words' boxes are).
   */
  mayDraw(ref: { num: number; gen: number } | null, layerText: string, words: readonly { text: string; bbox: Bbox }[], transform: readonly number[]): boolean {
    if (MARK_CHARS.test(layerText) || !ref) return true;
    try {
      this.words = new GateWords(words);
      return this.draws(ref.num, transform.slice(0, 6) as Matrix);
    } catch {
      return true;
    } finally {
      this.words = NO_WORDS;
    }
  }

  private draws(pageNum: number, view: Matrix): boolean {
    const page = this.pdf.dict(new PdfRef(pageNum, 0));
    if (!page) return true;
    const resources = this.shared(this.inherited(page, 'Resources'));
    this.formsLeft = MAX_FORMS_PER_PAGE;
    return this.scan(this.pageContent(page), view, resources, 0) === Verdict.Mark;
  }

  /** The page's content streams decoded, one after another (a path may run from one into the next). */
  private pageContent(page: PdfDict): Uint8Array {
    const contents = this.pdf.resolve(page.get('Contents'));
    const parts: Uint8Array[] = [];
    for (const part of isStream(contents) ? [contents] : asArray(contents)) {
      const stream = this.pdf.resolve(part);
      if (!isStream(stream)) throw new Error('a content stream that is not a stream');
      parts.push(this.pdf.decodedStream(stream), SPACE);
    }
    return parts.length === 2 ? parts[0]! : Buffer.concat(parts);
  }

  private scan(data: Uint8Array, ctm: Matrix, resources: PdfDict | undefined, depth: number): Verdict {
    let xobjects: PdfDict | undefined;
    const hooks: ScanHooks = {
      draw: (name, at) => this.drawForm((xobjects ??= this.shared(resources?.get('XObject')))?.get(name), at, resources, depth),
      drawsForm: (name) => this.isForm((xobjects ??= this.shared(resources?.get('XObject')))?.get(name)),
      symbolFonts: this.symbolFontNames(this.shared(resources?.get('Font'))),
      box: (l, t, r, b) => this.words.beside(l, t, r, b),
    };
    return scanContent(data, ctm, hooks);
  }

  /** The names of a font resource dictionary's dingbat fonts, once for every page that shares it. */
  private symbolFontNames(fonts: PdfDict | undefined): ReadonlySet<string> {
    if (!fonts) return NONE;
    let names = this.symbolNames.get(fonts);
    if (!names) {
      names = new Set([...fonts].filter(([, font]) => this.isSymbolFont(font)).map(([name]) => name));
      this.symbolNames.set(fonts, names);
    }
    return names;
  }

  /** A resource dictionary (fonts, XObjects), read once for every page that shares it. */
  private shared(v: PdfValue | undefined): PdfDict | undefined {
    if (!(v instanceof PdfRef)) return this.pdf.dict(v);
    let dict = this.dicts.get(v.num);
    if (dict === undefined) {
      dict = this.pdf.dict(v) ?? new Map();
      if (this.dicts.size >= MAX_REMEMBERED) this.dicts.clear();
      this.dicts.set(v.num, dict);
    }
    return dict;
  }

  /** A form drawn by `Do`: a box by its size on the page, or by what its own content draws. */
  private drawForm(ref: PdfValue | undefined, ctm: Matrix, resources: PdfDict | undefined, depth: number): Verdict {
    const num = ref instanceof PdfRef ? ref.num : undefined;
    let facts = num === undefined ? undefined : this.forms.get(num);
    if (facts === null) return Verdict.Shapeless;
    const xobject = this.pdf.resolve(ref);
    if (!isStream(xobject)) return Verdict.Shapeless;
    if (!facts) {
      if (!isName(this.pdf.resolve(xobject.dict.get('Subtype')), 'Form')) return this.remember(num, null);
      facts = { bbox: numbers(this.pdf.resolve(xobject.dict.get('BBox')), 4) ?? [0, 0, 0, 0], matrix: (numbers(this.pdf.resolve(xobject.dict.get('Matrix')), 6) as Matrix | undefined) ?? IDENTITY, shapeless: false };
    }
    const at = compose(ctm, facts.matrix);
    const [l, t, r, b] = onPage(at, facts.bbox as [number, number, number, number]);
    // A box-sized form (a flattened widget's appearance) draws nothing larger: judged by its place alone.
    if (mayBeMark(r - l, b - t)) return this.words.beside(l, t, r, b) ? Verdict.Mark : Verdict.NoMark;
    if (facts.shapeless) return Verdict.Shapeless;
    if (depth >= MAX_FORM_DEPTH || this.formsLeft-- <= 0) return Verdict.Mark;
    const verdict = this.scan(this.pdf.decodedStream(xobject), at, this.pdf.dict(xobject.dict.get('Resources')) ?? resources, depth + 1);
    facts.shapeless = verdict === Verdict.Shapeless;
    this.remember(num, facts);
    return verdict;
  }

  /** Whether `Do` of this resource may draw a form: not an image, nor what resolves to no stream (drawForm takes both for shapeless). */
  private isForm(ref: PdfValue | undefined): boolean {
    const num = ref instanceof PdfRef ? ref.num : undefined;
    if (num !== undefined && this.forms.get(num) === null) return false;
    const xobject = this.pdf.resolve(ref);
    if (!isStream(xobject)) return false;
    if (isName(this.pdf.resolve(xobject.dict.get('Subtype')), 'Form')) return true;
    this.remember(num, null);
    return false;
  }

  private remember(num: number | undefined, facts: FormFacts | null): Verdict {
    if (num === undefined) return Verdict.Shapeless;
    if (this.forms.size >= MAX_REMEMBERED) this.forms.clear();
    this.forms.set(num, facts);
    return Verdict.Shapeless;
  }

  private isSymbolFont(ref: PdfValue | undefined): boolean {
    const num = ref instanceof PdfRef ? ref.num : undefined;
    const known = num === undefined ? undefined : this.symbolFonts.get(num);
    if (known !== undefined) return known;
    const base = this.pdf.dict(ref)?.get('BaseFont');
    const symbol = isName(base) && SYMBOL_FONT.test(base.name);
    if (num !== undefined) {
      if (this.symbolFonts.size >= MAX_REMEMBERED) this.symbolFonts.clear();
      this.symbolFonts.set(num, symbol);
    }
    return symbol;
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

const SPACE = new Uint8Array([0x20]);
const NONE: ReadonlySet<string> = new Set();

function numbers(v: PdfValue | undefined, count: number): number[] | undefined {
  return Array.isArray(v) && v.length === count && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
}

