import { median } from '../../src/stats.js';
import { hasField, maxBottom, minTop, overlap, unionAll } from './geometry.js';
import { STRIP_GAP_EM } from './order.js';
import type { Block, Line } from './types.js';

/** A table has at least this many rows whose cells line up. */
const MIN_TABLE_ROWS = 3;
/** Two-column "tables" of long cells are columns of text; tables of two columns must have short cells. */
const MAX_WORDS_PER_CELL_IN_PAIRS = 4;

/**
 * Runs of rows whose lines ("cells") line up in the same columns, three rows or more, become
 * tables. Rows holding form fields stay out (a form's labels and boxes line up too).
 */
export function findTables(rows: Line[][]): { tables: Block[]; rest: Line[] } {
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
