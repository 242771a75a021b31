/**
 * The forms corpus of issue 21 (test/forms/, written by scripts/forms/generate.mjs) agrees with
 * its ground truth, checked without the mark detector: what the issue asks the corpus to hold
 * (counts, styles, sizes, variants, scans at each dpi and colour mode), every label, answer
 * and table cell where poppler's pdftotext finds it on the text-layer variants, and on the
 * scans every mark's box (skew applied) on the ink of the page image.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

type Box = [number, number, number, number];
interface Mark {
  page: number; box: Box; state: boolean; style: string; shape: 'square' | 'circle'; label: string;
  labelSide: 'right' | 'left'; question: string | null; labelBox: Box; boxDrawing: string;
}
interface Answer { page: number; box: Box; label: string; labelSide: 'left' | 'above'; value: string }
interface Table { page: number; box: Box; rows: number; cols: number; cells: { row: number; col: number; text: string; box: Box }[] }
interface TruthPage {
  page: number; width: number; height: number; expectedMarks: number; skew?: number;
  marks: Mark[]; answers: Answer[]; tables: Table[]; headings: { text: string; level: number; box: Box }[];
}
interface Truth {
  file: string; doc: string; kind: 'form' | 'control' | 'report'; variant: 'vector' | 'flattened' | 'scan';
  generator: string; textLayer: boolean; scan?: { dpi: number; mode: string; from: string }; pages: TruthPage[];
}
interface Word { text: string; box: Box }

const DIR = path.join(import.meta.dirname, '..', 'forms');
const index = JSON.parse(readFileSync(path.join(DIR, 'index.json'), 'utf8')) as { files: { truth: string }[] };
const truths: Truth[] = index.files.map((f) => JSON.parse(readFileSync(path.join(DIR, f.truth), 'utf8')) as Truth);
const of = (kind: Truth['kind'], variant: Truth['variant']): Truth[] => truths.filter((t) => t.kind === kind && t.variant === variant);
const marksOf = (list: Truth[]): Mark[] => list.flatMap((t) => t.pages.flatMap((p) => p.marks));

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function words(file: string, page: number): Word[] {
  const xml = execFileSync('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), path.join(DIR, file), '-']).toString();
  return [...xml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    text: m[5]!.replace(/&(\w+);/g, (_, e: string) => ENTITIES[e] ?? `&${e};`),
    box: [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])],
  }));
}
/** The words whose centre lies in `box` grown by `pad`, in reading order, joined by spaces. */
function textIn(list: Word[], [l, t, r, b]: Box, pad = 2): string {
  return list
    .filter(({ box }) => {
      const [cx, cy] = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
      return cx > l - pad && cx < r + pad && cy > t - pad && cy < b + pad;
    })
    .sort((a, b) => a.box[1] - b.box[1] || a.box[0] - b.box[0])
    .map((w) => w.text)
    .join(' ');
}

