import { overlap } from './geometry.js';
import type { Block } from './types.js';

/** Strips of blocks this close (in em) may be parts of the same columns. */
export const STRIP_GAP_EM = 2.5;
/** A column gap must be at least this wide (points) to cut a region into columns. */
const MIN_GUTTER = 6;

/**
 * Recursive cuts: a region is cut across into strips (bands of blocks with nothing between them),
 * except that neighbouring strips whose blocks leave a common gutter (columns continuing past a
 * paragraph break) stay together; a strip that cannot be cut across is cut into columns, left to
 * right. A header or footer that spans the gutter is a strip of its own and stays in place.
 */
export function order(blocks: Block[]): Block[] {
  if (blocks.length <= 1) return blocks;
  const strips = mergeColumnStrips(horizontalStrips(blocks));
  if (strips.length > 1) return strips.flatMap(order);
  const columns = verticalCuts(blocks);
  if (columns.length > 1) return columns.flatMap(order);
  return [...blocks].sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
}

function horizontalStrips(blocks: Block[]): Block[][] {
  const sorted = [...blocks].sort((a, b) => a.bbox[1] - b.bbox[1]);
  const strips: { blocks: Block[]; bottom: number }[] = [];
  for (const block of sorted) {
    const strip = strips.at(-1);
    if (strip && block.bbox[1] < strip.bottom) {
      strip.blocks.push(block);
      strip.bottom = Math.max(strip.bottom, block.bbox[3]);
    } else strips.push({ blocks: [block], bottom: block.bbox[3] });
  }
  return strips.map((s) => s.blocks);
}

function mergeColumnStrips(strips: Block[][]): Block[][] {
  const merged: Block[][] = [];
  for (const strip of strips) {
    const previous = merged.at(-1);
    if (previous && close(previous, strip) && hasParagraph([...previous, ...strip]) && verticalCuts([...previous, ...strip]).length > 1) previous.push(...strip);
    else merged.push([...strip]);
  }
  return merged;
}

/**
 * Columns of text have paragraphs of several lines; rows of one-line blocks side by side (a
 * form's labels and answers) are read row by row.
 */
function hasParagraph(blocks: Block[]): boolean {
  return blocks.some((b) => b.kind === 'text' && b.lines.length > 1);
}

/**
 * A strip continues the columns above when one of its blocks sits close under a block above it.
 * Closeness to the strip above as a whole is not enough: figure labels far below a column's end,
 * beside other labels just under the other column's, joined the columns and read between a
 * sentence's halves (amt_handbook_sample.pdf: "… The wing type that is / Boots aircraft nut /
 * the most common ranges …").
 */
function close(upper: Block[], lower: Block[]): boolean {
  return lower.some((b) =>
    upper.some((a) => {
      const gap = b.bbox[1] - a.bbox[3];
      return gap <= STRIP_GAP_EM * Math.min(a.size, b.size) && overlap([a.bbox[0], a.bbox[2]], [b.bbox[0], b.bbox[2]]) > 0;
    }),
  );
}

/** The blocks in groups separated by vertical gaps (gutters), left to right. */
function verticalCuts(blocks: Block[]): Block[][] {
  const sorted = [...blocks].sort((a, b) => a.bbox[0] - b.bbox[0]);
  const groups: { blocks: Block[]; right: number }[] = [];
  for (const block of sorted) {
    const group = groups.at(-1);
    if (group && block.bbox[0] < group.right + MIN_GUTTER) {
      group.blocks.push(block);
      group.right = Math.max(group.right, block.bbox[2]);
    } else groups.push({ blocks: [block], right: block.bbox[2] });
  }
  return groups.map((g) => g.blocks);
}
