import { loadCanvas, OPS, Util, type PDFPageProxy } from '../pdf/pdfjs.js';
import type { JpegScans } from '../pdf/jpeg-scan.js';
import { placedAt, resized } from '../page/placement.js';
import type { StageClock } from '../output/profile.js';
import { finerFactor, ocrFactor, type ImageLimits } from './ocr-scale.js';
import { areaAverage, channels, isTransposed, luma, orient, toGray, upscale, type DecodedImage, type GrayImage, type Matrix } from './pixels.js';

/** The page draws a JPEG over the pixel cap that pdfjs would decode whole: the page is not read. */
export class ImageTooLarge extends Error {
  override name = 'ImageTooLarge';
}

/** A scan must cover this share of the page to be OCRed as it is instead of a rendering. */
const MIN_SCAN_COVERAGE = 0.5;
/**
 * A rendering costs 9 bytes a pixel at its peak (RGBA canvas, its RGBA copy, the gray image),
 * a decoded scan about 5; so renderings get half the pixel cap.
 */
const RENDER_SHARE_OF_CAP = 0.5;
/** Pixels drawn at once when a page is rendered (see renderGrayOnce). */
const STRIP_PIXELS = 1_500_000;
const PT_PER_INCH = 72;

const IMAGE_OPS = new Set([
  OPS.paintImageXObject,
  OPS.paintInlineImageXObject,
  OPS.paintImageMaskXObject,
  OPS.paintImageXObjectRepeat,
  OPS.paintImageMaskXObjectGroup,
  OPS.paintImageMaskXObjectRepeat,
  OPS.paintSolidColorImageMask,
]);
const TEXT_OPS = new Set([OPS.showText, OPS.showSpacedText, OPS.nextLineShowText, OPS.nextLineSetSpacingShowText]);

/**
 * The page as an 8-bit gray image for OCR. A scanned page that is one JPEG is decoded natively
 * at the size OCR wants (`jpegs`); another scanned page that is one embedded image is taken as
 * pdfjs decoded it, without drawing it on an RGBA canvas (faster, and ~50 MB less per page);
 * anything else is rendered. A scan's small print is read finer (ocr-scale.ts). Either way the
 * result fits the pixel cap.
 */
export async function pageImage(page: PDFPageProxy, limits: ImageLimits, clock: StageClock, jpegs: JpegScans | null): Promise<GrayImage> {
  const jpeg = jpegs && (await nativeJpeg(page, jpegs, limits, clock));
  if (jpeg) return jpeg;
  if (jpegs?.oversized(page.ref, sourceCap(limits))) throw new ImageTooLarge();
  const scan = await embeddedScan(page, clock);
  const image = scan && (await scanToGray(scan, limits, clock));
  return image ?? clock.time('decode', () => renderGray(page, limits));
}

/**
 * The most pixels a scan's JPEG may have: MAX_PAGE_MEGAPIXELS, also when the page is retried
 * reduced (libjpeg decodes it reduced). Against the reduced cap, a 300-dpi letter page (8.4 MP)
 * retried after its child ran out of memory was not read at all (image_too_large).
 */
function sourceCap(limits: ImageLimits): number {
  return limits.maxPixels * (limits.reduce ?? 1) ** 2;
}

/** A JPEG scan and where it sits on the page (see whereOnPage). */
type JpegOnPage = NonNullable<ReturnType<JpegScans['page']>> & Omit<Scan, 'image'>;

/**
 * A JPEG scan at the OCR resolution, its text measured there, and decoded again finer when that
 * text is small (ocr-scale.ts): only a page of small print pays a second decode. Null when the
 * page is not one plain JPEG, or libvips cannot read it (pdfjs then tries).
 */
async function nativeJpeg(page: PDFPageProxy, jpegs: JpegScans, limits: ImageLimits, clock: StageClock): Promise<GrayImage | null> {
  const found = jpegs.page(page.ref, sourceCap(limits));
  const placed = found && whereOnPage(page, found.ctm);
  if (!found || !placed) return null;
  const scan: JpegOnPage = { ...found, ...placed };
  const dpi = ((isTransposed(scan.m) ? scan.height : scan.width) / scan.box.w) * PT_PER_INCH;
  const pixels = scan.width * scan.height;
  const sharp = await clock.time('decode', loadSharp);
  const image = await clock.time('decode', () => decodeJpeg(sharp, scan, dpi, ocrFactor(dpi, pixels, limits), limits));
  const finer = image && (await clock.time('scale', () => finerFactor(image, dpi, pixels, limits)));
  if (!finer) return image;
  return (await clock.time('decode', () => decodeJpeg(sharp, scan, dpi, finer, limits))) ?? image;
}

