/**
 * The pages without marks: control pages (everything issue 21 item 5 says is not a mark:
 * bullets, O/0/Q, ©®°, a ruled table, underline answer lines, a logo's circle, a box drawn
 * around a word) and report pages (headings, a paragraph, a list, a 4 × 4 ruled table).
 * Same display list as the forms, same renderers; ground truth: the table cells, the
 * headings and list items, and zero marks.
 */
import { A4, LETTER, metrics, roundBox } from './common.mjs';

const BLACK = [0, 0, 0];
const M = 54;

class Page {
  constructor(size, font, fonts) {
    Object.assign(this, { width: size[0], height: size[1], font, fonts, ops: [], marks: [], answers: [], tables: [], headings: [], listItems: [] });
  }
  text(x, y, text, { font = this.font, size = 10 } = {}) {
    this.ops.push({ op: 'text', x, y, text, font, size, color: BLACK, role: 'static' });
    return this.fonts[font].widthOfTextAtSize(text, size);
  }
  heading(y, text, level, font, size) {
    const w = this.text(M, y, text, { font, size });
    this.headings.push({ text, level, box: roundBox([M, y - size * 0.75, M + w, y + size * 0.22]) });
  }
  rect(box, lw = 0.8) {
    this.ops.push({ op: 'rect', box, lw, stroke: true, color: BLACK, role: 'static' });
  }
  line(x0, y0, x1, y1, lw = 0.6) {
    this.ops.push({ op: 'poly', pts: [[x0, y0], [x1, y1]], lw, color: BLACK, role: 'static' });
  }
  circle(cx, cy, r, lw, fill = false) {
    this.ops.push({ op: 'circle', cx, cy, r, lw, stroke: !fill, fill, color: BLACK, role: 'static' });
  }
  /** A ruled table, header row first; returns its bottom. */
  table(x, y, widths, rows, { size = 10, rowH = 20, lw = 0.8, bold } = {}) {
    const right = x + widths.reduce((a, b) => a + b, 0);
    const bottom = y + rowH * rows.length;
    for (let i = 0; i <= rows.length; i++) this.line(x, y + i * rowH, right, y + i * rowH, lw);
    let cx = x;
    for (let j = 0; j <= widths.length; j++) {
      this.line(cx, y, cx, bottom, lw);
      cx += widths[j] ?? 0;
    }
    const cells = rows.map((row, i) =>
      row.map((text, j) => {
        const l = x + widths.slice(0, j).reduce((a, b) => a + b, 0);
        const top = y + i * rowH;
        this.text(l + 5, top + rowH / 2 + size * 0.35, text, { size, font: i === 0 && bold ? bold : this.font });
        return { row: i, col: j, text, box: roundBox([l, top, l + widths[j], top + rowH]) };
      }),
    );
    this.tables.push({ box: roundBox([x, y, right, bottom]), rows: rows.length, cols: widths.length, header: true, cells: cells.flat() });
    return bottom;
  }
  list(y, items, bullet, { font = this.font, size = 10, bulletFont = font } = {}) {
    for (const item of items) {
      if (bullet === 'circle-path') this.circle(M + 6, y - size * 0.3, 1.8, 0.6);
      else if (bullet === 'square-path') this.ops.push({ op: 'rect', box: [M + 4, y - size * 0.3 - 2, M + 8, y - size * 0.3 + 2], fill: true, color: BLACK, role: 'static' });
      else this.text(M + 3, y, bullet, { font: bulletFont, size });
      this.text(M + 16, y, item, { font, size });
      this.listItems.push({ text: item, bullet });
      y += size + 7;
    }
    return y;
  }
}

const TABLE = [
  ['Item', 'Location', 'Condition', 'Action'],
  ['Gutters', 'North side', 'Loose', 'Refasten'],
  ['Outlet', 'Kitchen', 'No GFCI', 'Replace'],
  ['Railing', 'Deck', 'Worn', 'Monitor'],
];

/** Signs and look-alikes in a few lines of prose, an underline answer line, a boxed word, a logo. */
function lookAlikes(p, y, { fontSize = 10, logoFont }) {
  p.text(M, y, 'Order No. 0042-O, Quote Q-0100: 0 O Q o 00 OO QQ', { size: fontSize });
  p.text(M, y + 16, '\u00A9 2025 Oakridge Realty\u00AE. Set the thermostat to 68 \u00B0F (20 \u00B0C).', { size: fontSize });
  const w = p.text(M, y + 40, 'Signature:', { size: fontSize });
  p.line(M + w + 6, y + 42, M + w + 200, y + 42);
  const w2 = p.text(M + w + 220, y + 40, 'Date:', { size: fontSize });
  p.line(M + w + 226 + w2, y + 42, M + w + 330 + w2, y + 42);
  const word = 'NOTICE';
  const ww = p.text(M + 4, y + 72, word, { size: fontSize + 2, font: logoFont });
  p.rect([M, y + 72 - fontSize - 4, M + ww + 8, y + 72 + 5], 1);
  p.text(M + ww + 18, y + 72, 'This report is not a warranty of the property.', { size: fontSize });
  const lx = p.width - M - 30;
  p.circle(lx, y + 20, 22, 1.5);
  p.circle(lx, y + 20, 17, 0.5);
  p.text(lx - 12, y + 25, 'OR', { size: 14, font: logoFont });
  return y + 96;
}

