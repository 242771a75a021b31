import { createCanvas } from '@napi-rs/canvas';
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface ImageLimits {
  dpi: number;
  maxPixels: number;
}

/**
 * Renders a page to an 8-bit grayscale PGM (P5) image: tesseract reads it without a
 * decode step, and it is a quarter of the RGBA canvas. Pages larger than the pixel cap
 * are scaled down to fit it, so a giant page costs no more memory than a normal one.
 */
export async function renderGray(page: PDFPageProxy, limits: ImageLimits): Promise<Buffer> {
  const natural = page.getViewport({ scale: 1 });
  let scale = limits.dpi / 72;
  const pixels = natural.width * natural.height * scale * scale;
  if (pixels > limits.maxPixels) scale *= Math.sqrt(limits.maxPixels / pixels);
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.floor(viewport.width));
  const height = Math.max(1, Math.floor(viewport.height));
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: context as unknown as CanvasRenderingContext2D, viewport, background: 'white' }).promise;
  const rgba = context.getImageData(0, 0, width, height).data;
  canvas.width = canvas.height = 0;
  return toPgm(rgba, width, height);
}

function toPgm(rgba: Uint8ClampedArray, width: number, height: number): Buffer {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'ascii');
  const out = Buffer.allocUnsafe(header.length + width * height);
  header.copy(out);
  for (let i = 0, j = header.length; i < rgba.length; i += 4, j++) {
    // ITU-R BT.601 luma in integer arithmetic.
    out[j] = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
  }
  return out;
}
