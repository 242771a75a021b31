/**
 * Forms without widgets, from a page form to the result (workers/forms/answers.ts, the layout,
 * labels and Markdown) on made-up word boxes and marks: what the drawn and scanned readers hand
 * over, turned into fields, text and Markdown. (test/forms.test.ts drives the readers themselves.)
 */
import { describe, expect, it } from 'vitest';
import type { Bbox, FormField } from '../../src/protocol.js';
import { formAnswers } from '../../workers/forms/answers.js';
import type { Mark, PageForm } from '../../workers/forms/page-form.js';
import type { OcrWord } from '../../workers/ocr/ocr-words.js';
import { ocrContent, textLayerContent, type PageContent } from '../../workers/output/page-content.js';
import type { TextWord } from '../../workers/text/text-words.js';

/** Words of a line of 10-pt text with its baseline at `y`, from `x`: 5 pt a character, 3 pt a space. */
function line(text: string, x: number, y: number): TextWord[] {
  const words: TextWord[] = [];
  for (const word of text.split(' ')) {
    words.push({ text: word, bbox: [x, y - 8, x + word.length * 5, y + 2], size: 10, turns: 0, emphasis: false });
    x += word.length * 5 + 3;
  }
  return words;
}

/** A 10-pt box whose middle is on the line of baseline `y`, from `x`. */
const box = (x: number, y: number, checked: boolean, shape: Mark['shape'] = 'square'): Mark => ({ shape, bbox: [x, y - 8, x + 10, y + 2], checked });

function read(words: TextWord[], form: PageForm, live: FormField[] = []): PageContent {
  const drawn = formAnswers(words, form, 'drawn', live);
  return textLayerContent(drawn.words, [...live, ...drawn.fields]);
}

const pick = (fields: FormField[] | undefined) => (fields ?? []).map((f) => ({ label: f.label, question: f.question, value: f.value }));

