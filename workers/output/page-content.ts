import type { FormField, PackedWords } from '../../src/protocol.js';
import { median } from '../../src/stats.js';
import { layoutPage } from '../layout/layout.js';
import type { Token } from '../layout/types.js';
import { pageMarkdown } from './markdown.js';
import type { OcrWord } from '../ocr/ocr-words.js';
import { packedWords, plainText } from './plain-text.js';
import type { TextWord } from '../text/text-words.js';

/** What a page says, in reading order: its text, Markdown, words, and form fields. */
export interface PageContent {
  text: string;
  markdown: string;
  words: PackedWords;
  /** Present when the page has form fields. */
  fields?: FormField[];
}

/** A word's box is about this many em high, halfway between x-height and descender words (measured: median 0.7-0.75). */
const WORD_HEIGHT_PER_EM = 0.72;

export function textLayerContent(words: TextWord[], fields: FormField[]): PageContent {
  // A text-layer word is a layout token as it is (no copy: a page has thousands).
  return content(words, fields, 'text');
}

/** OCR words, each sized by its line: the median height of the line's word boxes, in em. */
export function ocrContent(words: OcrWord[], fields: FormField[]): PageContent {
  const heights = new Map<number, number[]>();
  for (const w of words) {
    const h = w.bbox[3] - w.bbox[1];
    const list = heights.get(w.line);
    if (list) list.push(h);
    else heights.set(w.line, [h]);
  }
  const size = new Map([...heights].map(([line, hs]) => [line, median(hs) / WORD_HEIGHT_PER_EM]));
  return content(
    words.map((w) => ({ text: w.text, bbox: w.bbox, size: size.get(w.line)!, confidence: w.confidence, line: w.line, turns: w.turns })),
    fields,
    'ocr',
  );
}

function content(tokens: Token[], fields: FormField[], source: 'text' | 'ocr'): PageContent {
  const blocks = layoutPage(tokens, fields);
  const ordered: FormField[] = [];
  for (const block of blocks) {
    const lines = block.kind === 'text' ? block.lines : block.rows.flat();
    for (const line of lines) {
      const tokens = line?.tokens ?? [];
      // An index loop: every word of the page passes here (see geometricRows in layout/lines.ts).
      for (let i = 0; i < tokens.length; i++) if (tokens[i]!.field) ordered.push(tokens[i]!.field!);
    }
  }
  const { markdown, labels, questions } = pageMarkdown(blocks, source);
  return {
    text: plainText(blocks),
    markdown,
    words: packedWords(blocks),
    ...(ordered.length > 0 ? { fields: ordered.map((f) => withWords(f, labels.get(f), questions.get(f))) } : {}),
  };
}

function withWords(field: FormField, label: string | undefined, question: string | undefined): FormField {
  return { ...field, ...(label ? { label } : {}), ...(question ? { question } : {}), bbox: field.bbox.map((v) => Math.round(v * 100) / 100) as FormField['bbox'] };
}
