/**
 * A page's blocks (in reading order) as Markdown: headings from size, re-flowed paragraphs,
 * lists, pipe tables, and form fields as `- [x] label` / `label: value`. Heuristic, no model.
 * The PDF's words are escaped (./markdown-escape.ts): the only Markdown syntax is what this module writes.
 */
import type { FormField } from '../../src/protocol.js';
import { median } from '../../src/stats.js';
import { hasField } from '../layout/geometry.js';
import type { Block, Line, Token } from '../layout/types.js';
import { fieldText } from '../forms/field-text.js';
import { isBox, labelAbove, lineLabels, offeredAbove } from '../forms/labels.js';
import { escapeCell, escapeHeading, escapeInline, escapeLine } from './markdown-escape.js';

/** A block at least this many times the body size (text layer: font size; OCR: line height) is a heading. */
const HEADING_RATIO = { text: 1.15, ocr: 1.3 };
const MAX_HEADING_LINES = 3;
const MAX_HEADING_WORDS = 20;
/** A block in emphasis (bold, italic) at body size is a heading when this short. */
const MAX_EMPHASIS_HEADING_LINES = 2;
const MAX_EMPHASIS_HEADING_WORDS = 12;
/** Heading sizes within this ratio are one level. */
const SAME_LEVEL_RATIO = 1.06;

const BULLET = /^[\u2022\u00b7\u2023\u2043\u25aa\u25ab\u25cf\u25cb\u25a0\u25a1\u25e6\u2013\u2014*\-\uf0a7\uf0b7\uf076\uf0d8]$/u;
const ENUMERATOR = /^(\d{1,3}|[a-zA-Z])[.)]$/;

/** What the Markdown walk finds of the page's fields: each one's label (the text beside or above it), and each box's question. */
export interface FieldWords {
  labels: Map<FormField, string>;
  questions: Map<FormField, string>;
}

/** The page's Markdown, and the labels and questions it gave the form fields. */
export function pageMarkdown(blocks: Block[], source: 'text' | 'ocr'): { markdown: string } & FieldWords {
  const levels = headingLevels(blocks, source);
  const found: FieldWords = { labels: new Map(), questions: new Map() };
  const out: string[] = [];
  // The last line of the block before, in reading order: a question or label above a field line may be a block of its own.
  let previous: Line | null = null;
  for (const block of blocks) {
    const level = levels.get(block);
    if (block.kind === 'table') out.push(table(block.rows));
    else if (level) out.push(`${'#'.repeat(level)} ${escapeHeading(block.lines.map((l) => l.text).join(' '))}`);
    else out.push(...textBlock(block.lines, found, previous));
    previous = block.kind === 'text' ? block.lines[block.lines.length - 1]! : null;
  }
  return { markdown: out.filter((s) => s.trim() !== '').join('\n\n'), ...found };
}

/** Heading level (1-3) of each block that is one: larger than the body text, short. */
function headingLevels(blocks: Block[], source: 'text' | 'ocr'): Map<Block, number> {
  const levels = new Map<Block, number>();
  const body = bodySize(blocks);
  if (body === null) return levels;
  const candidates = blocks.filter(
    (b) =>
      b.kind === 'text' &&
      b.lines.length <= MAX_HEADING_LINES &&
      b.size >= HEADING_RATIO[source] * body &&
      !hasField(b.lines) &&
      wordCount(b.lines) <= MAX_HEADING_WORDS,
  );
  const sizes = [...new Set(candidates.map((b) => b.size))].sort((a, b) => b - a);
  const tiers: number[] = [];
  for (const size of sizes) if (tiers.length === 0 || tiers.at(-1)! / size > SAME_LEVEL_RATIO) tiers.push(size);
  for (const block of candidates) {
    const tier = tiers.findIndex((t) => t / block.size <= SAME_LEVEL_RATIO);
    levels.set(block, Math.min(3, tier + 1));
  }
  // Lines in emphasis set like the body text, standing alone, are the level below the sized headings.
  for (const block of blocks) {
    if (block.kind !== 'text' || levels.has(block) || block.lines.length > MAX_EMPHASIS_HEADING_LINES) continue;
    const text = block.lines.at(-1)!.text;
    if (block.lines.every((l) => l.emphasis) && wordCount(block.lines) <= MAX_EMPHASIS_HEADING_WORDS && block.size >= 0.95 * body && !/[.,;:]$/.test(text) && /\p{L}/u.test(text)) {
      levels.set(block, Math.min(3, tiers.length + 1));
    }
  }
  return levels;
}

