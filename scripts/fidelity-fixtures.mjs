#!/usr/bin/env node
/**
 * Writes the test documents of test/fidelity.test.ts into test/fixtures/fidelity/: small PDFs
 * drawn with pdf-lib at known coordinates, image-only ("scanned") copies rasterised with
 * poppler's pdftoppm at 200 dpi, and an encrypted copy made with qpdf. Beside each PDF, a
 * JSON file says what the generator put where (word boxes, field boxes and values, sentences),
 * in PDF points from the top-left corner of the page as displayed.
 *
 *   node scripts/fidelity-fixtures.mjs      (needs pdftoppm and qpdf; output is committed)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fontkit from '@pdf-lib/fontkit';
import { degrees, PDFDocument, PDFName, PDFString, StandardFonts } from 'pdf-lib';
import { wrap } from './text-wrap.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'fidelity');
const W = 612;
const H = 792;
/** Ascender and descender of the standard fonts' AFM metrics, per 1000 units of font size. */
const AFM_METRICS = {
  [StandardFonts.TimesRoman]: [683, -217],
  [StandardFonts.Courier]: [629, -157],
};
const STANDARD_FONTS = path.join(path.dirname(fileURLToPath(import.meta.resolve('pdfjs-dist/package.json'))), 'standard_fonts');

/**
 * The fonts of the word-box page with their ascent and descent (per 1000): two standard fonts,
 * not embedded (the reader substitutes them), and Liberation Sans embedded, whose ascent and
 * descent the PDF itself states (as most real PDFs do).
 */
async function wordFonts(doc) {
  doc.registerFontkit(fontkit);
  const fonts = {};
  for (const name of [StandardFonts.TimesRoman, StandardFonts.Courier]) fonts[name] = { font: await doc.embedFont(name), metrics: AFM_METRICS[name] };
  for (const name of ['LiberationSans-Regular', 'LiberationSans-Bold']) {
    const font = await doc.embedFont(readFileSync(path.join(STANDARD_FONTS, `${name}.ttf`)), { subset: true });
    const { ascent, descent, unitsPerEm } = font.embedder.font;
    fonts[name] = { font, metrics: [(ascent * 1000) / unitsPerEm, (descent * 1000) / unitsPerEm] };
  }
  return fonts;
}

/** The advance of `text` as a PDF viewer draws it: the glyphs' widths, no kerning. */
const advanceOf = (font, text, size) => [...text].reduce((sum, ch) => sum + font.widthOfTextAtSize(ch, size), 0);
const round = (v) => Math.round(v * 100) / 100;

/** A fixed creation date, so that a re-run writes the same bytes (qpdf's encryption aside). */
async function newDoc() {
  const doc = await PDFDocument.create();
  const date = new Date('2026-01-01T00:00:00Z');
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  doc.setProducer('pdf-ocr-service scripts/fidelity-fixtures.mjs');
  return doc;
}

async function save(doc, name, expected) {
  writeFileSync(path.join(OUT, `${name}.pdf`), await doc.save({ useObjectStreams: false }));
  if (expected) writeFileSync(path.join(OUT, `${name}.json`), JSON.stringify(expected, null, 1) + '\n');
}

/**
 * Draws `text` with its baseline at (x, y) (PDF user space of an unrotated page) and returns
 * each word with its box: advance widths from the font, ascender to descender at the baseline.
 */
function drawWords(page, { font, metrics: [asc, desc] }, size, x, y, text, place = (p) => p) {
  const words = [];
  let offset = 0;
  for (const [i, word] of text.split(' ').entries()) {
    if (i > 0) offset += advanceOf(font, ' ', size);
    const width = advanceOf(font, word, size);
    words.push({ text: word, bbox: [x + offset, H - (y + (asc * size) / 1000), x + offset + width, H - (y + (desc * size) / 1000)].map(round) });
    offset += width;
  }
  page.drawText(text, { font, size, ...place({ x, y }) });
  return words;
}

