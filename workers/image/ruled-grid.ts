/**
 * Ruled tables from the rules ruled-lines.ts finds: the runs of a rule (a skewed scan draws a
 * rule as a staircase of runs) joined into straight lines, the rules and the sides that end on
 * them joined into grids. A grid of at least 2 × 2 cells is a table; a lone box, a row of boxes
 * or an underline is not. The grid is handed on in page points, for the layout to put the
 * words read inside it into its cells.
 */
import { onPage, type Placement } from '../page/placement.js';
import type { GrayImage } from './pixels.js';

/** A run of ink along one pixel row (horizontal) or column (vertical): at `at`, from `from` up to `to` (exclusive). */
export interface Run {
  at: number;
  from: number;
  to: number;
}

/** A straight segment `[x0, y0, x1, y1]` on the page, in points from its top-left corner. */
export type Segment = [number, number, number, number];

/**
 * A ruled table on the page: its rules across, top to bottom, and its rules down, left to right
 * (each as drawn, so a little aslant on a skewed scan). Row i lies between `rows[i]` and
 * `rows[i + 1]`, column j between `columns[j]` and `columns[j + 1]`.
 */
export interface RuledGrid {
  rows: Segment[];
  columns: Segment[];
}

/** A rule fitted to its runs: the run direction's coordinate u from `from` to `to`, the other one v = v0 + slope · u; `width` its ink's width across. */
interface Rule {
  from: number;
  to: number;
  v0: number;
  slope: number;
  width: number;
}

/** A ruled table in the image's pixels. */
export interface PixelGrid {
  rows: Rule[];
  columns: Rule[];
}

/** A table needs this many rules each way (2 cells). */
const MIN_RULES = 3;
/** A rule across the table reaches within this share of the table's width of both its ends. */
const FULL_RULE_SHARE = 0.05;

/**
 * The ruled tables the rules and sides make, in pixels. `thickness` is the thickest a rule is
 * (pixels); `across` are the horizontal rules' runs, `down` the vertical ones'.
 */
export function ruledGrids(across: Run[], down: Run[], thickness: number): PixelGrid[] {
  const rules = fitRules(across, thickness);
  const sides = fitRules(down, thickness);
  if (rules.length < MIN_RULES || sides.length < MIN_RULES) return [];
  const reach = thickness + 2;
  const grids: PixelGrid[] = [];
  for (const group of touchingGroups(rules, sides, reach)) {
    const grid = gridOf(group.rules, group.sides, reach);
    if (grid) grids.push(grid);
  }
  return grids;
}

/**
 * Erases a table's rules along their fitted lines: on a skewed or blurred scan the run-by-run
 * erasing (ruled-lines.ts) leaves steps of each rule and its column rules whole, which the engine
 * reads as letters or takes the next word with (the header "Action" of report-1's scan was lost).
 * Where ink runs on past the rule's band (a letter crossing it), the rule stays.
 */
export function eraseGrid(image: GrayImage, grid: PixelGrid, ink: number): void {
  const { pixels, width, height } = image;
  const paper = (x: number, y: number) => x < 0 || y < 0 || x >= width || y >= height || pixels[y * width + x]! >= ink;
  const clear = (x: number, y: number) => {
    if (x >= 0 && y >= 0 && x < width && y < height) pixels[y * width + x] = 255;
  };
  for (const [rules, across] of [[grid.rows, true], [grid.columns, false]] as const) {
    for (const rule of rules) {
      const half = Math.ceil(rule.width / 2) + 1;
      for (let u = Math.max(0, Math.floor(rule.from)); u < Math.ceil(rule.to); u++) {
        const v = Math.round(at(rule, u));
        const outside = across ? paper(u, v - half - 1) && paper(u, v + half + 1) : paper(v - half - 1, u) && paper(v + half + 1, u);
        if (!outside) continue;
        for (let k = -half; k <= half; k++) (across ? clear(u, v + k) : clear(v + k, u));
      }
    }
  }
}

/** Runs joined into rules (runs on neighbouring lines that overlap or touch), each fitted to a straight line; thick ones (bars, letters) left out. */
function fitRules(runs: Run[], thickness: number): Rule[] {
  const parent = runs.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const sorted = runs.map((_, i) => i).sort((i, j) => runs[i]!.at - runs[j]!.at || runs[i]!.from - runs[j]!.from);
  // Runs of the line before, still open to joins (sorted by line, so a window suffices).
  let start = 0;
  for (let n = 0; n < sorted.length; n++) {
    const r = runs[sorted[n]!]!;
    while (runs[sorted[start]!]!.at < r.at - 1) start++;
    for (let m = start; m < n; m++) {
      const q = runs[sorted[m]!]!;
      if (q.at === r.at - 1 && q.from <= r.to + 1 && r.from <= q.to + 1) parent[root(sorted[m]!)] = root(sorted[n]!);
    }
  }
  const groups = new Map<number, Run[]>();
  runs.forEach((run, i) => {
    const list = groups.get(root(i));
    if (list) list.push(run);
    else groups.set(root(i), [run]);
  });
  const rules: Rule[] = [];
  for (const group of groups.values()) {
    const rule = fitLine(group, ink(group));
    if (rule.width <= thickness + 1) rules.push(rule);
  }
  return rules;
}

/** Ink of a group of runs, in pixels. */
function ink(runs: Run[]): number {
  return runs.reduce((sum, r) => sum + r.to - r.from, 0);
}

