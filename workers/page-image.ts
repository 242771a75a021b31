import { ImageKind, loadCanvas, OPS, Util, type PDFPageProxy } from './pdfjs.js';
import type { GrayImage } from './ocr.js';
import { placedAt, resized, turned } from './placement.js';

export interface ImageLimits {
  /** Resolution pages are rendered at; embedded scans above 1.25× this are scaled down to it. */
  dpi: number;
  /** No image handed to OCR has more pixels than this. */
  maxPixels: number;
}

type Matrix = [number, number, number, number, number, number];
interface DecodedImage {
  kind: number;
  width: number;
  height: number;
  data?: Uint8Array | Uint8ClampedArray;
}

/** A scan must cover this share of the page to be OCRed as it is instead of a rendering. */
const MIN_SCAN_COVERAGE = 0.5;
const SCAN_DPI_HEADROOM = 1.25;
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
 * The page as an 8-bit gray image for OCR. A scanned page that is one embedded image is taken
 * as decoded, without drawing it on an RGBA canvas (faster, and ~50 MB less per page);
 * anything else is rendered. Either way the result fits the pixel cap.
 */
export async function pageImage(page: PDFPageProxy, limits: ImageLimits): Promise<GrayImage> {
  const scan = await embeddedScan(page);
  if (!scan) return renderGray(page, limits);
  // Tesseract reads small type badly below ~150 dpi: coarse scans are enlarged to `dpi`.
  if (scan.dpi < limits.dpi / SCAN_DPI_HEADROOM) {
    const factor = Math.min(limits.dpi / scan.dpi, Math.sqrt(limits.maxPixels / (scan.width * scan.height)));
    return factor > 1 ? upscale(scan, factor) : scan;
  }
  const maxDpi = limits.dpi * SCAN_DPI_HEADROOM;
  const factor = Math.max(1, scan.dpi / maxDpi, Math.sqrt((scan.width * scan.height) / limits.maxPixels));
  return downscale(scan, factor);
}

/** The page's only content, an axis-aligned image covering it, upright and in gray; else null. */
async function embeddedScan(page: PDFPageProxy): Promise<GrayImage | null> {
  const placed = singleImage(await page.getOperatorList());
  if (!placed) return null;
  const viewport = page.getViewport({ scale: 1 });
  const m = Util.transform(viewport.transform, placed.ctm) as Matrix;
  const axisAligned = (near0(m[1]) && near0(m[2])) || (near0(m[0]) && near0(m[3]));
  if (!axisAligned) return null;
  const box = { w: Math.abs(m[0]) + Math.abs(m[2]), h: Math.abs(m[1]) + Math.abs(m[3]) };
  const x0 = Math.min(m[4], m[4] + m[0] + m[2]);
  const y0 = Math.min(m[5], m[5] + m[1] + m[3]);
  const visibleW = Math.min(x0 + box.w, viewport.width) - Math.max(x0, 0);
  const visibleH = Math.min(y0 + box.h, viewport.height) - Math.max(y0, 0);
  if ((Math.max(0, visibleW) * Math.max(0, visibleH)) / (viewport.width * viewport.height) < MIN_SCAN_COVERAGE) return null;

  const objs = placed.name.startsWith('g_') ? page.commonObjs : page.objs;
  const image = await new Promise<DecodedImage | null>((resolve) => objs.get(placed.name, resolve));
  if (!image?.data) return null;
  const gray = toGray(image);
  if (!gray) return null;
  const upright = orient(gray, image.width, image.height, m);
  const placement = placedAt(x0, y0, box.w / upright.width, box.h / upright.height);
  return { ...upright, dpi: (upright.width / box.w) * PT_PER_INCH, placement };
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

function toGray({ kind, width: w, height: h, data }: DecodedImage): Uint8Array | null {
  if (!data) return null;
  const gray = new Uint8Array(w * h);
  if (kind === ImageKind.GRAYSCALE_1BPP) {
    // One bit per pixel, rows padded to whole bytes, a set bit is white.
    const rowBytes = (w + 7) >> 3;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) gray[y * w + x] = data[y * rowBytes + (x >> 3)]! & (128 >> (x & 7)) ? 255 : 0;
    }
    return gray;
  }
  const step = kind === ImageKind.RGB_24BPP ? 3 : kind === ImageKind.RGBA_32BPP ? 4 : 0;
  if (step === 0) return null;
  for (let i = 0, j = 0; i < gray.length; i++, j += step) gray[i] = luma(data[j]!, data[j + 1]!, data[j + 2]!);
  return gray;
}