describe('marks drawn on a page', () => {
  it("label right of each box: [x] before the option's word, the words before the options the question", () => {
    // "Known roof leaks?      ☐ Yes  ☑ No"
    const words = [...line('Known roof leaks?', 50, 100), ...line('Yes', 214, 100), ...line('No', 254, 100)];
    const page = read(words, { marks: [box(200, 100, false), box(240, 100, true)], answerBoxes: [] });
    expect(page.text).toBe('Known roof leaks? [ ] Yes [x] No');
    expect(pick(page.fields)).toEqual([
      { label: 'Yes', question: 'Known roof leaks?', value: false },
      { label: 'No', question: 'Known roof leaks?', value: true },
    ]);
    expect(page.fields![0]).toMatchObject({ name: null, type: 'checkbox', origin: 'drawn', bbox: [200, 92, 210, 102] });
    expect(page.markdown).toBe('Known roof leaks?\n\n- [ ] Yes\n- [x] No');
  });

  it('label left of each box (the box follows its word): [x] after the word, the question still its own', () => {
    // "Buyer waives the inspection?      Yes ☑   No ☐": the gap before "Yes" is wider than a line's
    // words keep; 16 pt from a box to the next option's word, as in the corpus's forms.
    const words = [...line('Buyer waives the inspection?', 50, 100), ...line('Yes', 240, 100), ...line('No', 284, 100)];
    const page = read(words, { marks: [box(258, 100, true), box(297, 100, false)], answerBoxes: [] });
    expect(page.text).toBe('Buyer waives the inspection? Yes [x] No [ ]');
    expect(pick(page.fields)).toEqual([
      { label: 'Yes', question: 'Buyer waives the inspection?', value: true },
      { label: 'No', question: 'Buyer waives the inspection?', value: false },
    ]);
    expect(page.markdown).toBe('Buyer waives the inspection?\n\n- [x] Yes\n- [ ] No');
  });

  it('options on a line of their own take the question on the line above; radio buttons from circles', () => {
    const words = [...line('Settling, sliding or soil movement?', 50, 100), ...line('Yes', 64, 122), ...line('No', 104, 122)];
    const page = read(words, { marks: [box(50, 122, false, 'circle'), box(90, 122, true, 'circle')], answerBoxes: [] });
    expect(page.text).toBe('Settling, sliding or soil movement?\n\n[ ] Yes [x] No');
    expect(pick(page.fields)).toEqual([
      { label: 'Yes', question: 'Settling, sliding or soil movement?', value: false },
      { label: 'No', question: 'Settling, sliding or soil movement?', value: true },
    ]);
    expect(page.fields!.map((f) => f.type)).toEqual(['radio', 'radio']);
  });

  it('a lone box has its words as its label and no question', () => {
    const words = [...line('Acknowledgements', 50, 80), ...line('Seller has read this statement', 64, 100)];
    const page = read(words, { marks: [box(50, 100, true)], answerBoxes: [] });
    expect(pick(page.fields)).toEqual([{ label: 'Seller has read this statement', question: undefined, value: true }]);
    expect(page.markdown).toContain('- [x] Seller has read this statement');
  });

  it("drops the words a mark covers (a ☐ glyph wider than its box) from the page's words and text", () => {
    const glyph: TextWord = { text: '☑', bbox: [199, 91, 211, 104], size: 12, turns: 0, emphasis: false };
    const words = [...line('Smoke detectors', 50, 100), glyph, ...line('Yes', 214, 100)];
    const page = read(words, { marks: [box(200, 100, true)], answerBoxes: [] });
    expect(page.text).toBe('Smoke detectors [x] Yes');
    expect(page.words.text).toBe('Smoke detectors Yes');
  });

  it("takes a box glyph set against its option's word off the word, which then reads on its side of the box", () => {
    const merged: TextWord = { text: '☐Yes', bbox: [199, 91, 229, 104], size: 10, turns: 0, emphasis: false };
    const page = read([...line('Smoke detectors', 50, 100), merged], { marks: [box(200, 100, false)], answerBoxes: [] });
    expect(page.text).toBe('Smoke detectors [ ] Yes');
    expect(pick(page.fields)).toEqual([{ label: 'Yes', question: 'Smoke detectors', value: false }]);
    expect(page.words.text).toBe('Smoke detectors Yes');
  });

  it('a box a live widget covers is that widget, not a second field', () => {
    const live: FormField = { name: 'roof', origin: 'acroform', type: 'checkbox', value: true, bbox: [200, 92, 210, 102] };
    const page = read(line('Roof leaks', 50, 100), { marks: [box(200, 100, true)], answerBoxes: [] }, [live]);
    expect(page.fields).toHaveLength(1);
    expect(page.fields![0]).toMatchObject({ name: 'roof', origin: 'acroform', label: 'Roof leaks' });
  });
});

describe('answer boxes', () => {
  it('the words inside are the value, read on the line of the label; an empty box is ""', () => {
    const words = [...line('Property address:', 50, 100), ...line('1234 Elm Street, Springfield', 150, 100), ...line('Association name:', 50, 130)];
    const boxes: Bbox[] = [
      [140, 88, 500, 106],
      [140, 118, 500, 136],
    ];
    const page = read(words, { marks: [], answerBoxes: boxes });
    expect(page.text.split('\n').filter(Boolean)).toEqual(['Property address: 1234 Elm Street, Springfield', 'Association name:']);
    expect(page.fields!.map((f) => ({ type: f.type, name: f.name, label: f.label, value: f.value, origin: f.origin }))).toEqual([
      { type: 'text', name: null, label: 'Property address', value: '1234 Elm Street, Springfield', origin: 'drawn' },
      { type: 'text', name: null, label: 'Association name', value: '', origin: 'drawn' },
    ]);
    expect(page.markdown).toBe('Property address: 1234 Elm Street, Springfield\n\nAssociation name:');
    expect(page.words.text).toBe('Property address: Association name:');
  });

  it('a box under its question takes it as its label, and the Markdown does not say the question twice', () => {
    const words = [...line('Describe any repairs made in the last five years:', 50, 100), ...line('Replaced the water heater in 2021.', 56, 122)];
    const page = read(words, { marks: [], answerBoxes: [[50, 110, 500, 128]] });
    expect(page.fields).toEqual([expect.objectContaining({ label: 'Describe any repairs made in the last five years', value: 'Replaced the water heater in 2021.' })]);
    expect(page.markdown).toBe('Describe any repairs made in the last five years:\n\nReplaced the water heater in 2021.');
  });
});

