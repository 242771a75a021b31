/**
 * The words of a text-layer page as the drawn forms' gate (drawn-gate.ts) asks about them: is a
 * word set beside this box, on its line, as an option's label is (`☐ Yes`, `No ☐`), and none
 * inside it but a mark's letter? A figure's circles and squares are drawn around their words or
 * away from them (tracemonkey.pdf's trace diagrams: 18 box-sized circles on a page, each around
 * its node's name, the next node's name beside it), so such a shape does not make the page pay
 * for pdfjs's operator list.
 */
import type { Bbox } from '../../src/protocol.js';
import { MARK_LETTERS } from './drawn-form.js';

interface Word {
  text: string;
  bbox: Bbox;
}

/** A label starts (or ends) within this many box widths of its box (the forms corpus: 4 pt from 8-14 pt boxes). */
const LABEL_REACH = 3;
/** A word may touch its box by this much (points): the text layer's boxes are the font's, not the ink's. */
const TOUCH = 0.5;
/** A label's line crosses its box's middle, give or take this share of the box (a label set on the box's baseline). */
const LINE_SLACK = 0.25;

export class GateWords {
  /** Sorted by their middle row at the first question: most pages have no box-sized shape to ask about. */
  private words: readonly Word[] | null = null;
  /** Each word's middle row, ascending (the words in the same order). */
  private middles = new Float64Array(0);

  constructor(private readonly unsorted: readonly Word[]) {}

  /** A word on the line of the box (l, t, r, b), starting right after it or ending right before it, and no word inside it but a mark's letter. */
  beside(l: number, t: number, r: number, b: number): boolean {
    const size = Math.max(r - l, b - t);
    const middle = (t + b) / 2;
    const reach = LABEL_REACH * size;
    const slack = LINE_SLACK * size;
    // A word's middle within two box sizes of the box's: any word whose line crosses it (a label is not over twice a box tall).
    const words = this.words ?? this.sort();
    let label = false;
    for (let i = this.firstFrom(middle - 2 * size); i < words.length && this.middles[i]! <= middle + 2 * size; i++) {
      const { text, bbox } = words[i]!;
      const [wl, wt, wr, wb] = bbox;
      const x = (wl + wr) / 2;
      if (x > l && x < r && this.middles[i]! > t && this.middles[i]! < b && !MARK_LETTERS.test(text)) return false;
      if (wt - slack > middle || wb + slack < middle) continue;
      const after = wl - r;
      const before = l - wr;
      if ((after >= -TOUCH && after <= reach) || (before >= -TOUCH && before <= reach)) label = true;
    }
    return label;
  }

  private sort(): readonly Word[] {
    const middle = (w: Word) => (w.bbox[1] + w.bbox[3]) / 2;
    const words = [...this.unsorted].sort((a, b) => middle(a) - middle(b));
    this.middles = Float64Array.from(words, middle);
    return (this.words = words);
  }

  private firstFrom(y: number): number {
    let lo = 0;
    let hi = this.middles.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.middles[mid]! < y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
