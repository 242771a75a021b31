/** Page selections like `1-3,7,10-` (1-based, inclusive, open-ended ranges allowed). */

const RANGE = /^(\d+)(?:(-)(\d*))?$/;

export interface PageRange {
  from: number;
  to: number | null;
}

/** Returns the ranges, or null when the text is not a valid selection. */
export function parsePageSpec(spec: string): PageRange[] | null {
  const parts = spec.replace(/\s+/g, '').split(',');
  const ranges: PageRange[] = [];
  for (const part of parts) {
    const m = RANGE.exec(part);
    if (!m) return null;
    const from = Number(m[1]);
    const to = m[2] ? (m[3] ? Number(m[3]) : null) : from;
    if (from < 1 || (to !== null && to < from)) return null;
    ranges.push({ from, to });
  }
  return ranges;
}

/** The selected pages of a document of `pageCount` pages, ascending, without duplicates. */
export function selectPages(spec: string | null, pageCount: number): number[] {
  if (spec === null) return Array.from({ length: pageCount }, (_, i) => i + 1);
  const ranges = parsePageSpec(spec) ?? [];
  const chosen = new Set<number>();
  for (const { from, to } of ranges) {
    for (let p = from; p <= Math.min(to ?? pageCount, pageCount); p++) chosen.add(p);
  }
  return [...chosen].sort((a, b) => a - b);
}
