/**
 * The small-print case (issue 22): each scan of test/smallprint/ (6-9 pt text at 300 dpi gray,
 * 200 dpi colour, 150 dpi gray) read by the real compiled child, one child a scan, against the
 * tesseract CLI on pdftoppm renderings at the scan's own resolution: word recall against the
 * text the pages were drawn from, and CPU seconds a page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readWithChild } from '../harness/child.js';
import { ROOT } from '../harness/service.js';
import { accuracy, splitPages, worstPages } from './accuracy.js';
import type { BenchCase, BenchContext, Row } from './case.js';
import { tesseractPages } from './reference.js';

const DIR = path.join(ROOT, 'test/smallprint');
const TARGET = { accuracyRatio: 0.99 };

/** The corpus's scans and their resolutions, from their names (smallprint.scan-<dpi>-<mode>.pdf). */
export function smallPrintScans(): { file: string; dpi: number }[] {
  return readdirSync(DIR)
    .filter((f) => /\.scan-\d+-.*\.pdf$/.test(f))
    .sort()
    .map((f) => ({ file: path.join(DIR, f), dpi: Number(/scan-(\d+)-/.exec(f)![1]) }));
}

/** One row per scan: the child's recall and CPU a page against the CLI's at the scan's own dpi. */
export async function smallPrintRows(ctx: BenchContext): Promise<Row[]> {
  const expectedText = readFileSync(path.join(DIR, 'smallprint.expected.txt'), 'utf8');
  const rows: Row[] = [];
  for (const { file, dpi } of smallPrintScans()) {
    const name = path.basename(file);
    ctx.log(`small print: the child reads ${name}`);
    const read = await readWithChild(file);
    if (!read.outcome.ok) throw new Error(`${name}: the child failed (${read.outcome.code}: ${read.outcome.message})`);
    const pageCount = read.pages.length;
    const expected = splitPages(expectedText, pageCount);
    ctx.log(`small print: tesseract CLI on ${name} at ${dpi} dpi`);
    const cli = await tesseractPages(file, pageCount, dpi);
    const ours = accuracy(read.pages.map((p) => p.text), expected);
    const theirs = accuracy(cli.pages, expected);
    const profile = read.exit.profile;
    const oursCpu = profile ? profile.totalCpuMs / 1000 / pageCount : null;
    const pixels = profile ? profile.ocrPixels / Math.max(1, profile.ocrPages) / 1e6 : null;
    ctx.details[`smallprint ${name}`] = { ours, tesseract: theirs, profile, cliCpuS: cli.cpuS };
    const ratio = ours.overall / theirs.overall;
    rows.push({
      case: `small print ${name.replace(/^smallprint\.|\.pdf$/g, '')} (${pageCount}p)`,
      oursS: oursCpu,
      referenceS: cli.cpuS / pageCount,
      ratio,
      peakPssMb: null,
      peakMemoryMb: read.exit.peakMemoryMb,
      target: `word acc ≥ ${TARGET.accuracyRatio}× tesseract @ ${dpi} dpi`,
      pass: ratio >= TARGET.accuracyRatio,
      notes: [
        `word recall ours ${ours.overall.toFixed(3)}, tesseract CLI ${theirs.overall.toFixed(3)} (pdftoppm -r ${dpi} -gray); worst pages: ${worstPages(ours, theirs)}`,
        `times: CPU s a page, ours = the child's own (start and model load included), reference = the CLI's (model load included, rendering excluded); ours read ${pixels?.toFixed(2)} MP a page`,
      ],
    });
  }
  return rows;
}

export const smallPrint: BenchCase = {
  name: 'smallprint',
  aliases: ['small-print'],
  tools: ['tesseract', 'pdftoppm'],
  run: smallPrintRows,
};