function wordCount(lines: Line[]): number {
  return lines.reduce((n, l) => n + l.tokens.length, 0);
}

/**
 * The body size: the size most characters are set in (the median by characters); null on a
 * page without words. Its own function: every word of the page passes here, and this loop alone
 * is what gets optimized (headingLevels whole took ~27 ms of TurboFan's time on pdkids).
 */
function bodySize(blocks: Block[]): number | null {
  const chars = new Map<number, number>();
  let total = 0;
  for (const block of blocks) {
    if (block.kind !== 'text') continue;
    for (const line of block.lines) {
      const tokens = line.tokens;
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i]!;
        if (t.field) continue;
        chars.set(t.size, (chars.get(t.size) ?? 0) + t.text.length);
        total += t.text.length;
      }
    }
  }
  if (total === 0) return null;
  let body = 0;
  let seen = 0;
  for (const [size, n] of [...chars].sort((a, b) => a[0] - b[0])) {
    body = size;
    seen += n;
    if (seen * 2 > total) break;
  }
  return body;
}

/** A block's lines as paragraphs, list items and form lines; `previous` is the line before the block. */
function textBlock(lines: Line[], found: FieldWords, previous: Line | null): string[] {
  const out: string[] = [];
  // Consecutive list items (check boxes among them) are one list: a line each, no blank line.
  const push = (part: string) => {
    const last = out.at(-1);
    if (last !== undefined && isListItem(part) && isListItem(last.slice(last.lastIndexOf('\n') + 1))) out[out.length - 1] = `${last}\n${part}`;
    else out.push(part);
  };
  let paragraph: Line[] = [];
  let item: { marker: string; lines: string[]; left: number } | null = null;
  const flushParagraph = () => {
    if (paragraph.length > 0) out.push(escapeLine(reflow(paragraph.map((l) => l.text))));
    paragraph = [];
  };
  const flushItem = () => {
    if (item) push(`${item.marker} ${escapeLine(reflow(item.lines))}`);
    item = null;
  };
  const gaps = lines.slice(1).map((line, i) => line.bbox[1] - lines[i]!.bbox[3]);
  const usualGap = gaps.length > 0 ? median(gaps) : 0;
  for (const [i, line] of lines.entries()) {
    const size = line.size;
    // A paragraph starts after a wider gap than the block's usual one, or at an indented line.
    const breaks = i > 0 && (gaps[i - 1]! > usualGap + 0.5 * size || line.bbox[0] > lines[0]!.bbox[0] + size);
    if (hasField([line])) {
      flushItem();
      // A short line alone above a field whose own line gives it no label is its label; a line
      // printed before (another block's) offers it too, and asks the question of options alone on their line.
      const before = paragraph.at(-1) ?? (i > 0 ? lines[i - 1]! : previous);
      const offered = offeredAbove(before, line);
      const printed = paragraph.length === 0 ? offered : '';
      const rendered = fieldLines(line, { above: labelAbove(paragraph) || printed, printed, asked: offered }, found);
      if (rendered.usedAbove) paragraph = [];
      flushParagraph();
      rendered.lines.forEach(push);
      continue;
    }
    const marker = listMarker(line.tokens);
    if (marker) {
      flushParagraph();
      flushItem();
      const rest = line.tokens.slice(marker.skip);
      item = { marker: marker.text, lines: [rest.map((t) => t.text).join(' ')], left: rest[0]?.bbox[0] ?? line.bbox[0] };
      continue;
    }
    const current = item as { marker: string; lines: string[]; left: number } | null;
    if (current && !breaks && line.bbox[0] >= current.left - 0.5 * size) {
      current.lines.push(line.text);
      continue;
    }
    flushItem();
    if (breaks) flushParagraph();
    paragraph.push(line);
  }
  flushParagraph();
  flushItem();
  return out;
}

