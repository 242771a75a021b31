import type { GrayImage } from '../image/pixels.js';
import { onPage } from '../page/placement.js';
import type { Mark, PageForm } from './page-form.js';
import { answerBoxes, eraseAnswerBox } from './scan-answers.js';
import { blobMask, clearLight, findInk, INK, type Blob, type Ink } from './scan-ink.js';
import { ringInside, ringStroke, squareOutline, type SideRange } from './scan-shapes.js';

/** A box printed 8-14 pt wide; the slack takes blur, skew and a thick line's outer edge. */
const MIN_SIDE_PT = 7.9;
const MAX_SIDE_PT = 16;
/** A blob holding a box may reach this far past it (a pen tick starting left of the box and overshooting its corner). */
const BLOB_REACH = 2.2;
/** How deep (points) a side's ink may lie inside the outline's outer edge: a thick line, a skewed one. */
const SIDE_DEPTH_PT = 1.5;
/** The share of a box's inside that is ink, above which it is checked. */
const CHECKED_SHARE = 0.05;
/** A radio button's dot covers its middle; the letter in a © or ® does not. */
const DOT_MIDDLE = 0.6;
/** A glyph this much taller than a ring beside it makes the ring a letter (caps over x-height: 1.3 or more). */
const TALLER = 1.2;
/** How far (points) past an erased box or rule its pale fringe is erased too. */
const HALO_PT = 1;
/** Ink share of a blob's bounds above which it is a solid square (a JPEG's soft edge takes a few percent). */
const SOLID = 0.9;

/** A mark found in the image: its printed box in pixels (inclusive) and the blob it belongs to. */
interface Found {
  shape: Mark['shape'];
  l: number;
  t: number;
  r: number;
  b: number;
  stroke: number;
  blob: Blob;
  /** A solid square: a box whose fill hides its line, or a bullet ■ (told apart by its neighbours). */
  solid?: boolean;
  /** A ring found inside a larger blob: joined to ink that reaches past it. */
  crossed?: boolean;
}

/**
 * The check boxes, radio buttons and answer boxes in a page image (boxes in page points, through
 * the image's placement). The marks' ink is erased from the image, so the engine does not read a
 * box or its tick as letters.
 */
export function scanForm(image: GrayImage): PageForm {
  const ink = findInk(image);
  const pt = image.dpi / 72;
  const side: SideRange = { min: Math.round(MIN_SIDE_PT * pt), max: Math.ceil(MAX_SIDE_PT * pt) };
  const shapes = ink.blobs.flatMap((blob) => markIn(ink, blob, side, Math.max(2, Math.round(SIDE_DEPTH_PT * pt))) ?? []);
  const found = keepSolids(shapes).filter((f) => f.shape === 'square' || !(amongTallerGlyphs(f, ink.blobs) || inWord(f, ink.blobs)));
  const marks: Mark[] = [];
  const read: Found[] = [];
  for (const f of found) {
    const s = state(image, f);
    if (!s) continue;
    marks.push({ shape: f.shape, bbox: onPage(image.placement, [f.l, f.t, f.r + 1, f.b + 1]), ...s });
    read.push(f);
  }
  const answers = answerBoxes(ink, pt);
  const halo = Math.max(1, Math.round(HALO_PT * pt));
  for (const f of read) erase(image, ink, f, side, halo);
  for (const a of answers) eraseAnswerBox(image, ink, a, pt, halo);
  return { marks, answerBoxes: answers.map((a) => onPage(image.placement, a.box)) };
}

