import type { Bbox } from '../../src/protocol.js';
import type { PageView } from '../forms/fields.js';
import { SANS_WIDTHS, SERIF_WIDTHS, WIDTH_CHARS } from './glyph-widths.js';
import { FontWidths } from './font-widths.js';
import { quarterTurns } from '../page/placement.js';

/** What pdfjs's getTextContent gives: text items and, per font, its family and vertical metrics. */
export interface TextItem {
  str: string;
  width: number;
  height: number;
  transform: number[];
  fontName: string;
  hasEOL: boolean;
}
export interface FontStyle {
  fontFamily: string;
  ascent: number;
  descent: number;
  vertical: boolean;
}
export interface TextContent {
  items: readonly (TextItem | object)[];
  styles: Record<string, FontStyle>;
}

/** A word of the text layer on the displayed page. */
export interface TextWord {
  text: string;
  bbox: Bbox;
  /** Font size in points. */
  size: number;
  /** Quarter turns clockwise of its baseline on the displayed page. */
  turns: 0 | 1 | 2 | 3;
  /** Set in a face other than the page's body font (see emphasisFonts): bold, a heading face, italic. */
  emphasis: boolean;
}

/**
 * Fallback vertical metrics (AFM Ascender/Descender of Helvetica, Times-Roman, Courier) for a font
 * pdfjs gives none for (a standard font it draws with a Type 1 substitute reports NaN).
 */
const FALLBACK_METRICS: Record<string, [number, number]> = { 'sans-serif': [0.718, -0.207], serif: [0.683, -0.217], monospace: [0.629, -0.157] };
/** Metrics outside these ranges are damage, not design; the family's fallback is used instead. */
const ASCENT_RANGE = [0.5, 1.1];
const DESCENT_RANGE = [-0.5, 0];
/** Pieces closer than this (in em) with no space between them are one word (a word split by a font change, kerning). */
const GLUE_GAP_EM = 0.15;

/** Width tables indexed by UTF-16 code unit (0: not listed). */
const TABLE_SIZE = 0x2200;
const SANS_TABLE = new Uint16Array(TABLE_SIZE);
const SERIF_TABLE = new Uint16Array(TABLE_SIZE);
for (let i = 0; i < WIDTH_CHARS.length; i++) {
  const code = WIDTH_CHARS.charCodeAt(i);
  SANS_TABLE[code] = SANS_WIDTHS[i]!;
  SERIF_TABLE[code] = SERIF_WIDTHS[i]!;
}
type Table = 'sans' | 'serif' | 'mono';

/** A character's advance in 1/1000 em in a standard font's metrics; an estimate for characters they lack. */
function advance(code: number, table: Table): number {
  if (table === 'mono') return 600;
  const listed = code < TABLE_SIZE ? (table === 'serif' ? SERIF_TABLE : SANS_TABLE)[code]! : 0;
  if (listed > 0) return listed;
  // CJK ideographs, kana, hangul, full-width forms (and astral characters, mostly CJK) take a full em.
  if ((code >= 0x2e80 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xff00 && code <= 0xffef) || code > 0xffff) return 1000;
  // Combining marks sit on the previous character.
  if (code >= 0x300 && code <= 0x36f) return 0;
  return 500;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || (code >= 0x2000 && code <= 0x200b) || code === 0x202f || code === 0x205f || code === 0x3000;
}

