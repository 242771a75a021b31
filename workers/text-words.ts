import type { Bbox } from '../src/protocol.js';
import type { PageView } from './fields.js';
import { SANS_WIDTHS, SERIF_WIDTHS, WIDTH_CHARS } from './glyph-widths.js';
import { quarterTurns } from './placement.js';

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

const WIDTH_INDEX = new Map([...WIDTH_CHARS].map((ch, i) => [ch, i]));

/** A character's advance in 1/1000 em in the font family's standard metrics; an estimate for others. */
function advance(ch: string, family: string): number {
  if (family === 'monospace') return 600;
  const i = WIDTH_INDEX.get(ch);
  if (i !== undefined) return (family === 'serif' ? SERIF_WIDTHS : SANS_WIDTHS)[i]!;
  const code = ch.codePointAt(0)!;
  // CJK ideographs, kana, hangul and full-width forms take a full em.
  if ((code >= 0x2e80 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xff00 && code <= 0xffef)) return 1000;
  if (/\p{M}/u.test(ch)) return 0;
  return 500;
}

function metrics(style: FontStyle | undefined): [number, number] {
  const fallback = FALLBACK_METRICS[style?.fontFamily ?? ''] ?? FALLBACK_METRICS['sans-serif']!;
  const ascent = style && style.ascent >= ASCENT_RANGE[0]! && style.ascent <= ASCENT_RANGE[1]! ? style.ascent : fallback[0];
  const descent = style && style.descent >= DESCENT_RANGE[0]! && style.descent <= DESCENT_RANGE[1]! ? style.descent : fallback[1];
  return [ascent, descent];
}

/**
 * How a font's glyphs compare with a standard font's: its characters are `scale` times as wide as
 * in `table`, its spaces `space` em wide. Fitted per font and page by least squares over the
 * items: pdfjs gives each item's exact advance, and for body text the fit comes within a point or
 * two of the glyphs' own widths (checked against poppler's word boxes in the corpus).
 */
interface FontFit {
  table: 'sans' | 'serif' | 'mono';
  scale: number;
  space: number;
}

/** A space as wide as in the standard fonts (Helvetica 278, Times 250), em. */
const NOMINAL_SPACE = 0.27;
/** Below this many characters of a font on a page, the fit is not trusted: the family's table is taken as it is. */
const MIN_FIT_CHARS = 40;

interface Sums {
  nn: number;
  ns: number;
  ss: number;
  nw: number;
  sw: number;
  ww: number;
}
const TABLES = ['sans', 'serif', 'mono'] as const;

function fitFonts(items: TextItem[], styles: Record<string, FontStyle>): Map<string, FontFit> {
  const sums = new Map<string, { tables: Record<FontFit['table'], Sums>; chars: number }>();
  for (const item of items) {
    const style = styles[item.fontName];
    const size = Math.hypot(item.transform[0]!, item.transform[1]!);
    // Whitespace items are gaps pdfjs found between items, not glyphs.
    if (!item.str.trim() || style?.vertical || size === 0) continue;
    let entry = sums.get(item.fontName);
    if (!entry) {
      const zero = (): Sums => ({ nn: 0, ns: 0, ss: 0, nw: 0, sw: 0, ww: 0 });
      entry = { tables: { sans: zero(), serif: zero(), mono: zero() }, chars: 0 };
      sums.set(item.fontName, entry);
    }
    const w = item.width / size;
    let spaces = 0;
    const natural = { sans: 0, serif: 0, mono: 0 };
    for (const ch of item.str) {
      if (/\s/u.test(ch)) spaces++;
      else {
        natural.sans += advance(ch, 'sans-serif') / 1000;
        natural.serif += advance(ch, 'serif') / 1000;
        natural.mono += 0.6;
        entry.chars++;
      }
    }
    for (const table of TABLES) {
      const t = entry.tables[table];
      const n = natural[table];
      t.nn += n * n;
      t.ns += n * spaces;
      t.ss += spaces * spaces;
      t.nw += n * w;
      t.sw += spaces * w;
      t.ww += w * w;
    }
  }
  const fits = new Map<string, FontFit>();
  for (const [font, entry] of sums) {
    if (entry.chars < MIN_FIT_CHARS) continue;
    let best: (FontFit & { error: number }) | null = null;
    for (const table of TABLES) {
      const t = entry.tables[table];
      // Least squares of w = scale·n + space·s; with no spaces on the page, the nominal space.
      const det = t.nn * t.ss - t.ns * t.ns;
      let scale: number;
      let space: number;
      if (t.ss > 0 && det > 1e-9 * t.nn * t.ss) {
        scale = (t.nw * t.ss - t.sw * t.ns) / det;
        space = (t.nn * t.sw - t.ns * t.nw) / det;
      } else {
        space = NOMINAL_SPACE;
        scale = t.nn > 0 ? (t.nw - space * t.ns) / t.nn : 1;
      }
      if (!(scale > 0.3 && scale < 3) || !(space >= 0 && space < 2)) continue;
      const error = t.ww - 2 * scale * t.nw - 2 * space * t.sw + scale * scale * t.nn + 2 * scale * space * t.ns + space * space * t.ss;
      if (!best || error < best.error) best = { table, scale, space, error };
    }
    if (best) fits.set(font, { table: best.table, scale: best.scale, space: best.space });
  }
  return fits;
}

