/**
 * Type sizes of OCR lines, from their words' boxes: the median height of a line's words, in em
 * of a word of unknown letters. That spreads lines of one size apart (report-2's scan: its three
 * 14-pt headings at 16-19 pt, which the Markdown's heading levels, 6 % apart, split): a word's
 * box is as tall as its letters reach ("Next", a capital without descender, is 0.72 em,
 * "Findings" 0.93 em, "was" 0.52 em). So lines are also measured word by word against the
 * letters each has (the three headings then at 13.5-14.4 pt), and lines that measure alike are
 * given one size: the median of their first measures, which the Markdown's heading ratios were
 * set on (measuring by letters alone lost cardinal.pdf's subheads "Creating a Song", "Editing").
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
/** A word of unknown letters is about this many em high, halfway between x-height and descender words (measured: median 0.7-0.75). */
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
  const byLetters = new Map<number, number[]>();
  const byHeight = new Map<number, number[]>();
  for (const w of words) {
    push(byHeight, w.line, across(w) / UNKNOWN_HEIGHT);
    const em = wordSize(w);
    if (em !== null) push(byLetters, w.line, em);
  }
  const first = new Map([...byHeight].map(([line, list]) => [line, median(list)]));
  // Lines with no word of letters (a lone bullet) are measured by height alone.
  const measured = new Map([...first].map(([line, size]) => [line, byLetters.has(line) ? median(byLetters.get(line)!) : size]));
  return sameSizes(measured, first);
}

function push(map: Map<number, number[]>, line: number, value: number): void {
  const list = map.get(line);
  if (list) list.push(value);
  else map.set(line, [value]);
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

/** Lines in runs of `measured` sizes a step apart at most, within a span, each run given the median of its `first` sizes. */
function sameSizes(measured: Map<number, number>, first: Map<number, number>): Map<number, number> {
  const sorted = [...measured].sort((a, b) => a[1] - b[1]);
  const sizes = new Map<number, number>();
  let run: [number, number][] = [];
  const flush = () => {
    const size = median(run.map(([line]) => first.get(line)!));
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
