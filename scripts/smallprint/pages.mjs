/**
 * The pages of the small-print corpus (issue 22) as display lists for scripts/forms/render-ps.mjs,
 * with the text each page holds: a two-column article at 8.5 pt with 6.5-pt footnotes, a
 * two-column index at 8 pt with dot leaders, and a dense 6.5-pt table over 7-pt Courier and 6-pt
 * fine print. Words are drawn from VOCABULARY by a seeded generator, so a re-run draws the same.
 */
import { LETTER } from '../forms/common.mjs';
import { wrap } from '../text-wrap.mjs';

const BLACK = [0, 0, 0];
const MARGIN = 54;
const [W, H] = LETTER;

const VOCABULARY = `account action advice agreement amount annual answer approval area article assembly balance
basis battery bearing benefit board bracket budget cabinet capacity carrier cause certificate change charge
circuit claim clause coating column comfort committee company condition contract control cover credit current
customer damage delivery deposit design detail device display district document duration duty edition effect
election element energy engine entry equipment estimate evidence example exchange expense export facility
factor feature figure filter finance fixture force format frame freight function furnace gasket general grade
guarantee handle harbor heating holder housing import income index inspection insurance interest interval
invoice issue journal junction label ledger lender level license limit liquid listing lumber machine maintenance
margin market material measure member method module motor network notice number object office operation option
order output owner package panel parcel payment percent period permit pressure process product property
provision purchase quality quarter rate record region relay release remedy rental report request reserve
result review schedule section security segment service session setting shipment signal source speed standard
statement station storage subject summary supply surface switch system tariff tenant terminal thermostat title
transfer treatment trustee unit valve value vendor version voltage warranty weight window withdrawal yield
the of and to in for on with by from under within between after before each any other such this that these
shall must may will should are is be not all only also than which when where whose their its our`.split(/\s+/);

/** `n` words as a sentence: capitalised, with a comma now and then, ending in a period. */
function sentence(rnd, n) {
  const words = Array.from({ length: n }, () => rnd.pick(VOCABULARY));
  if (rnd.chance(0.3)) words.splice(rnd.int(1, n - 1), 0, String(rnd.int(2, 980)));
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  return words.map((w, i) => (i > 0 && i < n - 1 && rnd.chance(0.08) ? `${w},` : w)).join(' ') + '.';
}

const text = (x, y, s, font, size) => ({ op: 'text', x, y, text: s, font, size, color: BLACK });
const rule = (l, t, r, b) => ({ op: 'rect', box: [l, t, r, b], fill: true, color: BLACK });

/** Paragraphs set line by line into `columns` from `top` down to `bottom`; returns the lines set. */
function setColumns(ops, paragraphs, { fonts, font, size, lead, columns, top, bottom }) {
  const gutter = 18;
  const colW = (W - 2 * MARGIN - gutter * (columns - 1)) / columns;
  const set = [];
  let col = 0;
  let y = top;
  for (const para of paragraphs) {
    for (const line of wrap(para, fonts[font], size, colW)) {
      if (y > bottom) [col, y] = [col + 1, top];
      if (col >= columns) return set;
      ops.push(text(MARGIN + col * (colW + gutter), y, line, font, size));
      set.push(line);
      y += lead;
    }
    y += lead * 0.4;
  }
  return set;
}

/** An article in two columns at 8.5 pt, its footnotes at 6.5 pt under a short rule. */
function articlePage(rnd, fonts) {
  const ops = [text(MARGIN, MARGIN + 10, 'Section 4. Terms of service and maintenance', 'Times-Bold', 11)];
  const notes = Array.from({ length: 6 }, (_, i) => `${i + 1} ${sentence(rnd, rnd.int(14, 30))}`);
  const noteLines = notes.flatMap((n) => wrap(n, fonts.Times, 6.5, W - 2 * MARGIN));
  const notesTop = H - MARGIN - noteLines.length * 8;
  const paras = Array.from({ length: 14 }, () => Array.from({ length: rnd.int(3, 6) }, () => sentence(rnd, rnd.int(8, 16))).join(' '));
  const body = setColumns(ops, paras, { fonts, font: 'Times', size: 8.5, lead: 10.5, columns: 2, top: MARGIN + 30, bottom: notesTop - 22 });
  ops.push(rule(MARGIN, notesTop - 14, MARGIN + 120, notesTop - 13.5));
  noteLines.forEach((line, i) => ops.push(text(MARGIN, notesTop + i * 8, line, 'Times', 6.5)));
  return { ops, lines: ['Section 4. Terms of service and maintenance', ...body, ...noteLines] };
}

