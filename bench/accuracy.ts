/**
 * OCR word accuracy against a ground truth with pages separated by \f: per page, and
 * overall as all hits over all expected words (so long pages weigh more, as they do
 * for a reader).
 */
import { wordMatches } from '../harness/service.js';

export interface PageAccuracy {
  page: number;
  expectedWords: number;
  accuracy: number;
}

export interface Accuracy {
  overall: number;
  pages: PageAccuracy[];
}

/** Splits a \f-separated text into pages; a trailing \f does not start an extra page. */
export function splitPages(text: string, pageCount: number): string[] {
  const pages = text.split('\f');
  if (pages.length === pageCount + 1 && pages[pageCount]!.trim() === '') pages.pop();
  return pages;
}

/** Scores `actual[i]` against `expected[i]`; a missing page counts as empty text. */
export function accuracy(actual: string[], expected: string[]): Accuracy {
  let hit = 0;
  let total = 0;
  const pages = expected.map((want, i) => {
    const m = wordMatches(actual[i] ?? '', want);
    hit += m.hit;
    total += m.total;
    return { page: i + 1, expectedWords: m.total, accuracy: m.total === 0 ? 1 : m.hit / m.total };
  });
  return { overall: total === 0 ? 1 : hit / total, pages };
}

/** The `n` pages where `ours` falls furthest below `reference`, for the notes. */
export function worstPages(ours: Accuracy, reference: Accuracy, n = 3): string {
  return ours.pages
    .map((p, i) => ({ page: p.page, gap: (reference.pages[i]?.accuracy ?? 0) - p.accuracy, ours: p.accuracy }))
    .sort((a, b) => b.gap - a.gap)
    .slice(0, n)
    .map((p) => `p${p.page} ${p.ours.toFixed(2)} (${p.gap >= 0 ? '−' : '+'}${Math.abs(p.gap).toFixed(2)})`)
    .join(', ');
}
