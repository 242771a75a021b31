/**
 * The bench's output: one Markdown table (readable in a terminal, pasteable into the
 * README), the same rows as JSON under bench/results/, and optionally the README's
 * Performance section rewritten in place.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Row } from './case.js';

export interface Report {
  date: string;
  /** The command line flags this run was given. */
  flags: string[];
  machine: { cpus: number; node: string; kernel: string; loadAtStart: string; loadAtEnd: string };
  ocrModel: string;
  tools: Record<string, string>;
  rows: Row[];
  details: Record<string, unknown>;
  durationS: number;
}

const HEADERS = ['case', 'ours (s)', 'reference (s)', 'ratio', 'peak PSS MB', 'peak RSS MB', 'target', 'pass/fail'];

function cells(row: Row): string[] {
  const num = (n: number | null, digits: number) => (n === null ? '–' : n.toFixed(digits));
  const seconds = (n: number | null) => num(n, n !== null && n < 10 ? 2 : 1);
  return [
    row.case,
    seconds(row.oursS),
    seconds(row.referenceS),
    num(row.ratio, 2),
    num(row.peakPssMb, 0),
    num(row.peakMemoryMb, 0),
    row.target,
    row.pass ? 'pass' : '**FAIL**',
  ];
}

/** A Markdown table, columns padded so it also reads well as plain text. */
export function formatTable(rows: Row[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((r) => [...r[i]!].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(HEADERS), rule, ...table.slice(1).map(line)].join('\n');
}

/** Each row's notes as a bullet list under the table. */
export function formatNotes(rows: Row[]): string {
  return rows.flatMap((r) => r.notes.map((n) => `- ${r.case}: ${n}`)).join('\n');
}

/** The header line: when, where, which model. */
export function formatContext(report: Report): string {
  const m = report.machine;
  return [
    `${report.date} · ${m.cpus} CPUs · node ${m.node} · load ${m.loadAtStart} → ${m.loadAtEnd} · ${report.durationS.toFixed(0)} s`,
    `OCR model (server log): ${report.ocrModel}` + (report.flags.length ? ` · flags: ${report.flags.join(' ')}` : ''),
    `tools: ${Object.values(report.tools).join('; ') || 'none'}`,
  ].join('\n');
}

/** Writes bench/results/<timestamp>.json and returns its path. */
export function writeJson(dir: string, report: Report): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${report.date.replace(/[:.]/g, '-')}.json`);
  // Indented for reading, but the memory timeline's number tuples kept on one line each.
  const json = JSON.stringify(report, null, 2).replace(/\[\s+(-?[\d.]+(?:,\s+-?[\d.]+)*)\s+\]/g, (_, nums: string) => `[${nums.replace(/\s+/g, '')}]`);
  writeFileSync(file, json + '\n');
  return file;
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** Replaces what lies between the README's bench markers with this run's table. */
export function updateReadme(readme: string, report: Report): void {
  const text = readFileSync(readme, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${readme} has no ${START} … ${END} block`);
  const block = ['', '```', formatContext(report), '```', '', formatTable(report.rows), '', formatNotes(report.rows), ''].join('\n');
  writeFileSync(readme, text.slice(0, from + START.length) + block + text.slice(to));
}