/** A page of words at known places in three standard fonts; `rotated` draws it for /Rotate 90. */
async function wordsPage(rotated) {
  const doc = await newDoc();
  const fonts = await wordFonts(doc);
  // With /Rotate 90 the page is shown turned a quarter clockwise: a landscape media box whose
  // content is drawn turned a quarter counter-clockwise shows upright, at the same places as the
  // plain page. A displayed point (X, Ytop) is the user-space point (Ytop, X).
  const page = rotated ? doc.addPage([H, W]) : doc.addPage([W, H]);
  if (rotated) page.setRotation(degrees(90));
  const place = rotated ? ({ x, y }) => ({ x: H - y, y: x, rotate: degrees(90) }) : (p) => p;
  const lines = [
    ['LiberationSans-Regular', 12, 72, 700, 'Roof leaks were found above the kitchen window'],
    [StandardFonts.TimesRoman, 11, 72, 660, 'The inspector measured moisture in three separate places'],
    [StandardFonts.Courier, 10, 72, 620, 'Serial 4471-B valve replaced'],
    ['LiberationSans-Bold', 18, 300, 560, 'Summary'],
    ['LiberationSans-Regular', 12, 72, 500, 'Left'],
    ['LiberationSans-Regular', 12, 260, 500, 'Middle'],
    ['LiberationSans-Regular', 12, 450, 500, 'Right'],
    ['LiberationSans-Regular', 12, 72, 430, 'Water heater installed in 2011 shows rust at the base'],
    [StandardFonts.TimesRoman, 14, 120, 300, 'Attic insulation is adequate'],
    ['LiberationSans-Regular', 9, 72, 90, 'Small print at the bottom of the page'],
  ];
  const words = [];
  for (const [font, size, x, y, text] of lines) words.push(...drawWords(page, fonts[font], size, x, y, text, place));
  // The rotated page shows the same words at the same places: words.json serves both.
  return { doc, expected: rotated ? null : { width: W, height: H, words } };
}

const LEFT_COLUMN = [
  'The roof was inspected from the ground and from a ladder at the eaves.',
  'Several shingles on the north slope are cracked and curling at the edges.',
  'Flashing around the chimney has pulled away and lets water reach the deck.',
  'The gutters hold standing water because the downspouts are blocked.',
  'A roofer should assess the north slope before the next winter season.',
];
const RIGHT_COLUMN = [
  'The basement walls show efflorescence along the eastern foundation.',
  'A dehumidifier runs continuously and its bucket was full on the day.',
  'Hairline cracks in the slab are typical and do not need repair now.',
  'The sump pump started when tested and discharged away from the house.',
  'Grading on the east side slopes toward the wall and should be corrected.',
];

/** Two columns of sentences on the same baselines, a header and a footer across the page. */
async function twoColumnPage() {
  const doc = await newDoc();
  const page = doc.addPage([W, H]);
  const serif = await doc.embedFont(StandardFonts.TimesRoman);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const header = 'Quarterly Inspection Bulletin';
  page.drawText(header, { font: bold, size: 14, x: (W - bold.widthOfTextAtSize(header, 14)) / 2, y: 740 });
  const columnWidth = 220;
  for (const [x, sentences] of [[72, LEFT_COLUMN], [72 + columnWidth + 28, RIGHT_COLUMN]]) {
    let y = 700;
    for (const line of wrap(sentences.join(' '), serif, 11, columnWidth)) {
      page.drawText(line, { font: serif, size: 11, x, y });
      y -= 14;
    }
  }
  const footer = 'Page 1 of 1';
  page.drawText(footer, { font: serif, size: 9, x: (W - serif.widthOfTextAtSize(footer, 9)) / 2, y: 40 });
  return { doc, expected: { header, footer, columns: [LEFT_COLUMN, RIGHT_COLUMN] } };
}

const TABLE = [
  ['Item', 'Cost', 'Priority'],
  ['Roof', '4500', 'High'],
  ['Gutters', '800', 'Medium'],
  ['Paint', '1200', 'Low'],
];
const BULLETS = ['Roof shingles are worn', 'Gutters are blocked', 'Paint is peeling on the south side'];

