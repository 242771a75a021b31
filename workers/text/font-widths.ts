/**
 * A font's own character widths, learned from what pdfjs gives: every text item's exact advance
 * is a linear equation in the widths of the characters it holds (and its spaces). Over a
 * document's pages these equations, with the standard metrics as the prior (ridge regression),
 * come close to the glyphs' widths, which pdfjs does not expose without building every page's
 * operator list (images and all: +37-100 % CPU measured on the corpus).
 */

/** Characters learned per font; rarer ones keep the prior. */
const MAX_LEARNED = 120;
/**
 * Weight of the prior, in squared item widths (em): a character seen in a few lines stays near
 * its standard width, one seen in hundreds takes its own.
 */
const PRIOR_WEIGHT = 2;
/**
 * Widths that predicted well on this many pages in a row, from at least this many items, are
 * settled: no longer learned nor checked (the cost of learning is then spared for the rest of
 * the document).
 */
const SETTLED_AFTER = 3;
const SETTLED_ITEMS = 500;
/** Learned widths stay within these multiples of the prior (a guard against ill-posed pages). */
const CLAMP = [0.4, 2.5];

export class FontWidths {
  /** Unknown 0 is the space; then one per learned character. */
  private readonly slots = new Map<number, number>();
  private readonly prior = new Float64Array(MAX_LEARNED + 1);
  private readonly atb = new Float64Array(MAX_LEARNED + 1);
  private readonly counts = new Float64Array(MAX_LEARNED + 1);
  /** AᵀA, `capacity` unknowns square; it grows with the characters seen (Latin text: ~70, ~40 KB). */
  private ata = new Float64Array(32 * 32);
  private capacity = 32;
  /**
   * The solve's matrix, sized with `ata`: allocated in solve, on its first call only, that
   * branch had no type feedback yet and sent its optimized code back (a third compile, ~7 ms).
   */
  private scratch = new Float64Array(32 * 32);
  private readonly touched: number[] = [];
  private n = 1;
  /** Pages in a row on which these widths did not predict better than the page's fit (kept by the caller). */
  misses = 0;
  /** Pages in a row on which they did (kept by the caller). */
  hits = 0;
  private items = 0;

  /** Learned enough: used as they are from now on. */
  get settled(): boolean {
    return this.hits >= SETTLED_AFTER && this.items >= SETTLED_ITEMS;
  }
  private solution: Float64Array | null = null;
  private dirty = false;

  /** `priorWidth(code)` in em; `priorSpace` in em. */
  constructor(
    private readonly priorWidth: (code: number) => number,
    priorSpace: number,
  ) {
    this.prior[0] = priorSpace;
  }

  /** One item: its characters (code points; spaces as 32) at codes[start, end), and its advance in em. */
  observe(codes: Int32Array, start: number, end: number, advanceEm: number): void {
    let rhs = advanceEm;
    const touched = this.touched;
    touched.length = 0;
    for (let i = start; i < end; i++) {
      const slot = this.slotOf(codes[i]!);
      if (slot < 0) {
        rhs -= this.priorWidth(codes[i]!);
        continue;
      }
      if (this.counts[slot] === 0) touched.push(slot);
      this.counts[slot]! += 1;
    }
    const size = this.capacity;
    for (const i of touched) {
      const ci = this.counts[i]!;
      this.atb[i]! += ci * rhs;
      for (const j of touched) this.ata[i * size + j]! += ci * this.counts[j]!;
    }
    for (const i of touched) this.counts[i] = 0;
    this.items++;
    this.dirty = true;
  }

  /** Whether a solution exists (the font was seen on an earlier page). */
  get learned(): boolean {
    return this.solution !== null;
  }

  /** An item's advance in em by the learned widths. */
  predict(codes: Int32Array, start: number, end: number): number {
    let sum = 0;
    for (let i = start; i < end; i++) sum += this.width(codes[i]!);
    return sum;
  }

  /**
   * The widths in em of codes[start, end), into out[start, end): one call an item rather than
   * one a character, whose returned number is boxed (measured: most of the words' garbage on
   * pages in learned fonts).
   */
  widthsOf(codes: Int32Array, start: number, end: number, out: Float64Array): void {
    for (let i = start; i < end; i++) out[i] = this.width(codes[i]!);
  }

  /** A character's width in em: learned, or the prior. */
  width(code: number): number {
    const slot = code === 32 ? 0 : this.slots.get(code);
    if (slot === undefined) return this.priorWidth(code);
    return this.solution && slot < this.solution.length ? this.solution[slot]! : this.prior[slot]!;
  }

  /** Solves the normal equations anew if items came since the last solve. */
  solve(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const n = this.n;
    const size = this.capacity;
    // (AᵀA + λI) x = Aᵀb + λ·prior, by Cholesky, in scratch space kept between solves.
    const m = this.scratch;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) m[i * n + j] = this.ata[i * size + j]!;
      m[i * n + i]! += PRIOR_WEIGHT;
      x[i] = this.atb[i]! + PRIOR_WEIGHT * this.prior[i]!;
    }
    for (let j = 0; j < n; j++) {
      const d = m[j * n + j]! - dot(m, j * n, m, j * n, j);
      if (!(d > 0)) return;
      const l = Math.sqrt(d);
      m[j * n + j] = l;
      for (let i = j + 1; i < n; i++) m[i * n + j] = (m[i * n + j]! - dot(m, i * n, m, j * n, j)) / l;
    }
    for (let i = 0; i < n; i++) x[i] = (x[i]! - dot(m, i * n, x, 0, i)) / m[i * n + i]!;
    for (let i = n - 1; i >= 0; i--) {
      let v = x[i]!;
      for (let k = i + 1; k < n; k++) v -= m[k * n + i]! * x[k]!;
      x[i] = v / m[i * n + i]!;
    }
    for (let i = 0; i < n; i++) {
      const p = this.prior[i]!;
      x[i] = Math.min(CLAMP[1]! * p, Math.max(CLAMP[0]! * p, x[i]!));
    }
    this.solution = x;
  }

  private slotOf(code: number): number {
    if (code === 32) return 0;
    const slot = this.slots.get(code);
    if (slot !== undefined) return slot;
    const prior = this.priorWidth(code);
    if (this.n > MAX_LEARNED || !(prior > 0)) return -1;
    if (this.n === this.capacity) this.grow();
    this.slots.set(code, this.n);
    this.prior[this.n] = prior;
    return this.n++;
  }

  private grow(): void {
    const capacity = Math.min(MAX_LEARNED + 1, this.capacity * 2);
    const ata = new Float64Array(capacity * capacity);
    for (let i = 0; i < this.capacity; i++) ata.set(this.ata.subarray(i * this.capacity, (i + 1) * this.capacity), i * capacity);
    this.ata = ata;
    this.scratch = new Float64Array(capacity * capacity);
    this.capacity = capacity;
  }
}

/**
 * Σ a[i + k]·b[j + k] for k < length: the Cholesky's inner loops, a function of their own so that
 * V8 compiles them small and early (inside solve, its first long call is compiled on the fly and
 * solve again after: measured 12-16 ms of TurboFan on pdkids.pdf).
 */
function dot(a: Float64Array, i: number, b: Float64Array, j: number, length: number): number {
  let sum = 0;
  for (let k = 0; k < length; k++) sum += a[i + k]! * b[j + k]!;
  return sum;
}
