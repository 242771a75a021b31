/**
 * What a text-layer page draws, as the forms reader needs it: every painted path (as polylines
 * on the displayed page) and every glyph's box, from pdfjs's operator list. The current
 * transform is followed through save/restore, `cm` and form XObjects (flattened appearances
 * are form XObjects); the text matrix through BT, Tm, Td, TD, T*, Tc, Tw, Tz, Ts and TJ's shifts.
 */
import type { Bbox } from '../../src/protocol.js';
import { OPS, type PDFPageProxy } from '../pdf/pdfjs.js';
import type { PageView } from '../page/page-view.js';
import { compose, type Placement } from '../page/placement.js';

/** One subpath as painted, in points on the displayed page. */
export interface InkPath {
  /** x, y pairs; Béziers flattened. */
  points: number[];
  bbox: Bbox;
  closed: boolean;
  curved: boolean;
  stroked: boolean;
  /** Filled with a colour that shows on white paper. */
  darkFill: boolean;
  /** The stroke's width on the page. */
  lineWidth: number;
}

/** A glyph the page shows: its Unicode text and its em box (advance × descent..ascent) on the page. */
export interface InkGlyph {
  char: string;
  bbox: Bbox;
  /** The em size on the page, in points. */
  size: number;
  /** Where the pen stood: the glyph's origin on the baseline, and the advance's end. */
  origin: [number, number];
}

export interface PageInk {
  paths: InkPath[];
  glyphs: InkGlyph[];
}

/** pdfjs's DrawOPS, the codes of constructPath's buffer (src/shared/util.js). */
const MOVE = 0;
const LINE = 1;
const CURVE = 2;
const QUAD = 3;
const CLOSE = 4;
/** Points each Bézier is flattened to: enough for a circle of 20 pt to stay within 0.1 pt. */
const CURVE_STEPS = 8;
/** A colour with less luminance than this is ink (a blue-black pen, grey fills); paler is background. */
const DARK_LUMINANCE = 0.6;
/** A glyph's em box from the baseline when the font gives nothing better. */
const ASCENT = 0.75;
const DESCENT = -0.2;

