/**
 * A page's reading order, from where its words and form fields sit: words into lines, lines
 * into blocks and tables, blocks into columns. Heuristic (no model), the same for text-layer
 * and OCR pages; OCR pages bring the engine's own lines and paragraphs.
 */
import type { Bbox, FormField } from '../../src/protocol.js';
import { fieldText } from '../forms/field-text.js';

export interface Token {
  /** The word; '' for a form field. */
  text: string;
  bbox: Bbox;
  /** Font size in points (text layer) or its estimate from the line height (OCR). */
  size: number;
  confidence?: number;
  field?: FormField;
  /** OCR: the engine's text line, numbered across the page. */
  line?: number;
  /** Quarter turns clockwise of the word's baseline on the displayed page. */
  turns?: 0 | 1 | 2 | 3;
  /** Text layer: set in a face other than the body's (bold, italic; see text-words' emphasisFonts). */
  emphasis?: boolean;
}

export interface Line {
  tokens: Token[];
  bbox: Bbox;
  size: number;
  /** The line as text, form fields as they read inline (see fieldText). */
  text: string;
  /** Every word of it is set in emphasis. */
  emphasis: boolean;
}

export type Block =
  | { kind: 'text'; lines: Line[]; bbox: Bbox; size: number }
  /** Rows of cells, header row first; a cell is null where a row has nothing in that column. */
  | { kind: 'table'; rows: (Line | null)[][]; bbox: Bbox; size: number };

/** A gap wider than this (in em of the larger neighbour) between two words on a line splits the line. */
const SPLIT_GAP_EM = 1.0;
/** Between a run-in heading and its text, a gap this wide (em) is a gutter. */
const RUN_IN_GAP_EM = 1.5;
/** Below this share of a line's height, a short row beside it is its superscript or subscript. */
const SCRIPT_RATIO = 0.85;
/** Lines this close (gap in em) that overlap horizontally and have like sizes form one block. */
const BLOCK_GAP_EM = 0.9;
const BLOCK_SIZE_RATIO = 1.25;
/** Strips of blocks this close (in em) may be parts of the same columns. */
const STRIP_GAP_EM = 2.5;
/** A column gap must be at least this wide (points) to cut a region into columns. */
const MIN_GUTTER = 6;
/** A table has at least this many rows whose cells line up. */
const MIN_TABLE_ROWS = 3;
/** Two-column "tables" of long cells are columns of text; tables of two columns must have short cells. */
const MAX_WORDS_PER_CELL_IN_PAIRS = 4;
/** A field this far (points) from any line's words, on its height, gets a line of its own. */
const MAX_FIELD_REACH = 150;

/**
 * The page's blocks in reading order. `tokens` are words; OCR words carry their engine line,
 * which is kept. The engine's paragraphs are not: on a form it makes one paragraph of a column
 * of labels and others of their answers, which then read apart (measured on the scanned form).
 */
