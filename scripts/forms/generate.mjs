#!/usr/bin/env node
/**
 * Writes test/forms/: the corpus of issue 21 (forms without widgets) and its ground truth.
 * Each form as `vector` (drawn, with a text layer), `flattened` (a pdf-lib AcroForm flattened
 * by qpdf) and `scan` copies; control pages and report pages as `vector` and `scan`.
 * Beside each PDF, `<name>.json` (schema in test/forms/README.md); `index.json` lists them.
 *
 *   node scripts/forms/generate.mjs     (needs qpdf, ghostscript's ps2pdf, poppler; deterministic)
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newDoc, OUT, rng } from './common.mjs';
import { flattened } from './flatten.mjs';
import { layout } from './layout.mjs';
import { plainPages } from './pages.mjs';
import { drawPages } from './render-pdflib.mjs';
import { postscript, ps2pdf } from './render-ps.mjs';
import { JPEG_QUALITY, scan } from './scan.mjs';
import { FORMS } from './specs.mjs';

/** Scans of each document: [dpi, mode, from]; together every dpi meets every mode. */
const SCANS = {
  'disclosure-a': [[200, 'gray-jpeg', 'vector'], [300, 'bilevel', 'vector']],
  'disclosure-b': [[150, 'rgb-jpeg', 'vector'], [200, 'bilevel', 'vector']],
  'checklist-c': [[300, 'gray-jpeg', 'vector'], [150, 'bilevel', 'vector']],
  'hoa-d': [[200, 'rgb-jpeg', 'vector'], [150, 'gray-jpeg', 'flattened']],
  'inspection-e': [[300, 'rgb-jpeg', 'vector'], [200, 'gray-jpeg', 'vector']],
  'leadpaint-f': [[150, 'gray-jpeg', 'vector'], [300, 'bilevel', 'flattened']],
  'control-1': [[200, 'gray-jpeg', 'vector']],
  'control-2': [[300, 'bilevel', 'vector']],
  'control-3': [[150, 'rgb-jpeg', 'vector']],
  'report-1': [[200, 'gray-jpeg', 'vector']],
  'report-2': [[200, 'bilevel', 'vector']],
};

const seedOf = (name) => [...name].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
const index = [];

async function render(generator, pages) {
  if (generator === 'ps2pdf') return ps2pdf(postscript(pages));
  const doc = await newDoc('pdf-lib');
  await drawPages(doc, pages);
  return Buffer.from(await doc.save());
}

function pageTruth(p, i, kind) {
  const number = i + 1;
  const tag = (list) => (list ?? []).map((o) => ({ page: number, ...o }));
  return {
    page: number, width: p.width, height: p.height,
    ...(p.skew !== undefined ? { skew: p.skew, blur: p.blur, dust: p.dust } : {}),
    expectedMarks: kind === 'form' ? p.marks.length : 0,
    marks: tag(p.marks), answers: tag(p.answers), tables: tag(p.tables), headings: tag(p.headings),
    ...(p.listItems ? { listItems: p.listItems } : {}),
  };
}

function write(name, bytes, meta, pages) {
  const file = `${name}.pdf`;
  writeFileSync(path.join(OUT, file), bytes);
  const truth = { schema: 1, file, ...meta, pages: pages.map((p, i) => pageTruth(p, i, meta.kind)) };
  writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(truth, null, 1)}\n`);
  index.push({ file, truth: `${name}.json`, kind: meta.kind, variant: meta.variant, doc: meta.doc, ...(meta.scan ?? {}) });
}

/** The scans of document `id` listed in SCANS, from its variants' bytes and truth. */
async function scans(id, kind, generator, variants) {
  const r = rng(seedOf(id));
  for (const [dpi, mode, from] of SCANS[id]) {
    const source = variants[from];
    const pageOpts = source.pages.map(() => ({
      skew: Math.round(r.range(-1.5, 1.5) * 100) / 100,
      blur: r.chance(0.5) ? Math.round(r.range(0.5, 0.9) * 100) / 100 : 0,
      dust: { form: r.chance(0.6) ? r.int(6, 25) : 0, report: r.int(4, 10), control: r.int(30, 60) }[kind],
      dustMax: kind === 'control' ? 2 : 1.2,
    }));
    const { bytes, truth } = await scan(source.bytes, source.pages, { dpi, mode, pageOpts, rnd: r, avoidMarks: kind !== 'control' });
    const name = `${id}.scan-${dpi}-${mode}`;
    const scanMeta = { dpi, mode, from: `${id}.${from}.pdf`, ...(mode === 'bilevel' ? {} : { jpegQuality: JPEG_QUALITY }) };
    write(name, bytes, { doc: id, kind, variant: 'scan', generator, textLayer: false, scan: scanMeta }, truth);
  }
}

async function forms() {
  for (const spec of FORMS) {
    const pages = await layout(spec);
    const meta = { doc: spec.id, kind: 'form', generator: spec.generator, font: spec.font, pageSize: spec.size, boxDrawing: spec.boxDrawing };
    const vector = { bytes: await render(spec.generator, pages), pages };
    write(`${spec.id}.vector`, vector.bytes, { ...meta, variant: 'vector', textLayer: true }, pages);
    const flat = await flattened(spec, pages);
    write(`${spec.id}.flattened`, flat.bytes, { ...meta, variant: 'flattened', textLayer: true }, flat.truth);
    await scans(spec.id, 'form', spec.generator, { vector, flattened: { bytes: flat.bytes, pages: flat.truth } });
  }
}

async function plain() {
  const { controls, reports } = await plainPages();
  for (const [kind, docs] of [['control', controls], ['report', reports]]) {
    for (const d of docs) {
      const vector = { bytes: await render(d.generator, d.pages), pages: d.pages };
      const meta = { doc: d.id, kind, generator: d.generator, font: d.pages[0].font, pageSize: [d.pages[0].width, d.pages[0].height] };
      write(`${d.id}.vector`, vector.bytes, { ...meta, variant: 'vector', textLayer: true }, d.pages);
      await scans(d.id, kind, d.generator, { vector });
    }
  }
}

mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(OUT)) if (f.endsWith('.pdf') || f.endsWith('.json')) rmSync(path.join(OUT, f));
await forms();
await plain();
writeFileSync(path.join(OUT, 'index.json'), `${JSON.stringify({ schema: 1, files: index }, null, 1)}\n`);
console.log(`wrote ${index.length} PDFs to ${path.relative(process.cwd(), OUT) || OUT}`);
