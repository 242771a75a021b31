import { WordPacker, type PackedWords } from '../src/protocol.js';
import type { Block, Line } from './layout.js';

/** The page's text in reading order: a line per line, a blank line between blocks, a table's cells split by tabs. */
export function plainText(blocks: Block[]): string {
  return blocks
    .map((block) =>
      block.kind === 'text'
        ? block.lines.map((l) => l.text).join('\n')
        : block.rows.map((row) => row.map((cell) => (cell ? cell.text : '')).join('\t')).join('\n'),
    )
    .filter((t) => t.trim() !== '')
    .join('\n\n');
}

/** The page's words in reading order, packed (form fields are in `fields`, not here). */
export function packedWords(blocks: Block[]): PackedWords {
  const packer = new WordPacker();
  const add = (line: Line | null) => {
    for (const t of line?.tokens ?? []) if (!t.field) packer.add(t.text, t.bbox, t.confidence);
  };
  for (const block of blocks) {
    if (block.kind === 'text') block.lines.forEach(add);
    else block.rows.forEach((row) => row.forEach(add));
  }
  return packer.packed();
}