const PAINT_STROKE = new Set<number>([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
const PAINT_FILL = new Set<number>([OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);

interface GraphicsState {
  ctm: Placement;
  lineWidth: number;
  darkFill: boolean;
  fontSize: number;
  fontName: string;
  charSpacing: number;
  wordSpacing: number;
  hScale: number;
  leading: number;
  rise: number;
}

interface TextState {
  tm: Placement;
  tlm: Placement;
}

const IDENTITY: Placement = [1, 0, 0, 1, 0, 0];

/** The page's paths and glyphs, from its operator list. */
export async function pageInk(page: PDFPageProxy, view: PageView): Promise<PageInk> {
  const list = await page.getOperatorList();
  const ink: PageInk = { paths: [], glyphs: [] };
  const stack: GraphicsState[] = [];
  let gs: GraphicsState = { ctm: view.transform as Placement, lineWidth: 1, darkFill: true, fontSize: 0, fontName: '', charSpacing: 0, wordSpacing: 0, hScale: 1, leading: 0, rise: 0 };
  const text: TextState = { tm: IDENTITY, tlm: IDENTITY };
  const fonts = fontNames(page);
  for (let i = 0; i < list.fnArray.length; i++) {
    const fn = list.fnArray[i]!;
    const args = list.argsArray[i] as unknown[];
    if (fn === OPS.save || fn === OPS.paintFormXObjectBegin) {
      stack.push(gs);
      gs = { ...gs };
      if (fn === OPS.paintFormXObjectBegin && args?.[0]) gs.ctm = compose(gs.ctm, Array.from(args[0] as number[]) as Placement);
    } else if (fn === OPS.restore || fn === OPS.paintFormXObjectEnd) {
      gs = stack.pop() ?? gs;
    } else if (fn === OPS.transform) {
      gs.ctm = compose(gs.ctm, args as unknown as Placement);
    } else if (fn === OPS.constructPath) {
      addPaths(ink.paths, args, gs);
    } else if (fn === OPS.showText) {
      showText(ink.glyphs, args[0] as unknown[], gs, text, fonts);
    } else {
      setState(fn, args, gs, text);
    }
  }
  return ink;
}

/** The page's fonts by pdfjs's loaded name: their PostScript names, for the symbol fonts that map no Unicode. */
function fontNames(page: PDFPageProxy): (loaded: string) => string {
  const objs = (page as unknown as { commonObjs: { has(id: string): boolean; get(id: string): unknown } }).commonObjs;
  return (loaded) => {
    try {
      return objs.has(loaded) ? String((objs.get(loaded) as { name?: string }).name ?? '') : '';
    } catch {
      return '';
    }
  };
}

function setState(fn: number, args: unknown[], gs: GraphicsState, text: TextState): void {
  switch (fn) {
    case OPS.setLineWidth:
      gs.lineWidth = args[0] as number;
      break;
    case OPS.setGState:
      for (const [key, value] of (args[0] as [string, unknown][]) ?? []) if (key === 'LW' && typeof value === 'number') gs.lineWidth = value;
      break;
    case OPS.setFillRGBColor:
      gs.darkFill = luminance(String(args[0])) < DARK_LUMINANCE;
      break;
    case OPS.setFillTransparent:
      gs.darkFill = false;
      break;
    case OPS.setFont:
      gs.fontName = String(args[0]);
      gs.fontSize = args[1] as number;
      break;
    case OPS.beginText:
      text.tm = text.tlm = IDENTITY;
      break;
    case OPS.setTextMatrix:
      text.tm = text.tlm = Array.from(args[0] as ArrayLike<number>) as Placement;
      break;
    case OPS.setLeadingMoveText:
      gs.leading = -(args[1] as number);
      moveText(text, args[0] as number, args[1] as number);
      break;
    case OPS.moveText:
      moveText(text, args[0] as number, args[1] as number);
      break;
    case OPS.nextLine:
      moveText(text, 0, -gs.leading);
      break;
    default:
      setTextState(fn, args, gs);
  }
}

function setTextState(fn: number, args: unknown[], gs: GraphicsState): void {
  if (fn === OPS.setLeading) gs.leading = args[0] as number;
  else if (fn === OPS.setCharSpacing) gs.charSpacing = args[0] as number;
  else if (fn === OPS.setWordSpacing) gs.wordSpacing = args[0] as number;
  else if (fn === OPS.setHScale) gs.hScale = (args[0] as number) / 100;
  else if (fn === OPS.setTextRise) gs.rise = args[0] as number;
}

function moveText(text: TextState, tx: number, ty: number): void {
  text.tm = text.tlm = compose(text.tlm, [1, 0, 0, 1, tx, ty]);
}

/** "#rrggbb" as relative luminance 0-1. */
function luminance(hex: string): number {
  const v = Number.parseInt(hex.slice(1), 16);
  if (!Number.isFinite(v)) return 0;
  return (0.2126 * ((v >> 16) & 255) + 0.7152 * ((v >> 8) & 255) + 0.0722 * (v & 255)) / 255;
}

/** The subpaths of one painted path (clipping paths, `n`, paint nothing and are left out). */
function addPaths(out: InkPath[], args: unknown[], gs: GraphicsState): void {
  const paint = args[0] as number;
  const buffer = (args[1] as (Float32Array | null)[])?.[0];
  const stroked = PAINT_STROKE.has(paint);
  const filled = PAINT_FILL.has(paint);
  if (!buffer || (!stroked && !filled)) return;
  const m = gs.ctm;
  const lineWidth = Math.max(gs.lineWidth, 0) * Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2]));
  let points: number[] = [];
  let curved = false;
  let closed = false;
  const flush = () => {
    if (points.length >= 4) out.push({ points, bbox: bounds(points), closed: closed || paint === OPS.closeStroke || filled, curved, stroked, darkFill: filled && gs.darkFill, lineWidth });
    points = [];
    curved = closed = false;
  };
  const map = (x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
  const at = (x: number, y: number) => points.push(...map(x, y));
  for (let k = 0; k < buffer.length; ) {
    const op = buffer[k++];
    if (op === MOVE) {
      flush();
      at(buffer[k]!, buffer[k + 1]!);
      k += 2;
    } else if (op === LINE) {
      at(buffer[k]!, buffer[k + 1]!);
      k += 2;
    } else if (op === CURVE || op === QUAD) {
      const n = op === CURVE ? 6 : 4;
      bezier(points, buffer.subarray(k, k + n), map);
      curved = true;
      k += n;
    } else if (op === CLOSE) {
      closed = true;
    } else break;
  }
  flush();
}

/** A cubic (or quadratic) Bézier from the last point, flattened into CURVE_STEPS points on the page. */
function bezier(points: number[], c: Float32Array, map: (x: number, y: number) => [number, number]): void {
  const x0 = points[points.length - 2];
  const y0 = points[points.length - 1];
  if (x0 === undefined || y0 === undefined) return;
  const p1 = map(c[0]!, c[1]!);
  const p2 = c.length === 6 ? map(c[2]!, c[3]!) : p1;
  const p3 = c.length === 6 ? map(c[4]!, c[5]!) : map(c[2]!, c[3]!);
  for (let s = 1; s <= CURVE_STEPS; s++) {
    const t = s / CURVE_STEPS;
    const u = 1 - t;
    const a = u * u * u;
    const b = 3 * u * u * t;
    const d = 3 * u * t * t;
    const e = t * t * t;
    points.push(a * x0 + b * p1[0] + d * p2[0] + e * p3[0], a * y0 + b * p1[1] + d * p2[1] + e * p3[1]);
  }
}

function bounds(points: number[]): Bbox {
  let l = Infinity;
  let t = Infinity;
  let r = -Infinity;
  let b = -Infinity;
  for (let k = 0; k < points.length; k += 2) {
    l = Math.min(l, points[k]!);
    r = Math.max(r, points[k]!);
    t = Math.min(t, points[k + 1]!);
    b = Math.max(b, points[k + 1]!);
  }
  return [l, t, r, b];
}

/** The glyphs of one Tj/TJ, each placed where the text matrix puts it; the matrix moves past them. */
function showText(out: InkGlyph[], glyphs: unknown[], gs: GraphicsState, text: TextState, fonts: (loaded: string) => string): void {
  const size = gs.fontSize;
  const h = gs.hScale;
  let symbolFont: string | null = null;
  let x = 0;
  for (const g of glyphs) {
    if (typeof g === 'number') {
      x -= (g / 1000) * size * h;
      continue;
    }
    const glyph = g as { unicode?: string; width?: number; isSpace?: boolean };
    const advance = ((glyph.width ?? 0) / 1000) * size;
    if (!glyph.isSpace && glyph.unicode && glyph.unicode.trim()) {
      symbolFont ??= fonts(gs.fontName);
      const m = compose(compose(gs.ctm, text.tm), [size * h, 0, 0, size, x, gs.rise]);
      const w = advance / size || 0.5;
      const corner = (ex: number, ey: number): [number, number] => [m[0] * ex + m[2] * ey + m[4], m[1] * ex + m[3] * ey + m[5]];
      const [ax, ay] = corner(0, DESCENT);
      const [bx, by] = corner(w, ASCENT);
      const scale = Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2]));
      out.push({ char: mapSymbol(glyph.unicode, symbolFont), bbox: [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)], size: scale, origin: corner(0, 0) });
    }
    x += (advance + gs.charSpacing + (glyph.isSpace ? gs.wordSpacing : 0)) * h;
  }
  text.tm = compose(text.tm, [1, 0, 0, 1, x, 0]);
}

