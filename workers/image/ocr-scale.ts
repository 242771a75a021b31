/**
 * The resolution a scan is read at. Every scan is first brought to OCR_DPI (finer ones shrunk,
 * much coarser ones enlarged), as it always was; a page whose text proves small there is read
 * again finer, from the scan's own pixels, so that the engine sees its text at the size it reads
 * best, but never finer than the scan itself: enlarging makes no detail, and a 1-bit scan has
 * only steps to interpolate (test/forms' 150-dpi 1-bit checklist lost 7 of its 31 marks' rows
 * at 225 dpi). Large type is read at OCR_DPI, so ordinary pages pay only the measurement.
 */
import type { GrayImage } from './pixels.js';
import { textHeight } from './text-height.js';

export interface ImageLimits {
  /** Resolution pages are rendered at and scans are first scaled to (OCR_DPI, over `reduce`). */
  dpi: number;
  /** No image handed to OCR has more pixels than this. */
  maxPixels: number;
  /** A page retried after its child ran out of memory is read at 1/reduce the linear size it asked for (1 when absent). */
  reduce?: number;
}

/** Scans within this factor of the OCR resolution are read as they are: resampling them saves little. */
const SCAN_DPI_TOLERANCE = 1.1;
/** Tesseract reads small type badly below ~150 dpi: scans coarser than this share of `dpi` are enlarged to `dpi`. */
const MIN_SCAN_SHARE = 0.8;
/**
 * The height of ascenders and capitals (text-height.ts) the engine is given, in pixels: the bench
 * book's 10.5-pt Times and test/forms' labels measure 20-21 px at 200 dpi and read no better at
 * 300; test/smallprint's 8-pt index (16 px at 200 dpi) reads 0.85 at 200 dpi, 0.96 at 300.
 */
const GOOD_TEXT_PX = 21;
/** A page is read finer only when that is at least this much finer: below it, the resampling and the engine's extra pixels buy nothing measurable. */
const MIN_GAIN = 1.15;

/**
 * How much to shrink (> 1) or enlarge (< 1) a scan of `dpi` with `pixels` pixels to bring it to
 * `limits.dpi`, within the pixel cap. OCR costs ~12 % more CPU at 250-300 dpi than at 200 and
 * read no more words on the bench scans' large type.
 */
export function ocrFactor(dpi: number, pixels: number, limits: ImageLimits): number {
  if (dpi < limits.dpi * MIN_SCAN_SHARE) {
    const enlarge = Math.min(limits.dpi / dpi, Math.sqrt(limits.maxPixels / pixels));
    return enlarge > 1 ? 1 / enlarge : 1;
  }
  return Math.max(dpi > limits.dpi * SCAN_DPI_TOLERANCE ? dpi / limits.dpi : 1, capFactor(pixels, limits));
}

/**
 * The factor to shrink a scan of `scanDpi` with `pixels` pixels by, to read `image` (that scan
 * at the OCR resolution) finer because its text is small; null when it is read as it is.
 */
export function finerFactor(image: GrayImage, scanDpi: number, pixels: number, limits: ImageLimits): number | null {
  if (scanDpi < image.dpi * MIN_GAIN) return null;
  const height = textHeight(image);
  if (height === null) return null;
  const wanted = (image.dpi * GOOD_TEXT_PX) / height / (limits.reduce ?? 1);
  if (wanted < image.dpi * MIN_GAIN) return null;
  const factor = Math.max(wanted * SCAN_DPI_TOLERANCE >= scanDpi ? 1 : scanDpi / wanted, capFactor(pixels, limits));
  return scanDpi / factor < image.dpi * MIN_GAIN ? null : factor;
}

function capFactor(pixels: number, limits: ImageLimits): number {
  return Math.sqrt(pixels / limits.maxPixels);
}
