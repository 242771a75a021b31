/**
 * The child's own reading of JPEG scans (workers/pdf/jpeg-scan.ts) against poppler's: on real PDFs
 * of the corpus it must find the very bytes `pdfimages -j` extracts, and on anything that is not
 * a plain JPEG page (text, other codecs, encryption, damage) it must step aside, never throw.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOK_SCAN, REPORT_SCAN, scannedPdf } from '../bench/scan-pdf.js';
import { JpegScans } from '../workers/pdf/jpeg-scan.js';
import { openPdf } from '../workers/pdf/pdf.js';
import { corpusFile } from './helpers.js';

// The bench's two scans, built from the corpus's text PDFs as the bench builds them (cached).
const REPORT = await scannedPdf(REPORT_SCAN);
const BOOK = await scannedPdf(BOOK_SCAN);
const dir = mkdtempSync(path.join(os.tmpdir(), 'jpeg-scan-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Per page (1-based), what each page's JpegScans lookup gives, or null. */
async function lookups(file: string, pages: number[]) {
  const scans = JpegScans.open(file);
  const doc = await openPdf(file, undefined, 12_000_000);
  try {
    const out = [];
    for (const p of pages) out.push(scans && scans.page((await doc.getPage(p)).ref, 12_000_000));
    return out;
  } finally {
    scans?.close();
    await doc.destroy();
  }
}

/** The page's image as poppler extracts it unchanged (`pdfimages -j`). */
function popplerJpeg(file: string, page: number): Buffer {
  const prefix = path.join(dir, `p${page}`);
  execFileSync('pdfimages', ['-j', '-f', String(page), '-l', String(page), file, prefix]);
  return readFileSync(`${prefix}-000.jpg`);
}

describe('JPEG scans', () => {
  it.each([
    ['the 200-dpi RGB report', REPORT, [1, 22, 44], { width: 1700, height: 2200 }, [612, 0, 0, 792, 0, 0]],
    // Its cover pages are letter size (2550×3300): the body's pages are the book's own.
    ['the 300-dpi gray book', BOOK, [3, 44], { width: 2000, height: 2825 }, [480, 0, 0, 678, 0, 0]],
    ['scanned/c02-22.pdf', corpusFile('scanned/c02-22.pdf'), [1], { width: 800, height: 981 }, [384, 0, 0, 470.88, 0, 0]],
  ] as const)('%s: the bytes pdfimages extracts, placed as drawn', async (_name, file, pages, size, ctm) => {
    const found = await lookups(file, [...pages]);
    pages.forEach((page, i) => {
      const scan = found[i];
      expect(scan, `page ${page}`).not.toBeNull();
      expect({ width: scan!.width, height: scan!.height }).toEqual(size);
      scan!.ctm.forEach((v, k) => expect(v).toBeCloseTo(ctm[k]!, 2));
      expect(Buffer.from(scan!.jpeg).equals(popplerJpeg(file, page)), `page ${page} bytes`).toBe(true);
    });
  });

  it('gives no JPEG for an image over the pixel cap', async () => {
    const scans = JpegScans.open(REPORT)!;
    const doc = await openPdf(REPORT, undefined, 12_000_000);
    try {
      expect(scans.page((await doc.getPage(1)).ref, 1700 * 2200 - 1)).toBeNull();
    } finally {
      scans.close();
      await doc.destroy();
    }
  });
});

describe('pages that are not one plain JPEG are left to pdfjs', () => {
  it.each([
    ['text/tracemonkey.pdf', [1, 2]], // text
    ['scanned/linn.pdf', [1]], // JBIG2
    ['scanned/ccitt.pdf', [1]], // CCITT G4
    ['scanned/multipage.pdf', [2, 3, 4]], // Flate images, a blank page, a text layer
    ['bad/encrypted_algo4.pdf', [1]], // encrypted (owner password only)
    ['bad/PDFBOX-3148-2-fuzzed.pdf', [1]], // damaged
  ] as const)('%s', async (rel, pages) => {
    expect(await lookups(corpusFile(rel), [...pages])).toEqual(pages.map(() => null));
  });

  it('does not open files it cannot read', () => {
    for (const rel of ['bad/invalid.pdf', 'bad/tracemonkey_truncated.pdf', 'bad/empty_zero_bytes.pdf', 'bad/not_a_pdf_png.pdf']) {
      expect(JpegScans.open(corpusFile(rel)), rel).toBeNull();
    }
  });
});
