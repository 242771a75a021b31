import type { FormField, PackedWords } from '../../src/protocol.js';
import type { RuledGrid } from '../image/ruled-grid.js';
import { layoutPage } from '../layout/layout.js';
import { bulletTexts } from '../layout/ocr-bullets.js';
import { ocrLineSizes } from '../layout/ocr-size.js';
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

export function textLayerContent(words: TextWord[], fields: FormField[]): PageContent {
  // A text-layer word is a layout token as it is (no copy: a page has thousands).
  return content(words, fields, 'text');
}

/**
 * OCR words, each sized by its line (layout/ocr-size.ts), misread bullets taken back
 * (layout/ocr-bullets.ts); `grids` are the page's ruled tables (image/ruled-grid.ts), whose
 * words are read into their cells.
 */
export function ocrContent(words: OcrWord[], fields: FormField[], grids: RuledGrid[] = []): PageContent {
  const size = ocrLineSizes(words);
  const texts = bulletTexts(words);
  return content(
    words.map((w, i) => ({ text: texts[i]!, bbox: w.bbox, size: size.get(w.line)!, confidence: w.confidence, line: w.line, turns: w.turns })),
    fields,
    'ocr',
    grids,
  );
}

function content(tokens: Token[], fields: FormField[], source: 'text' | 'ocr', grids: RuledGrid[] = []): PageContent {
  const blocks = layoutPage(tokens, fields, grids);
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