/** The code point at `i` of `s`, and how many code units it takes. */
function codePoint(s: string, i: number): number {
  const code = s.charCodeAt(i);
  if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
    const low = s.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return (code - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return code;
}

function tableOf(family: string): Table {
  return family === 'serif' ? 'serif' : family === 'monospace' ? 'mono' : 'sans';
}

/**
 * How a font's glyphs compare with a standard font's: its characters are `scale` times as wide as
 * in `table`, its spaces `space` em wide. Fitted per font and page by least squares over the
 * items: pdfjs gives each item's exact advance, and for body text the fit comes within a point or
 * two of the glyphs' own widths (checked against poppler's word boxes in the corpus).
 */
interface FontFit {
  table: Table;
  scale: number;
  space: number;
}

/**
 * The page's fonts by pdfjs name. A Map, not the object pdfjs gives: looked up by a different
 * name item after item, the object's keyed loads kept deoptimizing the per-item loops ("wrong
 * name", measured with --trace-deopt on pdkids).
 */
type Styles = Map<string, FontStyle>;

/** Below this many characters of a font on a page, the fit is not trusted: the family's table is taken as it is. */
const MIN_FIT_CHARS = 40;

/** Sums of the normal equations of w = scale·n + space·s over a font's items. */
interface Sums {
  nn: number;
  ns: number;
  ss: number;
  nw: number;
  sw: number;
}
const TABLES: Table[] = ['sans', 'serif', 'mono'];

/**
 * The page's items, each decoded once for every pass over its characters (the fits, the fonts'
 * weights, learning, the words): its code points (spaces as 32) at codes[start[k], end[k]), and
 * what the passes sum over them. Before, each pass decoded every character again (five passes;
 * measured: most of the words' cost on a fresh child, whose code is not yet optimized).
 */
interface Decoded {
  codes: Int32Array;
  start: Int32Array;
  end: Int32Array;
  /** Space characters. */
  spaces: Int32Array;
  /** Other characters. */
  chars: Int32Array;
  /** Their advances in the sans and serif tables, 1/1000 em (integers, so summed exactly). */
  sans: Int32Array;
  serif: Int32Array;
  /** The font size along the baseline (0: a degenerate matrix). */
  sizeAlong: Float64Array;
  /** Scratch beside codes: an item's learned widths (itemWords). */
  widths: Float64Array;
}

/** Scratch kept between pages (a page's items and characters are at most a few thousand). */
let scratch: Decoded = decodedOf(256, 4096);

function decodedOf(items: number, chars: number): Decoded {
  const ints = () => new Int32Array(items);
  return { codes: new Int32Array(chars), start: ints(), end: ints(), spaces: ints(), chars: ints(), sans: ints(), serif: ints(), sizeAlong: new Float64Array(items), widths: new Float64Array(chars) };
}

function decode(items: TextItem[]): Decoded {
  let total = 0;
  for (let k = 0; k < items.length; k++) total += items[k]!.str.length;
  if (scratch.start.length < items.length || scratch.codes.length < total) {
    scratch = decodedOf(Math.max(scratch.start.length, 2 * items.length), Math.max(scratch.codes.length, 2 * total));
  }
  const d = scratch;
  const codes = d.codes;
  let n = 0;
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const str = item.str;
    d.start[k] = n;
    let spaces = 0;
    let sans = 0;
    let serif = 0;
    for (let i = 0; i < str.length; i++) {
      const code = codePoint(str, i);
      if (code > 0xffff) i++;
      if (isSpace(code)) {
        spaces++;
        codes[n++] = 32;
      } else {
        sans += advance(code, 'sans');
        serif += advance(code, 'serif');
        codes[n++] = code;
      }
    }
    d.end[k] = n;
    d.spaces[k] = spaces;
    d.chars[k] = n - d.start[k]! - spaces;
    d.sans[k] = sans;
    d.serif[k] = serif;
    d.sizeAlong[k] = Math.hypot(item.transform[0]!, item.transform[1]!);
  }
  return d;
}

/** The item's characters' advances in `table`, in 1/1000 em (spaces left out). */
function tableSum(d: Decoded, k: number, table: Table): number {
  return table === 'sans' ? d.sans[k]! : table === 'serif' ? d.serif[k]! : 600 * d.chars[k]!;
}

/**
 * A font's sums on a page: SUMS_PER_TABLE a table, in TABLES' order. Typed and indexed, not
 * objects picked by table name: the keyed look-ups made fitFonts' loop the largest code
 * TurboFan compiled for fidelity (measured ~29 ms of compiling on pdkids) and deoptimized it.
 */
const SUMS_PER_TABLE = 5;

