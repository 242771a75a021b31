import type { PageResult } from '../src/protocol.js';

/**
 * A page never gets less than this of MAX_RESULT_MB, however many pages are selected: dense
 * real pages (tables, small print) stay whole, while a "text bomb" (a tiny PDF whose pages
 * share one huge content stream) is cut page by page.
 */
const MIN_SHARE_BYTES = 256 * 1024;
/** JSON escapes (quotes, control characters) make a text longer than its UTF-8: keep room for them. */
const ESCAPE_ROOM = 0.9;

/** What one of `pages` selected pages may produce (all formats, as JSON). */
export function pageShareBytes(maxResultBytes: number, pages: number): number {
  return Math.min(maxResultBytes, Math.max(MIN_SHARE_BYTES, Math.floor(maxResultBytes / Math.max(1, pages))));
}

/** The page as it is when within its share; else cut to it, with the page error `text_truncated`. */
export function fitToShare(result: PageResult, shareBytes: number): PageResult {
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes <= shareBytes) return result;
  const text = cutUtf8(result.text, Math.floor(shareBytes * ESCAPE_ROOM));
  const message = `the page's text is ${Math.round(bytes / 1024)} kB, more than its ${Math.round(shareBytes / 1024)} kB share of MAX_RESULT_MB: it was cut`;
  return { ...result, text, error: result.error ?? { code: 'text_truncated', message } };
}

/** The longest start of `text` within `maxBytes` of UTF-8, never splitting a character. */
function cutUtf8(text: string, maxBytes: number): string {
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}
