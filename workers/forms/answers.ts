/**
 * A page's form without widgets (drawn on a text-layer page, or found in a scan) as form fields:
 * each mark a check box or radio button, each answer box a text field holding the words inside
 * it. The words a mark covers (a ☐ glyph, the engine's reading of a tick) leave the page's
 * words; the words of an answer box become its value, and the layout places that value where
 * the box is, on the line of its label.
 */
import type { Bbox, FormField } from '../../src/protocol.js';
import { sameRow } from '../layout/geometry.js';
import type { Mark, PageForm } from './page-form.js';

interface Word {
  text: string;
  bbox: Bbox;
  confidence?: number;
  /** The engine's text line (OCR words). */
  line?: number;
}

/**
 * A word centred on a mark, or this much inside it (share of its area), is the mark's ink read as
 * text (a ☐ glyph's box is the font's line height: 10 × 13 pt around an 8-pt box in checklist-c).
 */
const INSIDE_MARK = 0.5;
/** A drawn field this much covered by a live widget is the widget's own drawing. */
const WIDGET_OVERLAP = 0.5;

/**
 * The fields a page form makes, and the words left to the running text. `live` are the page's
 * AcroForm widgets: a box that one of them covers is the widget's appearance, already a field.
 */
export function formAnswers<W extends Word>(words: W[], form: PageForm, origin: 'drawn' | 'scan', live: FormField[] = []): { words: W[]; fields: FormField[] } {
  const free = (b: Bbox) => !live.some((f) => covered(b, f.bbox) >= WIDGET_OVERLAP);
  const marks = form.marks.filter((m) => free(m.bbox));
  const boxes = form.answerBoxes.filter(free);
  if (marks.length === 0 && boxes.length === 0) return { words, fields: [] };
  const fields: FormField[] = marks.map((m) => ({
    name: null,
    type: m.shape === 'circle' ? 'radio' : 'checkbox',
    value: m.checked,
    bbox: m.bbox,
    origin,
    ...(origin === 'scan' && m.confidence !== undefined ? { confidence: Math.round(m.confidence) } : {}),
  }));
  const inBox: W[][] = boxes.map(() => []);
  const kept: W[] = [];
  for (const read of words) {
    if (marks.some((m) => contains(m.bbox, read.bbox) || covered(read.bbox, m.bbox) >= INSIDE_MARK)) continue;
    const word = besideMarks(read, marks);
    if (!word) continue;
    const box = boxes.findIndex((b) => contains(b, word.bbox) && !labelAbove(word, b, words));
    if (box >= 0) inBox[box]!.push(word);
    else kept.push(word);
  }
  boxes.forEach((bbox, i) => {
    const inside = inBox[i]!;
    const text = readingOrder(inside).map((w) => w.text).join(' ');
    const field: FormField = { name: null, type: 'text', value: origin === 'scan' ? text.replace(RULE_RESIDUE, '') : text, bbox, origin };
    const confidences = inside.map((w) => w.confidence).filter((c): c is number => c !== undefined);
    if (origin === 'scan' && confidences.length > 0) field.confidence = Math.round(confidences.reduce((a, b) => a + b, 0) / confidences.length);
    fields.push(field);
  });
  return { words: kept, fields };
}

/**
 * What the engine makes of a scanned answer box's sides where the eraser left a pixel or two (a
 * corner, a faint stretch): a quote, a bar, a bracket, a dash or a colon at either end of the
 * answer (`“Dana & Lee Whitford`, `| 12/01/2025`, `J. Marchetti, lic. 55-2013 -`). A typed answer
 * is set in from the box's sides, so these marks at its ends are the box, not the answer.
 */
const RULE_RESIDUE = /^[|[\]“”‘’"'`:;—–_-]+\s*|\s*[|[\]“”‘’"'`:;—–_-]+$/gu;

/** Box glyphs and ticks a text layer or the engine may set against an option's word (`☐Yes`). */
const BOX_GLYPHS = /^[\u2610-\u2612\u2713-\u2718\u25a1\u25a0\u25cb\u25cf\u25ef\uf000-\uf0ff]+|[\u2610-\u2612\u2713-\u2718\u25a1\u25a0\u25cb\u25cf\u25ef\uf000-\uf0ff]+$/gu;

/**
 * A word that runs into a mark (a glyph box set against its option's word, the engine reading a
 * box and its word as one): its box glyphs go, and its box stops at the mark's edge, so that it
 * reads on its own side of the box. Null when nothing of it is left.
 */
function besideMarks<W extends Word>(word: W, marks: Mark[]): W | null {
  const cy = (word.bbox[1] + word.bbox[3]) / 2;
  const mark = marks.find((m) => cy >= m.bbox[1] && cy <= m.bbox[3] && covered(word.bbox, m.bbox) > 0);
  if (!mark) return word;
  const text = word.text.replace(BOX_GLYPHS, '');
  if (text === '') return null;
  const [l, t, r, b] = word.bbox;
  const middle = (mark.bbox[0] + mark.bbox[2]) / 2;
  const bbox: Bbox = (l + r) / 2 >= middle ? [Math.max(l, mark.bbox[2]), t, r, b] : [l, t, Math.min(r, mark.bbox[0]), b];
  return { ...word, text, bbox };
}

/**
 * A word of an engine line that runs above the box's top: the label printed over the box, whose
 * end a skewed scan dips into it (disclosure-a's 300-dpi scan, turned 1.2°: "Describe any repairs
 * made" inside the box, "in the last five years:" above it). A typed answer is a line of its own
 * inside the box; a label beside the box shares the answer's line at the box's height, not above it.
 */
function labelAbove(word: Word, box: Bbox, words: Word[]): boolean {
  if (word.line === undefined) return false;
  return words.some((w) => w.line === word.line && (w.bbox[1] + w.bbox[3]) / 2 < box[1]);
}

/** The share of `a`'s area that lies inside `b`. */
function covered(a: Bbox, b: Bbox): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const area = (a[2] - a[0]) * (a[3] - a[1]);
  return w <= 0 || h <= 0 || area <= 0 ? 0 : (w * h) / area;
}

/** The middle of `word` is inside `box`. */
function contains(box: Bbox, word: Bbox): boolean {
  const x = (word[0] + word[2]) / 2;
  const y = (word[1] + word[3]) / 2;
  return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
}

/**
 * Words of a box, line by line (an answer may wrap), left to right: by the engine's lines when it
 * read them (on a skewed scan one line's ends lie a few points apart, more than rows by height
 * allow: disclosure-b's 150-dpi scan read "Radon 2019: … level. test"), else rows by height.
 */
function readingOrder<W extends Word>(words: W[]): W[] {
  if (words.every((w) => w.line !== undefined)) return [...words].sort((a, b) => a.line! - b.line! || a.bbox[0] - b.bbox[0]);
  const rows: W[][] = [];
  for (const w of [...words].sort((a, b) => a.bbox[1] - b.bbox[1])) {
    const row = rows.find((r) => sameRow(r[0]!.bbox, w.bbox));
    if (row) row.push(w);
    else rows.push([w]);
  }
  return rows.flatMap((r) => r.sort((a, b) => a.bbox[0] - b.bbox[0]));
}
