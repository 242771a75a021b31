/** Pixel work on page images: to gray, upright, scaled, turned; each new image keeps its placement on the page. */
import { ImageKind } from '../pdf/pdfjs.js';
import { resized, turned, type Placement } from '../page/placement.js';

/** A page's pixels as OCR reads them, and where they lie on the page. */
export interface GrayImage {
  /** 8-bit gray, one byte per pixel, rows top to bottom. */
  pixels: Uint8Array;
  width: number;
  height: number;
  /** Resolution of the image on the page, so tesseract need not guess it. */
  dpi: number;
  /** Where the image lies on the displayed page: word boxes are mapped through it to points. */
  placement: Placement;
}

export type Matrix = [number, number, number, number, number, number];
export interface DecodedImage {
  kind: number;
  width: number;
  height: number;
  data?: Uint8Array | Uint8ClampedArray;
}

export function toGray({ kind, width: w, height: h, data }: DecodedImage): Uint8Array | null {
  if (!data) return null;
  const gray = new Uint8Array(w * h);
  if (kind === ImageKind.GRAYSCALE_1BPP) {
    // One bit per pixel, rows padded to whole bytes, a set bit is white.
    const rowBytes = (w + 7) >> 3;
    // A byte at a time (8 pixels): ~3× faster than computing each pixel's byte and bit.
    for (let y = 0; y < h; y++) {
      const row = y * rowBytes;
      let x = 0;
      for (let o = y * w; x + 8 <= w; x += 8, o += 8) {
        const b = data[row + (x >> 3)]!;
        gray[o] = b & 128 ? 255 : 0;
        gray[o + 1] = b & 64 ? 255 : 0;
        gray[o + 2] = b & 32 ? 255 : 0;
        gray[o + 3] = b & 16 ? 255 : 0;
        gray[o + 4] = b & 8 ? 255 : 0;
        gray[o + 5] = b & 4 ? 255 : 0;
        gray[o + 6] = b & 2 ? 255 : 0;
        gray[o + 7] = b & 1 ? 255 : 0;
      }
      for (; x < w; x++) gray[y * w + x] = data[row + (x >> 3)]! & (128 >> (x & 7)) ? 255 : 0;
    }
    return gray;
  }
  const step = channels(kind);
  if (step === 0) return null;
  for (let i = 0, j = 0; i < gray.length; i++, j += step) gray[i] = luma(data[j]!, data[j + 1]!, data[j + 2]!);
  return gray;
}

/** Bytes per pixel of pdfjs's 8-bit image kinds; 0 for others. */
export function channels(kind: number): number {
  return kind === ImageKind.RGB_24BPP ? 3 : kind === ImageKind.RGBA_32BPP ? 4 : 0;
}

/** ITU-R BT.601 luma in integer arithmetic. */
export function luma(r: number, g: number, b: number): number {
  return (r * 77 + g * 150 + b * 29) >> 8;
}

/** The image's rows run down the page's columns (a quarter turn). */
export function isTransposed(m: Matrix): boolean {
  return Math.abs(m[0]) < Math.abs(m[1]);
}


/**
 * Puts the image the way it appears on the (rotated) page: `m` maps the unit square to device
 * space, image row 0 sits at v = 1. Covers the eight axis-aligned orientations.
 */
export function orient(gray: Uint8Array, w: number, h: number, m: Matrix): { pixels: Uint8Array; width: number; height: number } {
  const ux = [m[0], m[1]];
  const vy = [-m[2], -m[3]];
  if (ux[0]! > 0 && vy[1]! > 0) return { pixels: gray, width: w, height: h };
  const transpose = isTransposed(m);
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

/**
 * Area-average downscale by `factor` (> 1) of an image with `step` bytes a pixel (1: gray;
 * 3, 4: RGB(A), turned to luma on the way), into gray.
 */
export function areaAverage(src: Uint8Array | Uint8ClampedArray, step: number, w: number, h: number, factor: number): { pixels: Uint8Array; width: number; height: number } {
  const W = Math.max(1, Math.round(w / factor));
  const H = Math.max(1, Math.round(h / factor));
  const out = new Uint8Array(W * H);
  const xs = Int32Array.from({ length: W + 1 }, (_, X) => Math.min(w, Math.round((X * w) / W)));
  const sums = new Uint32Array(W);
  for (let Y = 0; Y < H; Y++) {
    const y0 = Math.round((Y * h) / H);
    const y1 = Math.max(y0 + 1, Math.min(h, Math.round(((Y + 1) * h) / H)));
    sums.fill(0);
    for (let y = y0; y < y1; y++) {
      let j = y * w * step;
      for (let X = 0; X < W; X++) {
        let sum = 0;
        const end = xs[X + 1]!;
        if (step === 1) for (let x = xs[X]!; x < end; x++, j++) sum += src[j]!;
        else for (let x = xs[X]!; x < end; x++, j += step) sum += luma(src[j]!, src[j + 1]!, src[j + 2]!);
        sums[X]! += sum;
      }
    }
    for (let X = 0; X < W; X++) {
      const n = (y1 - y0) * Math.max(1, xs[X + 1]! - xs[X]!);
      out[Y * W + X] = (sums[X]! + (n >> 1)) / n;
    }
  }
  return { pixels: out, width: W, height: H };
}

/** Bilinear enlargement by `factor` (> 1). */
export function upscale(image: GrayImage, factor: number): GrayImage {
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

/** The middle `share` of the image's rows, whole lines across (a probe, not for placing words). */
export function middleRows(image: GrayImage, share: number): GrayImage {
  const rows = Math.max(1, Math.round(image.height * share));
  const top = Math.floor((image.height - rows) / 2);
  const [a, b, c, d, e, f] = image.placement;
  const placement: GrayImage['placement'] = [a, b, c, d, e + c * top, f + d * top];
  return { ...image, pixels: image.pixels.subarray(top * image.width, (top + rows) * image.width), height: rows, placement };
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
