import type { PackedWords, PageResult } from '../../src/protocol.js';

/**
 * A page never gets less than this of MAX_RESULT_MB, however many pages are selected: dense
 * real pages (tables, small print) stay whole, while a "text bomb" (a tiny PDF whose pages
 * share one huge content stream) is cut page by page.
 */
const MIN_SHARE_BYTES = 256 * 1024;
/** JSON escapes (quotes, control characters) make a text longer than its UTF-8: keep room for them. */
const ESCAPE_ROOM = 0.9;
/** How a cut page's share is split: the text and its Markdown a quarter each, the words (boxes and all) half. */
const TEXT_PART = 0.25;
const MARKDOWN_PART = 0.25;
const WORDS_PART = 0.5;
/** A packed word's four box numbers and confidence as JSON, beside its text. */
const WORD_OVERHEAD_BYTES = 28;
/** The least a packed word's box takes as JSON: four numbers of one digit, each with its comma. */
const MIN_WORD_BOX_BYTES = 8;

/** What one of `pages` selected pages may produce (all formats, as JSON). */
export function pageShareBytes(maxResultBytes: number, pages: number): number {
  return Math.min(maxResultBytes, Math.max(MIN_SHARE_BYTES, Math.floor(maxResultBytes / Math.max(1, pages))));
}

/**
 * What a text-layer string adds at least to its page's JSON, in the accounting fitToShare cuts
 * by: its characters in the text, the Markdown and the words, and each word's box. Summed over
 * a page's layer as pdfjs reads it, it tells where the page passes its share before any word
 * is built (text/text-layer.ts).
 */
export function layerBytes(str: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < str.length; i++) {
    const space = str.charCodeAt(i) <= 32;
    if (!space && !inWord) words++;
    inWord = !space;
  }
  // A lower bound, so that the read never cuts what fitToShare would keep: a page of 9,000
  // one-letter words is ~250 kB of JSON, within a 256 kB share, but 306 kB at 28 bytes a box.
  return 3 * str.length + MIN_WORD_BOX_BYTES * words;
}

/** The page as it is when within its share; else cut to it, with the page error `text_truncated`. */
export function fitToShare(result: PageResult, shareBytes: number): PageResult {
  // Most pages are far inside their share: a cheap bound spares serialising each page twice.
  if (upperBoundBytes(result) <= shareBytes) return result;
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes <= shareBytes) return result;
  const room = shareBytes * ESCAPE_ROOM;
  const message = `the page's text is ${Math.round(bytes / 1024)} kB, more than its ${Math.round(shareBytes / 1024)} kB share of MAX_RESULT_MB: it was cut`;
  return {
    ...result,
    text: cutUtf8(result.text, Math.floor(room * TEXT_PART)),
    ...(result.markdown !== undefined ? { markdown: cutUtf8(result.markdown, Math.floor(room * MARKDOWN_PART)) } : {}),
    ...(result.words !== undefined ? { words: firstWords(result.words, room * WORDS_PART) } : {}),
    error: result.error ?? { code: 'text_truncated', message },
  };
}

/**
 * At least what the page's JSON takes: a character is at most 6 bytes there (`\uXXXX`), a
 * packed word box number at most 12 with its comma; the rest (keys, page number, source) fits
 * in the constant.
 */
function upperBoundBytes(result: PageResult): number {
  const chars =
    result.text.length +
    (result.markdown?.length ?? 0) +
    (result.words?.text.length ?? 0) +
    (result.error?.message.length ?? 0) +
    (result.fields ? JSON.stringify(result.fields).length : 0) +
    (result.notes?.join('').length ?? 0);
  const numbers = (result.words?.boxes.length ?? 0) + (result.words?.confidence?.length ?? 0);
  return 6 * chars + 12 * numbers + 1024;
}

/** The longest start of `text` within `maxBytes` of UTF-8, never splitting a character. */
function cutUtf8(text: string, maxBytes: number): string {
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}

/** The first words whose text and boxes fit in `maxBytes`. */
function firstWords(words: PackedWords, maxBytes: number): PackedWords {
  const texts = words.text === '' ? [] : words.text.split(' ');
  let used = 0;
  let kept = 0;
  while (kept < texts.length && (used += Buffer.byteLength(texts[kept]!) + 1 + WORD_OVERHEAD_BYTES) <= maxBytes) kept++;
  return {
    text: texts.slice(0, kept).join(' '),
    boxes: words.boxes.slice(0, kept * 4),
    ...(words.confidence ? { confidence: words.confidence.slice(0, kept) } : {}),
  };
}
