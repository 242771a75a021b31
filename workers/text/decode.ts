/** Decoding pdfjs's text items once a page: their code points, spaces and standard-font advances, for every later pass. */
import { SANS_WIDTHS, SERIF_WIDTHS, WIDTH_CHARS } from './glyph-widths.js';

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

/** Width tables indexed by UTF-16 code unit (0: not listed). */
const TABLE_SIZE = 0x2200;
const SANS_TABLE = new Uint16Array(TABLE_SIZE);
const SERIF_TABLE = new Uint16Array(TABLE_SIZE);
for (let i = 0; i < WIDTH_CHARS.length; i++) {
  const code = WIDTH_CHARS.charCodeAt(i);
  SANS_TABLE[code] = SANS_WIDTHS[i]!;
  SERIF_TABLE[code] = SERIF_WIDTHS[i]!;
}
export type Table = 'sans' | 'serif' | 'mono';

/** A character's advance in 1/1000 em in a standard font's metrics; an estimate for characters they lack. */
export function advance(code: number, table: Table): number {
  if (table === 'mono') return 600;
  const listed = code < TABLE_SIZE ? (table === 'serif' ? SERIF_TABLE : SANS_TABLE)[code]! : 0;
  if (listed > 0) return listed;
  // CJK ideographs, kana, hangul, full-width forms (and astral characters, mostly CJK) take a full em.
  if ((code >= 0x2e80 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xff00 && code <= 0xffef) || code > 0xffff) return 1000;
  // Combining marks sit on the previous character.
  if (code >= 0x300 && code <= 0x36f) return 0;
  return 500;
}

export function isSpace(code: number): boolean {
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

export function tableOf(family: string): Table {
  return family === 'serif' ? 'serif' : family === 'monospace' ? 'mono' : 'sans';
}

/**
 * The page's fonts by pdfjs name. A Map, not the object pdfjs gives: looked up by a different
 * name item after item, the object's keyed loads deoptimize the per-item loops ("wrong name",
 * measured with --trace-deopt on pdkids).
 */
export type Styles = Map<string, FontStyle>;

/**
 * The page's items, each decoded once for every pass over its characters (the fits, the fonts'
 * weights, learning, the words): its code points (spaces as 32) at codes[start[k], end[k]), and
 * what the passes sum over them. Decoded once, not per pass: five passes decoding every character
 * again were most of the words' cost on a fresh child, whose code is not yet optimized (measured).
 */
export interface Decoded {
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
  /** Scratch beside codes: an item's learned widths (naturalWidth, lineWords). */
  widths: Float64Array;
}

/** Scratch kept between pages (a page's items and characters are at most a few thousand). */
let scratch: Decoded = decodedOf(256, 4096);

function decodedOf(items: number, chars: number): Decoded {
  const ints = () => new Int32Array(items);
  return { codes: new Int32Array(chars), start: ints(), end: ints(), spaces: ints(), chars: ints(), sans: ints(), serif: ints(), sizeAlong: new Float64Array(items), widths: new Float64Array(chars) };
}

export function decode(items: TextItem[]): Decoded {
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
export function tableSum(d: Decoded, k: number, table: Table): number {
  return table === 'sans' ? d.sans[k]! : table === 'serif' ? d.serif[k]! : 600 * d.chars[k]!;
}
