/**
 * Every file of test/corpus/ through the real service: text PDFs give their text layer,
 * scans are OCRed, bad files end in the outcome their MANIFEST.tsv notes imply.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySampler } from '../harness/memory.js';
import {
  corpusFile,
  leftoverFiles,
  manifest,
  result,
  sleep,
  startServer,
  submit,
  waitForJob,
  wordAccuracy,
  workerPids,
  type ResultJson,
  type RunningServer,
} from './helpers.js';

const pdfsIn = (dir: string) => readdirSync(corpusFile(dir)).filter((f) => f.endsWith('.pdf')).map((f) => `${dir}/${f}`);
const expectedText = (file: string) => {
  const path = corpusFile(file.replace(/\.pdf$/, '.expected.txt'));
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
};
const pdftotextPages = (file: string) => execFileSync('pdftotext', [corpusFile(file), '-']).toString().split('\f');

/** Where pdfjs and poppler read a text layer differently, and why. */
const LAYER_AGREEMENT: Record<string, number> = {
  // A sandwich PDF whose invisible OCR layer cuts words at the column edge; the two readers
  // join the pieces differently.
  'text/issue5747.pdf': 0.8,
};

type Outcome =
  | { status: 'succeeded'; pageError?: string; contains?: string; accuracy?: number }
  | { status: 'failed'; code: string }
  | { http: number; code: string };

/** What each bad file must come to, from the notes in MANIFEST.tsv. */
const BAD: Record<string, Outcome> = {
  '2206.01062_pg3_pw1234.pdf': { status: 'failed', code: 'pdf_password_required' },
  'Brotli-Prototype-FileA.pdf': { status: 'succeeded' }, // pdfjs decodes /BrotliDecode
  'PDFBOX-3148-2-fuzzed.pdf': { status: 'succeeded' },
  'REDHAT-1531897-0.pdf': { status: 'failed', code: 'pdf_invalid' },
  'TAMReview_truncated.pdf': { status: 'succeeded' },
  'bomb_giant.pdf': { status: 'succeeded', contains: 'GIANT JBIG2 BOMB' },
  'bug1606566.pdf': { http: 415, code: 'not_a_pdf' }, // no %PDF- signature in the first 1024 bytes
  'empty_zero_bytes.pdf': { http: 415, code: 'not_a_pdf' },
  'encrypted_algo4.pdf': { status: 'succeeded' }, // owner password only: opens without one
  'enormous.pdf': { status: 'succeeded', pageError: 'image_too_large' }, // 81 Mpx image > the 12 Mpx cap
  'freeculture.pdf': { status: 'succeeded', contains: 'Free Culture' },
  'hello_world_rotated.pdf': { status: 'succeeded', contains: 'Hello world' },
  'hugemono.pdf': { status: 'succeeded', pageError: 'image_too_large' }, // 1.2 Gpx JBIG2
  'invalid.pdf': { status: 'failed', code: 'pdf_invalid' },
  'issue12963.pdf': { status: 'succeeded' },
  'issue21579_pw.pdf': { status: 'failed', code: 'pdf_password_required' },
  'issue3214_x100_1400pages.pdf': { status: 'failed', code: 'too_many_pages' }, // MAX_PAGES is 500
  'issue6010_1_pwabc.pdf': { status: 'failed', code: 'pdf_password_required' },
  'issue9418.pdf': { status: 'succeeded' }, // pdfjs rebuilds the broken xref
  'issue9972-1.pdf': { status: 'succeeded' },
  'not_a_pdf_odt.pdf': { http: 415, code: 'not_a_pdf' },
  'not_a_pdf_png.pdf': { http: 415, code: 'not_a_pdf' },
  'poppler-395-0-fuzzed.pdf': { status: 'failed', code: 'pdf_invalid' },
  'poppler-67295-0.pdf': { status: 'succeeded' },
  'poster.pdf': { status: 'succeeded', accuracy: 0.85 }, // a 25×50 in page holding a scan
  'saslprep-r6.pdf': { status: 'failed', code: 'pdf_password_required' },
  'skew-encrypted.pdf': { status: 'failed', code: 'pdf_password_required' },
  'tracemonkey_truncated.pdf': { status: 'failed', code: 'pdf_invalid' },
  'truetype_font_nomapping.pdf': { status: 'succeeded' },
  'type3_font_nomapping.pdf': { status: 'succeeded' },
};

