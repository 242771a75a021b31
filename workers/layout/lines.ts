/** Words into lines: rows by height (the engine's own lines on OCR pages), cut at wide gaps, form fields placed among them. */
import type { Bbox, FormField } from '../../src/protocol.js';
import { median } from '../../src/stats.js';
import { fieldText } from '../forms/field-text.js';
import { centerY, grow, hasField, height, sameRow } from './geometry.js';
import type { Line, Token } from './types.js';

/** A gap wider than this (in em of the larger neighbour) between two words on a line splits the line. */
const SPLIT_GAP_EM = 1.0;
/** Between a run-in heading and its text, a gap this wide (em) is a gutter. */
const RUN_IN_GAP_EM = 1.5;
/** Below this share of a line's height, a short row beside it is its superscript or subscript. */
const SCRIPT_RATIO = 0.85;
/** An option's own words before its box (`Not sure ☐`) are this many at most. */
const MAX_OPTION_WORDS = 3;
/** A field this far (points) from any line's words, on its height, gets a line of its own. */
const MAX_FIELD_REACH = 150;

/**
 * Rows of lines (fragments of one baseline, split at wide gaps), top to bottom. The per-word
 * loops here and below index their arrays and grow them by index: a fresh child runs this code
 * unoptimized for much of a document, where iterator steps and map's closures allocate per word.
 */
export function geometricRows(words: Token[], fields: Token[]): Line[][] {
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

/**
 * A row's tokens, left to right, cut into lines at wide gaps; a gap beside a field never cuts (a
 * label and its box), nor one before the words a box follows (`Buyer waives the inspection?  Yes ☐`).
 */
function splitRow(tokens: Token[]): Line[] {
  const lines: Line[] = [];
  let current: Token[] = [];
  let fields = false;
  for (let i = 0; i < tokens.length; i++) if (tokens[i]!.field) fields = true;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const last = current.length > 0 ? current[current.length - 1]! : undefined;
    if (last && !last.field && !token.field && wideGap(last, token) && !(fields && leadsToField(tokens, i))) {
      lines[lines.length] = makeLine(current);
      current = [];
    }
    current[current.length] = token;
  }
  if (current.length > 0) lines[lines.length] = makeLine(current);
  return lines;
}

/** A check box or radio button a page draws or a scan shows (not a widget). */
function isMark(field: FormField): boolean {
  return (field.type === 'checkbox' || field.type === 'radio') && field.origin !== 'acroform';
}

function wideGap(left: Token, right: Token): boolean {
  return right.bbox[0] - left.bbox[2] > SPLIT_GAP_EM * Math.max(left.size, right.size);
}

/**
 * The tokens from `from` on start with a box, or are an option's few words and then its box,
 * which no word follows closely (`Yes ☐  No ☐`): the words' own box. A box with words right
 * after it is theirs (f1040's `b ☐ Form 4972`), and longer runs are text of their own: either
 * would pull a dense row, across its columns, into one line. Live widgets' rows are laid out as
 * they were before marks were read (f1040's `c ☐      53` would join its row across the columns).
 */
function leadsToField(tokens: Token[], from: number): boolean {
  const end = Math.min(tokens.length, from + MAX_OPTION_WORDS + 1);
  for (let j = from; j < end; j++) {
    const token = tokens[j]!;
    if (j > from && wideGap(tokens[j - 1]!, token)) return false;
    if (!token.field) continue;
    if (!isMark(token.field)) return false;
    const next = tokens[j + 1];
    return j === from || next === undefined || next.field !== undefined || wideGap(token, next);
  }
  return false;
}

/**
 * A heading run into the first line of its paragraph ("Categories and Subject Descriptors D.3.4
 * …" in tracemonkey.pdf, "Table 1. HPO performed …" in 2305.03393v1-pg9.pdf) is one line with
 * it when no gutter parts them: as a line in emphasis it would be a block of its own, read after
 * the paragraph its text joins. `lines` are rows' lines left to right, after the tables (whose
 * first column in bold lines up the same way) were taken out.
 */