function fitFonts(items: TextItem[], d: Decoded, styles: Styles): Map<string, FontFit> {
  const sums = new Map<string, { tables: Float64Array; chars: number; items: number }>();
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const style = styles.get(item.fontName);
    const size = d.sizeAlong[k]!;
    if (style?.vertical || size === 0) continue;
    const spaces = d.spaces[k]!;
    const chars = d.chars[k]!;
    // Whitespace items are gaps pdfjs found between items, not glyphs.
    if (chars === 0) continue;
    let entry = sums.get(item.fontName);
    if (!entry) {
      entry = { tables: new Float64Array(TABLES.length * SUMS_PER_TABLE), chars: 0, items: 0 };
      sums.set(item.fontName, entry);
    }
    entry.chars += chars;
    entry.items++;
    const w = item.width / size;
    const t = entry.tables;
    for (let j = 0; j < TABLES.length; j++) {
      // TABLES' order: sans, serif, mono.
      const n = j === 0 ? d.sans[k]! / 1000 : j === 1 ? d.serif[k]! / 1000 : 0.6 * chars;
      const at = j * SUMS_PER_TABLE;
      t[at]! += n * n;
      t[at + 1]! += n * spaces;
      t[at + 2]! += spaces * spaces;
      t[at + 3]! += n * w;
      t[at + 4]! += spaces * w;
    }
  }
  const fits = new Map<string, FontFit>();
  for (const [font, entry] of sums) {
    if (entry.chars < MIN_FIT_CHARS) continue;
    let best: (FontFit & { error: number }) | null = null;
    for (let j = 0; j < TABLES.length; j++) {
      const t = entry.tables;
      const at = j * SUMS_PER_TABLE;
      const fit = fitTable({ nn: t[at]!, ns: t[at + 1]!, ss: t[at + 2]!, nw: t[at + 3]!, sw: t[at + 4]! }, entry.items, TABLES[j]!);
      if (fit && (!best || fit.error < best.error)) best = fit;
    }
    if (best) fits.set(font, { table: best.table, scale: best.scale, space: best.space });
  }
  return fits;
}

/** Fits within these bounds are believed; outside them the metrics do not describe the font. */
const SCALE_RANGE = [0.6, 1.6];
const SPACE_RANGE = [0.1, 0.7];
/** Fewer items than this leave the space width to the table (two lines fit any two numbers exactly). */
const MIN_ITEMS_FOR_SPACE = 6;
/** The standard fonts' space widths in em (their tables' advance of U+0020). */
const TABLE_SPACE: Record<Table, number> = { sans: 0.278, serif: 0.25, mono: 0.6 };

/** A font the page gave too little to fit: its family's table as it is. */
function unfitted(style: FontStyle | undefined): FontFit {
  const table = tableOf(style?.fontFamily ?? 'sans-serif');
  return { table, scale: 1, space: TABLE_SPACE[table] };
}

function fitTable(t: Sums, items: number, table: Table): (FontFit & { error: number }) | null {
  const det = t.nn * t.ss - t.ns * t.ns;
  let scale = 0;
  let space = -1;
  if (items >= MIN_ITEMS_FOR_SPACE && t.ss > 0 && det > 1e-6 * t.nn * t.ss) {
    scale = (t.nw * t.ss - t.sw * t.ns) / det;
    space = (t.nn * t.sw - t.ns * t.nw) / det;
  }
  if (!(space >= SPACE_RANGE[0]! && space <= SPACE_RANGE[1]!)) {
    // The table's own space, and the scale alone fitted.
    space = TABLE_SPACE[table];
    scale = t.nn > 0 ? (t.nw - space * t.ns) / t.nn : 0;
  }
  if (!(scale >= SCALE_RANGE[0]! && scale <= SCALE_RANGE[1]!)) return null;
  // The residual sum of squares, less Σw² (the same for every table).
  const error = -2 * scale * t.nw - 2 * space * t.sw + scale * scale * t.nn + 2 * scale * space * t.ns + space * space * t.ss;
  return { table, scale, space, error };
}

/**
 * The words of a page's text layer with their boxes, in content order. pdfjs gives no glyph
 * positions, only items (often a whole line) with their exact total advance; a word's place in
 * its item is found from character widths: a standard font's metrics, fitted to the font's
 * items on the page (see FontFit), and what the item's true width leaves over goes to its
 * spaces, where justification and word spacing put it. Vertically a word runs from the font's
 * descent to its ascent at the baseline.
 */
/**
 * What is learned of a document's fonts (by pdfjs font name) as its pages are read; one per
 * document. null: a font whose learned widths kept doing no better than the page fit, no longer
 * learned (its cost is spared: ~5 ms a page).
 */
export type DocumentFonts = Map<string, FontWidths | null>;

