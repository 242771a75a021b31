/**
 * Order statistics: the child's layout (line and block sizes, gaps), the bench and the tests.
 * Free of imports, so every side can take it.
 */

/** The middle value (of an even count, the upper of the two middle ones); NaN for none. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
}

/** The value at share `q` (0…1) of values already sorted ascending, rounding down; NaN for none. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;
}
