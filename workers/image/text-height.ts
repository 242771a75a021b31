/**
 * The x-height of a page's smallest body of text, in pixels, from its ink components: what the
 * OCR resolution is chosen by (ocr-scale.ts). Letters without ascenders (a c e m n o r s u v w x z)
 * are the commonest, widest components of text, so the heights of letter-like components,
 * weighted by width, peak at the x-height; the peak's low side is taken, so that a page's small
 * print (footnotes, a table) is not sized by its larger body.
 */
import { inkComponents, type Component } from './components.js';

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
/** A page with more components is a halftone or noise, not text (a dense 300-dpi page has ~25,000). */
const MAX_COMPONENTS = 250_000;
/** Components this far below the commonest height are punctuation or dots, not small print. */
const MIN_SHARE_OF_MODE = 0.5;
/** The quantile (by width) of letter heights taken: the low side of the smallest text's x-height peak. */
const QUANTILE = 0.1;

/**
 * The x-height in pixels of an image with `step` bytes a pixel (see inkComponents) at `dpi`, or
 * null when it shows no measurable text.
 */
export function xHeight(src: Uint8Array | Uint8ClampedArray, step: number, width: number, height: number, dpi: number): number | null {
  const components = inkComponents(src, step, width, height, MAX_COMPONENTS);
  return components && letterXHeight(components, MAX_HEIGHT_IN * dpi);
}

/** Heights of the letter-like components, each weighted by its width (a dot or a comma weighs little). */
function letterHeights(components: Component[], maxHeight: number): Float64Array {
  const weights = new Float64Array(Math.ceil(maxHeight) + 1);
  let letters = 0;
  for (const c of components) {
    const w = c.right - c.left;
    const h = c.bottom - c.top;
    if (h < MIN_HEIGHT_PX || h > maxHeight || w * MAX_ASPECT < h || h * MAX_ASPECT < w) continue;
    if (c.ink > MAX_INK_SHARE * w * h) continue;
    weights[h]! += Math.min(w, h);
    letters++;
  }
  return letters >= MIN_LETTERS ? weights : new Float64Array(0);
}

function letterXHeight(components: Component[], maxHeight: number): number | null {
  const weights = letterHeights(components, maxHeight);
  if (weights.length === 0) return null;
  let mode = 0;
  for (let h = 1; h < weights.length; h++) if (smoothed(weights, h) > smoothed(weights, mode)) mode = h;
  const from = Math.ceil(mode * MIN_SHARE_OF_MODE);
  let total = 0;
  for (let h = from; h < weights.length; h++) total += weights[h]!;
  let seen = 0;
  for (let h = from; h < weights.length; h++) {
    seen += weights[h]!;
    if (seen >= QUANTILE * total) return h;
  }
  return mode;
}

/** A height's weight with its neighbours', so that a peak split over two heights counts whole. */
function smoothed(weights: Float64Array, h: number): number {
  return (weights[h - 1] ?? 0) + 2 * weights[h]! + (weights[h + 1] ?? 0);
}