describe('marks in a scan', () => {
  it("carry the reader's confidence; the engine's reading of a tick leaves the text; a box's answer its words' confidence", () => {
    const ocr = (text: string, bbox: Bbox, lineNo: number, confidence = 90): OcrWord => ({ text, bbox, confidence, line: lineNo, turns: 0 });
    const words = [
      ocr('Known', [50, 92, 80, 102], 1),
      ocr('roof', [83, 92, 103, 102], 1),
      ocr('leaks?', [106, 92, 136, 102], 1),
      ocr('©', [200, 92, 210, 102], 1, 30),
      ocr('Yes', [214, 92, 229, 102], 1),
      ocr('No', [254, 92, 264, 102], 1),
      ocr('Owner:', [50, 122, 80, 132], 2),
      ocr('Jane', [150, 122, 170, 132], 2, 80),
      ocr('Doe', [173, 122, 188, 132], 2, 70),
    ];
    const form: PageForm = { marks: [{ ...box(200, 100, true), confidence: 91.6 }, { ...box(240, 100, false), confidence: 97 }], answerBoxes: [[140, 118, 400, 136]] };
    const scanned = formAnswers(words, form, 'scan');
    const page = ocrContent(scanned.words, scanned.fields);
    expect(page.text.split('\n').filter(Boolean)).toEqual(['Known roof leaks? [x] Yes [ ] No', 'Owner: Jane Doe']);
    expect(page.fields!.map((f) => ({ origin: f.origin, confidence: f.confidence, label: f.label }))).toEqual([
      { origin: 'scan', confidence: 92, label: 'Yes' },
      { origin: 'scan', confidence: 97, label: 'No' },
      { origin: 'scan', confidence: 75, label: 'Owner' },
    ]);
  });

  it("leaves out what the engine reads of a scanned answer box's sides at the answer's ends, and nothing of a drawn one", () => {
    const ocr = (text: string, x: number): OcrWord => ({ text, bbox: [x, 122, x + 5 * text.length, 132], confidence: 80, line: 1, turns: 0 });
    const words = [ocr('“Dana', 142), ocr('&', 175), ocr('Lee', 183), ocr('Whitford', 201), ocr('|', 396)];
    const form: PageForm = { marks: [], answerBoxes: [[140, 118, 400, 136]] };
    expect(formAnswers(words, form, 'scan').fields[0]!.value).toBe('Dana & Lee Whitford');
    expect(formAnswers(words, form, 'drawn').fields[0]!.value).toBe('“Dana & Lee Whitford |');
  });

  it("joins the engine's lines a question and its options were read as (they would read as two columns)", () => {
    const ocr = (text: string, x: number, y: number, lineNo: number): OcrWord => ({ text, bbox: [x, y - 8, x + text.length * 5, y + 2], confidence: 90, line: lineNo, turns: 0 });
    const words: OcrWord[] = [];
    const questions = ['Known roof leaks?', 'Cracks in the slab?', 'Water in the basement?'];
    questions.forEach((q, r) => {
      const y = 100 + 20 * r;
      let x = 50;
      for (const w of q.split(' ')) {
        words.push(ocr(w, x, y, 2 * r));
        x += w.length * 5 + 3;
      }
      words.push(ocr('Yes', 240, y, 2 * r + 1), ocr('No', 284, y, 2 * r + 1));
    });
    const marks = questions.flatMap((_, r) => [box(258, 100 + 20 * r, r === 1), box(297, 100 + 20 * r, r !== 1)]);
    const scanned = formAnswers(words, { marks, answerBoxes: [] }, 'scan');
    const page = ocrContent(scanned.words, scanned.fields);
    expect(page.text.split('\n').filter(Boolean)).toEqual(['Known roof leaks? Yes [ ] No [x]', 'Cracks in the slab? Yes [x] No [ ]', 'Water in the basement? Yes [ ] No [x]']);
    expect(page.fields!.map((f) => f.question)).toEqual(questions.flatMap((q) => [q, q]));
  });
});
