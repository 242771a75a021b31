import type { PDFPageProxy } from '../pdf/pdfjs.js';
import type { PageView } from '../page/page-view.js';
import { answerBoxes, boxCandidates, centreIn, inGrid } from './drawn-boxes.js';
import { pageInk } from './drawn-ink.js';
import { isChecked } from './drawn-state.js';
import type { Mark, PageForm } from './page-form.js';

/** Letters a box may hold and still be a check box: a typed X is a cross, anything else makes it a framed word. */
export const MARK_LETTERS = /^[✓✔✗✘☑☒☐❏❐❑❒□Xx×✕✖■●⬛◼]$/u;

/** The check boxes, radio buttons and answer boxes a text-layer page draws (vector paths, glyphs, form XObjects). */
export async function drawnForm(page: PDFPageProxy, view: PageView): Promise<PageForm> {
  const { paths, glyphs } = await pageInk(page, view);
  const marks: Mark[] = [];
  for (const box of boxCandidates(paths, glyphs)) {
    if (box.path && inGrid(box.bbox, box.path, paths)) continue;
    if (glyphs.some((g) => !MARK_LETTERS.test(g.char) && centreIn(g.bbox, box.bbox))) continue;
    marks.push({ shape: box.shape, bbox: round(box.bbox), checked: isChecked(box, paths, glyphs) });
  }
  return { marks, answerBoxes: answerBoxes(paths, glyphs).map(round) };
}

function round(b: [number, number, number, number]): [number, number, number, number] {
  return b.map((v) => Math.round(v * 100) / 100) as [number, number, number, number];
}
