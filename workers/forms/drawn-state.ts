/** Whether a drawn box is ticked, crossed, filled or dotted: the ink inside it. */
import type { Bbox } from '../../src/protocol.js';
import { centreIn, height, inside, sameBox, width, type BoxCandidate } from './drawn-boxes.js';
import type { InkGlyph, InkPath } from './drawn-ink.js';

/** Glyphs that tick or cross a box they sit in. */
const CHECK_GLYPHS = new Set(['✓', '✔', '✗', '✘', '☑', '☒', 'X', 'x', '×', '✕', '✖', '■', '●', '⬛', '◼']);
/** A fill inside the box covering this share of it is a solid fill or a radio's dot; less is a speck. */
const MIN_FILL_SHARE = 0.12;

/** True when ink other than the box's own outline marks it. */
export function isChecked(box: BoxCandidate, paths: InkPath[], glyphs: InkGlyph[]): boolean {
  if (box.glyphChecked) return true;
  if (box.path?.darkFill) return true;
  for (const g of glyphs) if (CHECK_GLYPHS.has(g.char) && centreIn(g.bbox, grow(box.bbox, 2))) return true;
  const inner = grow(box.bbox, -Math.max(1, (box.path?.lineWidth ?? 0.8) + 0.3));
  for (const p of paths) {
    // The same box printed again (a flattened form's appearance over the page's own) is no ink.
    if (p === box.path || (p.closed && !p.darkFill && sameBox(p.bbox, box.bbox, 1.5))) continue;
    if (p.darkFill && inside(p.bbox, grow(box.bbox, 1), 0) && width(p.bbox) * height(p.bbox) >= MIN_FILL_SHARE * width(box.bbox) * height(box.bbox)) return true;
    if (p.stroked && crossesInto(p, inner)) return true;
  }
  return false;
}

function grow(b: Bbox, by: number): Bbox {
  return [b[0] - by, b[1] - by, b[2] + by, b[3] + by];
}

/** A stroked polyline with a segment through the box's inside (a tick, an X, a pen stroke that overshoots). */
function crossesInto(p: InkPath, box: Bbox): boolean {
  const b = p.bbox;
  if (b[2] < box[0] || b[0] > box[2] || b[3] < box[1] || b[1] > box[3]) return false;
  // Much larger than the box: a rule or a frame passing by, not a mark in it.
  if (width(b) > 4 * width(box) + 20 || height(b) > 4 * height(box) + 20) return false;
  const pts = p.points;
  for (let k = 0; k + 3 < pts.length; k += 2) {
    if (segmentHits(pts[k]!, pts[k + 1]!, pts[k + 2]!, pts[k + 3]!, box)) return true;
  }
  return pts.length === 2 && pointIn(pts[0]!, pts[1]!, box);
}

function pointIn(x: number, y: number, b: Bbox): boolean {
  return x > b[0] && x < b[2] && y > b[1] && y < b[3];
}

/** Liang-Barsky: whether the segment enters the box. */
function segmentHits(x0: number, y0: number, x1: number, y1: number, b: Bbox): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const edges: [number, number][] = [
    [-dx, x0 - b[0]],
    [dx, b[2] - x0],
    [-dy, y0 - b[1]],
    [dy, b[3] - y0],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q <= 0) return false;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return t1 - t0 > 1e-6;
}