/** Headings at two sizes and one in bold, paragraphs (one with a word hyphenated at a line's end), a list, a table. */
async function structurePage() {
  const doc = await newDoc();
  const page = doc.addPage([W, H]);
  const body = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  let y = 720;
  const text = (t, font = body, size = 11, x = 72) => page.drawText(t, { font, size, x, y });
  text('Home Inspection Report', bold, 22);
  y -= 36;
  for (const line of [
    'This report describes the condition of the house at the time of the inspec-',
    'tion and lists the repairs the buyer should plan for in the first year of',
    'ownership.',
  ]) {
    text(line);
    y -= 14;
  }
  y -= 16;
  text('Findings', bold, 16);
  y -= 24;
  for (const item of BULLETS) {
    text('\u2022', body, 11, 80);
    text(item, body, 11, 92);
    y -= 16;
  }
  y -= 16;
  text('Estimated costs', bold, 16);
  y -= 24;
  for (const row of TABLE) {
    row.forEach((cell, i) => text(cell, i === 0 && row === TABLE[0] ? bold : body, 11, [72, 220, 340][i]));
    y -= 18;
  }
  y -= 16;
  // A heading in the body's size, set apart only by its weight.
  text('Next steps', bold);
  y -= 18;
  text('All costs are estimates from local contractors and may change.');
  return {
    doc,
    expected: {
      headings: [['#', 'Home Inspection Report'], ['##', 'Findings'], ['##', 'Estimated costs'], ['###', 'Next steps']],
      bullets: BULLETS,
      joined: 'inspection',
      table: TABLE,
    },
  };
}

/**
 * pdf-lib names a radio button's on state by its index and lists the export values in the
 * field's /Opt; Acrobat and most form tools name the states by their export values. The group
 * is rewritten that way (pdfjs, like most readers, reports a radio button's state name).
 */
function namedRadioStates(radio, names) {
  const field = radio.acroField;
  const selected = field.dict.get(PDFName.of('V'));
  field.getWidgets().forEach((widget, i) => {
    const normal = widget.dict.lookup(PDFName.of('AP')).lookup(PDFName.of('N'));
    const on = normal.get(PDFName.of(String(i)));
    normal.delete(PDFName.of(String(i)));
    normal.set(PDFName.of(names[i]), on);
    const state = widget.dict.get(PDFName.of('AS'));
    if (state === PDFName.of(String(i))) widget.dict.set(PDFName.of('AS'), PDFName.of(names[i]));
    if (selected === PDFName.of(String(i))) field.dict.set(PDFName.of('V'), PDFName.of(names[i]));
  });
  field.dict.delete(PDFName.of('Opt'));
}