export function layoutPage(tokens: Token[], fields: FormField[]): Block[] {
  const turns = dominantTurns(tokens);
  if (turns === 0) return layoutUpright(tokens, fields);
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
  const blocks = layoutUpright(turned, turnedFields);
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

function layoutUpright(tokens: Token[], fields: FormField[]): Block[] {
  const fieldTokens = fields.map((field): Token => ({ text: '', bbox: field.bbox, size: height(field.bbox), field }));
  const engine = tokens.length > 0 && tokens.every((t) => t.line !== undefined);
  const rows = engine ? engineRows(tokens, fieldTokens) : geometricRows(tokens, fieldTokens);
  const { tables, rest } = findTables(rows);
  return order([...tables, ...lineBlocks(joinRunIns(rest))]);
}

// ---------------------------------------------------------------- lines

/**
 * Rows of lines (fragments of one baseline, split at wide gaps), top to bottom. The per-word
 * loops here and below index their arrays and grow them by index: a fresh child runs this code
 * unoptimized for much of a document, where iterator steps and map's closures allocate per word.
 */
function geometricRows(words: Token[], fields: Token[]): Line[][] {
  const rows = rowsByMiddle(words);
  joinScripts(rows);
  placeFields(rows, fields);
  rows.sort((a, b) => a.cy - b.cy);
  return rows.map((row) => splitRow(row.tokens.sort((a, b) => a.bbox[0] - b.bbox[0])));
}

interface Row {
  tokens: Token[];
  /** The middle of its words, and the least of their heights. */
  cy: number;
  h: number;
}

/**
 * Words into rows by their middles, top to bottom: the one loop here that runs per word, kept
 * apart from the per-row steps after it, so that what V8 compiles for it is small (measured with
 * --trace-opt: geometricRows compiled whole took 19-24 ms of TurboFan on pdkids.pdf).
 */
function rowsByMiddle(words: Token[]): Row[] {
  const cys = new Float64Array(words.length);
  const byY = new Array<number>(words.length);
  for (let i = 0; i < words.length; i++) {
    const b = words[i]!.bbox;
    cys[i] = (b[1] + b[3]) / 2;
    byY[i] = i;
  }
  byY.sort((i, j) => cys[i]! - cys[j]!);
  const rows: Row[] = [];
  let row: Row | undefined;
  for (let n = 0; n < byY.length; n++) {
    const i = byY[n]!;
    const word = words[i]!;
    const cy = cys[i]!;
    const h = word.bbox[3] - word.bbox[1];
    if (row && Math.abs(cy - row.cy) <= 0.5 * Math.min(h, row.h)) {
      const tokens = row.tokens;
      tokens[tokens.length] = word;
      row.cy += (cy - row.cy) / tokens.length;
      row.h = Math.min(row.h, h);
    } else {
      row = { tokens: [word], cy, h };
      rows[rows.length] = row;
    }
  }
  return rows;
}

/** Superscripts and subscripts (smaller, off the baseline) join the row whose height they sit in. */
function joinScripts(rows: Row[]): void {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    const host = [rows[i - 1], rows[i + 1]].find(
      (r) => r && row.h < SCRIPT_RATIO * r.h && Math.abs(row.cy - r.cy) < 0.6 * r.h && !row.tokens.some((t) => t.text.length > 3),
    );
    if (host) {
      host.tokens.push(...row.tokens);
      rows.splice(i, 1);
    }
  }
}

/** A field joins the row whose middle it spans (a tall list box spans its label's line). */
function placeFields(rows: Row[], fields: Token[]): void {
  for (const field of fields) {
    const cy = centerY(field.bbox);
    let best: Row | undefined;
    for (const row of rows) {
      if (row.cy < field.bbox[1] - 2 || row.cy > field.bbox[3] + 2) continue;
      if (!best || Math.abs(row.cy - cy) < Math.abs(best.cy - cy)) best = row;
    }
    if (best) best.tokens.push(field);
    else rows.push({ tokens: [field], cy, h: height(field.bbox) });
  }
}

/** A row's tokens, left to right, cut into lines at wide gaps; a gap beside a field never cuts (a label and its box). */
function splitRow(tokens: Token[]): Line[] {
  const lines: Line[] = [];
  let current: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const last = current.length > 0 ? current[current.length - 1]! : undefined;
    if (last && !last.field && !token.field && token.bbox[0] - last.bbox[2] > SPLIT_GAP_EM * Math.max(last.size, token.size)) {
      lines[lines.length] = makeLine(current);
      current = [];
    }
    current[current.length] = token;
  }
  if (current.length > 0) lines[lines.length] = makeLine(current);
  return lines;
}

/**
 * A heading run into the first line of its paragraph ("Categories and Subject Descriptors D.3.4
 * …" in tracemonkey.pdf, "Table 1. HPO performed …" in 2305.03393v1-pg9.pdf) is one line with
 * it when no gutter parts them: as a line in emphasis it would be a block of its own, read after
 * the paragraph its text joins. `lines` are rows' lines left to right, after the tables (whose
 * first column in bold lines up the same way) were taken out.
 */
function joinRunIns(lines: Line[]): Line[] {
  const joined: Line[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1];
    const gap = next ? next.bbox[0] - line.bbox[2] : Infinity;
    if (next && sameRow(line.bbox, next.bbox) && line.emphasis && !next.emphasis && gap >= 0 && gap < RUN_IN_GAP_EM * Math.max(line.size, next.size)) {
      joined.push(makeLine([...line.tokens, ...next.tokens]));
      i++;
    } else joined.push(line);
  }
  return joined;
}