async function control1() {
  const p = new Page(LETTER, 'Helvetica', await metrics());
  p.heading(70, 'Oakridge Realty: What happens next', 1, 'Helvetica-Bold', 16);
  let y = p.list(100, ['Your offer is sent to the seller', 'The seller answers within 3 days'], '\u2022');
  y = p.list(y, ['Inspection period: 10 days', 'Appraisal ordered by the lender'], '\u25A0', { bulletFont: 'Zapf', size: 10 });
  y = p.list(y, ['Title search', 'Survey (if required)'], '\u25E6', { bulletFont: 'DejaVuSans' });
  y = p.list(y, ['Closing: bring a photo ID'], '\u2013');
  y = lookAlikes(p, y + 10, { logoFont: 'Helvetica-Bold' });
  p.table(M, y + 10, [120, 120, 110, 110], TABLE, { bold: 'Helvetica-Bold' });
  return { id: 'control-1', generator: 'pdf-lib', pages: [p] };
}

async function control2() {
  const p = new Page(A4, 'Times', await metrics());
  p.heading(72, 'Inspection Summary: Notes', 1, 'Times-Bold', 16);
  let y = p.list(104, ['Roof covering in fair condition', 'Flashing sealed in 2022'], '\u2022');
  y = p.list(y, ['Furnace filter dirty', 'Replace the filter yearly'], 'square-path');
  y = p.list(y, ['Smoke alarm in the hall', 'CO alarm near the bedrooms'], 'circle-path');
  y = p.list(y, ['Hot water at 120 \u00B0F'], '\u2013');
  y = lookAlikes(p, y + 10, { fontSize: 11, logoFont: 'Times-Bold' });
  y = p.table(M, y + 10, [110, 130, 110, 120], TABLE, { bold: 'Times-Bold', size: 11, rowH: 22, lw: 1 });
  p.text(M, y + 24, 'Answers: ______________________________', { size: 11 });
  return { id: 'control-2', generator: 'ps2pdf', pages: [p] };
}

async function control3() {
  const p = new Page(A4, 'Courier', await metrics());
  p.heading(72, 'RECEIPT OF DEPOSIT', 1, 'Courier-Bold', 14);
  const w = p.text(M, 100, 'O 0 Q  o  \u00B0  \u00A9  \u00AE  \u2022', { size: 18 });
  p.text(M + w + 12, 100, '\u25A0 \u25CF', { font: 'Zapf', size: 14 });
  p.text(M, 126, 'Q1 2026 / 00 OOO / Q.O.D. / 10 \u00B0C', { size: 12 });
  let y = p.list(150, ['Deposit held in escrow', 'Refundable until day 10'], '\u25E6', { bulletFont: 'DejaVuSans' });
  y = p.list(y, ['Paid by cheque'], 'square-path');
  y = p.list(y, ['Receipt no. 0O-0Q'], '\u2022');
  y = lookAlikes(p, y + 10, { logoFont: 'Courier-Bold' });
  y = p.table(M, y + 14, [100, 120, 120, 120], TABLE, { bold: 'Courier-Bold', size: 9, rowH: 18, lw: 0.5 });
  p.circle(p.width / 2, y + 60, 30, 2);
  p.text(p.width / 2 - 18, y + 64, 'SEAL', { font: 'Courier-Bold', size: 12 });
  p.circle(M + 10, y + 60, 6, 3);
  return { id: 'control-3', generator: 'pdf-lib', pages: [p] };
}

const PARAGRAPH = [
  'The house was inspected on 2 November 2025 in dry weather. The findings below list what',
  'needs attention before the sale; the table gives each item, where it is and what to do.',
];

async function report(id, generator, size, font, bold) {
  const p = new Page(size, font, await metrics());
  p.heading(76, 'Home Inspection Report', 1, bold, 20);
  PARAGRAPH.forEach((line, i) => p.text(M, 104 + i * 14, line, { size: 10.5 }));
  p.heading(150, 'Findings', 2, bold, 14);
  let y = p.list(172, ['Gutters on the north side are loose', 'The kitchen outlet has no GFCI', 'Deck railing shows wear'], '\u2022', { size: 10.5 });
  p.heading(y + 14, 'Summary table', 2, bold, 14);
  y = p.table(M, y + 26, [120, 120, 120, 120], TABLE, { bold, size: 10.5, rowH: 22 });
  p.heading(y + 34, 'Next steps', 2, bold, 14);
  p.text(M, y + 56, 'Repairs should be done by a licensed contractor before closing.', { size: 10.5 });
  return { id, generator, pages: [p] };
}

export async function plainPages() {
  return {
    controls: [await control1(), await control2(), await control3()],
    reports: [
      await report('report-1', 'pdf-lib', LETTER, 'Helvetica', 'Helvetica-Bold'),
      await report('report-2', 'ps2pdf', A4, 'Times', 'Times-Bold'),
    ],
  };
}
