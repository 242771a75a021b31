/**
 * Ruled lines erased before OCR (workers/image/ruled-lines.ts), on drawn images: what goes (a box, an
 * answer line) and what stays (letters touching them, thick bars, short strokes).
 */
import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../workers/image/pixels.js';
import { placedAt } from '../../workers/page/placement.js';
import { eraseRuledLines } from '../../workers/image/ruled-lines.js';

const DPI = 200;

function page(width = 600, height = 300): GrayImage {
  return { pixels: new Uint8Array(width * height).fill(255), width, height, dpi: DPI, placement: placedAt(0, 0, 72 / DPI, 72 / DPI) };
}
function fill(image: GrayImage, x0: number, y0: number, x1: number, y1: number): void {
  for (let y = y0; y < y1; y++) image.pixels.fill(0, y * image.width + x0, y * image.width + x1);
}
function ink(image: GrayImage, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (image.pixels[y * image.width + x]! < 128) n++;
  return n;
}
/** A box of 3-px lines (a 1-pt border at 200 dpi). */
function box(image: GrayImage, x0: number, y0: number, x1: number, y1: number): void {
  fill(image, x0, y0, x1, y0 + 3);
  fill(image, x0, y1 - 3, x1, y1);
  fill(image, x0, y0, x0 + 3, y1);
  fill(image, x1 - 3, y0, x1, y1);
}

describe('eraseRuledLines', () => {
  it("erases an answer box's four sides, corners included, and keeps the answer written in it", () => {
    const image = page();
    box(image, 100, 100, 430, 150);
    fill(image, 110, 112, 114, 140); // a letter's stem 7 px from the box's side
    fill(image, 120, 112, 140, 116); // and a short bar
    eraseRuledLines(image);
    expect(ink(image, 95, 95, 435, 155)).toBe(4 * 28 + 20 * 4);
  });

  it("keeps a letter's stroke where it crosses a rule, and a stem that stands on an underline", () => {
    const image = page();
    fill(image, 100, 200, 400, 203); // an underline
    fill(image, 150, 160, 154, 212); // a stroke through it (a descender)
    fill(image, 200, 150, 203, 200); // a 50-px stem standing on it
    eraseRuledLines(image);
    expect(ink(image, 100, 200, 400, 203)).toBe(3 * (4 + 3)); // only where the descender crosses it and the stem stands
    expect(ink(image, 150, 160, 154, 212)).toBe(52 * 4);
    expect(ink(image, 200, 150, 203, 200)).toBe(50 * 3);
  });

  it("erases a pale rule the skew splits over two pixel rows, and keeps a pale streak no ink starts", () => {
    const image = page();
    // A 0.5-pt rule scanned light (control-3's table: 114-131 gray), one row down every 60 px: 120 gray
    // where it lies on one row (50 px, shorter than a rule), 145 on both rows over the 10 px where it steps.
    for (let x = 100; x < 455; x++) {
      const k = Math.floor((x - 100) / 60);
      const along = (x - 100) % 60;
      const before = along < 5 && k > 0;
      const stepping = before || along >= 55;
      const row = 100 + k - (before ? 1 : 0);
      image.pixels[row * image.width + x] = stepping ? 145 : 120;
      if (stepping) image.pixels[(row + 1) * image.width + x] = 145;
    }
    for (let x = 100; x < 400; x++) image.pixels[250 * image.width + x] = 145; // a pale streak, no pixel of it ink
    eraseRuledLines(image);
    const darker = (x0: number, y0: number, x1: number, y1: number) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (image.pixels[y * image.width + x]! < 168) n++;
      return n;
    };
    expect(darker(90, 90, 500, 120)).toBe(0);
    expect(darker(90, 245, 500, 255)).toBe(300);
  });

  it('keeps bars too thick for a rule and runs too short for one', () => {
    const image = page();
    fill(image, 50, 50, 500, 60); // a 10-px bar (a heading's band)
    fill(image, 50, 100, 100, 102); // 50 px: shorter than a rule (0.3 in = 60 px)
    eraseRuledLines(image);
    expect(ink(image, 0, 0, 600, 300)).toBe(450 * 10 + 50 * 2);
  });
});
