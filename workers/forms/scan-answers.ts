/**
 * Answer boxes in a page image: ruled rectangles wide enough for a line of words and a line or
 * two tall, not cells of a table grid. Stacked boxes share a side (one blob of ink), so each
 * blob's long horizontal rules are paired one after the other, and each pair is closed by
 * vertical sides.
 */
import { blobMask, type Ink } from './scan-ink.js';

const MIN_WIDTH_PT = 40;
const MIN_HEIGHT_PT = 12;
const MAX_HEIGHT_PT = 40;
/** A side's column is ink along this share of the height between its rules. */
const SIDE_COVER = 0.9;

interface Rule {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/** Bands of rows holding a run of ink at least `min` long, with that run's extent. */
function horizontalRules(mask: Uint8Array, w: number, h: number, min: number): Rule[] {
  const rules: Rule[] = [];
  for (let y = 0; y < h; y++) {
    let best: [number, number] = [0, 0];
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] !== 1) continue;
      const s = x;
      while (x < w && mask[y * w + x] === 1) x++;
      if (x - s > best[1] - best[0]) best = [s, x];
    }
    if (best[1] - best[0] < min) continue;
    const last = rules.at(-1);
    if (last && last.y1 === y) {
      last.y1 = y + 1;
      last.x0 = Math.min(last.x0, best[0]);
      last.x1 = Math.max(last.x1, best[1]);
    } else rules.push({ y0: y, y1: y + 1, x0: best[0], x1: best[1] });
  }
  return rules;
}

/** Columns between x0 and x1 inked from row `top` to row `bottom` (nearly all of it). */
function sides(mask: Uint8Array, w: number, x0: number, x1: number, top: number, bottom: number): number[] {
  const out: number[] = [];
  for (let x = x0; x < x1; x++) {
    let n = 0;
    for (let y = top; y < bottom; y++) n += mask[y * w + x]!;
    if (n >= (bottom - top) * SIDE_COVER) out.push(x);
  }
  return out;
}

/** The answer boxes (pixel boxes, right and bottom exclusive) the image's ruled blobs draw. */
export function answerBoxes(ink: Ink, pt: number): Array<[number, number, number, number]> {
  const minWidth = MIN_WIDTH_PT * pt;
  const out: Array<[number, number, number, number]> = [];
  for (const blob of ink.blobs) {
    const w = blob.x1 - blob.x0;
    const h = blob.y1 - blob.y0;
    if (w < minWidth || h < MIN_HEIGHT_PT * pt) continue;
    const mask = blobMask(ink, blob);
    const rules = horizontalRules(mask, w, h, minWidth);
    for (let i = 0; i + 1 < rules.length; i++) {
      const [a, b] = [rules[i]!, rules[i + 1]!];
      const height = b.y1 - a.y0;
      if (height < MIN_HEIGHT_PT * pt || height > MAX_HEIGHT_PT * pt) continue;
      const cols = sides(mask, w, Math.max(a.x0, b.x0), Math.min(a.x1, b.x1), a.y1, b.y0);
      if (cols.length === 0) continue;
      const l = cols[0]!;
      const r = cols.at(-1)!;
      const stroke = Math.max(a.y1 - a.y0, b.y1 - b.y0) + 2;
      // A column rule between its sides: a table's row of cells, not a box to write in.
      if (r - l < minWidth || cols.some((x) => x > l + stroke && x < r - stroke)) continue;
      out.push([blob.x0 + l, blob.y0 + a.y0, blob.x0 + r + 1, blob.y0 + b.y1]);
    }
  }
  return out;
}
