/**
 * How much a scan is scaled for OCR: by the size of its text, so that the engine sees the
 * x-height it reads best whatever the scan's resolution and the print's size.
 */
export interface ImageLimits {
  /**
   * Resolution of a page with no measurable text (a photo, a blank page), and of rendered pages:
   * OCR_DPI. A scan whose text is measured is read at the size its text asks for instead.
   */
  dpi: number;
  /** No image handed to OCR has more pixels than this. */
  maxPixels: number;
  /**
   * A page retried after its child ran out of memory is read at 1/reduce the linear size its text
   * asks for (1 when absent); `dpi` and `maxPixels` are given already reduced.
   */
  reduce?: number;
}

/**
 * The x-height (pixels, as text-height.ts measures it) the engine is given. Measured with the
 * child on renderings at 90-400 dpi: the bench book's 10.5-pt pages read alike from 8 to 12 px
 * (word recall 0.840-0.853); test/smallprint's 8.5-pt article and 6.5-pt footnotes from 6 px
 * (0.998-1.000), its 6-pt fine print and 6.5-pt table from 9 px (0.978); only its dot-leader
 * index wants 15 px (0.899 at 12, 0.989 at 15), and x-height does not tell it from the book.
 * 12 px reads the bench's 300-dpi book at ~190 dpi and its 200-dpi report at ~150 dpi (fewer
 * pixels than OCR_DPI gave them), and 6-8 pt print at 250-360 dpi.
 */
export const BEST_X_HEIGHT_PX = 12;
/** Scales within this factor of 1 are not worth resampling for: the scan is read as it is. */
const TOLERANCE = 1.1;
/** Enlarging further makes no detail, only pixels: a 150-dpi scan goes to 300 dpi at most. */
const MAX_ENLARGE = 2;
/** Without measurable text, scans coarser than this share of OCR_DPI are enlarged to it (tesseract reads small type badly below ~150 dpi). */
const MIN_SCAN_SHARE = 0.8;

/**
 * How much to shrink (> 1) or enlarge (< 1) a scan of `dpi` with `pixels` pixels for OCR, from
 * its x-height in pixels (null: no measurable text, OCR_DPI then sets the size, as it did for
 * every page before text was measured). Either way within the pixel cap. A `bilevel` (1-bit)
 * scan is enlarged no further than OCR_DPI: it has no gray edges to interpolate, only steps
 * (test/forms' 150-dpi 1-bit checklist lost 7 of its 31 marks' rows at 225 dpi, none at 200).
 */
export function ocrFactor(dpi: number, pixels: number, limits: ImageLimits, xHeightPx: number | null, bilevel = false): number {
  const cap = Math.sqrt(pixels / limits.maxPixels);
  if (xHeightPx === null || (bilevel && xHeightPx < BEST_X_HEIGHT_PX)) return Math.max(withinTolerance(defaultFactor(dpi, limits)), cap);
  const wanted = withinTolerance(xHeightPx / BEST_X_HEIGHT_PX) * (limits.reduce ?? 1);
  return Math.max(wanted, 1 / MAX_ENLARGE, cap);
}

/** OCR_DPI's scale for a scan of `dpi`: finer scans shrunk to it, much coarser ones enlarged to it. */
function defaultFactor(dpi: number, limits: ImageLimits): number {
  return dpi < limits.dpi * MIN_SCAN_SHARE || dpi > limits.dpi ? dpi / limits.dpi : 1;
}

function withinTolerance(factor: number): number {
  return Math.abs(Math.log(factor)) < Math.log(TOLERANCE) ? 1 : factor;
}