export function textWords(content: TextContent, view: PageView, fonts: DocumentFonts): TextWord[] {
  const items = content.items.filter((raw): raw is TextItem => 'str' in raw);
  const d = decode(items);
  const styles: Styles = new Map(Object.entries(content.styles));
  const fits = fitFonts(items, d, styles);
  const trusted = learn(items, d, styles, fits, fonts);
  const emphasis = emphasisFonts(items, d, styles, fits);
  const words: TextWord[] = [];
  const glue: Glue = { word: null, x: 0, y: 0 };
  const perFont = new Map<string, ItemFont>();
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const str = item.str;
    if (str.length === 0 || isSpace(str.charCodeAt(0))) glue.word = null;
    if (str.length === 0) continue;
    let font = perFont.get(item.fontName);
    if (!font) {
      const widths = trusted.has(item.fontName) ? (fonts.get(item.fontName) ?? undefined) : undefined;
      const model = widths ? { table: 'sans' as Table, scale: 1, space: widths.width(32), widths } : fits.get(item.fontName);
      font = itemFont(styles.get(item.fontName), model, emphasis.has(item.fontName));
      perFont.set(item.fontName, font);
    }
    itemWords(item, d, k, font, view, words, glue);
    if (isSpace(str.charCodeAt(str.length - 1)) || item.hasEOL) glue.word = null;
  }
  return words;
}

/** The last word, while the next item may still continue it (no space or line end between), and where its baseline ends. */
interface Glue {
  word: TextWord | null;
  x: number;
  y: number;
}

/** Fonts whose widths a document learns, at most (each model: ~40-120 KB). */
const MAX_LEARNED_FONTS = 16;
/** A font this much wider than the body font, both measured against the body's standard table, reads as bold. */
const BOLD_WIDTH_RATIO = 1.06;
/** Characters a font needs on a page before its width says anything. */
const MIN_WEIGHT_CHARS = 4;
/**
 * A face of the body's family setting at most this share of the page's characters is an
 * emphasis (italic, small caps), on a page whose body font sets at least BODY_SHARE of them.
 */
const MINOR_FACE_SHARE = 0.15;
const BODY_SHARE = 0.6;

/**
 * Faces of one family (Times-Roman and Times-Italic on amt_handbook_sample.pdf) share pdfjs's
 * family and vertical metrics; fonts of other designs mostly do not (issue19971.pdf's lines set in
 * Verdana, Impact and Georgia read as headings without this check). Code's monospace is no
 * emphasis.
 */
function sameFamily(a: FontStyle | undefined, b: FontStyle | undefined): boolean {
  if (!a || !b || a.fontFamily !== b.fontFamily || a.fontFamily === 'monospace') return false;
  return Math.abs(a.ascent - b.ascent) < 0.01 && Math.abs(a.descent - b.descent) < 0.01;
}

/**
 * pdfjs's text content says nothing of a font's weight or slant (no name, no flags without
 * building the page's operator list); its widths and shares do. A bold face's glyphs are wider
 * than its regular's (Helvetica-Bold ~9 %, Times-Bold ~7 %), and a heading face unlike the
 * body's differs too: each font's characters are measured against the standard table of the
 * page's body font (the font with the most characters), and fonts markedly wider are emphasis.
 * An italic's widths are the regular's within a few per cent (Times-Italic 0.96 of Times-Roman
 * on amt_handbook_sample.pdf, whose run-in headings are italic), so a face other than the body's
 * of the body's family (sameFamily) that sets only a small share of a page the body font
 * clearly dominates is taken as emphasis too (where no font dominates, as on normal_4pages.pdf's
 * pages of tables, footnotes and running text, which face is the plain one is anybody's guess).
 * A heuristic for Markdown headings and block breaks, not a fact.
 */
