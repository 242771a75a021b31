/**
 * A page's reading order, from where its words and form fields sit: words into lines, lines
 * into blocks and tables, blocks into columns. Heuristic (no model), the same for text-layer
 * and OCR pages; OCR pages bring the engine's own lines and paragraphs.
 */
import type { Bbox, FormField } from '../../src/protocol.js';
import type { RuledGrid } from '../image/ruled-grid.js';
import { lineBlocks } from './blocks.js';
import { height } from './geometry.js';
import { engineRows, geometricRows, joinRunIns } from './lines.js';
import { order } from './order.js';
import { gridInFrame, ruledTables } from './ruled-tables.js';
import { findTables } from './tables.js';
import type { Block, Line, Token } from './types.js';

/**
 * The page's blocks in reading order. `tokens` are words; OCR words carry their engine line,
 * which is kept. The engine's paragraphs are not: on a form it makes one paragraph of a column
 * of labels and others of their answers, which then read apart (measured on the scanned form).
 * `grids` are a scan's ruled tables (image/ruled-grid.ts): the words inside one are its cells.
 */
export function layoutPage(tokens: Token[], fields: FormField[], grids: RuledGrid[] = []): Block[] {
  const turns = dominantTurns(tokens);
  if (turns === 0) return layoutUpright(tokens, fields, grids);
  // Text that runs down, up or upside down on the page is laid out in its own frame, where it
  // runs left to right; the words keep their boxes on the page.
  const original = new Map<Token, Token>();
  const turned = tokens.map((t) => {
    const copy = { ...t, bbox: unturn(t.bbox, turns) };
    original.set(copy, t);
    return copy;
  });
  const fieldOf = new Map<FormField, FormField>();
  const turnedFields = fields.map((f) => {
    const copy = { ...f, bbox: unturn(f.bbox, turns) };
    fieldOf.set(copy, f);
    return copy;
  });
  const turnedGrids = grids.map((g) => gridInFrame(g, (x, y) => unturn([x, y, x, y], turns).slice(0, 2) as [number, number]));
  const blocks = layoutUpright(turned, turnedFields, turnedGrids);
  const back = (line: Line | null) => {
    if (line) line.tokens = line.tokens.map((t) => original.get(t) ?? (t.field ? { ...t, field: fieldOf.get(t.field)! } : t));
  };
  for (const block of blocks) (block.kind === 'text' ? block.lines : block.rows.flat()).forEach(back);
  return blocks;
}

/** The quarter turn most of the page's text (by characters) runs at. */
function dominantTurns(tokens: Token[]): 0 | 1 | 2 | 3 {
  const weight = [0, 0, 0, 0];
  for (let i = 0; i < tokens.length; i++) weight[tokens[i]!.turns ?? 0]! += tokens[i]!.text.length;
  return weight.indexOf(Math.max(...weight)) as 0 | 1 | 2 | 3;
}

/** A page box in the frame where text at `turns` quarter turns runs left to right. */
function unturn(b: Bbox, turns: 1 | 2 | 3): Bbox {
  const map = ([x, y]: [number, number]): [number, number] => (turns === 1 ? [y, -x] : turns === 2 ? [-x, -y] : [-y, x]);
  const [p, q] = [map([b[0], b[1]]), map([b[2], b[3]])];
  return [Math.min(p[0], q[0]), Math.min(p[1], q[1]), Math.max(p[0], q[0]), Math.max(p[1], q[1])];
}

function layoutUpright(tokens: Token[], fields: FormField[], grids: RuledGrid[]): Block[] {
  const fieldTokens = fields.map((field): Token => ({ text: '', bbox: field.bbox, size: height(field.bbox), field }));
  const engine = tokens.length > 0 && tokens.every((t) => t.line !== undefined);
  const ruled = ruledTables(tokens, grids);
  const rows = engine ? engineRows(ruled.rest, fieldTokens) : geometricRows(ruled.rest, fieldTokens);
  const { tables, rest } = findTables(rows);
  return order([...ruled.tables, ...tables, ...lineBlocks(joinRunIns(rest))]);
}