/** The engine's lines, grouped into rows by height; fields join the nearest line on their height. */
function engineRows(words: Token[], fields: Token[]): Line[][] {
  const byLine = new Map<number, Token[]>();
  for (const word of words) {
    const list = byLine.get(word.line!);
    if (list) list.push(word);
    else byLine.set(word.line!, [word]);
  }
  const lines = [...byLine.values()].map(makeLine);
  for (const field of fields) {
    let best: Line | undefined;
    let bestGap = MAX_FIELD_REACH;
    for (const line of lines) {
      const cy = centerY(line.bbox);
      if (cy < field.bbox[1] - 2 || cy > field.bbox[3] + 2) continue;
      const gap = Math.max(0, field.bbox[0] - line.bbox[2], line.bbox[0] - field.bbox[2]);
      if (gap <= bestGap) [best, bestGap] = [line, gap];
    }
    if (best) {
      best.tokens.push(field);
      best.tokens.sort((a, b) => a.bbox[0] - b.bbox[0]);
      Object.assign(best, makeLine(best.tokens));
    } else lines.push(makeLine([field]));
  }
  lines.sort((a, b) => centerY(a.bbox) - centerY(b.bbox));
  const rows: Line[][] = [];
  for (const line of lines) {
    const row = rows.at(-1);
    const first = row?.[0];
    if (row && first && sameRow(line.bbox, first.bbox)) row.push(line);
    else rows.push([line]);
  }
  for (const row of rows) row.sort((a, b) => a.bbox[0] - b.bbox[0]);
  return rows;
}

function makeLine(tokens: Token[]): Line {
  const bbox: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  let min = Infinity;
  let max = -Infinity;
  let text = '';
  let emphasis = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    grow(bbox, t.bbox);
    if (!t.field && !t.emphasis) emphasis = false;
    const inline = t.field ? fieldText(t.field) : t.text;
    if (inline) text = text ? `${text} ${inline}` : inline;
    if (t.field) continue;
    min = Math.min(min, t.size);
    max = Math.max(max, t.size);
  }
  // Most lines are set in one size; the median is only needed when they are not.
  const size = min === Infinity ? height(tokens[0]!.bbox) : min === max ? min : median(tokens.filter((t) => !t.field).map((t) => t.size));
  return { tokens, bbox, size, text, emphasis: emphasis && min !== Infinity };
}

// ---------------------------------------------------------------- tables

/**
 * Runs of rows whose lines ("cells") line up in the same columns, three rows or more, become
 * tables. Rows holding form fields stay out (a form's labels and boxes line up too).
 */
function findTables(rows: Line[][]): { tables: Block[]; rest: Line[] } {
  const tables: Block[] = [];
  const rest: Line[] = [];
  let i = 0;
  while (i < rows.length) {
    const run = tableRun(rows, i);
    if (run?.table) tables.push(run.table);
    else {
      // Rows that line up but are no table (columns of prose) cannot start one either: a page of
      // two columns would otherwise be tried from every row (measured: quadratic on tracemonkey).
      for (let j = i; j < (run?.end ?? i + 1); j++) rest.push(...rows[j]!);
    }
    i = run?.end ?? i + 1;
  }
  return { tables, rest };
}

/** The run of aligned rows from `start` and the table it makes (null when it makes none), or null when no run starts there. */
function tableRun(rows: Line[][], start: number): { table: Block | null; end: number } | null {
  const first = rows[start]!;
  if (first.length < 2 || hasField(first)) return null;
  const columns = first.map((line) => [line.bbox[0], line.bbox[2]] as [number, number]);
  const grid: (Line | null)[][] = [first];
  let end = start + 1;
  for (; end < rows.length; end++) {
    const row = rows[end]!;
    const previous = rows[end - 1]!;
    if (row.length < 2 || hasField(row)) break;
    const gap = minTop(row) - maxBottom(previous);
    if (gap > STRIP_GAP_EM * Math.max(row[0]!.size, previous[0]!.size)) break;
    const cells = assignColumns(row, columns);
    if (!cells) break;
    grid.push(cells);
    cells.forEach((cell, j) => {
      if (cell) columns[j] = [Math.min(columns[j]![0], cell.bbox[0]), Math.max(columns[j]![1], cell.bbox[2])];
    });
  }
  if (grid.length < MIN_TABLE_ROWS) return null;
  const lines = grid.flat().filter((c): c is Line => c !== null);
  if (columns.length === 2) {
    const words = lines.reduce((sum, c) => sum + c.tokens.length, 0);
    if (words / lines.length > MAX_WORDS_PER_CELL_IN_PAIRS) return { table: null, end };
  }
  return { table: { kind: 'table', rows: grid, bbox: unionAll(lines.map((l) => l.bbox)), size: median(lines.map((l) => l.size)) }, end };
}