describe('forms corpus: what issue 21 asks of it', () => {
  const vectorMarks = marksOf(of('form', 'vector'));
  it('holds at least 150 marks in at least 5 styles, true and false, squares and circles', () => {
    expect(vectorMarks.length).toBeGreaterThanOrEqual(150);
    const styles = new Set(vectorMarks.filter((m) => m.state).map((m) => m.style));
    for (const s of ['check-glyph', 'check-path', 'ballot-x', 'fill', 'pen-stroke', 'radio-dot', 'dingbat-check', 'dingbat-x']) expect(styles).toContain(s);
    expect(vectorMarks.filter((m) => !m.state).every((m) => m.style === 'empty')).toBe(true);
    expect(new Set(vectorMarks.map((m) => m.shape))).toEqual(new Set(['square', 'circle']));
    expect(new Set(vectorMarks.map((m) => m.labelSide))).toEqual(new Set(['right', 'left']));
    expect(new Set(vectorMarks.map((m) => m.boxDrawing))).toEqual(new Set(['path', 'xobject', 'ps-form', 'glyph']));
    expect(vectorMarks.filter((m) => m.state).length).toBeGreaterThan(40);
    expect(vectorMarks.filter((m) => m.question === null).length).toBeGreaterThan(0);
  });
  it('has boxes of 8 to 14 pt, both ends used', () => {
    const sizes = vectorMarks.map((m) => Math.round(m.box[2] - m.box[0]));
    expect(Math.min(...sizes)).toBe(8);
    expect(Math.max(...sizes)).toBe(14);
  });
  it('has unanswered questions (every option false)', () => {
    const byQuestion = new Map<string, Mark[]>();
    for (const m of vectorMarks) if (m.question) byQuestion.set(m.question, [...(byQuestion.get(m.question) ?? []), m]);
    expect([...byQuestion.values()].filter((ms) => ms.every((m) => !m.state)).length).toBeGreaterThanOrEqual(5);
  });
  it('has each form as vector, flattened and scans, from two generators, on Letter and A4', () => {
    const forms = new Set(of('form', 'vector').map((t) => t.doc));
    expect(forms.size).toBeGreaterThanOrEqual(6);
    for (const id of forms) for (const v of ['flattened', 'scan'] as const) expect(of('form', v).some((t) => t.doc === id)).toBe(true);
    expect(new Set(of('form', 'vector').map((t) => t.generator))).toEqual(new Set(['pdf-lib', 'ps2pdf']));
    expect(new Set(of('form', 'vector').map((t) => t.pages[0]!.width))).toEqual(new Set([612, 595.28]));
  });
  it('has scanned forms at 150, 200 and 300 dpi in gray JPEG, colour JPEG and 1-bit, each pair', () => {
    const pairs = new Set(of('form', 'scan').map((t) => `${t.scan!.dpi} ${t.scan!.mode}`));
    for (const dpi of [150, 200, 300]) for (const mode of ['gray-jpeg', 'rgb-jpeg', 'bilevel']) expect(pairs).toContain(`${dpi} ${mode}`);
    const skews = of('form', 'scan').flatMap((t) => t.pages.map((p) => p.skew!));
    expect(Math.max(...skews.map(Math.abs))).toBeLessThanOrEqual(1.5);
    expect(skews.some((s) => s > 0.5) && skews.some((s) => s < -0.5)).toBe(true);
  });
  it('has at least 3 control pages, scanned too, that expect no mark', () => {
    const controls = of('control', 'vector');
    expect(controls.length).toBeGreaterThanOrEqual(3);
    expect(of('control', 'scan').length).toBe(controls.length);
    for (const t of truths.filter((x) => x.kind !== 'form')) for (const p of t.pages) expect([p.expectedMarks, p.marks.length]).toEqual([0, 0]);
  });
  it('has report pages with a 4 × 4 ruled table, and their 200-dpi scans', () => {
    const reports = of('report', 'vector');
    expect(reports.length).toBeGreaterThanOrEqual(2);
    for (const t of reports) expect(t.pages[0]!.tables.map((tb) => [tb.rows, tb.cols, tb.cells.length])).toEqual([[4, 4, 16]]);
    expect(of('report', 'scan').map((t) => t.scan!.dpi)).toEqual(reports.map(() => 200));
  });
});

describe('forms corpus: text-layer variants agree with pdftotext', () => {
  for (const t of truths.filter((x) => x.textLayer)) {
    it(`${t.file}: labels by their boxes, answers in their boxes, table cells, headings`, () => {
      for (const p of t.pages) {
        const list = words(t.file, p.page);
        for (const m of p.marks) {
          expect(textIn(list, m.labelBox), `label of ${JSON.stringify(m.box)}`).toBe(m.label);
          const gap = m.labelSide === 'right' ? m.labelBox[0] - m.box[2] : m.box[0] - m.labelBox[2];
          expect(gap).toBeGreaterThan(0);
          expect(gap).toBeLessThan(8);
        }
        for (const a of p.answers) {
          expect(textIn(list, a.box, 0)).toBe(a.value);
          const [l, top, , b] = a.box;
          const labelArea: Box = a.labelSide === 'left' ? [0, top, l, b] : [l, top - 20, p.width, top];
          expect(textIn(list, labelArea, 0)).toBe(a.label);
        }
        for (const cell of p.tables.flatMap((tb) => tb.cells)) expect(textIn(list, cell.box, 0)).toBe(cell.text);
        for (const h of p.headings) expect(textIn(list, h.box)).toBe(h.text);
      }
    });
  }
});

