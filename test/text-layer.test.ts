/**
 * The child's text-layer path on PDFs made for it: a text bomb read by the real child with the
 * service's default limits, and a word's box against the font's own metrics.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { unpackWords } from '../src/protocol.js';
import { readWithChild } from './helpers.js';
import { sharedStreamPdf } from './pdf-bytes.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pdf-ocr-text-layer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function written(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** 500 lines of 1,000 three-letter words in 6-pt Helvetica, on a page 200 inches square. */
function bombContent(): string {
  const line = `(${Array.from({ length: 1000 }, () => 'abc').join(' ')}) '\n`;
  return `BT /F1 6 Tf 7.2 TL 10 14390 Td\n${line.repeat(500)}ET\n`;
}

describe('a text bomb', () => {
  it('5 pages of 500,000 words from one 4 kB stream: pages cut (text_truncated), the child far inside its memory', async () => {
    const bomb = sharedStreamPdf(5, bombContent(), [0, 0, 14400, 14400]);
    expect(bomb.length).toBeLessThan(4 * 1024);
    const read = await readWithChild(written('bomb.pdf', bomb));
    expect(read.outcome).toMatchObject({ ok: true });
    expect(read.pages).toHaveLength(5);
    for (const page of read.pages) {
      expect(page.error?.code).toBe('text_truncated');
      // Cut, but far from empty: tens of thousands of the page's words.
      expect(page.words!.boxes.length / 4).toBeGreaterThan(20_000);
    }
    // Measured: 74 MB with the cut; the whole layer's words passed the default 180 MB.
    console.log(`text bomb: the child's owned peak ${read.exit.peakMemoryMb} MB`);
    expect(read.exit.peakMemoryMb).toBeLessThan(130);
  });
});

describe("a word's box", () => {
  it("spans a 16-pt Helvetica-Bold word from Helvetica's own ascent to its descent (14.8 pt), as poppler's does", async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([300, 200]);
    // A standard font, not embedded: pdfjs draws it with Liberation Sans, whose ascent is 0.905 em.
    page.drawText('Heading', { x: 50, y: 100, size: 16, font: await doc.embedFont(StandardFonts.HelveticaBold) });
    const read = await readWithChild(written('helvetica-bold.pdf', await doc.save()));
    expect(read.outcome).toMatchObject({ ok: true });
    const [word] = unpackWords(read.pages[0]!.words!);
    expect(word?.text).toBe('Heading');
    // The baseline at y = 100 from the bottom is 100 pt down; AFM Ascender 718, Descender -207.
    const [, top, , bottom] = word!.bbox;
    expect(Math.abs(bottom - top - 14.8)).toBeLessThanOrEqual(0.3);
    expect(Math.abs(100 - top - 0.718 * 16)).toBeLessThanOrEqual(0.3);
    expect(Math.abs(bottom - 100 - 0.207 * 16)).toBeLessThanOrEqual(0.3);
  });
});
