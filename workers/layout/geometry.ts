/** Box arithmetic shared by the layout's steps. */
import type { Bbox } from '../../src/protocol.js';
import type { Line } from './types.js';

export function hasField(row: Line[]): boolean {
  return row.some((line) => line.tokens.some((t) => t.field));
}
export function minTop(row: Line[]): number {
  return Math.min(...row.map((l) => l.bbox[1]));
}
export function maxBottom(row: Line[]): number {
  return Math.max(...row.map((l) => l.bbox[3]));
}
/** Two boxes on one row: their middles closer than half the lower one's height. */
export function sameRow(a: Bbox, b: Bbox): boolean {
  return Math.abs(centerY(a) - centerY(b)) <= 0.5 * Math.min(height(a), height(b));
}
export function centerY(b: Bbox): number {
  return (b[1] + b[3]) / 2;
}
export function height(b: Bbox): number {
  return b[3] - b[1];
}
export function overlap(a: [number, number], b: [number, number]): number {
  return Math.min(a[1], b[1]) - Math.max(a[0], b[0]);
}
/** Widens `box` to take in `other` (in place: boxes are grown a great many times a page). */
export function grow(box: Bbox, other: Bbox): void {
  if (other[0] < box[0]) box[0] = other[0];
  if (other[1] < box[1]) box[1] = other[1];
  if (other[2] > box[2]) box[2] = other[2];
  if (other[3] > box[3]) box[3] = other[3];
}
export function unionAll(boxes: Bbox[]): Bbox {
  const box: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of boxes) grow(box, b);
  return box;
}
