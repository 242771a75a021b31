/**
 * The result bodies (`GET /api/jobs/{id}/result`, every format), written as chunks page by page
 * from the stored pages: one page is parsed at a time and words go out as text, never as
 * objects. Built whole, a 576k-word result (64 pages of one-letter words, 25 MB as words) took
 * the parent from 98 to 267 MB per request. The bytes are those JSON.stringify gives for the
 * whole body. Pages the parent recorded itself (a page that killed its child) have no words or
 * Markdown and an unknown size.
 */
import { z } from 'zod';
import { collectEvery } from '../collect.js';
import type { Job } from '../jobs/job.js';
import type { JobRepository } from '../jobs/repository.js';
import type { PackedWords, PageResult } from '../protocol.js';
import type { ResultPage } from '../routes/schemas.js';

export const resultFormatSchema = z.enum(['json', 'text', 'words', 'markdown']);
export type ResultFormat = z.infer<typeof resultFormatSchema>;

/** A succeeded job's kept pages, read one at a time. */
export interface StoredPages {
  /** Ascending. */
  readonly numbers: readonly number[];
  read(page: number): Promise<PageResult>;
}

/** Words in one chunk of `format=words`: ~45 kB of one-letter words, and a page of 500k of them still goes out in pieces. */
const WORDS_A_CHUNK = 1000;

/**
 * A page parsed for a result, and its chunks, live while the client takes them: long enough to
 * reach V8's old space, which then grows ~100 MB past what is live before V8 collects it
 * (measured: 8 words and 8 Markdown GETs of the 576k-word result at once, heap 31 -> 140 MB
 * between full collections, server RSS +112 MB). A full collection every 4 M characters of
 * page JSON parsed (5-9 ms each) kept that rise to ~20 MB. Counted over all result streams.
 */
const COLLECT_EVERY_CHARS = 4 * 1024 * 1024;
const collectAfterPages = collectEvery(COLLECT_EVERY_CHARS);

/** The pages job `id` kept, as they are when read; a page gone meanwhile (the job deleted or expired) ends the body with an error. */
export async function storedPages(jobs: Pick<JobRepository, 'pageNumbers' | 'pageJson'>, id: string): Promise<StoredPages> {
  return {
    numbers: await jobs.pageNumbers(id),
    read: async (n) => {
      const json = await jobs.pageJson(id, n);
      if (json === undefined) throw new Error('the job was deleted while its result was being sent');
      collectAfterPages(json.length);
      return JSON.parse(json) as PageResult;
    },
  };
}

/** The body of the result in `format`, in chunks. */
export function resultChunks(format: ResultFormat, job: Job, pages: StoredPages): AsyncGenerator<string> {
  switch (format) {
    case 'text':
      return textChunks(pages);
    case 'markdown':
      return markdownChunks(pages);
    case 'words':
      return wordsChunks(job.id, pages);
    case 'json':
      return jsonChunks(job, pages);
  }
}

/** What a JSON result page entry has beside page, text, source, confidence and error. */
export function pageFidelity(page: PageResult): Pick<ResultPage, 'width' | 'height' | 'fields' | 'notes'> {
  return {
    width: page.width ?? null,
    height: page.height ?? null,
    ...(page.fields ? { fields: page.fields } : {}),
    ...(page.notes ? { notes: page.notes } : {}),
  };
}

/**
 * One chunk a page, joined by `separator`: the page is let go before its chunk waits for the
 * client (a variable holding it would keep it alive across the `yield`).
 */
async function* pageByPage(pages: StoredPages, chunk: (page: PageResult) => string, separator: string): AsyncGenerator<string> {
  for (const [i, n] of pages.numbers.entries()) {
    const piece = chunk(await pages.read(n));
    yield i === 0 ? piece : separator + piece;
  }
}

/** The text of all pages, separated by form feed as pdftotext does. */
function textChunks(pages: StoredPages): AsyncGenerator<string> {
  return pageByPage(pages, (p) => p.text, '\f');
}

/** The whole document as Markdown: each page after a `<!-- page N -->` line. */
function markdownChunks(pages: StoredPages): AsyncGenerator<string> {
  return pageByPage(pages, (p) => (p.markdown ? `<!-- page ${p.page} -->\n\n${p.markdown}\n` : `<!-- page ${p.page} -->\n`), '\n');
}

/** `format=words` (a WordsResult). */
async function* wordsChunks(id: string, pages: StoredPages): AsyncGenerator<string> {
  yield `${openObject({ id })},"pages":[`;
  for (const [i, n] of pages.numbers.entries()) {
    // This page is held while its words go out, a chunk at a time.
    const p = await pages.read(n);
    yield `${i === 0 ? '' : ','}${openObject({ page: p.page, width: p.width ?? null, height: p.height ?? null, source: p.source })},"words":[`;
    if (p.words) yield* wordsJson(p.words);
    yield ']}';
  }
  yield ']}';
}

/** A page's packed words as the JSON of its Word objects, without the brackets, a chunk at a time. */
function* wordsJson({ text, boxes, confidence }: PackedWords): Generator<string> {
  if (text === '') return;
  let chunk = '';
  for (let i = 0, start = 0; start <= text.length; i++) {
    let end = text.indexOf(' ', start);
    if (end < 0) end = text.length;
    const box = `${boxes[4 * i]! / 10},${boxes[4 * i + 1]! / 10},${boxes[4 * i + 2]! / 10},${boxes[4 * i + 3]! / 10}`;
    const c = confidence?.[i];
    chunk += `${i === 0 ? '' : ','}{"text":${JSON.stringify(text.slice(start, end))},"bbox":[${box}]${c === undefined ? '' : `,"confidence":${c}`}}`;
    start = end + 1;
    if ((i + 1) % WORDS_A_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** The JSON result (default format): page entries, then the text of all pages (a second pass). */
async function* jsonChunks(job: Job, pages: StoredPages): AsyncGenerator<string> {
  yield `${openObject({ id: job.id, pages_total: job.selected?.length ?? pages.numbers.length, document_pages: job.documentPages })},"pages":[`;
  yield* pageByPage(pages, (p) => JSON.stringify(pageEntry(p)), ',');
  yield '],"text":"';
  // The whole text's JSON is its pages' with `\f` between: no escape spans a form feed.
  yield* pageByPage(pages, (p) => JSON.stringify(p.text).slice(1, -1), '\\f');
  yield '"}';
}

/** A page of the JSON result. */
function pageEntry(p: PageResult): ResultPage {
  return {
    page: p.page,
    text: p.text,
    source: p.source,
    ...(p.confidence !== undefined ? { confidence: p.confidence } : {}),
    error: p.error,
    ...pageFidelity(p),
  };
}

/** An object's JSON without its closing brace, for the members that follow it. */
function openObject(head: Record<string, unknown>): string {
  return JSON.stringify(head).slice(0, -1);
}
