/**
 * Connected components of ink (8-connected), found run by run: each row's dark runs join the
 * runs of the row above they touch, so only two rows of runs and one record per component are
 * held, never a label per pixel (a 300-dpi page would need 34 MB of labels).
 */
/** A component's bounding box (pixels, bottom and right exclusive) and its count of ink pixels. */
export interface Component {
  left: number;
  top: number;
  right: number;
  bottom: number;
  ink: number;
}

/** Gray values below this are ink, as ruled-lines.ts takes them. */
const INK = 128;
/** Four pixels of paper, read as one 32-bit word: each has its top bit set (>= INK). */
const PAPER4 = 0x80808080 | 0;

/** Union-find over components, each root holding the box of all it joined. */
class Forest {
  parent = new Int32Array(4096);
  left = new Int32Array(4096);
  top = new Int32Array(4096);
  right = new Int32Array(4096);
  bottom = new Int32Array(4096);
  ink = new Float64Array(4096);
  count = 0;

  add(y: number, x0: number, x1: number): number {
    if (this.count === this.parent.length) this.grow();
    const id = this.count++;
    this.parent[id] = id;
    this.left[id] = x0;
    this.top[id] = y;
    this.right[id] = x1;
    this.bottom[id] = y + 1;
    this.ink[id] = x1 - x0;
    return id;
  }

  root(id: number): number {
    const parent = this.parent;
    while (parent[id] !== id) id = parent[id] = parent[parent[id]!]!;
    return id;
  }

  /** Adds a run of row `y` to component `id`'s root; returns the root. */
  extend(id: number, y: number, x0: number, x1: number): number {
    const r = this.root(id);
    this.left[r] = Math.min(this.left[r]!, x0);
    this.right[r] = Math.max(this.right[r]!, x1);
    this.bottom[r] = y + 1;
    this.ink[r]! += x1 - x0;
    return r;
  }

  join(a: number, b: number): number {
    const [ra, rb] = [this.root(a), this.root(b)];
    if (ra === rb) return ra;
    this.parent[rb] = ra;
    this.left[ra] = Math.min(this.left[ra]!, this.left[rb]!);
    this.top[ra] = Math.min(this.top[ra]!, this.top[rb]!);
    this.right[ra] = Math.max(this.right[ra]!, this.right[rb]!);
    this.bottom[ra] = Math.max(this.bottom[ra]!, this.bottom[rb]!);
    this.ink[ra]! += this.ink[rb]!;
    return ra;
  }

  private grow(): void {
    const n = this.parent.length * 2;
    const copy = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    [this.parent, this.left, this.top, this.right, this.bottom, this.ink] = [copy(this.parent), copy(this.left), copy(this.top), copy(this.right), copy(this.bottom), copy(this.ink)];
  }

  components(): Component[] {
    const out: Component[] = [];
    for (let id = 0; id < this.count; id++) {
      if (this.parent[id] !== id) continue;
      out.push({ left: this.left[id]!, top: this.top[id]!, right: this.right[id]!, bottom: this.bottom[id]!, ink: this.ink[id]! });
    }
    return out;
  }
}

/**
 * The ink components of 8-bit gray pixels. Null when they have more than `maxComponents`: a
 * photo or halftone, not a page of text.
 */
export function inkComponents(src: Uint8Array, width: number, height: number, maxComponents: number): Component[] | null {
  const forest = new Forest();
  // Runs of the row above and of this row: [x0, x1, component] triples.
  let above = new Int32Array(3 * (width + 1));
  let here = new Int32Array(3 * (width + 1));
  let aboveCount = 0;
  // Paper is skipped four pixels at a time where they make an aligned word. The child runs this
  // mostly unoptimised (its V8 flags, supervisor.ts: late tier-up for a one-document process):
  // measured in the child on the bench book's pages, ~33 ms a page with a loop turn a pixel, ~21 with this.
  const words = new Int32Array(src.buffer, 0, src.buffer.byteLength >> 2);
  const offset = src.byteOffset;
  for (let y = 0; y < height; y++) {
    let count = 0;
    let k = 0;
    const row = y * width;
    for (let x = 0; x < width; ) {
      const at = offset + row + x;
      if ((at & 3) === 0 && x + 4 <= width && (words[at >> 2]! & PAPER4) === PAPER4) {
        x += 4;
        continue;
      }
      if (src[row + x]! >= INK) {
        x++;
        continue;
      }
      const x0 = x;
      while (x < width && src[row + x]! < INK) x++;
      // 8-connected: a run above touches this one when it reaches within one pixel of it.
      while (k < aboveCount && above[3 * k + 1]! < x0) k++;
      let id = -1;
      for (let j = k; j < aboveCount && above[3 * j]! <= x; j++) id = id < 0 ? above[3 * j + 2]! : forest.join(id, above[3 * j + 2]!);
      id = id < 0 ? forest.add(y, x0, x) : forest.extend(id, y, x0, x);
      here[3 * count] = x0;
      here[3 * count + 1] = x;
      here[3 * count++ + 2] = id;
      if (forest.count > maxComponents) return null;
    }
    [above, here] = [here, above];
    aboveCount = count;
  }
  return forest.components();
}
