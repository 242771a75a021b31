/**
 * Which of a page's paths and glyphs are check boxes, radio buttons or answer boxes, and which
 * only look like them (bullets, table cells, a word's frame, a logo's ring).
 */
import type { Bbox } from '../../src/protocol.js';
import type { InkGlyph, InkPath } from './drawn-ink.js';

/** A printed box before its state is read; `path` is the outline that drew it (none for a glyph). */
export interface BoxCandidate {
  shape: 'square' | 'circle';
  bbox: Bbox;
  path: InkPath | null;
  /** A ☑/☒ glyph: checked by itself. */
  glyphChecked: boolean;
}

/** Marks are 8-14 pt in print; a little either side for other forms' scales. */
export const MIN_MARK = 6;
export const MAX_MARK = 20;
/** Width over height (or back) of a square or a circle. */
export const MAX_ASPECT = 1.25;
/** A stroke thicker than this share of the box is a ring or a badge, not a box's outline. */
export const MAX_LINE_SHARE = 0.2;
/** Edges and corners closer than this (points) are the same. */
const SNAP = 1.5;
/** Answer boxes: wide enough for words, one or two lines tall. */
const ANSWER_MIN_WIDTH = 40;
const ANSWER_HEIGHT: [number, number] = [12, 40];
/** Within this of both sides of its frame, a word is framed (a notice), not typed into a field. */
const FRAMED_WORD_GAP = 8;

/** The check box glyphs, empty and checked (ZapfDingbats' shadowed squares map to ❏-❒). */
const EMPTY_BOX_GLYPHS = new Set(['☐', '❏', '❐', '❑', '❒', '□']);
const CHECKED_BOX_GLYPHS = new Set(['☑', '☒', '⊠']);
/** DejaVu Sans's ☐ (the usual font for it): the square spans 0.09-0.81 em across, 0-0.73 em up. */
const BOX_GLYPH = { left: 0.09, side: 0.72 };

export const width = (b: Bbox) => b[2] - b[0];
export const height = (b: Bbox) => b[3] - b[1];

/** A closed subpath along its bounding rectangle: every point on one of its four edges. */
export function isRectangle(p: InkPath): boolean {
  if (p.curved || !p.closed) return false;
  const [l, t, r, b] = p.bbox;
  const tol = Math.max(0.5, 0.05 * Math.min(width(p.bbox), height(p.bbox)));
  for (let k = 0; k < p.points.length; k += 2) {
    const x = p.points[k]!;
    const y = p.points[k + 1]!;
    const onEdge = Math.abs(x - l) < tol || Math.abs(x - r) < tol || Math.abs(y - t) < tol || Math.abs(y - b) < tol;
    if (!onEdge) return false;
  }
  return p.points.length >= 8;
}

/** A closed curve whose points keep one distance from its centre. */
export function isCircle(p: InkPath): boolean {
  if (!p.curved) return false;
  const cx = (p.bbox[0] + p.bbox[2]) / 2;
  const cy = (p.bbox[1] + p.bbox[3]) / 2;
  const r = (width(p.bbox) + height(p.bbox)) / 4;
  for (let k = 0; k < p.points.length; k += 2) {
    if (Math.abs(Math.hypot(p.points[k]! - cx, p.points[k + 1]! - cy) - r) > 0.12 * r + 0.3) return false;
  }
  const [x0, y0] = [p.points[0]!, p.points[1]!];
  const [x1, y1] = [p.points[p.points.length - 2]!, p.points[p.points.length - 1]!];
  return p.closed || Math.hypot(x1 - x0, y1 - y0) < SNAP;
}

const markSized = (b: Bbox) => {
  const w = width(b);
  const h = height(b);
  return w >= MIN_MARK && h >= MIN_MARK && w <= MAX_MARK && h <= MAX_MARK && Math.max(w, h) / Math.min(w, h) <= MAX_ASPECT;
};

/** Stroked squares and circles of a mark's size, and box glyphs; one per place (a flattened form prints a box twice). */
export function boxCandidates(paths: InkPath[], glyphs: InkGlyph[]): BoxCandidate[] {
  const found: BoxCandidate[] = [];
  for (const p of paths) {
    if (!p.stroked || !markSized(p.bbox) || p.lineWidth > MAX_LINE_SHARE * width(p.bbox)) continue;
    const shape = isRectangle(p) ? 'square' : isCircle(p) ? 'circle' : null;
    if (shape) found.push({ shape, bbox: p.bbox, path: p, glyphChecked: false });
  }
  for (const g of glyphs) {
    const checked = CHECKED_BOX_GLYPHS.has(g.char);
    if (!checked && !EMPTY_BOX_GLYPHS.has(g.char)) continue;
    const left = g.origin[0] + BOX_GLYPH.left * g.size;
    const bbox: Bbox = [left, g.origin[1] - BOX_GLYPH.side * g.size, left + BOX_GLYPH.side * g.size, g.origin[1]];
    if (markSized(bbox)) found.push({ shape: 'square', bbox, path: null, glyphChecked: checked });
  }
  return dedupe(found);
}

