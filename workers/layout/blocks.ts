import type { Bbox } from '../../src/protocol.js';
import { median } from '../../src/stats.js';
import { grow, overlap, unionAll } from './geometry.js';
import type { Block, Line } from './types.js';

/** Lines this close (gap in em) that overlap horizontally and have like sizes form one block. */
const BLOCK_GAP_EM = 0.9;
const BLOCK_SIZE_RATIO = 1.25;

/** Lines into blocks: a line joins the block just above it when close, overlapping and of like size. */
export function lineBlocks(lines: Line[]): Block[] {
  const sorted = [...lines].sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
  const blocks: { lines: Line[]; bbox: Bbox }[] = [];
  /** Blocks whose last line may still be close enough above the lines to come (sorted by top). */
  const open: (typeof blocks)[number][] = [];
  for (const line of sorted) {
    let best: (typeof blocks)[number] | undefined;
    let bestGap = Infinity;
    // Lines come by their tops: a block this far above is out of reach of every line to come.
    // (Dropped in place: a filter's closure and new array per line cost more than the rest.)
    let kept = 0;
    for (let i = 0; i < open.length; i++) {
      const block = open[i]!;
      const last = block.lines[block.lines.length - 1]!;
      if (line.bbox[1] - last.bbox[3] <= BLOCK_GAP_EM * BLOCK_SIZE_RATIO * last.size) open[kept++] = block;
    }
    open.length = kept;
    for (const block of open) {
      const last = block.lines.at(-1)!;
      const gap = line.bbox[1] - last.bbox[3];
      const size = Math.max(line.size, last.size);
      if (gap < -0.5 * size || gap > BLOCK_GAP_EM * size) continue;
      if (Math.max(line.size, last.size) / Math.min(line.size, last.size) > BLOCK_SIZE_RATIO) continue;
      // A line in emphasis above or below plain ones is a heading of its own.
      if (line.emphasis !== last.emphasis) continue;
      if (overlap([line.bbox[0], line.bbox[2]], [block.bbox[0], block.bbox[2]]) <= 0) continue;
      if (gap < bestGap) [best, bestGap] = [block, gap];
    }
    if (best) {
      best.lines.push(line);
      grow(best.bbox, line.bbox);
    } else {
      const block = { lines: [line], bbox: [...line.bbox] as Bbox };
      blocks.push(block);
      open.push(block);
    }
  }
  return blocks.map((b) => textBlock(b.lines));
}

function textBlock(lines: Line[]): Block {
  return { kind: 'text', lines, bbox: unionAll(lines.map((l) => l.bbox)), size: median(lines.map((l) => l.size)) };
}
