/**
 * Forms without widgets (issue 21) end to end: every PDF of test/forms/ (index.json) read by
 * the real compiled child through the real Supervisor, one child a file, and scored against
 * its ground truth by harness/forms-score.ts. Drawn (vector and flattened): each mark's state,
 * label, question and box (± 4 pt), `[x]`/`[ ]` beside its word in `text`, each answer box's
 * value and label (and the answer on its label's line), and no mark where there is none
 * (controls, reports). Scans: each mark's state, box, type and confidence, and no false mark.
 * A failure lists, per file, what was expected and what came.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeScore, formatTally, formsCorpus, groupScores, groupOf, scoreForm, type FormScore } from '../harness/forms-score.js';
import { readWithChild } from './helpers.js';

const scores: FormScore[] = [];

describe('forms without widgets: the test/forms corpus through the real child', () => {
  for (const { pdf, truth } of formsCorpus()) {
    it(`${path.basename(pdf)} (${truth.kind}, ${groupOf(truth.variant)})`, async () => {
      const { outcome, pages } = await readWithChild(pdf);
      expect(outcome).toMatchObject({ ok: true });
      expect(pages.map((p) => p.source)).toEqual(truth.pages.map(() => (truth.variant === 'scan' ? 'ocr' : 'text')));
      const score = scoreForm(truth, pages);
      scores.push(score);
      if (score.group === 'drawn') {
        expect(score.failures.length, describeScore(score)).toBe(0);
        return;
      }
      // Scans: every mark's state and box, its type and confidence, and no mark where there is none.
      // Labels, questions, answer boxes and table cells on scans are counted in the bench's forms
      // table and printed below; OCR noise left beside the erased boxes still costs some of them.
      expect({ marks: score.marks, kinds: score.kinds, falseMarks: score.falseMarks }, describeScore(score)).toEqual({
        marks: { hit: score.marks.total, total: score.marks.total },
        kinds: { hit: score.kinds.total, total: score.kinds.total },
        falseMarks: 0,
      });
    });
  }

  afterAll(() => {
    const groups = Object.values(groupScores(scores));
    const line = (g: (typeof groups)[number]) =>
      `${g.group} (${g.files} files): marks ${formatTally(g.marks)}, labels ${formatTally(g.labels)}, questions ${formatTally(g.questions)}, ` +
      `answers ${formatTally(g.answers)}, text ${formatTally(g.placement)}, table cells ${formatTally(g.cells)}, false marks ${g.falseMarks} (controls ${g.controlFalseMarks})`;
    console.log(`forms corpus:\n${groups.map(line).join('\n')}`);
  });
});
