import { advance, tableSum, tableOf, type Decoded, type FontStyle, type Styles, type Table, type TextItem } from './decode.js';
import { FontWidths } from './font-widths.js';

/**
 * How a font's glyphs compare with a standard font's: its characters are `scale` times as wide as
 * in `table`, its spaces `space` em wide. Fitted per font and page by least squares over the
 * items: pdfjs gives each item's exact advance, and for body text the fit comes within a point or
 * two of the glyphs' own widths (checked against poppler's word boxes in the corpus).
 */
export interface FontFit {
  table: Table;
  scale: number;
  space: number;
}

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
 * A font's sums on a page: SUMS_PER_TABLE a table, in TABLES' order. Typed and indexed, not
 * objects picked by table name: keyed look-ups make fitFonts' loop the largest code TurboFan
 * compiles for fidelity (measured ~29 ms of compiling on pdkids) and deoptimize it.
 */
const SUMS_PER_TABLE = 5;

export function fitFonts(items: TextItem[], d: Decoded, styles: Styles): Map<string, FontFit> {
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
export const TABLE_SPACE: Record<Table, number> = { sans: 0.278, serif: 0.25, mono: 0.6 };

/** A font the page gave too little to fit: its family's table as it is. */
export function unfitted(style: FontStyle | undefined): FontFit {
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
 * What is learned of a document's fonts (by pdfjs font name) as its pages are read; one per
 * document. null: a font whose learned widths kept doing no better than the page fit, no longer
 * learned (its cost is spared: ~5 ms a page).
 */
export type DocumentFonts = Map<string, FontWidths | null>;

/** Fonts whose widths a document learns, at most (each model: ~40-120 KB). */
const MAX_LEARNED_FONTS = 16;
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
export function learn(items: TextItem[], d: Decoded, styles: Styles, fits: Map<string, FontFit>, fonts: DocumentFonts): Set<string> {
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
