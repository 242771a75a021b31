import type { FormField, Word } from '../src/protocol.js';
import type { Block, Line, Token } from './layout.js';

/**
 * How a form field reads inline: a box as `[x]` / `[ ]`, a text field as its value, a choice as
 * its option(s); signatures and buttons say nothing.
 */
export function fieldText(field: FormField): string {
  switch (field.type) {
    case 'checkbox':
    case 'radio':
      return field.value === true ? '[x]' : '[ ]';
    case 'text':
      return typeof field.value === 'string' ? field.value : '';
    case 'choice':
      return Array.isArray(field.value) ? field.value.join(', ') : typeof field.value === 'string' ? field.value : '';
    default:
      return '';
  }
}

export function tokenText(token: Token): string {
  return token.field ? fieldText(token.field) : token.text;
}

export function lineText(line: Line): string {
  return line.tokens
    .map(tokenText)
    .filter((t) => t !== '')
    .join(' ');
}

/** The page's text in reading order: a line per line, a blank line between blocks, a table's cells split by tabs. */
export function plainText(blocks: Block[]): string {
  return blocks
    .map((block) =>
      block.kind === 'text'
        ? block.lines.map(lineText).join('\n')
        : block.rows.map((row) => row.map((cell) => (cell ? lineText(cell) : '')).join('\t')).join('\n'),
    )
    .filter((t) => t.trim() !== '')
    .join('\n\n');
}

/** The page's words in reading order (form fields are in `fields`, not here). */
export function orderedWords(blocks: Block[]): Word[] {
  const words: Word[] = [];
  const add = (line: Line | null) => {
    for (const t of line?.tokens ?? []) {
      if (t.field) continue;
      words.push(t.confidence === undefined ? { text: t.text, bbox: t.bbox } : { text: t.text, bbox: t.bbox, confidence: t.confidence });
    }
  };
  for (const block of blocks) {
    if (block.kind === 'text') block.lines.forEach(add);
    else block.rows.flat().forEach(add);
  }
  return words;
}