/** ITU-R BT.601 luma in integer arithmetic. */
function luma(r: number, g: number, b: number): number {
  return (r * 77 + g * 150 + b * 29) >> 8;
}

/**
 * Puts the image the way it appears on the (rotated) page: `m` maps the unit square to device
 * space, image row 0 sits at v = 1. Covers the eight axis-aligned orientations.
 */
function orient(gray: Uint8Array, w: number, h: number, m: Matrix): { pixels: Uint8Array; width: number; height: number } {
  const ux = [m[0], m[1]];
  const vy = [-m[2], -m[3]];
  if (ux[0]! > 0 && vy[1]! > 0) return { pixels: gray, width: w, height: h };
  const transpose = Math.abs(ux[0]!) < Math.abs(ux[1]!);
  const W = transpose ? h : w;
  const flipX = transpose ? ux[1]! < 0 : ux[0]! < 0;
  const flipY = transpose ? vy[0]! < 0 : vy[1]! < 0;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = flipY ? h - 1 - y : y;
    for (let x = 0; x < w; x++) {
      const sx = flipX ? w - 1 - x : x;
      out[transpose ? sx * W + sy : sy * W + sx] = gray[y * w + x]!;
    }
  }
  return { pixels: out, width: W, height: transpose ? w : h };
}

/** Area-average downscale by `factor` (≥ 1). */
function downscale(image: GrayImage, factor: number): GrayImage {
  if (factor <= 1.01) return image;
  const { pixels, width: w, height: h } = image;
  const W = Math.max(1, Math.round(w / factor));
  const H = Math.max(1, Math.round(h / factor));
  const out = new Uint8Array(W * H);
  const xs = Int32Array.from({ length: W + 1 }, (_, X) => Math.min(w, Math.round((X * w) / W)));
  const sums = new Float64Array(W);
  for (let Y = 0; Y < H; Y++) {
    const y0 = Math.round((Y * h) / H);
    const y1 = Math.max(y0 + 1, Math.min(h, Math.round(((Y + 1) * h) / H)));
    sums.fill(0);
    for (let y = y0; y < y1; y++) {
      for (let X = 0; X < W; X++) for (let x = xs[X]!; x < xs[X + 1]!; x++) sums[X]! += pixels[y * w + x]!;
    }
    for (let X = 0; X < W; X++) out[Y * W + X] = Math.round(sums[X]! / ((y1 - y0) * Math.max(1, xs[X + 1]! - xs[X]!)));
  }
  return { pixels: out, width: W, height: H, dpi: image.dpi / factor, placement: resized(image.placement, image, { width: W, height: H }) };
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

/** Bilinear enlargement by `factor` (> 1). */
function upscale(image: GrayImage, factor: number): GrayImage {
  const { pixels, width: w, height: h } = image;
  const W = Math.round(w * factor);
  const H = Math.round(h * factor);
  const out = new Uint8Array(W * H);
  for (let Y = 0; Y < H; Y++) {
    const y = Math.min(h - 1, (Y + 0.5) / factor - 0.5);
    const y0 = Math.max(0, Math.floor(y));
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = Math.max(0, y - y0);
    for (let X = 0; X < W; X++) {
      const x = Math.min(w - 1, (X + 0.5) / factor - 0.5);
      const x0 = Math.max(0, Math.floor(x));
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = Math.max(0, x - x0);
      const top = pixels[y0 * w + x0]! * (1 - fx) + pixels[y0 * w + x1]! * fx;
      const bottom = pixels[y1 * w + x0]! * (1 - fx) + pixels[y1 * w + x1]! * fx;
      out[Y * W + X] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { pixels: out, width: W, height: H, dpi: image.dpi * factor, placement: resized(image.placement, image, { width: W, height: H }) };
}

/** The image turned by a quarter turn clockwise, `turns` times. */
export function rotate(image: GrayImage, turns: 1 | 2 | 3): GrayImage {
  const { pixels, width: w, height: h } = image;
  const out = new Uint8Array(w * h);
  const W = turns === 2 ? w : h;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [X, Y] = turns === 1 ? [h - 1 - y, x] : turns === 2 ? [w - 1 - x, h - 1 - y] : [y, w - 1 - x];
      out[Y * W + X] = pixels[y * w + x]!;
    }
  }
  return { pixels: out, width: W, height: turns === 2 ? h : w, dpi: image.dpi, placement: turned(image.placement, turns, w, h) };
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