/** The check box or radio button a blob draws, if it draws one. */
function markIn(ink: Ink, blob: Blob, side: SideRange, depth: number): Found | null {
  const w = blob.x1 - blob.x0;
  const h = blob.y1 - blob.y0;
  if (w < side.min || h < side.min || w > side.max * BLOB_REACH || h > side.max * BLOB_REACH) return null;
  const mask = blobMask(ink, blob);
  const square = squareOutline(mask, w, h, side, depth);
  if (square) {
    return { shape: 'square', l: blob.x0 + square.l, t: blob.y0 + square.t, r: blob.x0 + square.r, b: blob.y0 + square.b, stroke: square.stroke, blob };
  }
  if (w <= side.max && h <= side.max && Math.abs(w - h) <= 0.1 * Math.max(w, h) && blob.ink >= SOLID * w * h) {
    return { shape: 'square', l: blob.x0, t: blob.y0, r: blob.x1 - 1, b: blob.y1 - 1, stroke: 1, blob, solid: true };
  }
  // A ring is as wide as it is tall to two pixels (a scan's soft edge moves each side of the bounds by one); the letters O, 0, Q are not.
  if (w <= side.max && h <= side.max && Math.abs(w - h) <= 2 + 0.02 * Math.max(w, h)) {
    const stroke = ringStroke(mask, w, h);
    if (stroke > 0) return { shape: 'circle', l: blob.x0, t: blob.y0, r: blob.x1 - 1, b: blob.y1 - 1, stroke, blob };
  }
  const ring = ringInside(mask, w, h, side);
  if (!ring) return null;
  const [l, t] = [Math.round(blob.x0 + ring.cx - ring.r + 0.5), Math.round(blob.y0 + ring.cy - ring.r + 0.5)];
  const size = Math.round(2 * ring.r) - 1;
  // Only a ring with other ink beyond it: one filling the blob is the plain ring above.
  if (w - size <= 2 && h - size <= 2) return null;
  return { shape: 'circle', l, t, r: l + size, b: t + size, stroke: ring.stroke, blob, crossed: true };
}

/**
 * A fill that reaches its box's line leaves a solid square, the shape of a bullet ■. A form
 * prints its boxes in one size and sets a question's options in a row or a column, so a solid
 * square is a filled box when a hollow box on the page has its size (to a pixel or two and
 * 12 %) and lies in its row or column; a bullet has no such twin.
 */
function keepSolids(found: Found[]): Found[] {
  const boxes = found.filter((f) => f.shape === 'square' && !f.solid);
  const twin = (s: Found, f: Found) => {
    const [sw, sh, fw, fh] = [s.r - s.l, s.b - s.t, f.r - f.l, f.b - f.t];
    const slack = Math.max(2, 0.12 * fw);
    if (Math.abs(sw - fw) > slack || Math.abs(sh - fh) > slack) return false;
    return Math.abs(s.t + s.b - f.t - f.b) / 2 <= fh / 2 || Math.abs(s.l + s.r - f.l - f.r) / 2 <= fw / 2;
  };
  return found.filter((s) => !s.solid || boxes.some((f) => twin(s, f)));
}

/**
 * A ring is a letter o when a glyph on its line stands taller than it: a radio button is drawn
 * at least as tall as its label's letters (it must hold a mark), while an o is x-height among
 * capitals, digits and ascenders. A glyph is a blob crossing the ring's middle row, within
 * three ring widths (a monospaced double space), up to 2.5 times its height (a table's rule or
 * a frame is not a glyph).
 */
function amongTallerGlyphs(ring: Found, blobs: Blob[]): boolean {
  const size = ring.b - ring.t + 1;
  const reach = 3 * (ring.r - ring.l + 1);
  const middle = (ring.t + ring.b) / 2;
  return blobs.some((g) => {
    const h = g.y1 - g.y0;
    if (g === ring.blob || h <= TALLER * size || h > 2.5 * size || g.y0 > middle || g.y1 <= middle) return false;
    return g.x0 <= ring.r + reach && g.x1 > ring.l - reach;
  });
}

/** A word's letters stand this close (of the ring's width); a label keeps its distance from its button. */
const LETTER_GAP = 0.15;

/**
 * A ring is the letter O opening or closing a word when a glyph of letter height, on its
 * baseline, stands within LETTER_GAP of its side (form-scan.pdf's 8-pt "Owner": 1 px at
 * 200 dpi); a radio button's label is set apart from it, as a word from the next.
 */
function inWord(ring: Found, blobs: Blob[]): boolean {
  const size = ring.b - ring.t + 1;
  const gap = LETTER_GAP * (ring.r - ring.l + 1);
  return blobs.some((g) => {
    const h = g.y1 - g.y0;
    if (g === ring.blob || h < 0.4 * size || h > 1.3 * size || Math.abs(g.y1 - 1 - ring.b) > 0.2 * size) return false;
    const after = g.x0 - ring.r;
    const before = ring.l - (g.x1 - 1);
    return (after >= 0 && after <= gap) || (before >= 0 && before <= gap);
  });
}

