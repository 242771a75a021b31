/**
 * The forms scorer (harness/forms-score.ts) on hand-made results: what it counts right and
 * wrong, so the forms test and the bench's forms table measure the detectors, not the scorer.
 */
import { describe, expect, it } from 'vitest';
import type { Bbox, FormField } from '../../src/protocol.js';
import {
  describeScore,
  formsCorpus,
  groupScores,
  markToken,
  normalise,
  scoreForm,
  type ResultPage,
  type Truth,
  type TruthAnswer,
  type TruthMark,
} from '../../harness/forms-score.js';

const mark = (over: Partial<TruthMark>): TruthMark => ({
  page: 1,
  box: [100, 100, 110, 110],
  state: false,
  style: 'empty',
  shape: 'square',
  label: 'Yes',
  labelSide: 'right',
  question: 'Known roof leaks?',
  ...over,
});
const yes = mark({ state: true, style: 'ballot-x' });
const no = mark({ box: [150, 100, 160, 110], label: 'No' });
const answer: TruthAnswer = { page: 1, box: [200, 80, 500, 98], label: 'Property address:', labelSide: 'left', value: '1234 Elm Street' };

function truth(over: Partial<Truth> = {}, page: Partial<Truth['pages'][number]> = {}): Truth {
  return { file: 'x.vector.pdf', kind: 'form', variant: 'vector', pages: [{ page: 1, marks: [yes, no], answers: [answer], tables: [], ...page }], ...over };
}

/** The field a perfect reader gives for a truth mark, moved by `shift` points. */
function field(m: TruthMark, over: Partial<FormField> = {}, shift = 0): FormField {
  const bbox = m.box.map((v) => v + shift) as Bbox;
  return { name: null, type: m.shape === 'circle' ? 'radio' : 'checkbox', value: m.state, bbox, origin: 'drawn', label: m.label, ...(m.question ? { question: m.question } : {}), ...over };
}
const answerField: FormField = { name: null, type: 'text', value: '1234 Elm Street', bbox: answer.box, origin: 'drawn', label: 'Property address' };
const goodText = 'Property address: 1234 Elm Street\nKnown roof leaks? [x] Yes [ ] No';
const page = (fields: FormField[], text = goodText, markdown = ''): ResultPage[] => [{ page: 1, text, fields, markdown }];