function emphasisFonts(items: TextItem[], d: Decoded, styles: Styles, fits: Map<string, FontFit>): Set<string> {
  const chars = new Map<string, number>();
  for (const item of items) chars.set(item.fontName, (chars.get(item.fontName) ?? 0) + item.str.length);
  let body = '';
  for (const [font, n] of chars) if (!body || n > chars.get(body)!) body = font;
  const table = fits.get(body)?.table ?? tableOf(styles.get(body)?.fontFamily ?? 'sans-serif');
  const measured = new Map<string, { actual: number; standard: number; chars: number }>();
  let total = 0;
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const sizeAlong = d.sizeAlong[k]!;
    if (sizeAlong === 0 || styles.get(item.fontName)?.vertical) continue;
    const spaces = d.spaces[k]!;
    const n = d.chars[k]!;
    if (n === 0) continue;
    const standard = tableSum(d, k, table) / 1000;
    const m = measured.get(item.fontName) ?? { actual: 0, standard: 0, chars: 0 };
    m.actual += item.width / sizeAlong - spaces * TABLE_SPACE[table];
    m.standard += standard;
    m.chars += n;
    total += n;
    measured.set(item.fontName, m);
  }
  const emphasis = new Set<string>();
  const base = measured.get(body);
  if (!base || base.standard === 0) return emphasis;
  const bodyRatio = base.actual / base.standard;
  for (const [font, m] of measured) {
    if (font === body || m.chars < MIN_WEIGHT_CHARS) continue;
    const wide = m.actual / m.standard >= BOLD_WIDTH_RATIO * bodyRatio;
    const minor = base.chars >= BODY_SHARE * total && m.chars <= MINOR_FACE_SHARE * total && sameFamily(styles.get(font), styles.get(body));
    if (wide || minor) emphasis.add(font);
  }
  return emphasis;
}

/** Pages in a row on which a font's learned widths may fail to beat the fit before it is given up. */
const MAX_MISSES = 3;
/** Learned widths are used when their squared prediction errors are below this share of the fit's. */
const LEARNED_BETTER = 0.7;

/**
 * Feeds the page's items to their fonts' width models (made on a font's first page, with that
 * page's fit, or the family's table, as the prior) and solves them. Returns the fonts whose
 * learned widths this page should be read with: those that, learned from the earlier pages,
 * predict this page's item widths clearly better than this page's own fit does. Measured
 * against poppler's word boxes, learning helps most on ragged text in fonts unlike the standard
 * ones (pdkids.pdf: median error 1.65 -> 0.1 pt) and hurts on some justified text, where a
 * line's spacing varies and the fit is already close; the out-of-sample test tells them apart.
 */
function learn(items: TextItem[], d: Decoded, styles: Styles, fits: Map<string, FontFit>, fonts: DocumentFonts): Set<string> {
  const touched = new Set<FontWidths>();
  const errors = new Map<string, { fit: number; learned: number }>();
  const trusted = new Set<string>();
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const style = styles.get(item.fontName);
    const sizeAlong = d.sizeAlong[k]!;
    if (style?.vertical || sizeAlong === 0 || !item.str.trim()) continue;
    const fit = fits.get(item.fontName);
    // Unfitted fonts have under MIN_FIT_CHARS on the page: few items, so few of these objects.
    const { table, scale, space } = fit ?? unfitted(style);
    let widths = fonts.get(item.fontName);
    if (widths === null) continue;
    if (widths?.settled) {
      trusted.add(item.fontName);
      continue;
    }
    if (!widths) {
      // Models are made for the fonts pages are mostly set in (fitted on their first page), a
      // bounded number of them per document.
      if (!fit || fonts.size >= MAX_LEARNED_FONTS) continue;
      widths = new FontWidths((code) => (advance(code, table) * scale) / 1000, space);
      fonts.set(item.fontName, widths);
    }
    const standard = d.spaces[k]! * space + (tableSum(d, k, table) * scale) / 1000;
    const advanceEm = item.width / sizeAlong;
    if (widths.learned) {
      const e = errors.get(item.fontName) ?? { fit: 0, learned: 0 };
      e.fit += (advanceEm - standard) ** 2;
      e.learned += (advanceEm - widths.predict(d.codes, d.start[k]!, d.end[k]!)) ** 2;
      errors.set(item.fontName, e);
    }
    widths.observe(d.codes, d.start[k]!, d.end[k]!, advanceEm);
    touched.add(widths);
  }
  for (const widths of touched) widths.solve();
  for (const [font, e] of errors) {
    const widths = fonts.get(font)!;
    if (e.learned < LEARNED_BETTER * e.fit) {
      trusted.add(font);
      widths.misses = 0;
      widths.hits++;
    } else {
      widths.hits = 0;
      if (++widths.misses >= MAX_MISSES) fonts.set(font, null);
    }
  }
  return trusted;
}

/**
 * Where an item's words go on the displayed page: a point s along the baseline and t font sizes
 * up is X = xs·s + xt·t + x0, Y = ys·s + yt·t + y0. One object, refilled per item (itemWords ran
 * as closures made per item; a fresh child runs this code unoptimized for much of a document,
 * where each closure, destructured array and intermediate number allocates: measured the words'
 * largest share of the garbage).
 */
