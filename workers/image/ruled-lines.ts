/**
 * Ruled lines erased before OCR: a form's boxes, its answer lines, a table's rules. Tesseract's
 * page layout drops text that sits in a small box (the scanned fixture form's "Oil" in its 1.6-inch
 * "Heating" box and its radio options read as nothing, with the box as it is; with the box's
 * lines erased, every answer reads). Erased: thin dark runs, horizontal ones at least
 * MIN_RULE_IN long and vertical ones at least MIN_SIDE_IN long that end on such a rule at both
 * ends (a box's sides, a table's column rules; a letter's stem standing on an underline ends on
 * one only). Only the pixels where the run is thin go: where a letter's stroke crosses or touches
 * a rule, the rule's pixels are thick and stay, so the letter keeps its shape.
 * The rules found are not thrown away: those that make a table's grid are handed on (ruled-grid.ts).
 */
import type { GrayImage } from './pixels.js';
import { eraseGrid, gridOnPage, ruledGrids, type RuledGrid, type Run } from './ruled-grid.js';

/** Gray values below this are ink. */
const INK = 128;
/**
 * A horizontal rule, once found by its ink, runs on through pixels below this: a 0.5-pt rule
 * scanned at 150 dpi in colour (control-3's table) reads 114-131 gray, lighter still where the
 * skew splits it over two pixel rows, and at INK alone broke into runs shorter than MIN_RULE_IN.
 * Only the run's continuation is this lenient, never its start: a letter's pale edge starts no rule.
 */
const RULE_INK = 168;
/** A horizontal rule is at least this long (a box for an answer; shorter runs are letters' bars). */
const MIN_RULE_IN = 0.3;
/** A box's side is at least this tall, and ends on a rule at its top and its bottom. */
const MIN_SIDE_IN = 0.15;
/** A rule is at most this thick (a 1.4-pt line); anything thicker is a letter's stroke, a bar or a picture. */
const MAX_THICKNESS_IN = 0.02;

/** Erases ruled lines from `image`'s pixels in place; returns the ruled tables they drew, in page points. */
export function eraseRuledLines(image: GrayImage): RuledGrid[] {
  const { pixels, width, height, dpi } = image;
  const thickness = Math.max(2, Math.round(MAX_THICKNESS_IN * dpi));
  const across: Run[] = [];
  const down: Run[] = [];
  const rules = horizontalRules(pixels, width, height, Math.round(MIN_RULE_IN * dpi), thickness, across);
  eraseSides(pixels, width, height, rules, Math.round(MIN_SIDE_IN * dpi), thickness, down);
  for (let b = 0; b < rules.length; b++) {
    const bits = rules[b]!;
    if (bits === 0) continue;
    for (let k = 0; k < 8; k++) if (bits & (1 << k)) pixels[8 * b + k] = 255;
  }
  const grids = ruledGrids(across, down, thickness);
  for (const grid of grids) eraseGrid(image, grid, INK);
  return grids.map((grid) => gridOnPage(grid, image.placement));
}

/** A bit a pixel: at 300 dpi a byte a pixel would be 8 MB more in a child that holds the page twice already. */
function isRule(rules: Uint8Array, i: number): boolean {
  return (rules[i >> 3]! & (1 << (i & 7))) !== 0;
}

/** Ink within `thickness` pixels above or below `at` (a column's ink through it), counted up to thickness + 1. */
function inkAcross(pixels: Uint8Array, at: number, step: number, first: number, last: number, limit: number): number {
  let n = 1;
  for (let i = at - step; i >= first && n <= limit && pixels[i]! < INK; i -= step) n++;
  for (let i = at + step; i <= last && n <= limit && pixels[i]! < INK; i += step) n++;
  return n;
}

/**
 * The pixels of thin horizontal runs of ink at least `minLength` long, as a bit mask (see isRule);
 * the runs themselves are added to `runs`.
 * A run that long holds two neighbouring pixels of every half its length: only those are looked
 * at until two are ink (most of a page is paper; measured: a whole-pixel scan took 20-60 ms a page).
 */
function horizontalRules(pixels: Uint8Array, width: number, height: number, minLength: number, thickness: number, runs: Run[]): Uint8Array {
  const rules = new Uint8Array((width * height + 7) >> 3);
  const last = width * height - 1;
  const step = Math.max(1, minLength >> 1);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x + step < width; x += step) {
      if (pixels[row + x]! >= INK || pixels[row + x + step]! >= INK) continue;
      let start = x;
      while (start > 0 && pixels[row + start - 1]! < RULE_INK) start--;
      let end = start;
      while (end < width && pixels[row + end]! < RULE_INK) end++;
      if (end - start >= minLength) {
        runs.push({ at: y, from: start, to: end });
        for (let i = row + start; i < row + end; i++) if (inkAcross(pixels, i, width, 0, last, thickness) <= thickness) rules[i >> 3]! |= 1 << (i & 7);
      }
      // On from the run's end (the loop's step lands on the next sample after it).
      while (x + step < end) x += step;
    }
  }
  return rules;
}

/** Whether a rule passes within `reach` pixels of (x, y). */
function nearRule(rules: Uint8Array, width: number, height: number, x: number, y: number, reach: number): boolean {
  for (let v = Math.max(0, y - reach); v <= Math.min(height - 1, y + reach); v++) {
    for (let u = Math.max(0, x - reach); u <= Math.min(width - 1, x + reach); u++) if (isRule(rules, v * width + u)) return true;
  }
  return false;
}

/**
 * Thin vertical runs of ink at least `minLength` tall whose both ends sit on a rule, erased, with
 * the corners they make with the rules (there the side is as wide as the rule is long). Sampled
 * as horizontalRules samples: rows half that length apart, and a column's run followed up and
 * down from two of them with ink (`done`: how far each column's runs were followed). Every run
 * that long is added to `runs`, not only those erased: on a skewed scan a column's rule leaves
 * each pixel column before it reaches the next rule, and ruled-grid.ts joins its pieces.
 */
function eraseSides(pixels: Uint8Array, width: number, height: number, rules: Uint8Array, minLength: number, thickness: number, runs: Run[]): void {
  const step = Math.max(1, minLength >> 1);
  const done = new Int32Array(width);
  for (let y = 0; y + step < height; y += step) {
    for (let x = 0; x < width; x++) {
      if (done[x]! > y || pixels[y * width + x]! >= INK || pixels[(y + step) * width + x]! >= INK) continue;
      let start = y;
      while (start > 0 && pixels[(start - 1) * width + x]! < INK) start--;
      let end = start;
      while (end < height && pixels[end * width + x]! < INK) end++;
      done[x] = end;
      if (end - start < minLength) continue;
      runs.push({ at: x, from: start, to: end });
      if (!nearRule(rules, width, height, x, start, thickness) || !nearRule(rules, width, height, x, end - 1, thickness)) continue;
      for (let v = start; v < end; v++) {
        const at = v * width + x;
        const corner = v < start + thickness || v >= end - thickness;
        if (corner || inkAcross(pixels, at, 1, v * width, v * width + width - 1, thickness) <= thickness) pixels[at] = 255;
      }
    }
  }
}
