/**
 * The result formats built from a job's page results (ordered by page): the page entry's
 * document-fidelity fields, `?format=words` and `?format=markdown`. Pure functions: the routes
 * choose the format and send the body. Pages the parent recorded itself (a page that killed its
 * child) have no words or Markdown and an unknown size.
 */
import { unpackWords, type PageResult } from '../protocol.js';

/** What a JSON result page entry has beside page, text, source, confidence and error. */
export function pageFidelity(page: PageResult) {
  return {
    width: page.width ?? null,
    height: page.height ?? null,
    ...(page.fields ? { fields: page.fields } : {}),
    ...(page.notes ? { notes: page.notes } : {}),
  };
}

/** The body of `GET /api/jobs/{id}/result?format=words`. */
export function wordsBody(id: string, pages: PageResult[]) {
  return {
    id,
    pages: pages.map((p) => ({ page: p.page, width: p.width ?? null, height: p.height ?? null, source: p.source, words: p.words ? unpackWords(p.words) : [] })),
  };
}

/** The whole document as Markdown: each page after a `<!-- page N -->` line. */
export function markdownDocument(pages: PageResult[]): string {
  return pages.map((p) => (p.markdown ? `<!-- page ${p.page} -->\n\n${p.markdown}\n` : `<!-- page ${p.page} -->\n`)).join('\n');
}
