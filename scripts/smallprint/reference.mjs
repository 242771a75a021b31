#!/usr/bin/env node
/**
 * Writes test/smallprint/reference.json: the tesseract CLI's word recall on each scan of the
 * small-print corpus at the scan's own resolution (`pdftoppm -r <dpi> -gray`, then `tesseract
 * <page> -` with OMP_THREAD_LIMIT=1 and the system's fast model, as the bench's reference runs
 * it), scored as test/smallprint.test.ts scores the service. Committed, so the test needs no
 * tesseract CLI; re-run after generate.mjs, or when Debian's tesseract changes.
 *
 *   npx tsc -p tsconfig.bench.json && node scripts/smallprint/reference.mjs     (needs poppler and tesseract-ocr)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../forms/common.mjs';
import { wordMatches } from '../../dist/harness/service.js';

const DIR = path.join(ROOT, 'test', 'smallprint');
const expected = readFileSync(path.join(DIR, 'smallprint.expected.txt'), 'utf8').split('\f');

function cliPages(file, dpi) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'smallprint-ref-'));
  try {
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', file, path.join(tmp, 'p')]);
    const images = readdirSync(tmp).filter((f) => f.endsWith('.pgm')).sort();
    return images.map((f) => execFileSync('tesseract', [path.join(tmp, f), '-'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const scans = {};
for (const file of readdirSync(DIR).filter((f) => f.includes('.scan-')).sort()) {
  const dpi = Number(/scan-(\d+)-/.exec(file)[1]);
  const pages = cliPages(path.join(DIR, file), dpi);
  let hit = 0;
  let total = 0;
  const perPage = pages.map((text, i) => {
    const m = wordMatches(text, expected[i]);
    hit += m.hit;
    total += m.total;
    return Math.round((m.hit / m.total) * 1000) / 1000;
  });
  scans[file] = { dpi, recall: Math.round((hit / total) * 1000) / 1000, pages: perPage };
  console.log(file, scans[file]);
}
const version = execFileSync('tesseract', ['--version']).toString().split('\n')[0];
writeFileSync(path.join(DIR, 'reference.json'), `${JSON.stringify({ tool: `${version}, tessdata_fast (system), pdftoppm -gray at the scan's dpi`, scans }, null, 1)}\n`);