const frame = { xs: 0, ys: 0, xt: 0, yt: 0, x0: 0, y0: 0, size: 0, turns: 0 as TextWord['turns'], emphasis: false, str: '' };

/**
 * What a font's items need for their words, resolved once a page: per item, the look-ups by
 * font and family name kept sending itemWords back to the interpreter ("wrong name" deopts).
 */
interface ItemFont {
  vertical: boolean;
  /** Fitted or learned: what an item's width leaves over goes to its spaces. */
  fitted: boolean;
  table: Table;
  /** Characters' widths are the table's times this, unless learned. */
  scale: number;
  /** A space's width, em. */
  space: number;
  widths: FontWidths | null;
  ascent: number;
  descent: number;
  emphasis: boolean;
}

function itemFont(style: FontStyle | undefined, fit: (FontFit & { widths?: FontWidths }) | undefined, emphasis: boolean): ItemFont {
  const { table, scale, space } = fit ?? unfitted(style);
  const fallback = FALLBACK_METRICS[style?.fontFamily ?? ''] ?? FALLBACK_METRICS['sans-serif']!;
  return {
    vertical: Boolean(style?.vertical),
    fitted: fit !== undefined,
    table,
    scale,
    space,
    widths: fit?.widths ?? null,
    ascent: style && style.ascent >= ASCENT_RANGE[0]! && style.ascent <= ASCENT_RANGE[1]! ? style.ascent : fallback[0],
    descent: style && style.descent >= DESCENT_RANGE[0]! && style.descent <= DESCENT_RANGE[1]! ? style.descent : fallback[1],
    emphasis,
  };
}

/** Appends the item's words to `out`; the first continues `glue.word` when it starts where that one ended. */
function itemWords(item: TextItem, d: Decoded, k: number, font: ItemFont, view: PageView, out: TextWord[], glue: Glue): void {
  const t = item.transform;
  const sizeAlong = d.sizeAlong[k]!;
  const size = Math.hypot(t[2]!, t[3]!);
  if (sizeAlong === 0 || size === 0) {
    glue.word = null;
    return;
  }
  const str = item.str;
  const table = font.table;
  const ascent = font.ascent;
  const descent = font.descent;
  const ux = t[0]! / sizeAlong;
  const uy = t[1]! / sizeAlong;
  const m = view.transform;
  const fr = frame;
  fr.xs = m[0]! * ux + m[2]! * uy;
  fr.ys = m[1]! * ux + m[3]! * uy;
  fr.xt = m[0]! * t[2]! + m[2]! * t[3]!;
  fr.yt = m[1]! * t[2]! + m[3]! * t[3]!;
  fr.x0 = m[0]! * t[4]! + m[2]! * t[5]! + m[4]!;
  fr.y0 = m[1]! * t[4]! + m[3]! * t[5]! + m[5]!;
  fr.size = size;
  fr.turns = quarterTurns(fr.xs, fr.ys);
  fr.emphasis = font.emphasis;
  fr.str = str;
  if (font.vertical) {
    // Vertical writing: the item is one column of glyphs; it is kept whole.
    const text = str.trim();
    if (text) {
      const at = span;
      at[S0] = 0;
      at[S1] = size;
      at[T0] = 0;
      at[T1] = -item.height / size;
      emit(str.indexOf(text), str.indexOf(text) + text.length, out, glue);
    }
    glue.word = null;
    return;
  }
  // Widths in user space: characters from the font's learned widths, else from the table
  // (scaled by the fit); spaces from the same.
  const learned = font.widths;
  const charScale = (font.scale * sizeAlong) / 1000;
  const spaceWidth = font.space * sizeAlong;
  const spaces = d.spaces[k]!;
  const codes = d.codes;
  const first = d.start[k]!;
  const last = d.end[k]!;
  const widths = d.widths;
  let natural = 0;
  if (learned) {
    learned.widthsOf(codes, first, last, widths);
    for (let j = first; j < last; j++) natural += codes[j] === 32 ? spaceWidth : widths[j]! * sizeAlong;
  } else natural = spaces * spaceWidth + tableSum(d, k, table) * charScale;
  // What the item's true width leaves over goes to its spaces, unless the font could not be
  // fitted or that would make a space absurd: then all characters are scaled alike.
  const extra = spaces > 0 ? (item.width - natural) / spaces : 0;
  const toSpaces = font.fitted && spaces > 0 && Math.abs(extra) < 0.5 * sizeAlong;
  const scale = toSpaces ? 1 : natural > 0 ? item.width / natural : 0;
  const spaceStep = (spaceWidth + (toSpaces ? extra : 0)) * scale;
  // pdfjs gives an item the size of its first glyph: a subscript digit and the 10-pt text after
  // it ("4 inch, the" on amt_handbook_sample.pdf) come as one 5.5-pt item, whose width in a
  // fitted font then says its glyphs are larger; its words are that much taller.
  const grown = font.fitted && scale > MIXED_SIZE_RATIO && d.chars[k]! >= MIN_MIXED_CHARS ? scale : 1;
  fr.size = size * grown;
  // The word's span in `span` (see there): S1 runs along as the position.
  const at = span;
  at[S0] = 0;
  at[S1] = 0;
  at[T0] = descent * grown;
  at[T1] = ascent * grown;
  let begin = -1;
  // The decoded code points (spaces as 32), with i their place in str (astral ones take two).
  for (let j = first, i = 0; j < last; j++, i++) {
    const code = codes[j]!;
    if (code === 32) {
      if (begin >= 0) emit(begin, i, out, glue);
      begin = -1;
      glue.word = null;
      at[S1] += spaceStep;
    } else {
      if (begin < 0) {
        begin = i;
        at[S0] = at[S1]!;
      }
      at[S1] += (learned ? widths[j]! * sizeAlong : advance(code, table) * charScale) * scale;
      if (code > 0xffff) i++;
    }
  }
  if (begin >= 0) emit(begin, str.length, out, glue);
}

