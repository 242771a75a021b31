/**
 * What every part of the forms-corpus generator shares: the seeded random source, page sizes,
 * and the font metrics the layout measures text with (the same AFM metrics both renderers draw
 * with: pdf-lib's standard fonts, and the URW fonts ghostscript substitutes, which are
 * metric-compatible).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, StandardFonts } from 'pdf-lib';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT = path.join(ROOT, 'test', 'forms');
export const LETTER = [612, 792];
export const A4 = [595.28, 841.89];
export const FIXED_DATE = new Date('2026-01-01T00:00:00Z');

/** mulberry32: a small seeded generator, so that a re-run draws the same corpus. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor((hi - lo + 1) * next()),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

export const round = (v) => Math.round(v * 100) / 100;
export const roundBox = (b) => b.map(round);

/** TrueType fonts on the machine (Debian's fonts-dejavu), embedded by the pdf-lib renderer. */
export const TTF = {
  DejaVuSans: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  DejaVuSerif: '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
};

/** Font keys of the display list → pdf-lib standard font names (PostScript names for ps2pdf). */
export const STANDARD = {
  Helvetica: StandardFonts.Helvetica,
  'Helvetica-Bold': StandardFonts.HelveticaBold,
  Times: StandardFonts.TimesRoman,
  'Times-Bold': StandardFonts.TimesRomanBold,
  Courier: StandardFonts.Courier,
  'Courier-Bold': StandardFonts.CourierBold,
  Zapf: StandardFonts.ZapfDingbats,
};

/** Embeds the fonts `keys` (default: all) of the corpus in `doc`; returns key → PDFFont. */
export async function embedFonts(doc, keys = [...Object.keys(STANDARD), ...Object.keys(TTF)]) {
  doc.registerFontkit(fontkit);
  const fonts = {};
  for (const key of new Set(keys)) {
    fonts[key] = key in TTF ? await doc.embedFont(readFileSync(TTF[key]), { subset: true }) : await doc.embedFont(STANDARD[key]);
  }
  return fonts;
}

let metricsFonts;
/** Fonts of a scratch document, for measuring text during layout. */
export async function metrics() {
  metricsFonts ??= await embedFonts(await PDFDocument.create());
  return metricsFonts;
}

/** A fresh pdf-lib document with fixed dates, so that a re-run writes the same bytes. */
export async function newDoc(producer) {
  const doc = await PDFDocument.create();
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  doc.setProducer(`pdf-ocr-service scripts/forms (${producer})`);
  doc.setCreator('pdf-ocr-service scripts/forms/generate.mjs');
  return doc;
}