/** The straight line through the runs' middles, weighted by their lengths (least squares); `runs` is not empty. */
function fitLine(runs: Run[], ink: number): Rule {
  let w = 0;
  let su = 0;
  let sv = 0;
  let from = Infinity;
  let to = -Infinity;
  for (const r of runs) {
    const len = r.to - r.from;
    w += len;
    su += len * ((r.from + r.to) / 2);
    sv += len * r.at;
    from = Math.min(from, r.from);
    to = Math.max(to, r.to);
  }
  const mu = su / w;
  const mv = sv / w;
  let cov = 0;
  let varU = 0;
  for (const r of runs) {
    const len = r.to - r.from;
    const du = (r.from + r.to) / 2 - mu;
    cov += len * du * (r.at - mv);
    varU += len * du * du;
  }
  // One straight run (or runs stacked exactly): no slope to measure.
  const slope = varU > 1 ? cov / varU : 0;
  return { from, to, v0: mv - slope * mu, slope, width: ink / (to - from) };
}

function at(rule: Rule, u: number): number {
  return rule.v0 + rule.slope * u;
}

/** Whether the side (vertical rule) and the rule (horizontal) meet, within `reach` pixels. */
function meet(rule: Rule, side: Rule, reach: number): boolean {
  const [x, y] = crossing(rule, side);
  return x >= rule.from - reach && x <= rule.to + reach && y >= side.from - reach && y <= side.to + reach;
}

/** Rules and sides into groups that touch one another (a side meets a rule). */
function touchingGroups(rules: Rule[], sides: Rule[], reach: number): { rules: Rule[]; sides: Rule[] }[] {
  const all = [...rules, ...sides];
  const parent = all.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  rules.forEach((rule, i) => sides.forEach((side, j) => meet(rule, side, reach) && (parent[root(i)] = root(rules.length + j))));
  const groups = new Map<number, { rules: Rule[]; sides: Rule[] }>();
  all.forEach((r, i) => {
    let group = groups.get(root(i));
    if (!group) groups.set(root(i), (group = { rules: [], sides: [] }));
    (i < rules.length ? group.rules : group.sides).push(r);
  });
  return [...groups.values()].filter((g) => g.rules.length >= MIN_RULES && g.sides.length >= MIN_RULES - 1);
}

/**
 * The table a group of touching rules makes, in pixels, or null: its rules across the whole
 * width (a partial rule splits a cell, not the table's rows), and its columns' rules: sides
 * that run from one of those rules to another, one per place across (a column rule broken by
 * the scan is one rule).
 */
function gridOf(rules: Rule[], sides: Rule[], reach: number): PixelGrid | null {
  const left = Math.min(...rules.map((r) => r.from));
  const right = Math.max(...rules.map((r) => r.to));
  const slack = Math.max(reach, FULL_RULE_SHARE * (right - left));
  const rows = rules.filter((r) => r.from <= left + slack && r.to >= right - slack);
  const middle = (r: Rule) => at(r, (left + right) / 2);
  rows.sort((a, b) => middle(a) - middle(b));
  if (rows.length < MIN_RULES) return null;
  const spans = sides.filter((side) => rows.some((r, i) => i + 1 < rows.length && spansRow(side, r, rows[i + 1]!, reach)));
  const columns = sameColumn(spans, (middle(rows[0]!) + middle(rows.at(-1)!)) / 2, reach);
  return columns.length >= MIN_RULES ? { rows, columns } : null;
}

/** Whether a side runs from `top` to `bottom` (rules across). */
function spansRow(side: Rule, top: Rule, bottom: Rule, reach: number): boolean {
  const x = at(side, (side.from + side.to) / 2);
  return side.from <= at(top, x) + reach && side.to >= at(bottom, x) - reach;
}

/** Sides into columns' rules, left to right: sides whose lines pass within `reach` of one another at height `y` are one; the longest stands for them. */
function sameColumn(sides: Rule[], y: number, reach: number): Rule[] {
  const sorted = [...sides].sort((a, b) => at(a, y) - at(b, y));
  const columns: Rule[] = [];
  for (const side of sorted) {
    const last = columns.at(-1);
    if (!last || at(side, y) - at(last, y) > reach) columns.push(side);
    else if (side.to - side.from > last.to - last.from) columns[columns.length - 1] = side;
  }
  return columns;
}

/** The grid's rules as segments on the page, each across (or down) the whole table. */
export function gridOnPage(grid: PixelGrid, placement: Placement): RuledGrid {
  const { rows, columns } = grid;
  const [first, last] = [columns[0]!, columns.at(-1)!];
  const [top, bottom] = [rows[0]!, rows.at(-1)!];
  const point = (x: number, y: number): [number, number] => {
    const [px, py] = onPage(placement, [x, y, x, y]);
    return [px, py];
  };
  const across = (r: Rule): Segment => {
    const x0 = Math.min(r.from, crossing(r, first)[0]);
    const x1 = Math.max(r.to, crossing(r, last)[0]);
    return [...point(x0, at(r, x0)), ...point(x1, at(r, x1))];
  };
  const down = (c: Rule): Segment => {
    const y0 = crossing(top, c)[1];
    const y1 = crossing(bottom, c)[1];
    return [...point(at(c, y0), y0), ...point(at(c, y1), y1)];
  };
  return { rows: rows.map(across), columns: columns.map(down) };
}

/** Where a rule across and a rule down cross, (x, y) in pixels: y = rule(x) and x = side(y). */
function crossing(rule: Rule, side: Rule): [number, number] {
  const y = (rule.v0 + rule.slope * side.v0) / (1 - rule.slope * side.slope);
  return [at(side, y), y];
}