function isListItem(part: string): boolean {
  return /^(- |\d+\. )/.test(part);
}

/** `- ` or `N. ` when the line starts with a bullet or an enumerator, and how many tokens that takes. */
function listMarker(tokens: Token[]): { text: string; skip: number } | null {
  const first = tokens[0]?.text ?? '';
  if (tokens.length < 2) return null;
  if (BULLET.test(first)) return { text: '-', skip: 1 };
  const n = ENUMERATOR.exec(first);
  if (n) return { text: /^\d+$/.test(n[1]!) ? `${n[1]}.` : '-', skip: 1 };
  return null;
}

/**
 * What the lines above a field line offer it: `above`, a label for a field without one on its
 * line; `printed`, the same when it is a line already written (another block's), which a text
 * field then does not repeat; `asked`, the question of options alone on their line.
 */
interface Above {
  above: string;
  printed: string;
  asked: string;
}

/** A line holding form fields: each field with its label (forms/labels.ts), and the text no field took. */
function fieldLines(line: Line, offered: Above, out: FieldWords): { lines: string[]; usedAbove: boolean } {
  const found = lineLabels(line, offered.above, offered.asked);
  const lines: string[] = [];
  found.segments.forEach((s, i) => {
    const label = found.labels.get(i);
    let rendered = '';
    if ('field' in s && label !== undefined) {
      const field = s.field;
      if (label) out.labels.set(field, label);
      if (found.question && isBox(s)) out.questions.set(field, found.question);
      rendered = isBox(s) ? `- ${fieldText(field)} ${escapeInline(label || field.name || '')}`.trimEnd() : escapeLine(answerLine(offered.printed && label === offered.printed.replace(/:\s*$/, '') ? '' : label || field.name || '', fieldText(field)));
    }
    if (rendered) lines.push(rendered);
    else if ('text' in s && !found.used.has(i)) lines.push(escapeLine(s.text.trim()));
  });
  return { lines, usedAbove: found.usedAbove };
}

/** `label: value`, or the value alone where the field has no label here (a drawn answer box whose question was written above). */
function answerLine(label: string, value: string): string {
  return label ? `${label}: ${value}`.trimEnd() : value;
}

/** Lines of one paragraph as one line: a break becomes a space, a word hyphenated at a line's end is joined. */
export function reflow(lines: string[]): string {
  let text = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (!text) text = line;
    else if (hyphenated(text) && isLower(line.charAt(0))) text = text.slice(0, -1) + line;
    else text += ` ${line}`;
  }
  return text;
}

/** Ends in a hyphen (or soft hyphen) right after a letter. */
function hyphenated(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  if (last !== 0x2d && last !== 0xad) return false;
  const before = text.charAt(text.length - 2);
  return before.toLowerCase() !== before.toUpperCase();
}

function isLower(ch: string): boolean {
  return ch !== ch.toUpperCase() && ch === ch.toLowerCase();
}

/** A GitHub-flavoured pipe table, header row first. */
function table(rows: (Line | null)[][]): string {
  const cell = (line: Line | null) => (line ? escapeCell(line.text) : '');
  const width = Math.max(...rows.map((r) => r.length));
  const render = (row: (Line | null)[]) => `| ${Array.from({ length: width }, (_, j) => cell(row[j] ?? null)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [render(header!), `|${' --- |'.repeat(width)}`, ...body.map(render)].join('\n');
}