/** With the passwords MANIFEST.tsv names: the right one opens the file, a wrong one is told apart. */
const WITH_PASSWORD: Record<string, { password: string; contains?: string }> = {
  '2206.01062_pg3_pw1234.pdf': { password: '1234', contains: 'DocLayNet' },
  'issue6010_1_pwabc.pdf': { password: 'abc', contains: 'Issue 6010' },
  'issue21579_pw.pdf': { password: 'pässwört' },
  'saslprep-r6.pdf': { password: 'SaSLprep' },
  // Its .expected.txt is the LinnSequencer text, but the page is a 72-ppi scan of A Tale of
  // Two Cities (read with ~94% confidence): the ground truth does not belong to this file.
  'skew-encrypted.pdf': { password: 'password', contains: 'throne of England' },
};

let server: RunningServer;
let startRssMb: number;
const rssMb = async () => ((await (await fetch(`${server.url}/healthz`)).json()) as { memory: { rss_mb: number } }).memory.rss_mb;
beforeAll(async () => {
  server = await startServer({ QUEUE_LIMIT: '100' });
  startRssMb = await rssMb();
});
afterAll(async () => {
  await server.stop();
  expect(workerPids(server.proc.pid)).toEqual([]);
});

async function run(file: string, fields: Record<string, string> = {}): Promise<{ http: number; code?: string; status?: string; result?: ResultJson }> {
  const res = await submit(server.url, corpusFile(file), { fields });
  if (res.status !== 202) return { http: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
  const { id } = (await res.json()) as { id: string };
  const job = await waitForJob(server.url, id);
  return { http: 202, status: job.status, code: job.error?.code, result: job.status === 'succeeded' ? await result(server.url, id) : undefined };
}

describe('text PDFs give their text layer', () => {
  it.each(pdfsIn('text'))('%s', async (file) => {
    const got = await run(file);
    expect(got.status).toBe('succeeded');
    const pages = got.result!.pages;
    const expected = expectedText(file);
    if (expected) expect(wordAccuracy(got.result!.text, expected)).toBeGreaterThanOrEqual(0.9);
    const reference = pdftotextPages(file);
    for (const page of pages) {
      expect(page.error, `page ${page.page}`).toBeNull();
      // A page whose layer was garbage (unmapped glyphs) was OCRed instead: what it read, it
      // read with confidence (a page of pictures reads as nothing).
      if (page.source === 'ocr' && page.text.length > 0) expect(page.confidence, `page ${page.page}`).toBeGreaterThan(60);
    }
    // Pages read from their text layer have the words pdftotext finds there.
    const fromLayer = pages.filter((p) => p.source === 'text');
    const ours = fromLayer.map((p) => p.text).join('\n');
    const theirs = fromLayer.map((p) => reference[p.page - 1] ?? '').join('\n');
    expect(wordAccuracy(ours, theirs)).toBeGreaterThanOrEqual(LAYER_AGREEMENT[file] ?? 0.9);
  });
});

describe('scans are OCRed', () => {
  it.each(pdfsIn('scanned'))('%s', async (file) => {
    const got = await run(file);
    expect(got.status).toBe('succeeded');
    const ocred = got.result!.pages.filter((p) => p.source === 'ocr');
    expect(ocred.length).toBeGreaterThan(0);
    const expected = expectedText(file);
    const oversized = ocred.some((p) => p.error?.code === 'image_too_large');
    if (expected && !oversized) expect(wordAccuracy(got.result!.text, expected)).toBeGreaterThanOrEqual(0.85);
  });

  it('reads 600-dpi scans once the image cap and the child memory allow them', async () => {
    const big = await startServer({ MAX_PAGE_MEGAPIXELS: '40', CHILD_MEMORY_MB: '480' });
    try {
      for (const file of ['scanned/ocr_test.pdf', 'scanned/ocr_test_rotated_90.pdf']) {
        const res = await submit(big.url, corpusFile(file));
        const { id } = (await res.json()) as { id: string };
        expect((await waitForJob(big.url, id)).status).toBe('succeeded');
        const r = await result(big.url, id);
        expect(r.pages[0]!.error, file).toBeNull();
        expect(wordAccuracy(r.text, expectedText(file)!), file).toBeGreaterThanOrEqual(0.85);
      }
    } finally {
      await big.stop();
    }
  });
});

describe('bad files end in the outcome their notes imply', () => {
  // Bombs, giant pages and broken files, all inside the memory budget the whole time.
  let sampler: MemorySampler;
  beforeAll(() => {
    sampler = new MemorySampler(server.proc.pid!).start();
  });
  afterAll(() => {
    const peak = sampler.stop();
    console.log(`bad files: peak PSS ${Math.round(peak.pssMb)} MB, RSS ${Math.round(peak.rssMb)} MB over ${peak.samples} samples`);
    expect(peak.rssMb).toBeLessThan(512);
  });

  it('the table covers every file in bad/', () => {
    expect(Object.keys(BAD).sort()).toEqual(pdfsIn('bad').map((f) => f.slice(4)).sort());
    for (const name of Object.keys(WITH_PASSWORD)) expect(manifest().get(`bad/${name}`)?.encrypted).toBe('yes');
  });

  it.each(Object.entries(BAD))('%s', async (name, want) => {
    const got = await run(`bad/${name}`);
    if ('http' in want) {
      expect({ http: got.http, code: got.code }).toEqual(want);
      return;
    }
    expect(got.status).toBe(want.status);
    if (want.status === 'failed') {
      expect(got.code).toBe(want.code);
      return;
    }
    const r = got.result!;
    if (want.pageError) expect(r.pages.some((p) => p.error?.code === want.pageError)).toBe(true);
    else expect(r.pages.every((p) => p.error === null)).toBe(true);
    if (want.contains) expect(r.text).toContain(want.contains);
    const expected = expectedText(`bad/${name}`);
    if (want.accuracy) expect(wordAccuracy(r.text, expected!)).toBeGreaterThanOrEqual(want.accuracy);
  });

  it.each(Object.entries(WITH_PASSWORD))('%s opens with its password, not with a wrong one', async (name, { password, contains }) => {
    const wrong = await run(`bad/${name}`, { password: 'not-the-password' });
    expect(wrong.code).toBe('pdf_password_incorrect');
    const right = await run(`bad/${name}`, { password });
    expect(right.status).toBe('succeeded');
    expect(right.result!.text.trim().length).toBeGreaterThan(0);
    if (contains) expect(right.result!.text).toContain(contains);
  });

  it('leaves the service healthy, its memory near where it started, no temp file and no child behind', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    // The results it keeps (a 352-page book among them) and a warmed-up heap, no more.
    const grownMb = (await rssMb()) - startRssMb;
    console.log(`server RSS after the sweep: +${grownMb} MB`);
    expect(grownMb).toBeLessThan(40);
    const deadline = Date.now() + 10_000;
    while ((leftoverFiles(server.tmpDir).length > 0 || workerPids(server.proc.pid).length > 0) && Date.now() < deadline) await sleep(100);
    expect(leftoverFiles(server.tmpDir)).toEqual([]);
    expect(workerPids(server.proc.pid)).toEqual([]);
  });
});
