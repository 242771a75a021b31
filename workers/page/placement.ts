import type { Bbox } from '../../src/protocol.js';

/**
 * Where an image handed to OCR lies on the page as displayed: the affine map `[a, b, c, d, e, f]`
 * from an image position (x right, y down, in pixels, 0 at the top-left edge of the image) to
 * the displayed page in PDF points from its top-left corner: (a·x + c·y + e, b·x + d·y + f).
 * Every step that makes a new image from an old one (scaling, a quarter turn) carries it along,
 * so OCR word boxes land on the page whatever was done to the pixels.
 */
export type Placement = [number, number, number, number, number, number];

/** An upright image whose top-left edge is at (left, top) on the page, each pixel this many points wide and high. */
export function placedAt(left: number, top: number, pointsPerPixelX: number, pointsPerPixelY: number): Placement {
  return [pointsPerPixelX, 0, 0, pointsPerPixelY, left, top];
}

/** The placement of an image resized from `from` to `to` pixels (same picture, new pixel grid). */
export function resized(p: Placement, from: { width: number; height: number }, to: { width: number; height: number }): Placement {
  const sx = from.width / to.width;
  const sy = from.height / to.height;
  return [p[0] * sx, p[1] * sx, p[2] * sy, p[3] * sy, p[4], p[5]];
}

/**
 * The placement of the image turned `turns` quarter turns clockwise, for a source image of
 * `width` × `height` pixels: a pixel position in the turned image is first taken back to the
 * source image, then placed as before.
 */
export function turned(p: Placement, turns: 1 | 2 | 3, width: number, height: number): Placement {
  // (X, Y) in the turned image comes from (x, y) in the source.
  const back: Placement = turns === 1 ? [0, -1, 1, 0, 0, height] : turns === 2 ? [-1, 0, 0, -1, width, height] : [0, 1, -1, 0, width, 0];
  return compose(p, back);
}

/** p ∘ q: first q, then p (pdfjs's Util.transform, without loading pdfjs). */
export function compose(p: Placement, q: Placement): Placement {
  return [
    p[0] * q[0] + p[2] * q[1],
    p[1] * q[0] + p[3] * q[1],
    p[0] * q[2] + p[2] * q[3],
    p[1] * q[2] + p[3] * q[3],
    p[0] * q[4] + p[2] * q[5] + p[4],
    p[1] * q[4] + p[3] * q[5] + p[5],
  ];
}

/**
 * A box `[x0, y0, x1, y1]` mapped by `p` (an image's pixels, or PDF user space by the page's
 * view transform) as a box on the page: the bounds of its four corners.
 */
export function onPage(p: Placement, box: readonly [number, number, number, number]): Bbox {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const x of [box[0], box[2]]) {
    for (const y of [box[1], box[3]]) {
      xs.push(p[0] * x + p[2] * y + p[4]);
      ys.push(p[1] * x + p[3] * y + p[5]);
    }
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Quarter turns clockwise (0-3) of a direction on the displayed page (y down), to the nearest. */
export function quarterTurns(dx: number, dy: number): 0 | 1 | 2 | 3 {
  return ((((Math.round(Math.atan2(dy, dx) / (Math.PI / 2)) % 4) + 4) % 4) as 0 | 1 | 2 | 3);
}
