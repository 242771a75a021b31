/**
 * A page image's ink as runs (a row's stretch of dark pixels) joined into connected blobs
 * (8-neighbours): a form's box is one blob, or a few inside one another. Runs, not a label per
 * pixel: a 200-dpi text page has ~100 k of them (12 bytes each) against 3.7 M pixels.
 */
import type { GrayImage } from '../image/pixels.js';

/**
 * Gray values below this are ink. Above the ruled-line eraser's 128: a 0.5-pt side of a box on
 * a blurred 150-dpi scan enlarged to 200 dpi is 140-170 gray in its middle.
 */
export const INK = 170;
/** Four pixels of paper in one 32-bit read: every byte's top two bits set (192 or more, above INK). */
const PAPER4 = 0xc0c0c0c0 | 0;

/** A connected blob of ink: its bounds (pixels, right and bottom exclusive), ink count and runs. */
export interface Blob {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  ink: number;
  /** Its runs' indices into the Ink arrays. */
  runs: number[];
}

export interface Ink {
  /** Run i covers [start[i], end[i]) of row row[i]. */
  start: Int32Array;
  end: Int32Array;
  row: Int32Array;
  blobs: Blob[];
}

/** Growable run arrays (a page's run count is not known before the scan). */
class Runs {
  start = new Int32Array(1 << 14);
  end = new Int32Array(1 << 14);
  row = new Int32Array(1 << 14);
  parent = new Int32Array(1 << 14);
  n = 0;

  add(s: number, e: number, y: number): number {
    if (this.n === this.start.length) this.grow();
    const i = this.n++;
    this.start[i] = s;
    this.end[i] = e;
    this.row[i] = y;
    this.parent[i] = i;
    return i;
  }

  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) {
      p[i] = p[p[i]!]!;
      i = p[i]!;
    }
    return i;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  private grow(): void {
    const twice = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.start = twice(this.start);
    this.end = twice(this.end);
    this.row = twice(this.row);
    this.parent = twice(this.parent);
  }
}

/** The image's ink runs, joined into blobs. */
export function findInk(image: GrayImage): Ink {
  const { pixels, width, height } = image;
  const size = width * height;
  const runs = new Runs();
  const quads = pixels.byteOffset % 4 === 0 ? new Int32Array(pixels.buffer, pixels.byteOffset, size >> 2) : null;
  // The row whose runs are being added, where they start, and the runs of the row above.
  let y = -1;
  let first = 0;
  let prevFirst = 0;
  let prevLast = 0;
  let p = 0;
  for (let i = 0; i < size; ) {
    if (quads && (i & 3) === 0 && (quads[i >> 2]! & PAPER4) === PAPER4) {
      i = paperFrom(quads, i >> 2) << 2;
      if (i >= size) break;
    }
    if (pixels[i]! >= INK) {
      i++;
      continue;
    }
    const at = (i / width) | 0;
    if (at !== y) {
      prevFirst = at === y + 1 ? first : runs.n;
      prevLast = runs.n;
      first = runs.n;
      p = prevFirst;
      y = at;
    }
    const row = y * width;
    const s = i - row;
    let x = s;
    while (x < width && pixels[row + x]! < INK) x++;
    const r = runs.add(s, x, y);
    // 8-neighbours: a run of the row above touches this one when it reaches within a pixel.
    while (p < prevLast && runs.end[p]! < s) p++;
    for (let q = p; q < prevLast && runs.start[q]! <= x; q++) runs.union(r, q);
    i = row + x;
  }
  return { start: runs.start, end: runs.end, row: runs.row, blobs: blobsOf(runs) };
}

/**
 * The first of `quads` from `q` on that is not paper (every byte 192 or more, above INK), or their
 * count. Paper is most of a page and is stepped over four quads at a time, across rows: a fresh
 * child runs findInk's loop mostly unoptimized, so what counts is how few steps it takes (32
 * pixels a step measured no faster than 16: the cost left is in the pixels that are not paper).
 */
function paperFrom(quads: Int32Array, q: number): number {
  const n = quads.length;
  while (q + 3 < n && (quads[q]! & quads[q + 1]! & quads[q + 2]! & quads[q + 3]! & PAPER4) === PAPER4) q += 4;
  while (q < n && (quads[q]! & PAPER4) === PAPER4) q++;
  return q;
}

function blobsOf(runs: Runs): Blob[] {
  // A root is its blob's first run (union keeps the smaller index): its blob is made there, and
  // found again through an index by run rather than a Map (~100 k runs a page).
  const blobs: Blob[] = [];
  const blobAt = new Int32Array(runs.n);
  for (let i = 0; i < runs.n; i++) {
    const root = runs.find(i);
    const s = runs.start[i]!;
    const e = runs.end[i]!;
    const y = runs.row[i]!;
    if (root === i) {
      blobAt[i] = blobs.length;
      blobs.push({ x0: s, y0: y, x1: e, y1: y + 1, ink: e - s, runs: [i] });
      continue;
    }
    const blob = blobs[blobAt[root]!]!;
    blob.x0 = Math.min(blob.x0, s);
    blob.x1 = Math.max(blob.x1, e);
    blob.y1 = y + 1;
    blob.ink += e - s;
    blob.runs.push(i);
  }
  return blobs;
}

/** A blob's own pixels as a byte a pixel over its bounds (1: ink), for the shape tests. */
export function blobMask(ink: Ink, blob: Blob): Uint8Array {
  const w = blob.x1 - blob.x0;
  const mask = new Uint8Array(w * (blob.y1 - blob.y0));
  for (const i of blob.runs) {
    const at = (ink.row[i]! - blob.y0) * w - blob.x0;
    mask.fill(1, at + ink.start[i]!, at + ink.end[i]!);
  }
  return mask;
}

/**
 * The paler-than-ink pixels of a rectangle (x0, y0 inclusive; x1, y1 exclusive; clamped to the
 * image), white: the gray fringe that blur, JPEG and scaling leave around ink once the ink is
 * erased. Ink itself (a letter beside the erased line) is left as it is.
 */
export function clearLight(image: GrayImage, x0: number, y0: number, x1: number, y1: number): void {
  const { pixels, width, height } = image;
  const [l, r] = [Math.max(0, x0), Math.min(width, x1)];
  for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
    for (let i = y * width + l; i < y * width + r; i++) if (pixels[i]! >= INK) pixels[i] = 255;
  }
}