/** A two-column index at 8 pt: entry, dot leaders, page numbers. */
function indexPage(rnd, fonts) {
  const ops = [text(MARGIN, MARGIN + 10, 'Index', 'Helvetica-Bold', 11)];
  const lines = ['Index'];
  const colW = (W - 2 * MARGIN - 24) / 2;
  const dotW = fonts.Helvetica.widthOfTextAtSize('.', 8);
  for (let i = 0, y = MARGIN + 32; i < 2 * 62; i++, y += 10.2) {
    if (i === 62) y = MARGIN + 32;
    const x = MARGIN + (i < 62 ? 0 : colW + 24);
    const words = Array.from({ length: rnd.int(1, 4) }, () => rnd.pick(VOCABULARY.slice(0, 240)));
    const entry = (rnd.chance(0.25) ? '   ' : '') + words.join(' ').replace(/^./, (c) => c.toUpperCase());
    const pages = Array.from({ length: rnd.int(1, 3) }, () => rnd.int(3, 412)).join(', ');
    const pagesW = fonts.Helvetica.widthOfTextAtSize(pages, 8);
    const entryW = fonts.Helvetica.widthOfTextAtSize(entry, 8);
    const dots = Math.max(2, Math.floor((colW - entryW - pagesW - 6) / (dotW * 2)));
    ops.push(text(x, y, entry, 'Helvetica', 8), text(x + entryW + 3, y, ' .'.repeat(dots), 'Helvetica', 8), text(x + colW - pagesW, y, pages, 'Helvetica', 8));
    lines.push(`${entry.trim()} ${pages}`);
  }
  return { ops, lines };
}

/** A dense ruled table at 6.5 pt, a 7-pt Courier listing and 6-pt fine print. */
function tablePage(rnd, fonts) {
  const ops = [text(MARGIN, MARGIN + 10, 'Table 7. Parts, rates and schedules', 'Helvetica-Bold', 10)];
  const lines = ['Table 7. Parts, rates and schedules'];
  const xs = [0, 44, 150, 236, 300, 352, 410, 462].map((x) => MARGIN + x);
  const header = ['Code', 'Description', 'Supplier', 'Quantity', 'Rate', 'Due', 'Weight', 'Class'];
  const row = (cells, y, font) => cells.forEach((c, k) => ops.push(text(xs[k], y, c, font, 6.5)));
  let y = MARGIN + 30;
  row(header, y, 'Helvetica-Bold');
  lines.push(header.join(' '));
  for (let r = 0; r < 40; r++) {
    y += 8.2;
    if (r % 5 === 0) ops.push(rule(MARGIN, y - 7, W - MARGIN, y - 6.6));
    const cells = [`${rnd.pick('ABKMRTX')}${rnd.int(1000, 9999)}`, `${rnd.pick(VOCABULARY.slice(0, 240))} ${rnd.pick(VOCABULARY.slice(0, 240))}`,
      rnd.pick(VOCABULARY.slice(0, 240)), String(rnd.int(1, 9999)), `${rnd.int(1, 999)}.${String(rnd.int(0, 99)).padStart(2, '0')}`,
      `${rnd.int(1, 12)}/${rnd.int(1, 28)}`, `${rnd.int(1, 99)} kg`, rnd.pick(['A', 'B', 'C', 'D'])];
    row(cells, y, 'Helvetica');
    lines.push(cells.join(' '));
  }
  y += 22;
  for (let i = 0; i < 12; i++, y += 8.4) {
    const code = `${rnd.pick(['set', 'let', 'put', 'get'])}_${rnd.pick(VOCABULARY.slice(0, 240))}(${rnd.int(0, 99)}, ${rnd.pick(VOCABULARY.slice(0, 240))});`;
    ops.push(text(MARGIN + 12, y, code, 'Courier', 7));
    lines.push(code);
  }
  const fine = Array.from({ length: 8 }, () => sentence(rnd, rnd.int(12, 22))).join(' ');
  const fineLines = wrap(fine, fonts.Times, 6, W - 2 * MARGIN);
  fineLines.forEach((line, i) => ops.push(text(MARGIN, y + 12 + i * 7.2, line, 'Times', 6)));
  return { ops, lines: [...lines, ...fineLines] };
}

/** The corpus's pages: display lists (render-ps.mjs) and the text of each. */
export function smallPrintPages(rnd, fonts) {
  return [articlePage(rnd, fonts), indexPage(rnd, fonts), tablePage(rnd, fonts)].map((p) => ({ width: W, height: H, ...p }));
}
