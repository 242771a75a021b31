import type { Bbox } from '../../src/protocol.js';
import { onPage, quarterTurns, type Placement } from '../page/placement.js';

/** A word the engine read, placed on the displayed page, with the engine's text line. */
export interface OcrWord {
  text: string;
  bbox: Bbox;
  /** 0-100. */
  confidence: number;
  /** Numbers the engine's text lines in its order, across the whole page. */
  line: number;
  /** Quarter turns clockwise of its baseline on the displayed page (a sideways scan read upright). */
  turns: 0 | 1 | 2 | 3;
}

/** The parts of tesseract.js-core's ResultIterator (WebIDL binding) read here. */
export interface ResultIterator {
  Begin(): void;
  Next(level: number): boolean;
  Empty(level: number): boolean;
  IsAtBeginningOf(level: number): boolean;
  BoundingBox(level: number, left: number, top: number, right: number, bottom: number): boolean;
  Confidence(level: number): number;
  GetUTF8Text(level: number): string;
}

const RIL_TEXTLINE = 2;
const RIL_WORD = 3;

/**
 * Every word of the last recognition with its box and confidence, from the engine's result
 * iterator. Measured on a 200-dpi page (linn.pdf): 85 ms, against 50 ms for GetUTF8Text and
 * 210 ms for GetTSVText, on a 3 s recognition; so the page text is built from these words, not
 * from GetUTF8Text.
 *
 * `scratch` is 16 bytes of the engine's heap for the four ints BoundingBox writes; `heap` is
 * that heap (the build does not export its views, and it may grow, so it is read anew).
 */
export function readWords(iterator: ResultIterator, heap: () => ArrayBuffer, scratch: number, placement: Placement): OcrWord[] {
  const words: OcrWord[] = [];
  const turns = quarterTurns(placement[0], placement[1]);
  let line = -1;
  iterator.Begin();
  do {
    if (iterator.Empty(RIL_WORD)) continue;
    if (iterator.IsAtBeginningOf(RIL_TEXTLINE) || line < 0) line++;
    const text = iterator.GetUTF8Text(RIL_WORD).trim();
    if (!text) continue;
    iterator.BoundingBox(RIL_WORD, scratch, scratch + 4, scratch + 8, scratch + 12);
    const [left, top, right, bottom] = new Int32Array(heap(), scratch, 4);
    const confidence = Math.max(0, Math.min(100, Math.round(iterator.Confidence(RIL_WORD))));
    words.push({ text, bbox: onPage(placement, [left!, top!, right!, bottom!]), confidence, line, turns });
  } while (iterator.Next(RIL_WORD));
  return words;
}
