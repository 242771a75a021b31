/**
 * Type sizes of OCR lines, from their words' boxes. A word's box is as tall as its letters
 * reach: "Next" (capital, no descender) is 0.72 em, "Findings" 0.93 em, "was" 0.52 em; so each
 * word is measured against the letters it has, and a line is the median of its words. Lines of
 * one size still come out a few per cent apart (report-2's scan: its three 14-pt headings at
 * 13.5-14.4 pt, which the Markdown's heading levels, 6 % apart, split): sizes that close are
 * then made one.
 */
import { median } from '../../src/stats.js';

interface SizedWord {
  text: string;
  bbox: [number, number, number, number];
  line: number;
  turns: 0 | 1 | 2 | 3;
}

/** Heights in em (Helvetica, Times and Courier within a few per cent): x-height, a "t", capitals and ascenders; a descender's depth. */
const X_HEIGHT = 0.52;
const T_HEIGHT = 0.67;
const ASCENDER = 0.72;
const DESCENDER = 0.21;
/** A word without a letter or digit (a bullet, a dash) is about this many em high: the old estimate for a word of unknown letters. */
const UNKNOWN_HEIGHT = 0.72;
/** Line sizes this close (ratio) next to each other are one size... */
const SAME_SIZE_STEP = 1.06;
/** ...as long as the whole run stays within this ratio (noise, not a size of its own). */
const SAME_SIZE_SPAN = 1.15;

const ASCENDS = /[A-Z0-9bdfhkl!?%&@#$/\\|()[\]{}ÀÁÂÄÈÉÊËÌÍÎÏÒÓÔÖÙÚÛÜÇÑß]/u;
const DOTTED = /[ij]/;
const T = /t/;
const DESCENDS = /[gjpqyQ()[\]{}|@ç]/u;
const LETTER = /[\p{L}\p{N}]/u;

/** Each engine line's size in points. */
export function ocrLineSizes(words: SizedWord[]): Map<number, number> {
  const estimates = new Map<number, number[]>();
  for (const w of words) {
    const em = wordSize(w);
    if (em === null) continue;
    const list = estimates.get(w.line);
    if (list) list.push(em);
    else estimates.set(w.line, [em]);
  }
  const sizes = new Map([...estimates].map(([line, list]) => [line, median(list)]));
  // Lines with no word of letters (a lone bullet) are measured as before.
  for (const w of words) if (!sizes.has(w.line)) sizes.set(w.line, across(w) / UNKNOWN_HEIGHT);
  return sameSizes(sizes);
}

/** The word's extent across its baseline (its height, or its width on a page read sideways). */
function across(w: SizedWord): number {
  return w.turns % 2 === 0 ? w.bbox[3] - w.bbox[1] : w.bbox[2] - w.bbox[0];
}

/** The size a word's box implies, or null for a word without letters. */
function wordSize(w: SizedWord): number | null {
  if (!LETTER.test(w.text)) return null;
  const top = ASCENDS.test(w.text) || DOTTED.test(w.text) ? ASCENDER : T.test(w.text) ? T_HEIGHT : X_HEIGHT;
  return across(w) / (top + (DESCENDS.test(w.text) ? DESCENDER : 0));
}

/** Runs of sizes a step apart at most, within a span, each given its median. */
function sameSizes(sizes: Map<number, number>): Map<number, number> {
  const sorted = [...sizes].sort((a, b) => a[1] - b[1]);
  let run: [number, number][] = [];
  const flush = () => {
    const size = median(run.map(([, s]) => s));
    for (const [line] of run) sizes.set(line, size);
    run = [];
  };
  for (const entry of sorted) {
    const [first, last] = [run[0], run.at(-1)];
    if (first && last && (entry[1] > last[1] * SAME_SIZE_STEP || entry[1] > first[1] * SAME_SIZE_SPAN)) flush();
    run.push(entry);
  }
  if (run.length > 0) flush();
  return sizes;
}
