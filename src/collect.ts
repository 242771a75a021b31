/**
 * Runs a full collection each time `step` units (pieces, bytes) of some work have been counted:
 * for work whose garbage V8 would let pile up, unreturned, until its own next full collection.
 * The service runs node with --expose-gc; without it this does nothing.
 */
export function collectEvery(step: number): (units?: number) => void {
  let count = 0;
  return (units = 1) => {
    count += units;
    if (count < step) return;
    count = 0;
    globalThis.gc?.();
  };
}
