import type { TextContent, TextItem } from './text-words.js';

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