/** ZapfDingbats as pdfjs passes it when the font maps no Unicode (pdf-lib's standard font): its codes, by Adobe's glyph list. */
const ZAPF_DINGBATS: Record<string, string> = { '3': '✓', '4': '✔', '5': '✕', '6': '✖', '7': '✗', '8': '✘', l: '●', n: '■', o: '❏', p: '❐', q: '❑', r: '❒' };
/** Wingdings and Wingdings 2 draw their boxes and ticks at Latin code points; pdfjs passes those on. */
const WINGDINGS: Record<string, string> = { '\u00a8': '☐', o: '☐', q: '☐', x: '☒', '\u00fd': '☒', '\u00fe': '☑', '\u00fc': '✓', '\u00fb': '✗' };
const WINGDINGS_2: Record<string, string> = { '\u00a3': '☐', P: '✓', O: '✗', Q: '✗', R: '☑', S: '☒', T: '☒' };

function mapSymbol(char: string, font: string): string {
  if (!font) return char;
  if (/wingdings-?2/i.test(font)) return WINGDINGS_2[char] ?? char;
  if (/wingdings/i.test(font)) return WINGDINGS[char] ?? char;
  if (/dingbats/i.test(font)) return ZAPF_DINGBATS[char] ?? char;
  return char;
}