/**
 * libvips (through sharp) decodes a JPEG scan of `dpi` straight to gray, shrunk by `factor`
 * (< 1: enlarged), using libjpeg's reduced-size decoding for the first halvings: no full-size
 * copy of it is ever held in JavaScript. Measured against pdfjs's decoder: 0.13 CPU s a 300-dpi
 * gray page against 0.26 + 0.06, 0.05 a 200-dpi colour one against 0.21. Null when libvips
 * cannot read it.
 */
async function decodeJpeg(sharp: Sharp, scan: JpegOnPage, dpi: number, factor: number, limits: ImageLimits): Promise<GrayImage | null> {
  const { m, box, left, top } = scan;
  try {
    let pipeline = sharp(scan.jpeg, { sequentialRead: true, limitInputPixels: sourceCap(limits) }).greyscale();
    if (factor !== 1) {
      const width = Math.max(1, Math.round(scan.width / factor));
      const height = Math.max(1, Math.round(scan.height / factor));
      pipeline = pipeline.resize(width, height, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: true });
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) return null;
    const gray = new Uint8Array(data.buffer, data.byteOffset, data.length);
    const upright = orient(gray, info.width, info.height, m);
    const placement = placedAt(left, top, box.w / upright.width, box.h / upright.height);
    return { ...upright, dpi: (dpi * info.width) / scan.width, placement };
  } catch {
    return null;
  }
}

type Sharp = typeof import('sharp').default;
let sharpLoaded: Promise<Sharp> | undefined;
/** Loaded on the first JPEG scan: a text-layer job never pays for libvips. */
function loadSharp(): Promise<Sharp> {
  sharpLoaded ??= import('sharp').then(({ default: sharp }) => {
    // One thread, as the child has one core's share; no cache, as every page is a new image.
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  });
  return sharpLoaded;
}

/** A decoded scan and where it sits: `m` maps the image's unit square to the page (points). */
interface Scan {
  image: DecodedImage & { data: Uint8Array | Uint8ClampedArray };
  m: Matrix;
  /** Its size on the page in points, upright. */
  box: { w: number; h: number };
  /** Its top-left corner on the displayed page, in points. */
  left: number;
  top: number;
}

/** The scan in gray at the OCR resolution, or finer when its text is small (ocr-scale.ts). */
async function scanToGray(scan: Scan, limits: ImageLimits, clock: StageClock): Promise<GrayImage | null> {
  const { image, m, box } = scan;
  const dpi = ((isTransposed(m) ? image.height : image.width) / box.w) * PT_PER_INCH;
  const pixels = image.width * image.height;
  const gray = await clock.time('scale', () => scaledScan(scan, dpi, ocrFactor(dpi, pixels, limits)));
  const finer = gray && (await clock.time('scale', () => finerFactor(gray, dpi, pixels, limits)));
  return finer ? clock.time('scale', () => scaledScan(scan, dpi, finer)) : gray;
}

/**
 * The scan of `dpi` in gray, shrunk by `factor` (< 1: enlarged). An upright scan to be shrunk is
 * converted and averaged in one pass, without a full-size gray copy (~40 % less time than two passes).
 */
function scaledScan(scan: Scan, dpi: number, factor: number): GrayImage | null {
  const { image, m, box, left, top } = scan;
  const step = channels(image.kind);
  if (factor > 1 && step > 0 && isUpright(m)) {
    const small = areaAverage(image.data, step, image.width, image.height, factor);
    return { ...small, dpi: dpi / factor, placement: placedAt(left, top, box.w / small.width, box.h / small.height) };
  }
  const gray = toUprightGray(scan, dpi);
  if (!gray || factor === 1) return gray;
  if (factor < 1) return upscale(gray, 1 / factor);
  const small = areaAverage(gray.pixels, 1, gray.width, gray.height, factor);
  return { ...small, dpi: dpi / factor, placement: resized(gray.placement, gray, small) };
}

function toUprightGray({ image, m, box, left, top }: Scan, dpi: number): GrayImage | null {
  const gray = toGray(image);
  if (!gray) return null;
  const upright = orient(gray, image.width, image.height, m);
  return { ...upright, dpi, placement: placedAt(left, top, box.w / upright.width, box.h / upright.height) };
}

/** The page's only content, an axis-aligned image covering it, as pdfjs decoded it; else null. */
async function embeddedScan(page: PDFPageProxy, clock: StageClock): Promise<Scan | null> {
  // pdfjs decodes a page's images while it builds the operator list.
  const placed = singleImage(await clock.time('decode', () => page.getOperatorList()));
  const where = placed && whereOnPage(page, placed.ctm);
  if (!placed || !where) return null;
  const objs = placed.name.startsWith('g_') ? page.commonObjs : page.objs;
  const image = await clock.time('decode', () => new Promise<DecodedImage | null>((resolve) => objs.get(placed.name, resolve)));
  if (!image?.data) return null;
  return { image: { ...image, data: image.data }, ...where };
}

