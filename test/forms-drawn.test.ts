/**
 * The drawn-form reader (workers/forms/drawn-form.ts) on the forms corpus of issue 21: every
 * text-layer PDF (vector, flattened, controls, reports) opened as the child opens it, each
 * page's marks and answer boxes compared with the ground truth beside the PDF. A mark is right
 * when a found mark of its shape lies within 4 pt of its box on every side and has its state; a
 * mark not found is wrong; a found mark with no mark of the truth there is a false mark.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drawnForm } from '../workers/forms/drawn-form.js';
import { DrawnGate } from '../workers/forms/drawn-gate.js';
import type { PageForm } from '../workers/forms/page-form.js';
import { openPdf } from '../workers/pdf/pdf.js';
import { layerText, readTextLayer } from '../workers/text/text-layer.js';
import { textWords } from '../workers/text/text-words.js';
import { corpusFile } from './helpers.js';

type Box = [number, number, number, number];
interface TruthMark { box: Box; state: boolean; shape: 'square' | 'circle'; style: string; label: string }
interface Truth {
  file: string;
  kind: 'form' | 'control' | 'report';
  variant: 'vector' | 'flattened' | 'scan';
  pages: { page: number; marks: TruthMark[]; answers?: { box: Box }[] }[];
}
interface Score { marks: number; right: number; falseMarks: number; answers: number; answersFound: number; falseAnswers: number; wrong: string[] }

const DIR = path.join(import.meta.dirname, 'forms');
const BOX_TOLERANCE = 4;
const index = JSON.parse(readFileSync(path.join(DIR, 'index.json'), 'utf8')) as { files: { truth: string }[] };
const truths = index.files.map((f) => JSON.parse(readFileSync(path.join(DIR, f.truth), 'utf8')) as Truth).filter((t) => t.variant !== 'scan');

const near = (a: Box, b: Box) => a.every((v, i) => Math.abs(v - b[i]!) <= BOX_TOLERANCE);

async function read(file: string): Promise<PageForm[]> {
  const doc = await openPdf(path.join(DIR, file), undefined, 12_000_000);
  try {
    const pages: PageForm[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      pages.push(await drawnForm(page, page.getViewport({ scale: 1 })));
      page.cleanup();
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}

function score(truth: Truth, found: PageForm[]): Score {
  const s: Score = { marks: 0, right: 0, falseMarks: 0, answers: 0, answersFound: 0, falseAnswers: 0, wrong: [] };
  for (const page of truth.pages) {
    const form = found[page.page - 1]!;
    const unused = new Set(form.marks);
    for (const m of page.marks) {
      s.marks++;
      const hit = [...unused].find((f) => f.shape === m.shape && near(f.bbox, m.box));
      if (hit) unused.delete(hit);
      if (hit && hit.checked === m.state) s.right++;
      else s.wrong.push(`p${page.page} ${m.shape} ${m.style} "${m.label}" [${m.box.join(', ')}]: ${hit ? `read ${hit.checked}` : 'not found'}`);
    }
    s.falseMarks += unused.size;
    for (const f of unused) s.wrong.push(`p${page.page} false ${f.shape} [${f.bbox.join(', ')}]`);
    const boxes = new Set(form.answerBoxes);
    for (const a of page.answers ?? []) {
      s.answers++;
      const hit = [...boxes].find((b) => near(b, a.box));
      if (hit) (boxes.delete(hit), s.answersFound++);
      else s.wrong.push(`p${page.page} answer box [${a.box.join(', ')}] not found`);
    }
    s.falseAnswers += boxes.size;
    for (const b of boxes) s.wrong.push(`p${page.page} false answer box [${b.join(', ')}]`);
  }
  return s;
}

const results = new Map<string, Score>();
afterAll(() => {
  for (const [file, s] of results) console.log(`${file}: marks ${s.right}/${s.marks} right, ${s.falseMarks} false; answer boxes ${s.answersFound}/${s.answers}, ${s.falseAnswers} false${s.wrong.length ? `\n  ${s.wrong.join('\n  ')}` : ''}`);
});

async function group(list: Truth[]): Promise<Score> {
  const total: Score = { marks: 0, right: 0, falseMarks: 0, answers: 0, answersFound: 0, falseAnswers: 0, wrong: [] };
  for (const t of list) {
    const s = score(t, await read(t.file));
    results.set(t.file, s);
    for (const k of ['marks', 'right', 'falseMarks', 'answers', 'answersFound', 'falseAnswers'] as const) total[k] += s[k];
    total.wrong.push(...s.wrong.map((w) => `${t.file} ${w}`));
  }
  return total;
}

describe('marks drawn on text-layer pages', () => {
  it.each(['vector', 'flattened'] as const)('the %s forms: at least 98 percent of the marks right, their answer boxes found', async (variant) => {
    const s = await group(truths.filter((t) => t.kind === 'form' && t.variant === variant));
    expect(s.marks).toBeGreaterThan(200);
    expect(s.right / s.marks, s.wrong.join('\n')).toBeGreaterThanOrEqual(0.98);
    expect(s.answersFound, s.wrong.join('\n')).toBe(s.answers);
  });

  it('no mark and no answer box on the controls and the reports (bullets, O 0 Q, © ® °, rules, tables, rings, a framed word)', async () => {
    const s = await group(truths.filter((t) => t.kind !== 'form'));
    expect(s.falseMarks + s.falseAnswers, s.wrong.join('\n')).toBe(0);
  });
});

/** Per page, whether the gate lets drawnForm read it (given the page's text and words as the child reads them). */
async function gateOpens(file: string): Promise<boolean[]> {
  const gate = DrawnGate.open(file);
  const doc = await openPdf(file, undefined, 12_000_000);
  try {
    const open: boolean[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const view = page.getViewport({ scale: 1 });
      const { content } = await readTextLayer(page, 16 << 20);
      open.push(gate!.mayDraw(page.ref, layerText(content), textWords(content, view, new Map()), view.transform));
      page.cleanup();
    }
    return open;
  } finally {
    gate?.close();
    await doc.destroy();
  }
}

describe('the gate before the full reading', () => {
  it('opens on every page of the forms that draws a mark or an answer box', async () => {
    for (const t of truths.filter((t) => t.kind === 'form')) {
      const open = await gateOpens(path.join(DIR, t.file));
      t.pages.forEach((p) => expect(open[p.page - 1], `${t.file} page ${p.page}`).toBe(true));
    }
  });

  it.each(['multi_page.pdf', 'pdkids.pdf', '2305.03393v1-pg9.pdf', 'normal_4pages.pdf'])('stays shut on the plain text pages of %s', async (name) => {
    const open = await gateOpens(corpusFile(`text/${name}`));
    expect(open.filter(Boolean).length).toBe(0);
  });

  // Ruled tables, page frames, rules and figures draw closed shapes too, but none of a box's size.
  // tracemonkey.pdf's trace diagrams draw circles of a box's size, but no word beside any of them.
  it.each(['TAMReview.pdf', 'redp5110_sampled.pdf', 'tracemonkey.pdf'])('stays shut on the pages of %s, tables and figures included', async (name) => {
    const open = await gateOpens(corpusFile(`text/${name}`));
    expect(open.flatMap((o, i) => (o ? [i + 1] : []))).toEqual([]);
  });
});
