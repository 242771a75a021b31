/**
 * Ruled tables on scans (issue 21, item 4): the scanned report pages of test/forms, read by the
 * real child, give their table as a pipe table with every cell of the ground truth in its row
 * and column, their headings at the ground truth's levels (those of the text-layer reading of
 * the same page), and their list items as list items.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipeTables } from '../harness/pipe-tables.js';
import { readWithChild } from './helpers.js';

interface Truth {
  scan?: { from: string };
  pages: {
    page: number;
    tables: { rows: number; cols: number; cells: { row: number; col: number; text: string }[] }[];
    headings: { text: string; level: number }[];
  }[];
}

const DIR = path.join(import.meta.dirname, 'forms');
const SCANS = ['report-1.scan-200-gray-jpeg', 'report-2.scan-200-bilevel'];

/** Letters and digits only, lower case: OCR's I/l and punctuation aside, a cell's words must be there. */
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
/** Whether two readings of a cell agree: one OCR slip allowed in 5 letters or more ("No GFCI" read "No GFC!"). */
function same(got: string, want: string): boolean {
  const [a, b] = [norm(got), norm(want)];
  return a === b || (b.length >= 5 && editDistance(a, b) <= 1);
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

const headings = (markdown: string) => [...markdown.matchAll(/^(#{1,6}) (.+)$/gm)].map((m) => ({ level: m[1]!.length, text: m[2]! }));
const listItems = (markdown: string) => [...markdown.matchAll(/^- (.+)$/gm)].map((m) => m[1]!);

describe.each(SCANS)('%s', (name) => {
  const truth = JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as Truth;
  const read = Promise.all([readWithChild(path.join(DIR, `${name}.pdf`)), readWithChild(path.join(DIR, truth.scan!.from))]);

  it('gives the ruled table as a pipe table, every cell in its row and column', async () => {
    const [{ pages }] = await read;
    for (const page of truth.pages) {
      const got = pages.find((p) => p.page === page.page)!;
      expect(got.source).toBe('ocr');
      const tables = pipeTables(got.markdown ?? '');
      expect(tables, got.markdown).toHaveLength(page.tables.length);
      page.tables.forEach((table, t) => {
        const rows = tables[t]!;
        expect(rows).toHaveLength(table.rows);
        for (const cell of table.cells) {
          const text = rows[cell.row]?.[cell.col] ?? '';
          expect(same(text, cell.text), `row ${cell.row} col ${cell.col}: ${JSON.stringify(text)} for ${JSON.stringify(cell.text)}\n${got.markdown}`).toBe(true);
        }
      });
    }
  });

  it("has the headings at the ground truth's levels, as the text-layer reading of the page has them", async () => {
    const [{ pages }, { pages: vector }] = await read;
    for (const page of truth.pages) {
      const want = page.headings.map((h) => ({ level: h.level, text: norm(h.text) }));
      const got = headings(pages.find((p) => p.page === page.page)!.markdown ?? '').map((h) => ({ level: h.level, text: norm(h.text) }));
      const fromLayer = headings(vector.find((p) => p.page === page.page)!.markdown ?? '').map((h) => ({ level: h.level, text: norm(h.text) }));
      expect(fromLayer).toEqual(want);
      expect(got).toEqual(want);
    }
  });

  it('keeps the list items of the text-layer reading as list items', async () => {
    const [{ pages }, { pages: vector }] = await read;
    for (const page of truth.pages) {
      const want = listItems(vector.find((p) => p.page === page.page)!.markdown ?? '');
      const got = listItems(pages.find((p) => p.page === page.page)!.markdown ?? '');
      expect(want.length).toBeGreaterThan(0);
      expect(got).toHaveLength(want.length);
      got.forEach((item, i) => {
        const [a, b] = [item.split(' '), want[i]!.split(' ')];
        expect(a.length, item).toBe(b.length);
        expect(a.filter((w, j) => norm(w) === norm(b[j]!)).length, item).toBeGreaterThanOrEqual(b.length - 1);
      });
    }
  });
});