/**
 * Where an image placed with `ctm` (user space) sits on the displayed page: `m` maps its unit
 * square to the page in points, `box` is its upright size. Null unless it is axis-aligned and
 * covers most of the page, as a scan does.
 */
function whereOnPage(page: PDFPageProxy, ctm: Matrix): Omit<Scan, 'image'> | null {
  const viewport = page.getViewport({ scale: 1 });
  const m = Util.transform(viewport.transform, ctm) as Matrix;
  const axisAligned = (near0(m[1]) && near0(m[2])) || (near0(m[0]) && near0(m[3]));
  if (!axisAligned) return null;
  const box = { w: Math.abs(m[0]) + Math.abs(m[2]), h: Math.abs(m[1]) + Math.abs(m[3]) };
  const x0 = Math.min(m[4], m[4] + m[0] + m[2]);
  const y0 = Math.min(m[5], m[5] + m[1] + m[3]);
  const visibleW = Math.min(x0 + box.w, viewport.width) - Math.max(x0, 0);
  const visibleH = Math.min(y0 + box.h, viewport.height) - Math.max(y0, 0);
  if ((Math.max(0, visibleW) * Math.max(0, visibleH)) / (viewport.width * viewport.height) < MIN_SCAN_COVERAGE) return null;
  return { m, box, left: x0, top: y0 };
}

/** The one image op of a page with no text and no other image, with its placement. */
function singleImage(list: { fnArray: number[]; argsArray: unknown[][] }): { name: string; ctm: Matrix } | null {
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const saved: Matrix[] = [];
  let found: { name: string; ctm: Matrix } | null = null;
  let images = 0;
  for (let i = 0; i < list.fnArray.length; i++) {
    const fn = list.fnArray[i]!;
    const args = list.argsArray[i]!;
    if (fn === OPS.save) saved.push(ctm);
    else if (fn === OPS.restore) ctm = saved.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = Util.transform(ctm, args) as Matrix;
    else if (TEXT_OPS.has(fn)) return null;
    else if (IMAGE_OPS.has(fn)) {
      images++;
      if (fn === OPS.paintImageXObject && typeof args[0] === 'string') found = { name: args[0], ctm };
    }
  }
  return images === 1 ? found : null;
}

/** Image row 0 at the top of the page, column 0 at its left: nothing to turn or flip. */
function isUpright(m: Matrix): boolean {
  return m[0] > 0 && -m[3] > 0;
}

/**
 * Skia now and then fails to allocate a surface or its pixel copy while the previous page's
 * buffers wait for collection ("Read pixels from canvas failed"); one collection and a second
 * try gets past it.
 */
async function renderGray(page: PDFPageProxy, limits: ImageLimits): Promise<GrayImage> {
  try {
    return await renderGrayOnce(page, limits);
  } catch {
    globalThis.gc?.();
    return renderGrayOnce(page, limits);
  }
}

/**
 * Renders the page at `dpi`, scaled down to the pixel cap, and keeps only its gray levels.
 * It is drawn in horizontal strips: the RGBA canvas and its pixel copy (8 bytes a pixel) then
 * cost a strip's worth, not a page's, at the price of pdfjs drawing the page once per strip.
 */
async function renderGrayOnce(page: PDFPageProxy, limits: ImageLimits): Promise<GrayImage> {
  const natural = page.getViewport({ scale: 1 });
  let scale = limits.dpi / PT_PER_INCH;
  const pixels = natural.width * natural.height * scale * scale;
  const cap = limits.maxPixels * RENDER_SHARE_OF_CAP;
  if (pixels > cap) scale *= Math.sqrt(cap / pixels);
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.floor(viewport.width));
  const height = Math.max(1, Math.floor(viewport.height));
  const stripHeight = Math.max(1, Math.min(height, Math.floor(STRIP_PIXELS / width)));
  const { createCanvas } = await loadCanvas();
  const gray = new Uint8Array(width * height);
  for (let top = 0; top < height; top += stripHeight) {
    const rows = Math.min(stripHeight, height - top);
    const canvas = createCanvas(width, rows);
    const context = canvas.getContext('2d');
    await page.render({
      canvas: canvas as unknown as HTMLCanvasElement,
      canvasContext: context as unknown as CanvasRenderingContext2D,
      viewport,
      transform: [1, 0, 0, 1, 0, -top],
      background: 'white',
    }).promise;
    const rgba = context.getImageData(0, 0, width, rows).data;
    canvas.width = canvas.height = 0;
    for (let i = top * width, j = 0; j < rgba.length; i++, j += 4) gray[i] = luma(rgba[j]!, rgba[j + 1]!, rgba[j + 2]!);
  }
  return { pixels: gray, width, height, dpi: scale * PT_PER_INCH, placement: placedAt(0, 0, 1 / scale, 1 / scale) };
}

function near0(v: number): boolean {
  return Math.abs(v) < 1e-6;
}
