#!/usr/bin/env node
/**
 * Writes test/smallprint/: the small-print corpus of issue 22. Three pages of 6-9 pt text
 * (an article with footnotes, a dot-leader index, a dense table with a code listing and fine
 * print) drawn as PostScript through ps2pdf, then scanned as scripts/forms scans are (pdftoppm,
 * a small skew, JPEG quality 75) at 300 dpi gray, 200 dpi colour and 150 dpi gray.
 * The ground truth is the text put in: `smallprint.expected.txt`, pages separated by \f.
 *
 *   node scripts/smallprint/generate.mjs     (needs ghostscript's ps2pdf and poppler; deterministic)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { metrics, ROOT, rng } from '../forms/common.mjs';
import { postscript, ps2pdf } from '../forms/render-ps.mjs';
import { scan } from '../forms/scan.mjs';
import { smallPrintPages } from './pages.mjs';

const OUT = path.join(ROOT, 'test', 'smallprint');
/** [dpi, mode] of each scan; the file is smallprint.scan-<dpi>-<mode>.pdf. */
const SCANS = [[300, 'gray-jpeg'], [200, 'rgb-jpeg'], [150, 'gray-jpeg']];

mkdirSync(OUT, { recursive: true });
const pages = smallPrintPages(rng(22), await metrics());
const vector = ps2pdf(postscript(pages));
writeFileSync(path.join(OUT, 'smallprint.vector.pdf'), vector);
writeFileSync(path.join(OUT, 'smallprint.expected.txt'), `${pages.map((p) => p.lines.join('\n')).join('\n\f')}\n`);
const noTruth = pages.map(() => ({ marks: [], answers: [], headings: [], tables: [] }));
for (const [dpi, mode] of SCANS) {
  const r = rng(dpi);
  const pageOpts = pages.map(() => ({ skew: Math.round(r.range(-0.6, 0.6) * 100) / 100, blur: 0, dust: 0 }));
  const { bytes } = await scan(vector, noTruth, { dpi, mode, pageOpts, rnd: r, avoidMarks: false });
  writeFileSync(path.join(OUT, `smallprint.scan-${dpi}-${mode}.pdf`), bytes);
}
