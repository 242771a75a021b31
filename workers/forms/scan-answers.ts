/**
 * Answer boxes in a page image: ruled rectangles wide enough for a line of words and a line or
 * two tall, not cells of a table grid. Stacked boxes share a side (one blob of ink), so each
 * blob's long horizontal rules are paired one after the other, and each pair is closed by
 * vertical sides. A scan is skewed: a 400-pt rule tilted 0.5° climbs a pixel every 120, so no
 * row holds it whole; each blob is first sheared level along its top edge's slope.
 */
import type { GrayImage } from '../image/pixels.js';
import { clearLight, type Blob, type Ink } from './scan-ink.js';

const MIN_WIDTH_PT = 40;
const MIN_HEIGHT_PT = 12;
const MAX_HEIGHT_PT = 40;
/** A rule goes on over a gap this wide (points): a JPEG's or a 1-bit scan's dropouts, not the space between two rules. */
const RULE_GAP_PT = 1.5;
/** A side's column is ink along this share of the height between its rules. */
const SIDE_COVER = 0.9;

interface Rule {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/**
 * A blob's pixels sheared level: its row y, column x lands on row y - round(slope·x) + shift.
 * Rows are `stride` bytes (the width rounded up to 4), so that they fold four pixels at a time.
 */
interface Level {
  mask: Uint8Array;
  /** Each levelled row's ink, in pixels. */
  rowInk: Int32Array;
  w: number;
  stride: number;
  h: number;
  slope: number;
  shift: number;
}

/**
 * The slope of the blob's top edge (rows per column): the median over column pairs half the
 * blob apart of the topmost ink's rise. The median takes a wider box stacked below the top one,
 * or a letter poking above, as outliers. From the blob's runs (in row order): its ink only, not
 * its bounds' paper (a box is mostly paper inside).
 */
function topSlope(ink: Ink, blob: Blob, w: number): number {
  const top = new Int32Array(w).fill(-1);
  for (const i of blob.runs) {
    const y = ink.row[i]! - blob.y0;
    for (let x = ink.start[i]! - blob.x0; x < ink.end[i]! - blob.x0; x++) if (top[x]! < 0) top[x] = y;
  }
  const half = w >> 1;
  const slopes: number[] = [];
  for (let x = 0; x + half < w; x += 2) if (top[x]! >= 0 && top[x + half]! >= 0) slopes.push((top[x + half]! - top[x]!) / half);
  return slopes.sort((a, b) => a - b)[slopes.length >> 1] ?? 0;
}

/**
 * The blob levelled, drawn from its runs: a pass over its ink rather than over its bounds, which
 * are mostly a box's paper (with the row folding and row skipping below: answerBoxes on
 * disclosure-a's 200-dpi scan, first call in a fresh process with the child's flags, 42-52 -> 14-21 ms).
 */
function level(ink: Ink, blob: Blob): Level {
  const w = blob.x1 - blob.x0;
  const h = blob.y1 - blob.y0;
  const slope = topSlope(ink, blob, w);
  const shift = Math.max(0, Math.round(slope * (w - 1)));
  const rows = h + Math.abs(Math.round(slope * (w - 1))) + 1;
  const stride = (w + 3) & ~3;
  const drop = new Int32Array(w);
  for (let x = 0; x < w; x++) drop[x] = shift - Math.round(slope * x);
  const out = new Uint8Array(stride * rows);
  const rowInk = new Int32Array(rows);
  for (const i of blob.runs) {
    const at = ink.row[i]! - blob.y0;
    for (let x = ink.start[i]! - blob.x0; x < ink.end[i]! - blob.x0; x++) {
      out[(at + drop[x]!) * stride + x] = 1;
      rowInk[at + drop[x]!]!++;
    }
  }
  return { mask: out, rowInk, w, stride, h: rows, slope, shift };
}

/**
 * Bands of rows holding a run of ink at least `min` long, with that run's extent. A run goes on
 * over gaps of up to `gap` pixels (a light rule on a JPEG or a 1-bit scan breaks here and
 * there), and a row's pixel is ink when the row above or below has it there: the levelled rule
 * still drifts a row over its length where the measured slope is off by a little.
 */
function horizontalRules({ mask, rowInk, w, stride, h }: Level, min: number, gap: number): Rule[] {
  const rules: Rule[] = [];
  // The row with the rows above and below folded in, once, four pixels at a time: a closure asked
  // per pixel (the child runs without inlining) took 25-30 ms of a 200-dpi form page's ~100 ms
  // of forms work; a child runs this loop mostly unoptimized, so the fewer steps the better.
  const on = new Uint8Array(stride);
  const on4 = new Int32Array(on.buffer);
  const mask4 = new Int32Array(mask.buffer, mask.byteOffset, mask.length >> 2);
  const quads = stride >> 2;
  // A run `min` long bridging gaps of `gap` holds (min + gap) / (gap + 1) pixels of ink at least:
  // the rows whose three rows hold fewer (a box's paper, a line of small print) are passed by.
  const least = (min + gap) / (gap + 1);
  for (let y = 0; y < h; y++) {
    const up = y > 0 ? y - 1 : y;
    const down = y + 1 < h ? y + 1 : y;
    if (rowInk[up]! + rowInk[y]! + rowInk[down]! < least) continue;
    const above = (up * stride) >> 2;
    const below = (down * stride) >> 2;
    for (let q = 0, at = (y * stride) >> 2; q < quads; q++) on4[q] = mask4[at + q]! | mask4[above + q]! | mask4[below + q]!;
    let best: [number, number] = [0, 0];
    for (let x = 0; x < w; x++) {
      if ((x & 3) === 0) while (x < w && on4[x >> 2] === 0) x += 4;
      if (x >= w || on[x] !== 1) continue;
      const s = x;
      let end = x;
      while (x < w && x - end <= gap) {
        if (on[x] === 1) end = x + 1;
        x++;
      }
      x = end;
      if (end - s > best[1] - best[0]) best = [s, end];
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

/**
 * Columns between x0 and x1 inked from row `top` to row `bottom` (nearly all of it), a pixel
 * either way: levelling rows leaves a side tilted by the skew (a pixel or two over a box).
 */
function sides({ mask, w, stride }: Level, x0: number, x1: number, top: number, bottom: number): number[] {
  const out: number[] = [];
  // A column is given up once it misses more rows than it may: most columns are a box's paper.
  const need = (bottom - top) * SIDE_COVER;
  for (let x = x0; x < x1; x++) {
    const l = Math.max(0, x - 1);
    const r = Math.min(w - 1, x + 1);
    let n = 0;
    for (let y = top; y < bottom && n + bottom - y >= need; y++) n += mask[y * stride + x]! | mask[y * stride + l]! | mask[y * stride + r]!;
    if (n >= need) out.push(x);
  }
  return out;
}

/** An answer box: its pixel box (right and bottom exclusive), the blob its rules belong to, and where they run. */
export interface AnswerBox {
  box: [number, number, number, number];
  blob: Blob;
  /** The blob levelled as the rules were found in it (its slope and shift; see Level). */
  slope: number;
  shift: number;
  /** Its top and bottom rules' rows in the levelled blob (first and last, inclusive). */
  rules: [[number, number], [number, number]];
  /** Its left and right sides' columns in the blob. */
  sides: [number, number];
}

/** The answer boxes the image's ruled blobs draw. */
export function answerBoxes(ink: Ink, pt: number): AnswerBox[] {
  const minWidth = MIN_WIDTH_PT * pt;
  return ink.blobs.flatMap((blob) => {
    const w = blob.x1 - blob.x0;
    const h = blob.y1 - blob.y0;
    return w < minWidth || h < MIN_HEIGHT_PT * pt ? [] : boxesIn(level(ink, blob), blob, pt);
  });
}

function boxesIn(lv: Level, blob: Blob, pt: number): AnswerBox[] {
  const minWidth = MIN_WIDTH_PT * pt;
  const rules = horizontalRules(lv, minWidth, Math.round(RULE_GAP_PT * pt));
  const out: AnswerBox[] = [];
  for (let i = 0; i + 1 < rules.length; i++) {
    const [a, b] = [rules[i]!, rules[i + 1]!];
    const height = b.y1 - a.y0;
    if (height < MIN_HEIGHT_PT * pt || height > MAX_HEIGHT_PT * pt) continue;
    // Sides looked for over both rules' reach, since a light rule on a gray scan fades out over
    // a stretch (a 1-pixel line split over two rows by the skew, both too light to be ink);
    // each rule must then span half the box between the sides.
    const cols = sides(lv, Math.min(a.x0, b.x0), Math.max(a.x1, b.x1), a.y1, b.y0);
    if (cols.length === 0) continue;
    const l = cols[0]!;
    const r = cols.at(-1)!;
    const stroke = Math.max(a.y1 - a.y0, b.y1 - b.y0) + 4;
    // A column rule between its sides: a table's row of cells, not a box to write in.
    if (r - l < minWidth || cols.some((x) => x > l + stroke && x < r - stroke)) continue;
    if (Math.min(a.x1, r + 1) - Math.max(a.x0, l) < (r - l) / 2 || Math.min(b.x1, r + 1) - Math.max(b.x0, l) < (r - l) / 2) continue;
    // Back from the levelled rows: the corners' rows at the box's left and right, their bounds.
    const back = (y: number, x: number) => y - lv.shift + Math.round(lv.slope * x);
    const top = Math.min(back(a.y0, l), back(a.y0, r));
    const bottom = Math.max(back(b.y1, l), back(b.y1, r));
    const box: AnswerBox['box'] = [blob.x0 + l, blob.y0 + top, blob.x0 + r + 1, blob.y0 + bottom];
    out.push({ box, blob, slope: lv.slope, shift: lv.shift, rules: [[a.y0, a.y1 - 1], [b.y0, b.y1 - 1]], sides: [l, r] });
  }
  return out;
}

/** Whether a levelled row lies on (or a row beside) one of a box's two rules, first to last. */
function onRule(row: number, a0: number, a1: number, b0: number, b1: number): boolean {
  return (row >= a0 - 1 && row <= a1 + 1) || (row >= b0 - 1 && row <= b1 + 1);
}

/** How far in from an answer box's left and right edge its side may lie (a skewed side drifts). */
const SIDE_BAND_PT = 2.5;

/**
 * An answer box's rules and sides, erased: only its own blob's pixels, only along its four
 * lines. The ruled-line eraser takes a skewed rule run by run, and a rule's steps shorter than
 * its minimum stay as dashes (checklist-c's 300-dpi scan: those dashes above the checklist made
 * the engine drop every `Yes` of its rows and read the questions apart from their options); it
 * takes only sides that end on a rule at both ends in one pixel column, which a skewed scan's
 * sides do not, and the engine then read them as `[`, `|` or `:` around the answer. A letter
 * touching a rule keeps what lies off the rule's rows; the lines' pale fringe goes too (`halo`).
 */
export function eraseAnswerBox(image: GrayImage, ink: Ink, answer: AnswerBox, pt: number, halo: number): void {
  const { pixels, width } = image;
  const { blob, slope, shift, rules, sides, box } = answer;
  const band = Math.round(SIDE_BAND_PT * pt);
  // Each column's shift into the levelled rows, once, not a closure asked per pixel.
  const drop = new Int32Array(blob.x1 - blob.x0);
  for (let u = 0; u < drop.length; u++) drop[u] = shift - Math.round(slope * u);
  const [[a0, a1], [b0, b1]] = rules;
  for (const i of blob.runs) {
    const y = ink.row[i]!;
    const side = y >= box[1] && y < box[3];
    let from = -1;
    for (let x = ink.start[i]!; x <= ink.end[i]!; x++) {
      const u = x - blob.x0;
      const erased = x < ink.end[i]! && ((side && ((u >= sides[0] - 2 && u <= sides[0] + band) || (u >= sides[1] - band && u <= sides[1] + 2))) || onRule(y - blob.y0 + drop[u]!, a0, a1, b0, b1));
      if (erased) {
        pixels[y * width + x] = 255;
        if (from < 0) from = x;
      } else if (from >= 0) {
        // The fringe around a stretch of erased pixels at once: the same pixels as around each.
        clearLight(image, from - halo, y - halo, x + halo, y + halo + 1);
        from = -1;
      }
    }
  }
}