describe('forms scorer', () => {
  it('counts a perfect reading right everywhere, with no failure', () => {
    const s = scoreForm(truth(), page([field(yes), field(no), answerField]));
    expect(s.failures).toEqual([]);
    expect(s).toMatchObject({ marks: { hit: 2, total: 2 }, labels: { hit: 2, total: 2 }, questions: { hit: 2, total: 2 }, answers: { hit: 1, total: 1 }, placement: { hit: 3, total: 3 }, falseMarks: 0 });
  });

  it('finds a box within 4 pt on every edge, and no further', () => {
    expect(scoreForm(truth(), page([field(yes, {}, 4), field(no, {}, -3.9), answerField])).marks).toEqual({ hit: 2, total: 2 });
    const s = scoreForm(truth(), page([field(yes, {}, 4.5), field(no), answerField]));
    expect(s.marks).toEqual({ hit: 1, total: 2 });
    // The field too far off is not the mark: it is a false one besides.
    expect(s.falseMarks).toBe(1);
    expect(s.failures[0]).toMatch(/"Known roof leaks\?" Yes square \[100,100,110,110\]: expected \[x\], got no checkbox\/radio within 4 pt \(nearest: checkbox \[105,105,115,115\], 4\.5 pt off\)/);
  });

  it('counts a mark not found, or of the wrong state, wrong, and its label and question with it', () => {
    const s = scoreForm(truth(), page([field(no, { value: true }), answerField]));
    expect(s.marks).toEqual({ hit: 0, total: 2 });
    expect(s.labels).toEqual({ hit: 1, total: 2 });
    expect(s.questions).toEqual({ hit: 1, total: 2 });
    expect(s.failures).toContain('p1 "Known roof leaks?" No square [150,100,160,110]: expected [ ], got [x] at [150,100,160,110]');
  });

  it('compares labels and questions with whitespace and a trailing colon left out', () => {
    expect(normalise('  Water\n source : ')).toBe('Water source');
    const s = scoreForm(truth(), page([field(yes, { label: ' Yes ', question: 'Known roof  leaks?:' }), field(no, { label: 'Nope' }), answerField]));
    expect(s.labels).toEqual({ hit: 1, total: 2 });
    expect(s.questions).toEqual({ hit: 2, total: 2 });
    expect(s.failures).toEqual([expect.stringContaining('label expected "No", got "Nope"')]);
  });

  it('wants no question on a lone check box, and the shape, origin and confidence of its group', () => {
    const lone = mark({ question: null, label: 'Seller has read this statement' });
    const t = truth({ variant: 'scan' }, { marks: [lone, mark({ box: [300, 100, 310, 110], shape: 'circle', label: 'Well' })], answers: [] });
    const s = scoreForm(t, [{ page: 1, text: '[ ] Seller has read this statement [ ] Well', fields: [field(lone, { question: 'Signed', origin: 'scan' }), field(t.pages[0]!.marks[1]!, { type: 'checkbox', origin: 'scan', confidence: 90 })] }]);
    expect(s.questions).toEqual({ hit: 1, total: 2 });
    expect(s.kinds).toEqual({ hit: 0, total: 2 });
    expect(s.failures).toEqual(expect.arrayContaining([expect.stringContaining('a scan field without confidence'), expect.stringContaining('type expected radio, got checkbox')]));
  });

  it('counts every check box or radio button on a control page as a false mark', () => {
    const t = truth({ kind: 'control', file: 'control-1.vector.pdf' }, { marks: [], answers: [] });
    const s = scoreForm(t, page([field(yes, { label: 'Logo' }), field(no), answerField]));
    expect(s.falseMarks).toBe(2);
    expect(s.marks.total).toBe(0);
    const g = groupScores([s, scoreForm(truth(), page([field(yes), field(no), field(mark({ box: [400, 400, 410, 410] })), answerField]))]);
    expect(g.drawn).toMatchObject({ files: 2, falseMarks: 3, controlFalseMarks: 2 });
    expect(g.scan.files).toBe(0);
  });

  it('wants [x] before a right-hand word and after a left-hand one, once per mark that wants it', () => {
    const left = truth({}, { marks: [mark({ labelSide: 'left', state: true }), mark({ box: [150, 100, 160, 110], label: 'No', labelSide: 'left' })], answers: [] });
    expect(markToken(left.pages[0]!.marks[0]!)).toBe('Yes [x]');
    expect(scoreForm(left, page(left.pages[0]!.marks.map((m) => field(m)), 'Roof? Yes [x]  No [ ]')).placement).toEqual({ hit: 2, total: 2 });
    expect(scoreForm(left, page(left.pages[0]!.marks.map((m) => field(m)), 'Roof? [x] Yes [ ] No')).placement).toEqual({ hit: 0, total: 2 });
    // Two questions each with a [ ] No: the text must hold it twice; "[ ] Nothing" is not "[ ] No".
    const two = truth({}, { marks: [no, mark({ box: [150, 200, 160, 210], label: 'No', question: 'Leaks?' })], answers: [] });
    const s = scoreForm(two, page(two.pages[0]!.marks.map((m) => field(m)), 'A? [ ] No\nB? [ ] Nothing'));
    expect(s.placement).toEqual({ hit: 1, total: 2 });
    expect(s.failures).toEqual(['p1 text: expected "[ ] No" 2× (Known roof leaks?; Leaks?), found 1×']);
  });

  it('wants an answer box value and label, and the answer on its label\'s line in text', () => {
    const s = scoreForm(truth(), page([field(yes), field(no), { ...answerField, value: '1234 Elm St' }], 'Property address:\n1234 Elm Street\n[x] Yes [ ] No'));
    expect(s.answers).toEqual({ hit: 0, total: 1 });
    expect(s.placement).toEqual({ hit: 2, total: 3 });
    expect(s.failures).toEqual([
      'p1 answer "Property address:" [200,80,500,98]: value expected "1234 Elm Street", got "1234 Elm St"',
      'p1 text: expected a line with "Property address: 1234 Elm Street"',
    ]);
    const none = scoreForm(truth(), page([field(yes), field(no)]));
    expect(none.failures).toContain('p1 answer "Property address:" [200,80,500,98]: expected "1234 Elm Street", got no text field within 4 pt (none on the page)');
  });

  it('counts table cells in place in the best pipe table of the Markdown', () => {
    const table = { page: 1, box: [72, 300, 540, 400] as Bbox, rows: 2, cols: 2, header: true, cells: [
      { row: 0, col: 0, text: 'Item' }, { row: 0, col: 1, text: 'Action' }, { row: 1, col: 0, text: 'Deck' }, { row: 1, col: 1, text: 'Repair' },
    ] };
    const t = truth({ kind: 'report', variant: 'scan' }, { marks: [], answers: [], tables: [table] });
    const md = '## Findings\n\n| Item | Action |\n| --- | --- |\n| Deck Repair |  |\n\n| x |\n| --- |';
    const s = scoreForm(t, page([], '', md));
    expect(s.cells).toEqual({ hit: 2, total: 4 });
    expect(s.failures).toEqual(['p1 table [72,300,540,400]: 2/4 cells in place (2 pipe tables in the Markdown); missed (1,0) "Deck", (1,1) "Repair"']);
  });

  it('reads every truth file of the corpus, and a reading made from the truth scores full marks', () => {
    const docs = formsCorpus();
    expect(docs).toHaveLength(34);
    for (const { truth: t } of docs) {
      const pages: ResultPage[] = t.pages.map((p) => ({
        page: p.page,
        fields: [
          ...p.marks.map((m) => field(m, { origin: t.variant === 'scan' ? 'scan' : 'drawn', ...(t.variant === 'scan' ? { confidence: 90 } : {}) })),
          ...p.answers.map((a): FormField => ({ name: null, type: 'text', value: a.value, bbox: a.box, origin: 'drawn', label: a.label })),
        ],
        text: [...p.marks.map(markToken), ...p.answers.map((a) => `${a.label} ${a.value}`)].join('\n'),
        markdown: p.tables.map((tb) => Array.from({ length: tb.rows }, (_, r) => `| ${tb.cells.filter((c) => c.row === r).map((c) => c.text).join(' | ')} |`).join('\n')).join('\n\n'),
      }));
      const s = scoreForm(t, pages);
      expect(s.failures, describeScore(s)).toEqual([]);
    }
    const all = docs.map((d) => scoreForm(d.truth, []));
    const g = groupScores(all);
    // 221 marks a variant: drawn holds vector and flattened, scan the two scans of each form.
    expect([g.drawn.marks, g.scan.marks]).toEqual([{ hit: 0, total: 442 }, { hit: 0, total: 442 }]);
    expect(all.find((s) => s.file === 'report-1.scan-200-gray-jpeg.pdf')!.cells.total).toBe(16);
  });
});