/** Each line of the row in the one column it overlaps, or null if a line fits none or two share one. */
function assignColumns(row: Line[], columns: [number, number][]): (Line | null)[] | null {
  const cells: (Line | null)[] = columns.map(() => null);
  for (const line of row) {
    const hits = columns.map((c, j) => (overlap(c, [line.bbox[0], line.bbox[2]]) > 0 ? j : -1)).filter((j) => j >= 0);
    if (hits.length !== 1 || cells[hits[0]!]) return null;
    cells[hits[0]!] = line;
  }
  return cells.filter(Boolean).length >= 2 ? cells : null;
}

// ---------------------------------------------------------------- blocks

/** Lines into blocks: a line joins the block just above it when close, overlapping and of like size. */
function lineBlocks(lines: Line[]): Block[] {
  const sorted = [...lines].sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
  const blocks: { lines: Line[]; bbox: Bbox }[] = [];
  /** Blocks whose last line may still be close enough above the lines to come (sorted by top). */
  const open: (typeof blocks)[number][] = [];
  for (const line of sorted) {
    let best: (typeof blocks)[number] | undefined;
    let bestGap = Infinity;
    // Lines come by their tops: a block this far above is out of reach of every line to come.
    // (Dropped in place: a filter's closure and new array per line cost more than the rest.)
    let kept = 0;
    for (let i = 0; i < open.length; i++) {
      const block = open[i]!;
      const last = block.lines[block.lines.length - 1]!;
      if (line.bbox[1] - last.bbox[3] <= BLOCK_GAP_EM * BLOCK_SIZE_RATIO * last.size) open[kept++] = block;
    }
    open.length = kept;
    for (const block of open) {
      const last = block.lines.at(-1)!;
      const gap = line.bbox[1] - last.bbox[3];
      const size = Math.max(line.size, last.size);
      if (gap < -0.5 * size || gap > BLOCK_GAP_EM * size) continue;
      if (Math.max(line.size, last.size) / Math.min(line.size, last.size) > BLOCK_SIZE_RATIO) continue;
      // A line in emphasis above or below plain ones is a heading of its own.
      if (line.emphasis !== last.emphasis) continue;
      if (overlap([line.bbox[0], line.bbox[2]], [block.bbox[0], block.bbox[2]]) <= 0) continue;
      if (gap < bestGap) [best, bestGap] = [block, gap];
    }
    if (best) {
      best.lines.push(line);
      grow(best.bbox, line.bbox);
    } else {
      const block = { lines: [line], bbox: [...line.bbox] as Bbox };
      blocks.push(block);
      open.push(block);
    }
  }
  return blocks.map((b) => textBlock(b.lines));
}

function textBlock(lines: Line[]): Block {
  return { kind: 'text', lines, bbox: unionAll(lines.map((l) => l.bbox)), size: median(lines.map((l) => l.size)) };
}

// ---------------------------------------------------------------- order

/**
 * Recursive cuts: a region is cut across into strips (bands of blocks with nothing between them),
 * except that neighbouring strips whose blocks leave a common gutter (columns continuing past a
 * paragraph break) stay together; a strip that cannot be cut across is cut into columns, left to
 * right. A header or footer that spans the gutter is a strip of its own and stays in place.
 */
function order(blocks: Block[]): Block[] {
  if (blocks.length <= 1) return blocks;
  const strips = mergeColumnStrips(horizontalStrips(blocks));
  if (strips.length > 1) return strips.flatMap(order);
  const columns = verticalCuts(blocks);
  if (columns.length > 1) return columns.flatMap(order);
  return [...blocks].sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
}

