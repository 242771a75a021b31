import type { Bbox } from '../../src/protocol.js';
import type { PageView } from '../page/page-view.js';
import { quarterTurns } from '../page/placement.js';
import { advance, decode, isSpace, tableSum, type Decoded, type FontStyle, type Styles, type Table, type TextContent, type TextItem } from './decode.js';
import { emphasisFonts } from './emphasis.js';
import { fitFonts, learn, unfitted, type DocumentFonts, type FontFit } from './font-fit.js';
import type { FontWidths } from './font-widths.js';

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

/**
 * The words of a page's text layer with their boxes, in content order. pdfjs gives no glyph
 * positions, only items (often a whole line) with their exact total advance; a word's place in
 * its item is found from character widths: a standard font's metrics, fitted to the font's
 * items on the page (see FontFit), and what the item's true width leaves over goes to its
 * spaces, where justification and word spacing put it. Vertically a word runs from the font's
 * descent to its ascent at the baseline.
 */
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

/**
 * Where an item's words go on the displayed page: a point s along the baseline and t font sizes
 * up is X = xs·s + xt·t + x0, Y = ys·s + yt·t + y0. One object, refilled per item, not closures
 * made per item: a fresh child runs this code unoptimized for much of a document, where each
 * closure, destructured array and intermediate number allocates (measured: closures made the
 * words' largest share of the garbage).
 */
const frame = { xs: 0, ys: 0, xt: 0, yt: 0, x0: 0, y0: 0, size: 0, turns: 0 as TextWord['turns'], emphasis: false, str: '' };

/**
 * What a font's items need for their words, resolved once a page: per item, the look-ups by
 * font and family name send the words' loops back to the interpreter ("wrong name" deopts).
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
  placeItem(item, sizeAlong, size, font, view);
  if (font.vertical) verticalWord(item, size, out, glue);
  else lineWords(item, d, k, font, out, glue);
}

/** Fills `frame` for the item: its baseline and size mapped to the displayed page. */
function placeItem(item: TextItem, sizeAlong: number, size: number, font: ItemFont, view: PageView): void {
  const t = item.transform;
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
  fr.str = item.str;
}

/** Vertical writing: the item is one column of glyphs; it is kept whole. */
function verticalWord(item: TextItem, size: number, out: TextWord[], glue: Glue): void {
  const str = item.str;
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
}

/**
 * The item's width in user space at its font's widths: characters from the font's learned
 * widths (left in d.widths), else from the table scaled by the fit; spaces from the same.
 */
function naturalWidth(d: Decoded, k: number, font: ItemFont, sizeAlong: number): number {
  const spaceWidth = font.space * sizeAlong;
  const learned = font.widths;
  if (!learned) return d.spaces[k]! * spaceWidth + tableSum(d, k, font.table) * ((font.scale * sizeAlong) / 1000);
  const codes = d.codes;
  const first = d.start[k]!;
  const last = d.end[k]!;
  const widths = d.widths;
  learned.widthsOf(codes, first, last, widths);
  let natural = 0;
  for (let j = first; j < last; j++) natural += codes[j] === 32 ? spaceWidth : widths[j]! * sizeAlong;
  return natural;
}

/** The words of a horizontal item, placed along its baseline by its characters' widths. */
function lineWords(item: TextItem, d: Decoded, k: number, font: ItemFont, out: TextWord[], glue: Glue): void {
  const str = item.str;
  const table = font.table;
  const sizeAlong = d.sizeAlong[k]!;
  const learned = font.widths;
  const charScale = (font.scale * sizeAlong) / 1000;
  const spaceWidth = font.space * sizeAlong;
  const spaces = d.spaces[k]!;
  const codes = d.codes;
  const first = d.start[k]!;
  const last = d.end[k]!;
  const widths = d.widths;
  const natural = naturalWidth(d, k, font, sizeAlong);
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
  frame.size *= grown;
  // The word's span in `span` (see there): S1 runs along as the position.
  const at = span;
  at[S0] = 0;
  at[S1] = 0;
  at[T0] = font.descent * grown;
  at[T1] = font.ascent * grown;
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
 * typed array rather than locals and arguments: numbers passed to emit and summed in
 * lineWords' loop are boxed, a few heap numbers a word (measured: a third of the words'
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