export function joinRunIns(lines: Line[]): Line[] {
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
export function engineRows(words: Token[], fields: Token[]): Line[][] {
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
      if (cy < field.bbox[1] - 2 || cy > field.bbox[3] + 2 || overTheTop(line, field)) continue;
      const gap = Math.max(0, field.bbox[0] - line.bbox[2], line.bbox[0] - field.bbox[2]);
      if (gap <= bestGap) [best, bestGap] = [line, gap];
    }
    if (best) {
      best.tokens.push(field);
      best.tokens.sort((a, b) => a.bbox[0] - b.bbox[0]);
      Object.assign(best, makeLine(best.tokens));
    } else lines.push(makeLine([field]));
  }
  // Rows compared level: on a skewed scan a question and its options, read as two lines, sit
  // at heights apart by the skew across the gap between them (1.2° over 300 pt: 6 pt).
  const slope = markSlope(fields);
  const level = (b: Bbox): Bbox => {
    const dy = slope * ((b[0] + b[2]) / 2);
    return [b[0], b[1] - dy, b[2], b[3] - dy];
  };
  lines.sort((a, b) => centerY(level(a.bbox)) - centerY(level(b.bbox)));
  const rows: Line[][] = [];
  for (const line of lines) {
    const row = rows.at(-1);
    const first = row?.[0];
    if (row && first && sameRow(level(line.bbox), level(first.bbox))) row.push(line);
    else rows.push([line]);
  }
  for (const row of rows) row.sort((a, b) => a.bbox[0] - b.bbox[0]);
  return rows.map((row) => (hasField(row) ? joinAtFields(row) : row));
}

/**
 * A line whose middle is in the top quarter of its height inside an answer box is the box's label
 * printed over it, which a skewed scan dips into the box (disclosure-a's 300-dpi scan, 1.2°), not
 * words on the answer's line: a label beside the box stands at the height of the answer in it.
 */
function overTheTop(line: Line, field: Token): boolean {
  return field.field?.type === 'text' && centerY(line.bbox) < field.bbox[1] + 0.25 * height(line.bbox);
}

/**
 * The skew of a scanned page as a slope (points down per point right), from its marks: the
 * options of one question are printed level, so two marks side by side on one row (a box's
 * height apart at most, three boxes' widths apart at least) rise by the skew between them. The
 * median of those pairs; 0 without any (a page without marks keeps its rows as the engine gave them).
 */
function markSlope(fields: Token[]): number {
  const marks = fields.filter((t) => t.field && isMark(t.field) && t.field.origin === 'scan');
  const slopes: number[] = [];
  for (const a of marks) {
    for (const b of marks) {
      const dx = (b.bbox[0] + b.bbox[2] - a.bbox[0] - a.bbox[2]) / 2;
      const dy = centerY(b.bbox) - centerY(a.bbox);
      if (dx >= 3 * height(a.bbox) && Math.abs(dy) <= 0.5 * height(a.bbox)) slopes.push(dy / dx);
    }
  }
  return slopes.length > 0 ? median(slopes) : 0;
}

/**
 * The engine's lines of a row that a field stands between are one line, as in splitRow: the
 * engine parts a question from its options at the gap before them (`Known roof leaks?` and
 * `Yes No N/A`), which would then read as two columns.
 */
function joinAtFields(row: Line[]): Line[] {
  const joined: Line[] = [row[0]!];
  for (let k = 1; k < row.length; k++) {
    const previous = joined[joined.length - 1]!;
    const line = row[k]!;
    const last = previous.tokens[previous.tokens.length - 1]!.field;
    if ((last && isMark(last)) || leadsToField(line.tokens, 0)) joined[joined.length - 1] = makeLine([...previous.tokens, ...line.tokens]);
    else joined.push(line);
  }
  return joined;
}

export function makeLine(tokens: Token[]): Line {
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
