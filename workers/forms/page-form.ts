import type { Bbox } from '../../src/protocol.js';

/** A check box (a square) or a radio button (a circle) that a page shows without a widget. */
export interface Mark {
  shape: 'square' | 'circle';
  /** The printed box: PDF points from the top-left corner of the page as displayed. */
  bbox: Bbox;
  /** Ticked, crossed, filled or dotted. */
  checked: boolean;
  /** 0-100: how sure the state is; on marks found in a scan. */
  confidence?: number;
}

/** What a page shows of a form without widgets. */
export interface PageForm {
  marks: Mark[];
  /** Ruled rectangles an answer may be typed in (the words inside are its value), in page points. */
  answerBoxes: Bbox[];
}