/** Ink inside the box, within its line (and a skewed line's slack): share of the inside, and of its middle. */
function inside(image: GrayImage, f: Found): { share: number; middle: number } {
  const { pixels, width } = image;
  const margin = f.stroke + 1 + Math.round(0.03 * (f.r - f.l));
  const cx = (f.l + f.r) / 2;
  const cy = (f.t + f.b) / 2;
  const radius = (f.r - f.l) / 2 - margin;
  let inked = 0;
  let all = 0;
  let middleInked = 0;
  let middle = 0;
  for (let y = f.t + margin; y <= f.b - margin; y++) {
    for (let x = f.l + margin; x <= f.r - margin; x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (f.shape === 'circle' && d > radius) continue;
      const dark = pixels[y * width + x]! < INK ? 1 : 0;
      all++;
      inked += dark;
      if (d <= radius * 0.35) {
        middle++;
        middleInked += dark;
      }
    }
  }
  return { share: all ? inked / all : 0, middle: middle ? middleInked / middle : 0 };
}

/**
 * Checked when enough of the inside is ink; sure in proportion to how far the share is from the
 * threshold. Null for a ring with ink inside but not a dot in its middle: a © or ®, not a radio button.
 */
function state(image: GrayImage, f: Found): { checked: boolean; confidence: number } | null {
  const { share, middle } = inside(image, f);
  const checked = share >= CHECKED_SHARE;
  // A ring joined to ink crossing its inside and reaching past it is a pen stroke through it
  // (no dot needed); joined to ink outside only, it is a letter touching its neighbours.
  if (f.crossed) {
    if (!checked) return null;
  } else if (checked && f.shape === 'circle' && middle < DOT_MIDDLE) return null;
  const distance = checked ? Math.min(1, (share - CHECKED_SHARE) / (3 * CHECKED_SHARE)) : 1 - share / CHECKED_SHARE;
  return { checked, confidence: Math.round(50 + 50 * distance) };
}

/**
 * The box and everything drawn in it, white: the outline and inside (a pixel more around, for
 * the gray edge a scan gives ink), and each blob reaching into it whole (a tick overshooting it);
 * then the paler fringe `halo` pixels around all of it. Left there, the fringe of erased boxes
 * (a square's ghost, 200-240 gray) made the engine drop the option words beside them
 * (inspection-e's 200-dpi scan: every `No` of its rows).
 */
function erase(image: GrayImage, ink: Ink, f: Found, side: SideRange, halo: number): void {
  const { pixels, width, height } = image;
  for (let y = Math.max(0, f.t - 1); y <= Math.min(height - 1, f.b + 1); y++) pixels.fill(255, y * width + Math.max(0, f.l - 1), y * width + Math.min(width, f.r + 2));
  clearLight(image, f.l - 1 - halo, f.t - 1 - halo, f.r + 2 + halo, f.b + 2 + halo);
  const reach = side.max * BLOB_REACH;
  for (const blob of ink.blobs) {
    // Blobs come in the order of their first run, top to bottom: none after this one reaches the box.
    if (blob.y0 > f.b) break;
    if (blob.x0 > f.r || blob.x1 <= f.l || blob.y1 <= f.t) continue;
    if (blob !== f.blob && (blob.x1 - blob.x0 > reach || blob.y1 - blob.y0 > reach)) continue;
    for (const i of blob.runs) {
      // Three reads, not an array destructured per run: findInk's loop deoptimised on such a literal.
      const y = ink.row[i]!;
      const s = ink.start[i]!;
      const e = ink.end[i]!;
      for (let v = Math.max(0, y - 1); v <= Math.min(height - 1, y + 1); v++) pixels.fill(255, v * width + Math.max(0, s - 1), v * width + Math.min(width, e + 1));
      clearLight(image, s - 1 - halo, y - 1 - halo, e + 1 + halo, y + 2 + halo);
    }
  }
}
