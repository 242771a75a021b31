import { getHeapStatistics } from 'node:v8';
import { layerBytes } from '../output/page-share.js';
import type { PDFPageProxy } from '../pdf/pdfjs.js';
import type { TextContent, TextItem } from './decode.js';

/** A page's text layer as read: whole, or cut where it passed the page's share of MAX_RESULT_MB. */
export interface ReadLayer {
  content: TextContent;
  cut: boolean;
}

/**
 * A page's text layer is cut at this share of the child's heap (in layerBytes' accounting) even
 * when its share of MAX_RESULT_MB is larger. Measured on one page of 500,000 three-letter words
 * (the most a byte of text costs) with the default 16 MB share, counting 28 bytes a word's box
 * (40 a three-letter word): a twelfth of the default child's heap (200,000 words) peaked at
 * 104 MB of its 180, but failed a 100 MB child; a sixteenth peaked at 79 MB (180 MB child),
 * 56 MB (100 MB) and 58 MB (64 MB). layerBytes counts a box at 8 bytes (20 a three-letter word),
 * so half that share keeps the same words.
 */
const LAYER_HEAP_SHARE = 1 / 32;

/** What a page's text layer may keep: its share of MAX_RESULT_MB, within what the child's heap can build. */
export function layerBudget(shareBytes: number): number {
  return Math.min(shareBytes, Math.floor(getHeapStatistics().heap_size_limit * LAYER_HEAP_SHARE));
}

/**
 * The page's text layer, read as pdfjs streams it until it passes `budget` (layerBudget, in
 * layerBytes' accounting): the words, layout and Markdown of a "text bomb" (a few kB of PDF,
 * megabytes of text a page) are built from what the page may keep, not from the whole layer,
 * whose words a child cannot hold (measured: 5 pages of 500,000 words each failed
 * memory_limit; cut to their 3.2 MB shares, the child peaked at 74 MB). pdfjs goes on reading
 * the cancelled page to its end (it stops only when its reader is behind), dropping what it reads.
 */
export async function readTextLayer(page: PDFPageProxy, budget: number): Promise<ReadLayer> {
  const content: TextContent & { items: (TextItem | object)[] } = { items: [], styles: {} };
  const reader = page.streamTextContent().getReader();
  let left = budget;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { content, cut: false };
    const chunk = value as TextContent;
    Object.assign(content.styles, chunk.styles);
    for (const raw of chunk.items) {
      const bytes = 'str' in raw ? layerBytes((raw as TextItem).str) : 0;
      if (bytes > left) {
        const item = raw as TextItem;
        content.items.push(cutItem(item, Math.floor((item.str.length * left) / bytes)));
        // pdfjs asserts an Error as the reason: without one its stream is not marked closed, and
        // a chunk still on its way then throws where no one catches it.
        await reader.cancel(new Error('the page passed its share of MAX_RESULT_MB'));
        return { content, cut: true };
      }
      left -= bytes;
      content.items.push(raw);
    }
  }
}

/** The item's first `chars` characters (never half a surrogate pair), its width theirs by count. */
function cutItem(item: TextItem, chars: number): TextItem {
  const high = chars > 0 && item.str.charCodeAt(chars - 1) >= 0xd800 && item.str.charCodeAt(chars - 1) <= 0xdbff;
  const kept = high ? chars - 1 : chars;
  return { ...item, str: item.str.slice(0, kept), width: item.str.length > 0 ? (item.width * kept) / item.str.length : 0 };
}

/** Below this many visible characters a page is treated as having no text layer. */
const MIN_VISIBLE_CHARS = 3;
/** A layer where this share of characters is unmapped glyphs is garbage, not text. */
const MAX_GARBAGE_SHARE = 0.3;

/** The text layer as pdfjs strings it together: enough to judge it, not in reading order. */
export function layerText(content: TextContent): string {
  let text = '';
  for (const raw of content.items) {
    if (!('str' in raw)) continue;
    const item = raw as TextItem;
    text += item.str;
    if (item.hasEOL) text += '\n';
  }
  return text.trim();
}

/**
 * Fonts without a Unicode mapping extract as control characters, U+FFFD or private-use
 * code points; such a layer is worth less than OCR of the rendered page.
 */
export function isUsableText(text: string): boolean {
  let visible = 0;
  let garbage = 0;
  for (const ch of text) {
    if (/\s/u.test(ch)) continue;
    visible++;
    if (/[\p{Cc}\p{Co}\p{Cs}\uFFFD]/u.test(ch)) garbage++;
  }
  return visible >= MIN_VISIBLE_CHARS && garbage / visible <= MAX_GARBAGE_SHARE;
}
