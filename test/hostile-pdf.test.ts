/**
 * Hand-written PDFs whose structure is built to make a reader loop, stall or decode a giant,
 * run through the real child (and a real server): each must end once, with a typed error or its
 * text, in a count of children, never by luck of a timer.
 */
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { logLines, readWithChild, serverPerTest, submitOk, until, waitForJob, workerPids, type RunningServer } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-pdf-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function tempPdf(bytes: Buffer): string {
  const file = path.join(dir, `${files++}.pdf`);
  writeFileSync(file, bytes);
  return file;
}

/** A PDF of `objects` (numbered from 1), its cross-reference a stream with `xref` in its dictionary and no data. */
function withXrefStream(objects: (string | Buffer)[], xref: string): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  let length = parts[0]!.length;
  for (const [i, body] of objects.entries()) {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.from(body), Buffer.from('\nendobj\n')]);
    parts.push(obj);
    length += obj.length;
  }
  const n = objects.length + 1;
  parts.push(Buffer.from(`${n} 0 obj\n<< /Type /XRef ${xref} /Size ${n + 1} /Root 1 0 R /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** A PDF of `objects` with a classic cross-reference table. */
function withXrefTable(objects: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  for (const [i, body] of objects.entries()) {
    offsets.push(length);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.from(body), Buffer.from('\nendobj\n')]);
    parts.push(obj);
    length += obj.length;
  }
  const table = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  parts.push(Buffer.from(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${table}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}

const stream = (dict: string, data: Buffer | string) => Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`), Buffer.from(data), Buffer.from('\nendstream')]);

const TEXT = 'Hello from the text layer of a hostile file';
/** One page of text in Helvetica. */
const textPage = (): (string | Buffer)[] => [
  '<< /Type /Catalog /Pages 2 0 R >>',
  '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
  '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
  stream('', `BT /F1 24 Tf 72 700 Td (${TEXT}) Tj ET`),
  '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
];

/** 10^300: an integer to JavaScript, where adding a small count to it changes nothing. */
const HUGE = `1${'0'.repeat(300)}`;

describe('cross-reference streams whose entries take no bytes (/W [0 0 0])', () => {
  // pdfjs refuses a count that is not an integer and rebuilds the table by scanning the file; the
  // child's own reader (workers/pdf/pdf-objects.ts) took it and counted to 10^15 over the same number.
  const readable = withXrefStream(textPage(), `/W [0 0 0] /Index [${HUGE} 1000000000000000.5]`);

  it('a text document reads its text layer through pdfjs, in one child', async () => {
    const file = tempPdf(readable);
    const read = await readWithChild(file);
    expect(read.outcome).toMatchObject({ ok: true });
    expect(read.pages.map((p) => [p.source, p.text, p.error])).toEqual([['text', TEXT, null]]);
  });

  it('a page read by OCR opens the reader, which refuses the table and leaves the page to pdfjs', async () => {
    const file = tempPdf(readable);
    const read = await readWithChild(file, { ocr: 'force' });
    expect(read.outcome).toMatchObject({ ok: true });
    expect(read.pages).toHaveLength(1);
    expect(read.pages[0]).toMatchObject({ source: 'ocr', error: null });
    expect(read.pages[0]!.text).toContain('hostile file');
  });
});

const server = serverPerTest();

/** Children the server spawned for a job. */
function childrenOf(s: RunningServer, id: string): number {
  return logLines(s).filter((l) => l.msg === 'child spawned' && typeof l.job === 'string' && id.startsWith(l.job)).length;
}

/** A document over which pdfjs counts to 10^15 while opening it (the count an integer now). */
const stallingPdf = () => withXrefStream(textPage(), `/W [0 0 0] /Index [${HUGE} 1000000000000000]`);

describe('documents whose opening never ends', () => {
  it('fail once, each in one child: a stall with timeout, a runaway out of memory or time', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1', PAGE_TIMEOUT_S: '5' });
    const stall = await submitOk(s.url, stallingPdf());
    // pdfjs fills an array to 2^31 entries.
    const runaway = await submitOk(s.url, withXrefStream(textPage(), '/W [0 0 0] /Index [0 2147483647]'));
    const stalled = await waitForJob(s.url, stall.id);
    expect(stalled.error).toMatchObject({ code: 'timeout', message: 'the PDF did not open within 5 s' });
    expect(childrenOf(s, stall.id)).toBe(1);
    const ran = await waitForJob(s.url, runaway.id);
    // Out of memory or out of time first, as the host's speed has it; either way once.
    expect(['memory_limit', 'timeout']).toContain(ran.error?.code);
    expect(childrenOf(s, runaway.id)).toBe(1);
  });
});

describe('job error messages', () => {
  it('name no server path: an upload gone before its child read it fails pdf_invalid without its file URL', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1', PAGE_TIMEOUT_S: '5' });
    // A document that holds the one slot while the next upload is taken away.
    const blocker = await submitOk(s.url, stallingPdf());
    await until("the blocker's child", () => workerPids(s.proc.pid).length === 1, 30_000);
    const before = new Set(readdirSync(s.tmpDir));
    const missing = await submitOk(s.url, withXrefTable(textPage()));
    const [upload] = readdirSync(s.tmpDir).filter((d) => !before.has(d));
    unlinkSync(path.join(s.tmpDir, upload!, 'upload.pdf'));
    const gone = await waitForJob(s.url, missing.id);
    expect(gone.error?.code).toBe('pdf_invalid');
    for (const job of [gone, await waitForJob(s.url, blocker.id)]) {
      expect(job.error!.message).not.toContain(s.tmpDir);
      expect(job.error!.message).not.toMatch(/\/tmp\/|file:/);
    }
    // What the child saw, path and all, is in the server's log.
    expect(logLines(s).some((l) => l.msg === 'child exited' && String(l.detail).includes(s.tmpDir))).toBe(true);
  });
});

describe('a JPEG whose header says more pixels than its dictionary', () => {
  it('is image_too_large on the pdfjs path, not decoded', async () => {
    // A real 1500 x 1500 JPEG (2.25 MP) the dictionary calls 100 x 100, under a cap of 1 MP.
    const jpeg = await sharp({ create: { width: 1500, height: 1500, channels: 3, background: '#fff' } }).greyscale().jpeg().toBuffer();
    const content = 'q 612 0 0 792 0 0 cm /Im0 Do Q';
    const file = tempPdf(
      withXrefTable([
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >> >>',
        stream('', content),
        stream('/Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode', jpeg),
      ]),
    );
    const read = await readWithChild(file, { maxPagePixels: 1_000_000 });
    expect(read.outcome).toMatchObject({ ok: true });
    expect(read.pages[0]?.error?.code).toBe('image_too_large');
    // Nothing was decoded: the page went no further than the check.
    expect(read.exit.profile?.ocrPages).toBe(0);
  });
});

