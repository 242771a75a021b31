import { WordPacker, type PackedWords } from '../../src/protocol.js';
import type { Block, Line } from '../layout/types.js';

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
  let words = 0;
  for (const block of blocks) {
    if (block.kind === 'text') for (let i = 0; i < block.lines.length; i++) words += block.lines[i]!.tokens.length;
    else for (const row of block.rows) for (let i = 0; i < row.length; i++) words += row[i]?.tokens.length ?? 0;
  }
  // Made for every token (form fields among them are left out: the packer cuts to what came).
  const packer = new WordPacker(words);
  for (const block of blocks) {
    if (block.kind === 'text') for (let i = 0; i < block.lines.length; i++) addLine(packer, block.lines[i]!);
    else for (const row of block.rows) for (let i = 0; i < row.length; i++) addLine(packer, row[i] ?? null);
  }
  return packer.packed();
}

/** Index loops: a page has thousands of words, and a fresh child runs this code unoptimized, where each iterator step allocates. */
function addLine(packer: WordPacker, line: Line | null): void {
  if (!line) return;
  const tokens = line.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.field) packer.add(t.text, t.bbox, t.confidence);
  }
}