function horizontalStrips(blocks: Block[]): Block[][] {
  const sorted = [...blocks].sort((a, b) => a.bbox[1] - b.bbox[1]);
  const strips: { blocks: Block[]; bottom: number }[] = [];
  for (const block of sorted) {
    const strip = strips.at(-1);
    if (strip && block.bbox[1] < strip.bottom) {
      strip.blocks.push(block);
      strip.bottom = Math.max(strip.bottom, block.bbox[3]);
    } else strips.push({ blocks: [block], bottom: block.bbox[3] });
  }
  return strips.map((s) => s.blocks);
}

function mergeColumnStrips(strips: Block[][]): Block[][] {
  const merged: Block[][] = [];
  for (const strip of strips) {
    const previous = merged.at(-1);
    if (previous && close(previous, strip) && hasParagraph([...previous, ...strip]) && verticalCuts([...previous, ...strip]).length > 1) previous.push(...strip);
    else merged.push([...strip]);
  }
  return merged;
}

/**
 * Columns of text have paragraphs of several lines; rows of one-line blocks side by side (a
 * form's labels and answers) are read row by row.
 */
function hasParagraph(blocks: Block[]): boolean {
  return blocks.some((b) => b.kind === 'text' && b.lines.length > 1);
}

/**
 * A strip continues the columns above when one of its blocks sits close under a block above it.
 * Closeness to the strip above as a whole is not enough: figure labels far below a column's end,
 * beside other labels just under the other column's, joined the columns and read between a
 * sentence's halves (amt_handbook_sample.pdf: "… The wing type that is / Boots aircraft nut /
 * the most common ranges …").
 */
function close(upper: Block[], lower: Block[]): boolean {
  return lower.some((b) =>
    upper.some((a) => {
      const gap = b.bbox[1] - a.bbox[3];
      return gap <= STRIP_GAP_EM * Math.min(a.size, b.size) && overlap([a.bbox[0], a.bbox[2]], [b.bbox[0], b.bbox[2]]) > 0;
    }),
  );
}

/** The blocks in groups separated by vertical gaps (gutters), left to right. */
function verticalCuts(blocks: Block[]): Block[][] {
  const sorted = [...blocks].sort((a, b) => a.bbox[0] - b.bbox[0]);
  const groups: { blocks: Block[]; right: number }[] = [];
  for (const block of sorted) {
    const group = groups.at(-1);
    if (group && block.bbox[0] < group.right + MIN_GUTTER) {
      group.blocks.push(block);
      group.right = Math.max(group.right, block.bbox[2]);
    } else groups.push({ blocks: [block], right: block.bbox[2] });
  }
  return groups.map((g) => g.blocks);
}

// ---------------------------------------------------------------- geometry

export function hasField(row: Line[]): boolean {
  return row.some((line) => line.tokens.some((t) => t.field));
}
function minTop(row: Line[]): number {
  return Math.min(...row.map((l) => l.bbox[1]));
}
function maxBottom(row: Line[]): number {
  return Math.max(...row.map((l) => l.bbox[3]));
}
/** Two boxes on one row: their middles closer than half the lower one's height. */
function sameRow(a: Bbox, b: Bbox): boolean {
  return Math.abs(centerY(a) - centerY(b)) <= 0.5 * Math.min(height(a), height(b));
}
function centerY(b: Bbox): number {
  return (b[1] + b[3]) / 2;
}
function height(b: Bbox): number {
  return b[3] - b[1];
}
function overlap(a: [number, number], b: [number, number]): number {
  return Math.min(a[1], b[1]) - Math.max(a[0], b[0]);
}
/** Widens `box` to take in `other` (in place: boxes are grown a great many times a page). */
function grow(box: Bbox, other: Bbox): void {
  if (other[0] < box[0]) box[0] = other[0];
  if (other[1] < box[1]) box[1] = other[1];
  if (other[2] > box[2]) box[2] = other[2];
  if (other[3] > box[3]) box[3] = other[3];
}
function unionAll(boxes: Bbox[]): Bbox {
  const box: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of boxes) grow(box, b);
  return box;
}
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
