import { onPage, quarterTurns, type Placement } from '../page/placement.js';
import type { OcrText } from './ocr.js';
import type { OcrWord } from './ocr-words.js';

/** TSV's row level of a word (1 page, 2 block, 3 paragraph, 4 line). */
const WORD_LEVEL = '5';
/** TSV's columns, as tesseract's header names them. */
const COLUMNS = ['level', 'page_num', 'block_num', 'par_num', 'line_num', 'word_num', 'left', 'top', 'width', 'height', 'conf', 'text'];

/**
 * The words of tesseract's TSV output, as readWords (ocr-words.ts) takes them from the
 * WebAssembly engine's result iterator: the same boxes (TSV's left/top/width/height are the
 * iterator's word box), confidences and text lines, so layout, forms and Markdown see no
 * difference between the engines.
 */
export function readTsv(tsv: string, placement: Placement): OcrText {
  const rows = tsv.split('\n');
  if (rows[0]?.trim() !== COLUMNS.join('\t')) throw new Error(`tesseract's TSV has an unexpected header: ${rows[0]?.slice(0, 100)}`);
  const words: OcrWord[] = [];
  const turns = quarterTurns(placement[0], placement[1]);
  let line = -1;
  let lineKey = '';
  let confidenceSum = 0;
  for (let i = 1; i < rows.length; i++) {
    const cells = rows[i]!.split('\t');
    if (cells[0] !== WORD_LEVEL || cells.length < COLUMNS.length) continue;
    const key = `${cells[2]}.${cells[3]}.${cells[4]}`;
    if (key !== lineKey) [line, lineKey] = [line + 1, key];
    const text = cells[11]!.trim();
    if (!text) continue;
    const [left, top, width, height, conf] = cells.slice(6, 11).map(Number) as [number, number, number, number, number];
    // MeanTextConf truncates each word's confidence before it averages them.
    confidenceSum += Math.trunc(Math.max(0, conf));
    const confidence = Math.max(0, Math.min(100, Math.round(conf)));
    words.push({ text, bbox: onPage(placement, [left, top, left + width, top + height]), confidence, line, turns });
  }
  // The WebAssembly engine's page confidence is MeanTextConf(): 0 when nothing was read.
  return { confidence: words.length ? Math.floor(confidenceSum / words.length) : 0, words };
}
