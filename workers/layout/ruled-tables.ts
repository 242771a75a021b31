/**
 * Ruled tables (a scan's grid, see image/ruled-grid.ts) filled with the words read inside them:
 * a word goes to the cell its middle falls in, so a cell's words stay in their cell even where
 * the engine read a row of cells as one line (or a header row as a line of its own, larger).
 */
import { median } from '../../src/stats.js';
import type { RuledGrid, Segment } from '../image/ruled-grid.js';
import { grow, unionAll } from './geometry.js';
import { makeLine } from './lines.js';
import type { Block, Line, Token } from './types.js';

/** A grid is a table when at least this many of its cells hold words (else its words read as text). */
const MIN_FILLED_CELLS = 2;

/** The grids that hold words as table blocks, and the tokens no table took. */
export function ruledTables(tokens: Token[], grids: RuledGrid[]): { tables: Block[]; rest: Token[] } {
  if (grids.length === 0) return { tables: [], rest: tokens };
  const cells = grids.map((g) => g.rows.slice(1).map(() => g.columns.slice(1).map((): Token[] => [])));
  const placed = new Map<Token, number>();
  for (const token of tokens) {
    if (token.field) continue;
    const x = (token.bbox[0] + token.bbox[2]) / 2;
    const y = (token.bbox[1] + token.bbox[3]) / 2;
    grids.some((grid, g) => {
      const row = between(grid.rows, x, y, 'across');
      const column = row < 0 ? -1 : between(grid.columns, x, y, 'down');
      if (column < 0) return false;
      cells[g]![row]![column]!.push(token);
      placed.set(token, g);
      return true;
    });
  }
  const tables: Block[] = [];
  const kept = new Set<number>();
  grids.forEach((grid, g) => {
    const filled = cells[g]!.flat().filter((c) => c.length > 0).length;
    if (filled < MIN_FILLED_CELLS) return;
    kept.add(g);
    tables.push(tableBlock(grid, cells[g]!));
  });
  return { tables, rest: tokens.filter((t) => !kept.has(placed.get(t) ?? -1)) };
}

/**
 * The index of the band between two consecutive rules that (x, y) lies in, or -1 outside the
 * rules. `across`: rules across, sorted top to bottom, compared at x; `down`: left to right, at y.
 */
function between(rules: Segment[], x: number, y: number, direction: 'across' | 'down'): number {
  const [u, v] = direction === 'across' ? [x, y] : [y, x];
  let band = -1;
  for (const rule of rules) {
    if (v < along(rule, u, direction)) break;
    band++;
  }
  return band === rules.length - 1 ? -1 : band;
}

/** The rule's y at x (across) or its x at y (down). */
function along(rule: Segment, u: number, direction: 'across' | 'down'): number {
  const [x0, y0, x1, y1] = rule;
  if (direction === 'across') return x1 === x0 ? y0 : y0 + ((y1 - y0) * (u - x0)) / (x1 - x0);
  return y1 === y0 ? x0 : x0 + ((x1 - x0) * (u - y0)) / (y1 - y0);
}

/**
 * A speck's share of its cell's words' height, at most: a scan's dust (up to 2 pt) read as a
 * one-letter word beside a cell's words ("Item ." on control-2's scan, "North side e" on
 * control-3's) is under 0.3 of a 10-pt word's height; a letter standing alone is at least its x-height,
 * about half a word's height with capitals.
 */
const SPECK_SHARE = 0.4;

/** One-character words no taller or wider than a speck of the cell's other words' height. */
function withoutSpecks(tokens: Token[]): Token[] {
  const height = (t: Token) => t.bbox[3] - t.bbox[1];
  const words = tokens.filter((t) => t.text.length > 1);
  if (words.length === 0) return tokens;
  const limit = SPECK_SHARE * median(words.map(height));
  return tokens.filter((t) => t.text.length > 1 || height(t) >= limit || t.bbox[2] - t.bbox[0] >= limit);
}

/** A cell's words in reading order (the engine's lines, each left to right) as one line. */
function cellLine(cell: Token[]): Line | null {
  const tokens = withoutSpecks(cell);
  if (tokens.length === 0) return null;
  const sorted = [...tokens].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.bbox[0] - b.bbox[0]);
  return makeLine(sorted);
}

function tableBlock(grid: RuledGrid, cells: Token[][][]): Block {
  const rows = cells.map((row) => row.map(cellLine));
  const lines = rows.flat().filter((l): l is Line => l !== null);
  const bbox = unionAll(lines.map((l) => l.bbox));
  for (const [x0, y0, x1, y1] of [...grid.rows, ...grid.columns]) grow(bbox, [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)]);
  return { kind: 'table', rows, bbox, size: median(lines.map((l) => l.size)) };
}

/**
 * A grid moved into another frame of the page by `map` (a point's map; the layout reads turned
 * text in the frame where it runs left to right): its rules across are those that run across
 * there, sorted top to bottom, each drawn left to right; its rules down likewise.
 */
export function gridInFrame(grid: RuledGrid, map: (x: number, y: number) => [number, number]): RuledGrid {
  const moved = (s: Segment): Segment => [...map(s[0], s[1]), ...map(s[2], s[3])];
  const [a, b] = [grid.rows.map(moved), grid.columns.map(moved)];
  const runsAcross = (s: Segment) => Math.abs(s[2] - s[0]) > Math.abs(s[3] - s[1]);
  const [across, down] = a.every(runsAcross) ? [a, b] : [b, a];
  const forward = (s: Segment, i: 0 | 1): Segment => (s[i + 2]! < s[i]! ? [s[2], s[3], s[0], s[1]] : s);
  return {
    rows: across.map((s) => forward(s, 0)).sort((p, q) => p[1] + p[3] - (q[1] + q[3])),
    columns: down.map((s) => forward(s, 1)).sort((p, q) => p[0] + p[2] - (q[0] + q[2])),
  };
}
