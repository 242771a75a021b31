import { tableOf, tableSum, type Decoded, type FontStyle, type Styles, type TextItem } from './decode.js';
import { TABLE_SPACE, type FontFit } from './font-fit.js';

/** A font this much wider than the body font, both measured against the body's standard table, reads as bold. */
const BOLD_WIDTH_RATIO = 1.06;
/** Characters a font needs on a page before its width says anything. */
const MIN_WEIGHT_CHARS = 4;
/**
 * A face of the body's family setting at most this share of the page's characters is an
 * emphasis (italic, small caps), on a page whose body font sets at least BODY_SHARE of them.
 */
const MINOR_FACE_SHARE = 0.15;
const BODY_SHARE = 0.6;

/**
 * Faces of one family (Times-Roman and Times-Italic on amt_handbook_sample.pdf) share pdfjs's
 * family and vertical metrics; fonts of other designs mostly do not (issue19971.pdf's lines set in
 * Verdana, Impact and Georgia read as headings without this check). Code's monospace is no
 * emphasis.
 */
function sameFamily(a: FontStyle | undefined, b: FontStyle | undefined): boolean {
  if (!a || !b || a.fontFamily !== b.fontFamily || a.fontFamily === 'monospace') return false;
  return Math.abs(a.ascent - b.ascent) < 0.01 && Math.abs(a.descent - b.descent) < 0.01;
}

/**
 * pdfjs's text content says nothing of a font's weight or slant (no name, no flags without
 * building the page's operator list); its widths and shares do. A bold face's glyphs are wider
 * than its regular's (Helvetica-Bold ~9 %, Times-Bold ~7 %), and a heading face unlike the
 * body's differs too: each font's characters are measured against the standard table of the
 * page's body font (the font with the most characters), and fonts markedly wider are emphasis.
 * An italic's widths are the regular's within a few per cent (Times-Italic 0.96 of Times-Roman
 * on amt_handbook_sample.pdf, whose run-in headings are italic), so a face other than the body's
 * of the body's family (sameFamily) that sets only a small share of a page the body font
 * clearly dominates is taken as emphasis too (where no font dominates, as on normal_4pages.pdf's
 * pages of tables, footnotes and running text, which face is the plain one is anybody's guess).
 * A heuristic for Markdown headings and block breaks, not a fact.
 */
export function emphasisFonts(items: TextItem[], d: Decoded, styles: Styles, fits: Map<string, FontFit>): Set<string> {
  const chars = new Map<string, number>();
  for (const item of items) chars.set(item.fontName, (chars.get(item.fontName) ?? 0) + item.str.length);
  let body = '';
  for (const [font, n] of chars) if (!body || n > chars.get(body)!) body = font;
  const table = fits.get(body)?.table ?? tableOf(styles.get(body)?.fontFamily ?? 'sans-serif');
  const measured = new Map<string, { actual: number; standard: number; chars: number }>();
  let total = 0;
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const sizeAlong = d.sizeAlong[k]!;
    if (sizeAlong === 0 || styles.get(item.fontName)?.vertical) continue;
    const spaces = d.spaces[k]!;
    const n = d.chars[k]!;
    if (n === 0) continue;
    const standard = tableSum(d, k, table) / 1000;
    const m = measured.get(item.fontName) ?? { actual: 0, standard: 0, chars: 0 };
    m.actual += item.width / sizeAlong - spaces * TABLE_SPACE[table];
    m.standard += standard;
    m.chars += n;
    total += n;
    measured.set(item.fontName, m);
  }
  const emphasis = new Set<string>();
  const base = measured.get(body);
  if (!base || base.standard === 0) return emphasis;
  const bodyRatio = base.actual / base.standard;
  for (const [font, m] of measured) {
    if (font === body || m.chars < MIN_WEIGHT_CHARS) continue;
    const wide = m.actual / m.standard >= BOLD_WIDTH_RATIO * bodyRatio;
    const minor = base.chars >= BODY_SHARE * total && m.chars <= MINOR_FACE_SHARE * total && sameFamily(styles.get(font), styles.get(body));
    if (wide || minor) emphasis.add(font);
  }
  return emphasis;
}