/** An item this much wider than its fitted font says at its size is set larger than its first glyph. */
const MIXED_SIZE_RATIO = 1.4;
/** Characters such an item needs before its width says so. */
const MIN_MIXED_CHARS = 4;

/**
 * The span of the word being emitted: S0..S1 along the baseline, T0..T1 font sizes up. In a
 * typed array rather than locals and arguments: as numbers passed to emit and summed in
 * itemWords' loop they were boxed, a few heap numbers a word (measured: a third of itemWords'
 * garbage on pdkids).
 */
const span = new Float64Array(4);
const S0 = 0;
const S1 = 1;
const T0 = 2;
const T1 = 3;

/** Adds the word of frame.str[begin, end) spanning `span`. */
function emit(begin: number, end: number, out: TextWord[], glue: Glue): void {
  const fr = frame;
  const s0 = span[S0]!;
  const s1 = span[S1]!;
  const t0 = span[T0]!;
  const t1 = span[T1]!;
  // The corners' bounds: each coordinate is smallest where each of its terms is.
  const xa = fr.xs * s0;
  const xb = fr.xs * s1;
  const xc = fr.xt * t0;
  const xd = fr.xt * t1;
  const ya = fr.ys * s0;
  const yb = fr.ys * s1;
  const yc = fr.yt * t0;
  const yd = fr.yt * t1;
  const left = fr.x0 + Math.min(xa, xb) + Math.min(xc, xd);
  const top = fr.y0 + Math.min(ya, yb) + Math.min(yc, yd);
  const right = fr.x0 + Math.max(xa, xb) + Math.max(xc, xd);
  const bottom = fr.y0 + Math.max(ya, yb) + Math.max(yc, yd);
  const text = fr.str.slice(begin, end);
  const open = glue.word;
  const tolerance = GLUE_GAP_EM * (open?.size ?? 0);
  if (open && Math.abs(fr.x0 + xa - glue.x) <= tolerance && Math.abs(fr.y0 + ya - glue.y) <= tolerance) {
    open.text += text;
    const box = open.bbox;
    if (left < box[0]) box[0] = left;
    if (top < box[1]) box[1] = top;
    if (right > box[2]) box[2] = right;
    if (bottom > box[3]) box[3] = bottom;
  } else {
    const word: TextWord = { text, bbox: [left, top, right, bottom], size: fr.size, turns: fr.turns, emphasis: fr.emphasis };
    out[out.length] = word;
    glue.word = word;
  }
  glue.x = fr.x0 + xb;
  glue.y = fr.y0 + yb;
}