/**
 * The words of a page's text layer with their boxes, in content order. pdfjs gives no glyph
 * positions, only items (often a whole line) with their exact total advance; a word's place in
 * its item is found from character widths: a standard font's metrics, fitted to the font's
 * items on the page (see FontFit), and what the item's true width leaves over goes to its
 * spaces, where justification and word spacing put it. Vertically a word runs from the font's
 * descent to its ascent at the baseline.
 */
export function textWords(content: TextContent, view: PageView): TextWord[] {
  const items = content.items.filter((raw): raw is TextItem => 'str' in raw);
  const fits = fitFonts(items, content.styles);
  const words: TextWord[] = [];
  /** The last word, while the next piece may still continue it (no space or line end between). */
  let open: { word: TextWord; end: [number, number]; size: number } | null = null;
  for (const item of items) {
    const pieces = item.str ? itemWords(item, content.styles[item.fontName], fits.get(item.fontName), view) : [];
    if (pieces.length === 0 || /^\s/u.test(item.str)) open = null;
    for (const [i, piece] of pieces.entries()) {
      if (i === 0 && open && near(open.end, piece.start, open.size * GLUE_GAP_EM)) {
        open.word.text += piece.word.text;
        open.word.bbox = union(open.word.bbox, piece.word.bbox);
        open.end = piece.end;
        continue;
      }
      words.push(piece.word);
      open = { word: piece.word, end: piece.end, size: piece.word.size };
    }
    if (/\s$/u.test(item.str) || item.hasEOL) open = null;
  }
  return words;
}

interface Piece {
  word: TextWord;
  /** Baseline points where the word starts and ends, on the displayed page. */
  start: [number, number];
  end: [number, number];
}

const FAMILY_OF_TABLE = { sans: 'sans-serif', serif: 'serif', mono: 'monospace' } as const;

function itemWords(item: TextItem, style: FontStyle | undefined, fit: FontFit | undefined, view: PageView): Piece[] {
  const [a, b, c, d, e, f] = item.transform as [number, number, number, number, number, number];
  const sizeAlong = Math.hypot(a, b);
  const size = Math.hypot(c, d);
  if (sizeAlong === 0 || size === 0) return [];
  const chars = [...item.str];
  const family = fit ? FAMILY_OF_TABLE[fit.table] : (style?.fontFamily ?? 'sans-serif');
  const [ascent, descent] = metrics(style);
  const dir: [number, number] = [a / sizeAlong, b / sizeAlong];
  const up: [number, number] = [c, d];
  const [m0, m1, m2, m3, m4, m5] = view.transform as [number, number, number, number, number, number];
  const point = (s: number, t: number): [number, number] => {
    const x = e + dir[0] * s + up[0] * t;
    const y = f + dir[1] * s + up[1] * t;
    return [m0 * x + m2 * y + m4, m1 * x + m3 * y + m5];
  };
  const turns = quarterTurns(m0 * dir[0] + m2 * dir[1], m1 * dir[0] + m3 * dir[1]);
  if (style?.vertical) {
    // Vertical writing: the item is one column of glyphs; it is kept whole.
    const text = item.str.trim();
    if (!text) return [];
    const corners = [point(0, 0), point(size, 0), point(0, -item.height / size), point(size, -item.height / size)];
    return [{ word: { text, bbox: bounds(corners), size, turns }, start: corners[0]!, end: corners[3]! }];
  }
  const isSpace = chars.map((ch) => /\s/u.test(ch));
  const space = fit ? fit.space : advance(' ', family) / 1000;
  const widths = chars.map((ch, i) => (isSpace[i] ? space * sizeAlong : (advance(ch, family) * (fit?.scale ?? 1) * sizeAlong) / 1000));
  const natural = widths.reduce((sum, w) => sum + w, 0);
  const spaces = isSpace.filter(Boolean).length;
  // What the item's true width leaves over goes to its spaces, unless the font could not be
  // fitted or that would make a space absurd: then all characters are scaled alike.
  const extra = spaces > 0 ? (item.width - natural) / spaces : 0;
  const toSpaces = fit !== undefined && spaces > 0 && Math.abs(extra) < 0.5 * sizeAlong;
  const scale = toSpaces ? 1 : natural > 0 ? item.width / natural : 0;
  const pieces: Piece[] = [];
  let s = 0;
  let wordStart = -1;
  let text = '';
  const close = () => {
    if (!text) return;
    const corners = [point(wordStart, descent), point(wordStart, ascent), point(s, descent), point(s, ascent)];
    pieces.push({ word: { text, bbox: bounds(corners), size, turns }, start: point(wordStart, 0), end: point(s, 0) });
    text = '';
  };
  for (const [i, ch] of chars.entries()) {
    const width = widths[i]! * scale;
    if (isSpace[i]) {
      close();
      s += width + (toSpaces ? extra : 0);
      continue;
    }
    if (!text) wordStart = s;
    text += ch;
    s += width;
  }
  close();
  return pieces;
}

function near(p: [number, number], q: [number, number], tolerance: number): boolean {
  return Math.abs(p[0] - q[0]) <= tolerance && Math.abs(p[1] - q[1]) <= tolerance;
}

function bounds(points: [number, number][]): Bbox {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function union(p: Bbox, q: Bbox): Bbox {
  return [Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[2], q[2]), Math.max(p[3], q[3])];
}
