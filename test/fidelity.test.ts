/**
 * Document fidelity through the real child program (real Supervisor, real child processes):
 * form fields, reading order, word boxes and Markdown on the documents of
 * test/fixtures/fidelity/ (scripts/fidelity-fixtures.mjs says what it drew where) and on the
 * corpus (test/corpus/).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unpackWords, type PageResult, type Word } from '../src/protocol.js';
import type { Task } from '../src/jobs/supervisor.js';
import { ROOT, corpusFile, quantile, readWithChild } from './helpers.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/fidelity');

type Box = [number, number, number, number];
interface ExpectedWord {
  text: string;
  bbox: Box;
}
interface ExpectedField {
  name: string;
  type: string;
  value: unknown;
  export?: string;
  bbox: Box;
  label?: string;
}

const fixture = (name: string) => path.join(FIXTURES, name);
const expected = <T>(name: string): T => JSON.parse(readFileSync(fixture(name), 'utf8')) as T;
/** Whitespace runs as one space, so text can be compared across line breaks. */
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

async function read(file: string, extra: Partial<Task> = {}): Promise<PageResult[]> {
  const { outcome, pages } = await readWithChild(file, extra);
  expect(outcome).toMatchObject({ ok: true });
  return pages;
}

function expectBox(got: number[] | undefined, want: Box, tolerance: number, what: string): void {
  expect(got, what).toBeDefined();
  for (let i = 0; i < 4; i++) expect(Math.abs(got![i]! - want[i]!), `${what}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBeLessThanOrEqual(tolerance);
}

/** Each expected word, found on the page at its place (the nearest word of that text), within `tolerance` points. */
function expectWords(page: PageResult, want: ExpectedWord[], tolerance: number): void {
  const words = wordsOf(page);
  for (const w of want) {
    const candidates = words.filter((g) => g.text === w.text);
    const nearest = candidates.sort((a, b) => distance(a.bbox, w.bbox) - distance(b.bbox, w.bbox))[0];
    expectBox(nearest?.bbox, w.bbox, tolerance, `word "${w.text}"`);
  }
}
const wordsOf = (page: PageResult): Word[] => (page.words ? unpackWords(page.words) : []);
const distance = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);

describe('form fields', () => {
  const want = expected<{ width: number; height: number; fields: ExpectedField[] }>('form.json');

  function expectFields(page: PageResult): void {
    // Every widget, in reading order (the generator drew them top to bottom, left to right).
    expect(page.fields?.map((f) => f.name)).toEqual(want.fields.map((f) => f.name));
    for (const [i, f] of want.fields.entries()) {
      const got = page.fields![i]!;
      expect({ type: got.type, value: got.value, export: got.export }, f.name).toEqual({ type: f.type, value: f.value, export: f.export });
      expectBox(got.bbox, f.bbox, 2, f.name);
      // The words the generator drew as the field's question, without a trailing colon.
      expect(got.label, f.name).toBe(f.label?.replace(/:\s*$/, ''));
      expect(got.origin, f.name).toBe('acroform');
      // The radio group's buttons stand on the line of their question; a lone check box's words are its label.
      expect(got.question, f.name).toBe(f.type === 'radio' ? 'Foundation' : undefined);
    }
  }

  it('a typed form yields every widget with its type, value and box, and its values in the text and the Markdown', async () => {
    const [page] = await read(fixture('form.pdf'));
    expect(page!.source).toBe('text');
    expect([page!.width, page!.height]).toEqual([want.width, want.height]);
    expectFields(page!);
    const lines = page!.text.split('\n');
    for (const line of ['Owner name: Jane Doe', 'Address: 12 Elm Street', 'Roof leaks [x]', 'Basement water [ ]', 'Foundation: [ ] Good [x] Fair [ ] Poor', 'Heating: Oil', 'Repairs: Plumbing, Windows']) {
      expect(lines).toContain(line);
    }
    const md = page!.markdown!.split('\n');
    for (const line of ['Owner name: Jane Doe', 'Address: 12 Elm Street', '- [x] Roof leaks', '- [ ] Basement water', '- [ ] Good', '- [x] Fair', '- [ ] Poor', 'Heating: Oil']) {
      expect(md).toContain(line);
    }
  });

  it('an encrypted form opened with its password yields the same fields', async () => {
    const [page] = await read(fixture('form-encrypted.pdf'), { password: 'inspect' });
    expectFields(page!);
    expect(page!.text).toContain('Jane Doe');
  });

  it('a scanned (image-only) form yields its typed answers through OCR', async () => {
    const [page] = await read(fixture('form-scan.pdf'));
    expect(page!.source).toBe('ocr');
    // Its boxes are read from the image (forms without widgets): the marks, and the answers typed in ruled boxes.
    const marks = (page!.fields ?? []).filter((f) => f.type !== 'text').map((f) => [f.origin, f.type, f.label, f.value]);
    expect(marks).toEqual([
      ['scan', 'checkbox', 'Roof leaks', true],
      ['scan', 'checkbox', 'Basement water', false],
      ['scan', 'radio', 'Good', false],
      ['scan', 'radio', 'Fair', true],
      ['scan', 'radio', 'Poor', false],
    ]);
    expect(page!.fields!.find((f) => f.label === 'Heating')).toMatchObject({ type: 'text', value: 'Oil', origin: 'scan' });
    expect(flat(page!.text)).toContain('Foundation: [ ] Good [x] Fair [ ] Poor');
    for (const value of ['Jane Doe', '12 Elm Street', 'Plumbing', 'Windows']) expect(flat(page!.text)).toContain(value);
    // A short answer in a small box: read only once the box's lines are erased (workers/image/ruled-lines.ts).
    expect(flat(page!.text)).toContain('Heating: Oil');
  });

  it('an XFA-only form is noted as such', async () => {
    const [page] = await read(fixture('xfa.pdf'));
    expect(page!.notes).toEqual(['xfa_form']);
    expect(page!.fields).toBeUndefined();
    expect(page!.text).toContain('XFA');
  });

  it('prefilled_f1040.pdf shows the filled-in text and the checked box on page 2', async () => {
    const [, page2] = await read(corpusFile('text/prefilled_f1040.pdf'));
    expect(page2!.text).toContain('foobar');
    expect(page2!.text).toMatch(/\[x\]/);
    expect(page2!.fields).toContainEqual(expect.objectContaining({ type: 'text', value: 'foobar' }));
    expect(page2!.fields).toContainEqual(expect.objectContaining({ type: 'checkbox', value: true }));
  });
});

describe('reading order', () => {
  const want = expected<{ header: string; footer: string; columns: string[][] }>('two-column.json');

  /**
   * The header, then each column's sentences together and in order, then the footer. `read` maps
   * both sides (a scan's OCR confusions are not what this checks).
   */
  function expectColumns(text: string, read = (s: string) => s): void {
    const t = read(flat(text));
    const at = (sentence: string) => {
      const s = read(sentence);
      expect(t, s).toContain(s);
      return t.indexOf(s);
    };
    const positions = [at(want.header), ...want.columns.map((c) => at(c.join(' '))), at(want.footer)];
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  }

  it('a two-column page reads column by column in text, Markdown and words', async () => {
    const [page] = await read(fixture('two-column.pdf'));
    expectColumns(page!.text);
    expectColumns(page!.markdown!);
    expectColumns(wordsOf(page!).map((w) => w.text).join(' '));
  });

  it('the same page scanned reads column by column too', async () => {
    const [page] = await read(fixture('two-column-scan.pdf'));
    expect(page!.source).toBe('ocr');
    // The footer's lone "1" sits on the engine's borderline: the same scan read "Page 1 of 1"
    // from pdfjs's decode and "Page | of 1" from libjpeg's, whose pixels differ by a level here
    // and there (the tesseract CLI reads "1" from both). Vertical strokes count as one glyph.
    const strokes = (s: string) => s.replace(/[|lI1]/g, '1');
    expectColumns(page!.text, strokes);
    expectColumns(wordsOf(page!).map((w) => w.text).join(' '), strokes);
  });
});

describe('Markdown', () => {
  const want = expected<{ headings: [string, string][]; bullets: string[]; joined: string; table: string[][] }>('structure.json');

  it('has headings by size, the list, the word hyphenated at a line end joined, and the table as a pipe table', async () => {
    const [page] = await read(fixture('structure.pdf'));
    const md = page!.markdown!;
    const lines = md.split('\n');
    for (const [marks, heading] of want.headings) expect(lines).toContain(`${marks} ${heading}`);
    for (const bullet of want.bullets) expect(lines).toContain(`- ${bullet}`);
    // The list is one list: its items on consecutive lines.
    const first = lines.indexOf(`- ${want.bullets[0]}`);
    expect(lines.slice(first, first + want.bullets.length)).toEqual(want.bullets.map((b) => `- ${b}`));
    expect(md).toContain(` ${want.joined} `);
    expect(md).not.toContain('inspec-');
    // Paragraph lines are re-flowed into one line.
    expect(lines).toContain(
      'This report describes the condition of the house at the time of the inspection and lists the repairs the buyer should plan for in the first year of ownership.',
    );
    const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
    const header = lines.indexOf(row(want.table[0]!));
    expect(header).toBeGreaterThanOrEqual(0);
    expect(lines[header + 1]).toBe(`|${' --- |'.repeat(want.table[0]!.length)}`);
    expect(lines.slice(header + 2, header + 1 + want.table.length)).toEqual(want.table.slice(1).map(row));
  });
});

describe('word boxes', () => {
  const want = expected<{ width: number; height: number; words: ExpectedWord[] }>('words.json');

  it.each(['words.pdf', 'words-rotate90.pdf'])('%s: text-layer words within 2 pt of where they were drawn', async (name) => {
    const [page] = await read(fixture(name));
    expect(page!.source).toBe('text');
    expect([page!.width, page!.height]).toEqual([want.width, want.height]);
    expectWords(page!, want.words, 2);
    expect(page!.words!.confidence).toBeUndefined();
  });

  it.each(['words-scan.pdf', 'words-scan-rotate90.pdf'])('%s: OCR words at 200 dpi within 6 pt, with confidences', async (name) => {
    const [page] = await read(fixture(name));
    expect(page!.source).toBe('ocr');
    expect([page!.width, page!.height]).toEqual([want.width, want.height]);
    expectWords(page!, want.words, 6);
    expect(wordsOf(page!).length).toBeGreaterThanOrEqual(want.words.length);
    for (const w of wordsOf(page!)) {
      expect(w.confidence).toBeGreaterThanOrEqual(0);
      expect(w.confidence).toBeLessThanOrEqual(100);
    }
  });
});

describe('word boxes on the corpus agree with poppler (pdftotext -bbox, which knows every glyph width)', () => {
  /** Each word poppler finds, against ours of the same text nearest to it: the larger of its left and right edge errors. */
  function edgeErrors(file: string, pages: PageResult[]): number[] {
    const errors: number[] = [];
    for (const page of pages) {
      const xml = execFileSync('pdftotext', ['-bbox', '-f', String(page.page), '-l', String(page.page), file, '-']).toString();
      const ours = wordsOf(page);
      for (const m of xml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<&]*)<\/word>/g)) {
        const ref = m.slice(1, 5).map(Number) as Box;
        const nearest = ours.filter((w) => w.text === m[5]).sort((a, b) => distance(a.bbox, ref) - distance(b.bbox, ref))[0];
        if (nearest && distance(nearest.bbox, ref) < 30) errors.push(Math.max(Math.abs(nearest.bbox[0] - ref[0]), Math.abs(nearest.bbox[2] - ref[2])));
      }
    }
    return errors.sort((a, b) => a - b);
  }

  // pdkids.pdf is set in a geometric sans unlike any standard font: its widths are learned over
  // the pages (read with standard metrics alone: median 1.7 pt, 90th percentile 3.8 pt).
  it.each([
    ['text/pdkids.pdf', '1-12'],
    ['text/tracemonkey.pdf', '1-4'],
  ])('%s pages %s', async (name, pages) => {
    const file = corpusFile(name);
    const errors = edgeErrors(file, await read(file, { pages }));
    expect(errors.length).toBeGreaterThan(1000);
    expect(quantile(errors, 0.5)).toBeLessThanOrEqual(0.5);
    expect(quantile(errors, 0.9)).toBeLessThanOrEqual(1.5);
  });
});
