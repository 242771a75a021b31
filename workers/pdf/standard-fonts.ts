/**
 * pdfjs's data files (CMaps, standard fonts, wasm) read from its package as its own Node factory
 * reads them, but for one change. pdfjs draws a standard font the PDF does not embed with a file
 * of its own, and gives that file's vertical metrics as the font's: Helvetica and the fonts it
 * maps to Helvetica (Arial, ArialMT) come as Liberation Sans, whose ascent (0.905 em, its line
 * spacing) is a quarter taller than Helvetica's own 0.718 (AFM Ascender; what poppler's
 * pdftotext -bbox puts a word's top at, and what pdfjs's own table of standard fonts says).
 * A 16-pt Helvetica-Bold word's box would be 17.9 pt tall instead of 14.8. Liberation Sans is served
 * with Helvetica's ascent and descent in its hhea table, where pdfjs reads them; the glyphs are
 * drawn from their outlines, which do not change. The Times and Courier stand-ins are Type 1
 * files without metrics: text/text-words.ts falls back to their AFM values by family.
 */
import { readFile } from 'node:fs/promises';

/** Helvetica's AFM Ascender and Descender, in 1/1000 em (the same for its bold and oblique faces). */
const HELVETICA = { ascent: 718, descent: -207 };

type Kind = 'cMapUrl' | 'standardFontDataUrl' | 'wasmUrl';

/** pdfjs's BinaryDataFactory (getDocument's option): `fetch` of a file by kind and name. */
export class PdfjsData {
  private readonly dirs: Record<Kind, string | null>;

  constructor({ cMapUrl = null, standardFontDataUrl = null, wasmUrl = null }: Partial<Record<Kind, string | null>>) {
    this.dirs = { cMapUrl, standardFontDataUrl, wasmUrl };
  }

  async fetch({ kind, filename }: { kind: Kind; filename: string }): Promise<Uint8Array> {
    const dir = this.dirs[kind];
    if (!dir) throw new Error(`no ${kind} was given`);
    const data = new Uint8Array(await readFile(`${dir}${filename}`));
    return kind === 'standardFontDataUrl' && filename.startsWith('LiberationSans-') ? withMetrics(data, HELVETICA) : data;
  }
}

/** The TrueType font with `metrics` (1/1000 em) as its hhea ascender and descender; as it was if its tables cannot be found. */
function withMetrics(font: Uint8Array, metrics: { ascent: number; descent: number }): Uint8Array {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const table = (tag: string): number => {
    const count = view.getUint16(4);
    for (let i = 0; i < count; i++) {
      const record = 12 + 16 * i;
      if (String.fromCharCode(...font.subarray(record, record + 4)) === tag) return view.getUint32(record + 8);
    }
    return -1;
  };
  const head = table('head');
  const hhea = table('hhea');
  if (head < 0 || hhea < 0) return font;
  const unitsPerEm = view.getUint16(head + 18);
  view.setInt16(hhea + 4, Math.round((metrics.ascent * unitsPerEm) / 1000));
  view.setInt16(hhea + 6, Math.round((metrics.descent * unitsPerEm) / 1000));
  return font;
}