/** A page of `file` as 8-bit gray pixels at `dpi` (poppler's PGM). */
function gray(file: string, page: number, dpi: number): { px: Buffer; width: number; height: number } {
  const pgm = execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-f', String(page), '-l', String(page), path.join(DIR, file)]);
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 40))!;
  return { px: pgm.subarray(header[0].length), width: Number(header[1]), height: Number(header[2]) };
}

describe('forms corpus: scans', () => {
  for (const t of truths.filter((x) => x.variant === 'scan')) {
    it(`${t.file}: image only, one ${t.scan!.mode} image per page at ${t.scan!.dpi} dpi, the page the truth's size`, () => {
      expect(execFileSync('pdftotext', [path.join(DIR, t.file), '-']).toString().trim()).toBe('');
      const rows = execFileSync('pdfimages', ['-list', path.join(DIR, t.file)]).toString().trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/));
      expect(rows.length).toBe(t.pages.length);
      const [color, bpc, enc] = { 'gray-jpeg': ['gray', '8', 'jpeg'], 'rgb-jpeg': ['rgb', '8', 'jpeg'], bilevel: ['gray', '1', 'image'] }[t.scan!.mode]!;
      for (const r of rows) expect([r[5], r[7], r[8], r[12]]).toEqual([color, bpc, enc, String(t.scan!.dpi)]);
      const info = execFileSync('pdfinfo', ['-f', '1', '-l', String(t.pages.length), path.join(DIR, t.file)]).toString();
      t.pages.forEach((p) => expect(info).toMatch(new RegExp(`Page +${p.page} size: +${p.width} x ${p.height} pts`)));
    });
    if (t.kind !== 'form') continue;
    it(`${t.file}: every mark's box outline lies on ink of the page image`, () => {
      const dpi = 100;
      const k = dpi / 72;
      for (const p of t.pages) {
        const { px, width } = gray(t.file, p.page, dpi);
        const dark = (x: number, y: number): boolean => px[Math.round(y * k) * width + Math.round(x * k)]! < 215; // thin rules come out mid-gray at 100 dpi
        for (const m of p.marks) {
          const [l, top, r, b] = m.box;
          // Along each side, any dark pixel across a 2-pt band on the side; a circle touches its box's sides only near their middles.
          const side = (along: (s: number, d: number) => [number, number]): number => {
            let hits = 0;
            for (let s = 0.2; s <= 0.8; s += 0.1) if ([-1, -0.5, 0, 0.5, 1].some((d) => dark(...along(s, d)))) hits++;
            return hits / 7;
          };
          const inset = 0.4;
          const sides = m.shape === 'circle'
            ? [side((s, d) => [l + inset + d, top + (b - top) * (0.4 + s * 0.25)]), side((s, d) => [r - inset + d, top + (b - top) * (0.4 + s * 0.25)])]
            : [side((s, d) => [l + (r - l) * s, top + inset + d]), side((s, d) => [l + (r - l) * s, b - inset + d]), side((s, d) => [l + inset + d, top + (b - top) * s]), side((s, d) => [r - inset + d, top + (b - top) * s])];
          expect(Math.min(...sides), `${m.label} at ${JSON.stringify(m.box)} page ${p.page}`).toBeGreaterThanOrEqual(0.7);
        }
      }
    });
  }
});
