/**
 * The native OCR engine's TSV read into the words the WebAssembly engine's iterator gives
 * (test/native-engine.test.ts compares the two engines on real scans through the real child).
 */
import { describe, expect, it } from 'vitest';
import { placedAt } from '../../workers/page/placement.js';
import { readTsv } from '../../workers/ocr/tsv.js';

const HEADER = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';

/** tesseract 5.3's rows for two lines of one paragraph and a line in a second block, a blank word, a trailing newline. */
const TSV = [
  HEADER,
  '1\t1\t0\t0\t0\t0\t0\t0\t1700\t2200\t-1\t',
  '2\t1\t1\t0\t0\t0\t100\t200\t800\t120\t-1\t',
  '3\t1\t1\t1\t0\t0\t100\t200\t800\t120\t-1\t',
  '4\t1\t1\t1\t1\t0\t100\t200\t800\t50\t-1\t',
  '5\t1\t1\t1\t1\t1\t100\t200\t300\t50\t96.532104\tHello',
  '5\t1\t1\t1\t1\t2\t420\t200\t480\t50\t91.1\tworld,',
  '4\t1\t1\t1\t2\t0\t100\t270\t500\t50\t-1\t',
  '5\t1\t1\t1\t2\t1\t100\t270\t500\t50\t40.9\tagain',
  '5\t1\t1\t1\t2\t2\t620\t270\t10\t50\t12\t ',
  '2\t1\t2\t0\t0\t0\t100\t900\t200\t40\t-1\t',
  '3\t1\t2\t1\t0\t0\t100\t900\t200\t40\t-1\t',
  '4\t1\t2\t1\t1\t0\t100\t900\t200\t40\t-1\t',
  '5\t1\t2\t1\t1\t1\t100\t900\t200\t40\t100\t§3',
  '',
].join('\n');

describe("the native engine's TSV", () => {
  it('gives each word its box on the page, confidence and text line, and the page MeanTextConf would', () => {
    // 200-dpi pixels, the image's top-left edge 10 pt right of the page's.
    const read = readTsv(TSV, placedAt(10, 0, 72 / 200, 72 / 200));
    expect(read.words.map((w) => [w.text, w.line, w.confidence, w.turns])).toEqual([
      ['Hello', 0, 97, 0],
      ['world,', 0, 91, 0],
      ['again', 1, 41, 0],
      ['§3', 2, 100, 0],
    ]);
    const [left, top, right, bottom] = read.words[0]!.bbox;
    expect([left, top, right, bottom].map((v) => Math.round(v * 100) / 100)).toEqual([46, 72, 154, 90]);
    // The truncated word confidences' mean, as MeanTextConf: (96 + 91 + 40 + 100) / 4, rounded down.
    expect(read.confidence).toBe(81);
  });

  it('reads a page with no words as confidence 0, and refuses output that is not its TSV', () => {
    expect(readTsv(`${HEADER}\n1\t1\t0\t0\t0\t0\t0\t0\t1700\t2200\t-1\t\n`, placedAt(0, 0, 1, 1))).toEqual({ confidence: 0, words: [] });
    expect(() => readTsv('Hello world\n', placedAt(0, 0, 1, 1))).toThrow(/unexpected header/);
  });

  it('turns the words of a sideways image onto the page', () => {
    // The image was turned a quarter clockwise before OCR: its x axis runs down the page.
    const sideways: [number, number, number, number, number, number] = [0, 1, -1, 0, 500, 0];
    const [word] = readTsv(`${HEADER}\n5\t1\t1\t1\t1\t1\t10\t20\t100\t30\t90\tup\n`, sideways).words;
    expect(word).toMatchObject({ text: 'up', turns: 1, bbox: [450, 10, 480, 110] });
  });
});
