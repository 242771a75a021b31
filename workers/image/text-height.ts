/**
 * The size of a page's text in pixels, from its ink components: what tells a page of small print,
 * to be read finer than OCR_DPI, from one of ordinary type (ocr-scale.ts). Letter-like components'
 * heights, each weighted by its width, peak at the x-height (a c e m n o r s u v w x z are the
 * commonest letters) and again at the height of ascenders and capitals. The second peak is what
 * is returned: the x-height does not tell test/smallprint's 8-pt Helvetica index from the bench
 * book's 10.5-pt Times (both 12 px at 200 dpi), their ascenders do (16 and 21 px), and the engine
 * reads the book as well at 200 dpi as at 300, the index not (0.85 against 0.96 word recall).
 * It is measured on the image OCR would read anyway (no decode of its own), in bands across the
 * page, one in three: a third of its pixels, its text still sampled top to bottom. Measured
 * CPU: ~3 ms a 200-dpi page compiled, ~21 ms in the child, which runs it unoptimised (see
 * components.ts). A page with too little text to measure (a form's, a half-empty page's bands
 * hold fewer than MIN_LETTERS) is read at OCR_DPI.
 */
import { inkComponents, type Component } from './components.js';
import type { GrayImage } from './pixels.js';

/** Below this a component is a speck, or print too small for any resolution to save. */
const MIN_HEIGHT_PX = 3;
/** Above this (inches) a component is a picture, a rule or a headline, not text to size the page by. */
const MAX_HEIGHT_IN = 0.5;
/** A component this full of ink is a dot, a dash, a stem or a blot (letters are at most ~60 % ink). */
const MAX_INK_SHARE = 0.75;
/** Wider or taller than this against its other side: a rule, or a run of touching letters. */
const MAX_ASPECT = 6;
/** Fewer letter-like components: no text to measure (a photo, a blank page, a few words of a title). */
const MIN_LETTERS = 60;
/** A band with more components is a halftone or noise, not text. */
const MAX_COMPONENTS = 60_000;
/** Ascenders and capitals stand this much taller than the x-height at least (Helvetica's 1.38, Times' 1.5), and at most MAX_RISE. */
const MIN_RISE = 1.2;
const MAX_RISE = 2;
/**
 * A peak of tall letters weighing less than this share of the commonest height's is not the
 * text's: then the commonest height is its size already (a table of digits and capitals).
 */
const MIN_TALL_SHARE = 0.15;
/** The bands measured are this tall (inches), one in BAND_STRIDE: one in six left 12 of the bench book's 44 pages unmeasurable (8 at one in three) and measured a half-empty page of its body text at 15 px (21). */
const BAND_IN = 0.6;
const BAND_STRIDE = 3;

/** The height in pixels of the ascenders and capitals of `image`'s main text, or null when it shows no measurable text. */
export function textHeight(image: GrayImage): number | null {
  const weights = letterHeights(image);
  if (!weights) return null;
  let mode = 0;
  for (let h = 1; h < weights.length; h++) if (smoothed(weights, h) > smoothed(weights, mode)) mode = h;
  let tall = mode;
  const last = Math.min(weights.length - 1, Math.floor(mode * MAX_RISE));
  for (let h = Math.ceil(mode * MIN_RISE); h <= last; h++) if (smoothed(weights, h) > smoothed(weights, tall === mode ? 0 : tall)) tall = h;
  return tall !== mode && smoothed(weights, tall) >= MIN_TALL_SHARE * smoothed(weights, mode) ? tall : mode;
}

/** Width-weighted heights of the image's letter-like components, by height; null when too few or too many. */
function letterHeights(image: GrayImage): Float64Array | null {
  const { pixels, width, height, dpi } = image;
  const band = Math.max(8, Math.round(BAND_IN * dpi));
  const weights = new Float64Array(Math.ceil(MAX_HEIGHT_IN * dpi) + 2);
  let letters = 0;
  for (let top = 0; top < height; top += band * BAND_STRIDE) {
    const rows = Math.min(band, height - top);
    const components = inkComponents(pixels.subarray(top * width, (top + rows) * width), width, rows, MAX_COMPONENTS);
    if (!components) return null;
    letters += addLetters(weights, components, rows);
  }
  return letters >= MIN_LETTERS ? weights : null;
}

/**
 * Adds a band's letter-like components to `weights`, each by its width (a dot or a comma weighs
 * little); components the band's edges cut are left out. Returns how many were added.
 */
function addLetters(weights: Float64Array, components: Component[], rows: number): number {
  let letters = 0;
  for (const c of components) {
    const w = c.right - c.left;
    const h = c.bottom - c.top;
    if (c.top === 0 || c.bottom === rows) continue;
    if (h < MIN_HEIGHT_PX || h >= weights.length - 1 || w * MAX_ASPECT < h || h * MAX_ASPECT < w) continue;
    if (c.ink > MAX_INK_SHARE * w * h) continue;
    weights[h]! += Math.min(w, h);
    letters++;
  }
  return letters;
}

/** A height's weight with its neighbours', so that a peak split over two heights counts whole. */
function smoothed(weights: Float64Array, h: number): number {
  return (weights[h - 1] ?? 0) + 2 * (weights[h] ?? 0) + (weights[h + 1] ?? 0);
}