/** A filled AcroForm with a widget of every type; labels drawn as page text. */
async function formPage() {
  const doc = await newDoc();
  const page = doc.addPage([W, H]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const form = doc.getForm();
  const fields = [];
  const box = (x, y, w, h) => [x, H - (y + h), x + w, H - y].map(round);
  const label = (t, x, y) => page.drawText(t, { font, size: 11, x, y });

  page.drawText('Seller Disclosure', { font, size: 18, x: 72, y: 730 });
  const text = (name, labelText, y, value) => {
    label(labelText, 72, y + 5);
    const f = form.createTextField(name);
    if (value) f.setText(value);
    f.addToPage(page, { x: 170, y, width: 220, height: 18, font });
    fields.push({ name, type: 'text', value: value ?? '', bbox: box(170, y, 220, 18), label: labelText });
  };
  text('owner.name', 'Owner name:', 680, 'Jane Doe');
  text('owner.address', 'Address:', 650, '12 Elm Street');
  text('owner.phone', 'Phone:', 620, undefined);

  const check = (name, labelText, y, on) => {
    label(labelText, 72, y + 2);
    const f = form.createCheckBox(name);
    f.addToPage(page, { x: 200, y, width: 12, height: 12 });
    if (on) f.check();
    fields.push({ name, type: 'checkbox', value: on, bbox: box(200, y, 12, 12), label: labelText });
  };
  check('roof.leaks', 'Roof leaks', 580, true);
  check('basement.water', 'Basement water', 555, false);

  label('Foundation:', 72, 512);
  const radio = form.createRadioGroup('foundation');
  for (const [i, option] of ['Good', 'Fair', 'Poor'].entries()) {
    const x = 170 + i * 80;
    radio.addOptionToPage(option, page, { x, y: 510, width: 12, height: 12 });
    label(option, x + 18, 512);
    fields.push({ name: 'foundation', type: 'radio', value: option === 'Fair', export: option, bbox: box(x, 510, 12, 12), label: option });
  }
  radio.select('Fair');
  namedRadioStates(radio, ['Good', 'Fair', 'Poor']);

  label('Heating:', 72, 475);
  const heating = form.createDropdown('heating.type');
  heating.addOptions(['Gas', 'Oil', 'Electric']);
  heating.select('Oil');
  heating.addToPage(page, { x: 170, y: 470, width: 120, height: 18, font });
  fields.push({ name: 'heating.type', type: 'choice', value: 'Oil', bbox: box(170, 470, 120, 18), label: 'Heating:' });

  label('Repairs:', 72, 425);
  const repairs = form.createOptionList('repairs');
  repairs.addOptions(['Plumbing', 'Roof', 'Windows']);
  repairs.enableMultiselect();
  repairs.select(['Plumbing', 'Windows']);
  repairs.addToPage(page, { x: 170, y: 395, width: 120, height: 44, font });
  fields.push({ name: 'repairs', type: 'choice', value: ['Plumbing', 'Windows'], bbox: box(170, 395, 120, 44), label: 'Repairs:' });

  const button = form.createButton('submit');
  button.addToPage('Send', page, { x: 72, y: 340, width: 80, height: 22, font });
  fields.push({ name: 'submit', type: 'button', value: null, bbox: box(72, 340, 80, 22) });

  // pdf-lib makes no signature fields; this is the plain dictionary a signing tool would add.
  label('Signature:', 72, 292);
  const signature = doc.context.obj({
    FT: 'Sig',
    T: PDFString.of('seller.signature'),
    Type: 'Annot',
    Subtype: 'Widget',
    Rect: [170, 285, 390, 310],
    F: 4,
    P: page.ref,
  });
  const signatureRef = doc.context.register(signature);
  page.node.addAnnot(signatureRef);
  form.acroForm.addField(signatureRef);
  fields.push({ name: 'seller.signature', type: 'signature', value: null, bbox: box(170, 285, 220, 25) });

  return { doc, expected: { width: W, height: H, fields } };
}

/** A form whose fields exist only in XFA: an AcroForm with an XFA packet and no fields. */
async function xfaPage() {
  const doc = await newDoc();
  const page = doc.addPage([W, H]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText('Please open this form in a viewer that supports XFA.', { font, size: 12, x: 72, y: 700 });
  const xfa = doc.context.flateStream('<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template/></xdp:xdp>');
  doc.catalog.set(PDFName.of('AcroForm'), doc.context.obj({ Fields: [], XFA: doc.context.register(xfa) }));
  return { doc, expected: null };
}

/** The PDF's first page rasterised at 200 dpi in gray and wrapped as an image-only PDF of the same page size. */
async function scanned(source, name, rotated = false) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fidelity-'));
  try {
    execFileSync('pdftoppm', ['-r', '200', '-gray', '-jpeg', '-jpegopt', 'quality=85', '-singlefile', path.join(OUT, `${source}.pdf`), path.join(dir, 'page')]);
    const doc = await newDoc();
    const image = await doc.embedJpg(readFileSync(path.join(dir, 'page.jpg')));
    if (rotated) {
      // The same picture on a landscape media box, turned to show upright under /Rotate 90.
      const page = doc.addPage([H, W]);
      page.setRotation(degrees(90));
      page.drawImage(image, { x: H, y: 0, width: W, height: H, rotate: degrees(90) });
    } else {
      doc.addPage([W, H]).drawImage(image, { x: 0, y: 0, width: W, height: H });
    }
    await save(doc, name, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

mkdirSync(OUT, { recursive: true });
for (const [name, make] of [
  ['words', () => wordsPage(false)],
  ['words-rotate90', () => wordsPage(true)],
  ['two-column', twoColumnPage],
  ['structure', structurePage],
  ['form', formPage],
  ['xfa', xfaPage],
]) {
  const { doc, expected } = await make();
  await save(doc, name, expected);
}
await scanned('words', 'words-scan');
await scanned('words', 'words-scan-rotate90', true);
await scanned('form', 'form-scan');
await scanned('two-column', 'two-column-scan');
// AES-256 with a user password: fields must come through decryption too.
execFileSync('qpdf', ['--encrypt', 'inspect', 'owner-secret', '256', '--', path.join(OUT, 'form.pdf'), path.join(OUT, 'form-encrypted.pdf')]);
console.log(`wrote ${OUT}`);
