/**
 * Forms without widgets (issue 21) end to end: every PDF of test/forms/ (index.json) read by
 * the real compiled child through the real Supervisor, one child a file, and scored against
 * its ground truth by harness/forms-score.ts. Drawn (vector and flattened): each mark's state,
 * label, question and box (± 4 pt), `[x]`/`[ ]` beside its word in `text`, each answer box's
 * value and label (and the answer on its label's line), and no mark where there is none
 * (controls, reports). Scans: each mark's state, box, type and confidence, and no false mark,
 * file by file (and every other check too on the scans read whole, WHOLE_SCANS); labels,
 * questions, answer boxes, `text` placement and table cells over the whole
 * scanned group, each at least the count measured (the engine's misreads keep them short of whole;
 * see SCAN_FLOORS). A failure lists, per file, what was expected and what came.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeScore, formatTally, formsCorpus, groupScores, groupOf, scoreForm, type FormScore, type GroupScore } from '../harness/forms-score.js';
import { readWithChild } from './helpers.js';

const scores: FormScore[] = [];

/**
 * The scanned group's tallies over test/forms' 17 scans: at least `hit` of `total`, as measured
 * (node 24, OCR_DPI 200, the native engine where installed). What still misses, by file:
 * - labels 424/442: inspection-e.scan-200-gray-jpeg 17/34 (the engine reads no `No` of its rows,
 *   so each row's labels shift by one), disclosure-a.scan-300-bilevel 1 (`Yes"`);
 * - questions 410/442: inspection-e 200 gray 12, disclosure-b 150 rgb and 200 bilevel `Sewer:` and
 *   `Occupancy:` (the question read on a line of its own), checklist-c 150 bilevel `cO detectors`,
 *   checklist-c.scan-300-gray-jpeg 3 (the native engine reads one `[x] Yes` row apart from its
 *   question; the WebAssembly engine read it whole: 413);
 * - answer boxes 29/32: OCR misreads (`&. Okafor` on checklist-c 150 bilevel, `¢ 245.00` and
 *   `$245.00` on both hoa-d scans);
 * - text placement 457/470: the same rows of inspection-e 200 gray, and those answers;
 * - table cells 77/80: `No GFCI` on both reports (`No GFCl`, `No GFC!`), control-3.scan-150-rgb-jpeg
 *   `North side` (a dust speck beside it read as `e`, as tall as half the words). 61/80 before
 *   ruled-lines.ts ran a rule on through pale pixels (control-3's 0.5-pt rules, 114-131 gray and
 *   split over two rows by the skew, read 0/16), 75/80 before ruled-tables.ts dropped specks read
 *   as one-letter words (`Item .` on control-2 and control-3).
 */
const SCAN_FLOORS: Record<'labels' | 'questions' | 'answers' | 'placement' | 'cells', { hit: number; total: number }> = {
  labels: { hit: 424, total: 442 },
  questions: { hit: 410, total: 442 },
  answers: { hit: 29, total: 32 },
  placement: { hit: 457, total: 470 },
  cells: { hit: 77, total: 80 },
};
/** The scans read whole (every label, question, answer box, `text` token and table cell): held to no failure at all. */
const WHOLE_SCANS = new Set([
  'disclosure-a.scan-200-gray-jpeg.pdf',
  'inspection-e.scan-300-rgb-jpeg.pdf',
  'leadpaint-f.scan-150-gray-jpeg.pdf',
  'leadpaint-f.scan-300-bilevel.pdf',
  'control-1.scan-200-gray-jpeg.pdf',
]);
const SCAN_FILES = formsCorpus().filter((d) => d.truth.variant === 'scan').length;

describe('forms without widgets: the test/forms corpus through the real child', () => {
  for (const { pdf, truth } of formsCorpus()) {
    it(`${path.basename(pdf)} (${truth.kind}, ${groupOf(truth.variant)})`, async () => {
      const { outcome, pages } = await readWithChild(pdf);
      expect(outcome).toMatchObject({ ok: true });
      expect(pages.map((p) => p.source)).toEqual(truth.pages.map(() => (truth.variant === 'scan' ? 'ocr' : 'text')));
      const score = scoreForm(truth, pages);
      scores.push(score);
      if (score.group === 'drawn' || WHOLE_SCANS.has(path.basename(pdf))) {
        expect(score.failures.length, describeScore(score)).toBe(0);
        return;
      }
      // Scans: every mark's state and box, its type and confidence, and no mark where there is none;
      // the rest over the whole group (below), where the engine's misreads are counted, not excused.
      expect({ marks: score.marks, kinds: score.kinds, falseMarks: score.falseMarks }, describeScore(score)).toEqual({
        marks: { hit: score.marks.total, total: score.marks.total },
        kinds: { hit: score.kinds.total, total: score.kinds.total },
        falseMarks: 0,
      });
    });
  }

  it('scans: labels, questions, answer boxes, text placement and table cells at least as measured', () => {
    const scans = scores.filter((s) => s.group === 'scan');
    // Every scan scored above (a filtered run would make this pass on a part of the group).
    expect(scans.length).toBe(SCAN_FILES);
    const group: GroupScore = groupScores(scans).scan;
    const misses = scans.map((s) => describeScore(s, 12)).join('\n');
    for (const [key, floor] of Object.entries(SCAN_FLOORS) as [keyof typeof SCAN_FLOORS, { hit: number; total: number }][]) {
      expect(group[key].total, `${key}: the corpus changed`).toBe(floor.total);
      expect(group[key].hit, `${key} ${formatTally(group[key])} below the measured ${floor.hit}\n${misses}`).toBeGreaterThanOrEqual(floor.hit);
    }
  });

  afterAll(() => {
    const groups = Object.values(groupScores(scores));
    const line = (g: (typeof groups)[number]) =>
      `${g.group} (${g.files} files): marks ${formatTally(g.marks)}, labels ${formatTally(g.labels)}, questions ${formatTally(g.questions)}, ` +
      `answers ${formatTally(g.answers)}, text ${formatTally(g.placement)}, table cells ${formatTally(g.cells)}, false marks ${g.falseMarks} (controls ${g.controlFalseMarks})`;
    console.log(`forms corpus:\n${groups.map(line).join('\n')}`);
  });
});