/** Candidates at the same place become one; one inside another is the other's ink (a dot, a fill). */
function dedupe(found: BoxCandidate[]): BoxCandidate[] {
  const kept: BoxCandidate[] = [];
  for (const c of [...found].sort((a, b) => width(b.bbox) * height(b.bbox) - width(a.bbox) * height(a.bbox))) {
    const same = kept.find((k) => sameBox(k.bbox, c.bbox, SNAP));
    if (same) {
      same.glyphChecked ||= c.glyphChecked;
      continue;
    }
    if (kept.some((k) => inside(c.bbox, k.bbox, 0))) continue;
    kept.push(c);
  }
  return kept;
}

export function sameBox(a: Bbox, b: Bbox, tol: number): boolean {
  return Math.abs(a[0] - b[0]) <= tol && Math.abs(a[1] - b[1]) <= tol && Math.abs(a[2] - b[2]) <= tol && Math.abs(a[3] - b[3]) <= tol;
}

/** `a` within `b` grown by `margin`. */
export function inside(a: Bbox, b: Bbox, margin: number): boolean {
  return a[0] >= b[0] - margin && a[1] >= b[1] - margin && a[2] <= b[2] + margin && a[3] <= b[3] + margin;
}

export function centreIn(g: Bbox, b: Bbox): boolean {
  const x = (g[0] + g[2]) / 2;
  const y = (g[1] + g[3]) / 2;
  return x > b[0] && x < b[2] && y > b[1] && y < b[3];
}

/**
 * Whether a box is part of a ruled grid: another rectangle shares one of its edges (a table's
 * cells), or a straight rule runs along an edge or ends on it (a table's lines).
 */
export function inGrid(box: Bbox, own: InkPath | null, paths: InkPath[]): boolean {
  for (const p of paths) {
    if (p === own || !p.stroked || p.curved || sameBox(p.bbox, box, SNAP)) continue;
    if (inside(p.bbox, box, SNAP)) continue;
    if (touchesEdge(p.points, box, p.closed)) return true;
  }
  return false;
}

/** A segment of the polyline lying along one of the box's edges (over a third of it), or ending on an edge from outside. */
function touchesEdge(points: number[], box: Bbox, closed: boolean): boolean {
  const n = points.length / 2;
  const last = closed ? n : n - 1;
  for (let i = 0; i < last; i++) {
    const j = (i + 1) % n;
    const [x0, y0, x1, y1] = [points[2 * i]!, points[2 * i + 1]!, points[2 * j]!, points[2 * j + 1]!];
    if (Math.abs(y0 - y1) < 0.5) {
      const overlap = Math.min(Math.max(x0, x1), box[2]) - Math.max(Math.min(x0, x1), box[0]);
      if ((Math.abs(y0 - box[1]) < SNAP || Math.abs(y0 - box[3]) < SNAP) && overlap > width(box) / 3) return true;
      if (y0 > box[1] && y0 < box[3] && endsOn(x0, x1, box[0], box[2])) return true;
    } else if (Math.abs(x0 - x1) < 0.5) {
      const overlap = Math.min(Math.max(y0, y1), box[3]) - Math.max(Math.min(y0, y1), box[1]);
      if ((Math.abs(x0 - box[0]) < SNAP || Math.abs(x0 - box[2]) < SNAP) && overlap > height(box) / 3) return true;
      if (x0 > box[0] && x0 < box[2] && endsOn(y0, y1, box[1], box[3])) return true;
    }
  }
  return false;
}

/** A segment from a to b that reaches an edge (lo or hi) from outside the box. */
function endsOn(a: number, b: number, lo: number, hi: number): boolean {
  const [s, e] = a < b ? [a, b] : [b, a];
  return (Math.abs(e - lo) < SNAP && s < lo - SNAP) || (Math.abs(s - hi) < SNAP && e > hi + SNAP);
}

/** Ruled rectangles wide enough for a line of words, not a table's cells, not a frame around a word. */
export function answerBoxes(paths: InkPath[], glyphs: InkGlyph[]): Bbox[] {
  const boxes: Bbox[] = [];
  for (const p of paths) {
    const b = p.bbox;
    const h = height(b);
    if (!p.stroked || width(b) < ANSWER_MIN_WIDTH || h < ANSWER_HEIGHT[0] || h > ANSWER_HEIGHT[1] || width(b) < 2 * h) continue;
    if (!isRectangle(p) || boxes.some((k) => sameBox(k, b, SNAP))) continue;
    if (inGrid(b, p, paths) || framesWord(b, glyphs)) continue;
    boxes.push(b);
  }
  return boxes;
}

function framesWord(box: Bbox, glyphs: InkGlyph[]): boolean {
  let l = Infinity;
  let r = -Infinity;
  for (const g of glyphs) {
    if (!centreIn(g.bbox, box)) continue;
    l = Math.min(l, g.bbox[0]);
    r = Math.max(r, g.bbox[2]);
  }
  return l - box[0] <= FRAMED_WORD_GAP && box[2] - r <= FRAMED_WORD_GAP;
}
