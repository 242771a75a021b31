/**
 * The shape tests on one blob of ink (its own pixels, a byte each over its bounds): does it hold
 * a check box's square outline, or is it a radio button's ring? Sizes in pixels.
 */

/** Side lengths a box may have: 8-14 pt printed, with slack for blur, skew and rounding. */
export interface SideRange {
  min: number;
  max: number;
}

/** A square outline inside the blob (mask coordinates; right and bottom inclusive) and its line width. */
export interface Outline {
  l: number;
  t: number;
  r: number;
  b: number;
  stroke: number;
}

/** The bands of long runs an outline's four sides were found in (first and last index). */
interface SideBands {
  top: [number, number];
  bottom: [number, number];
  left: [number, number];
  right: [number, number];
}

/** A side's pixels must be ink along at least this share of it (dust, JPEG and skew break a few). */
const SIDE_COVER = 0.9;
/** A side's line running on past a corner this share of the side is a letter's stem. */
const STEM_RUN = 0.4;
/** A pen stroke crossing a ring covers at most this share of its inside; a dot or a letter's bowl, more. */
const MAX_CROSSING = 0.5;
/** A ring must have ink on this share of the rays from its centre. */
const RING_COVER = 0.92;
/** A box's line is at most this share of its side (1.5 pt on 8 pt, with blur). */
const MAX_STROKE = 0.24;
/** A letter's stems are thicker than its strokes across by this factor (and a pixel); a box's line is one width. */
const EVEN_LINE = 1.5;
/** A letter's stem is this share of its bowl's width or more (a bold p at 16 pt: 6 of 23 pixels). */
const STEM = 0.15;
/** Ink share of a box with a fill inside that touches its line (measured 0.8-0.9 on the corpus scans). */
const FILLED_MIN = 0.75;
const FILLED_MAX = 0.95;
/** A fill covers this share of a box's middle half at least (a JPEG's speckle takes a little). */
const FILLED_MIDDLE = 0.9;

/** Bands of consecutive indices whose value reaches `min`: a box's side is a band of long runs. */
function bands(values: Int32Array, min: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < min) continue;
    const a = i;
    while (i + 1 < values.length && values[i + 1]! >= min) i++;
    out.push([a, i]);
  }
  return out;
}

/** Longest run of ink along each row (dir 'row') or column, bridging one-pixel gaps. */
function longestRuns(mask: Uint8Array, w: number, h: number, dir: 'row' | 'col'): Int32Array {
  const n = dir === 'row' ? h : w;
  const len = dir === 'row' ? w : h;
  // Steps to the next line and along one, chosen once rather than per pixel.
  const across = dir === 'row' ? w : 1;
  const along = dir === 'row' ? 1 : w;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let run = 0;
    let gap = 0;
    for (let j = 0, at = i * across; j < len; j++, at += along) {
      const on = mask[at] === 1;
      if (on) {
        run += 1 + gap;
        gap = 0;
      } else if (run > 0 && gap === 0) gap = 1;
      else {
        run = 0;
        gap = 0;
      }
      if (run > best) best = run;
    }
    out[i] = best;
  }
  return out;
}

/** Share of positions along a side with ink within `depth` pixels inward. */
function sideCover(mask: Uint8Array, w: number, o: Outline, side: 'top' | 'bottom' | 'left' | 'right', depth: number): number {
  const horizontal = side === 'top' || side === 'bottom';
  const [from, to] = horizontal ? [o.l, o.r] : [o.t, o.b];
  let hit = 0;
  for (let p = from; p <= to; p++) {
    for (let d = 0; d < depth; d++) {
      const x = horizontal ? p : side === 'left' ? o.l + d : o.r - d;
      const y = horizontal ? (side === 'top' ? o.t + d : o.b - d) : p;
      if (mask[y * w + x] === 1) {
        hit++;
        break;
      }
    }
  }
  return hit / (to - from + 1);
}

/**
 * Ink in each corner of the outline (a letter's bowl is round there): within half the side
 * depth of the corner, or where its two sides' bands cross, whichever reaches further. A side
 * drawn a pixel or two off the others (a 1-bit scan enlarged, a glyph's heavier side) leaves
 * the outline's own corner pixel white, but its band still meets the other side's.
 */
function squareCorners(mask: Uint8Array, w: number, o: Outline, depth: number, b: SideBands): boolean {
  const reach = Math.max(1, depth >> 1);
  const inked = (x0: number, x1: number, y0: number, y1: number) => {
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (mask[y * w + x] === 1) return true;
    return false;
  };
  const [l1, t1] = [Math.max(b.left[1], o.l + reach - 1), Math.max(b.top[1], o.t + reach - 1)];
  const [r0, b0] = [Math.min(b.right[0], o.r - reach + 1), Math.min(b.bottom[0], o.b - reach + 1)];
  return inked(o.l, l1, o.t, t1) && inked(r0, o.r, o.t, t1) && inked(o.l, l1, b0, o.b) && inked(r0, o.r, b0, o.b);
}

/**
 * A letter's stem: a side's line running on straight past a corner, up or down, for STEM_RUN of
 * the side (the bowl of a P, p, b, d, q is a box-like outline on a stem). A box's line stops at
 * its corners; a tick overshooting a corner leaves it aslant, out of the side's line within a
 * few pixels.
 */
function stemPastCorner(mask: Uint8Array, w: number, h: number, o: Outline, stroke: number): boolean {
  const run = Math.max(3, Math.round(STEM_RUN * (o.r - o.l + 1)));
  const band = Math.max(2, stroke);
  const inked = (x0: number, y: number) => {
    if (y < 0 || y >= h) return false;
    for (let x = Math.max(0, x0); x < Math.min(w, x0 + band); x++) if (mask[y * w + x] === 1) return true;
    return false;
  };
  const runs = (x0: number, from: number, step: number) => {
    for (let k = 0; k < run; k++) if (!inked(x0, from + step * k)) return false;
    return true;
  };
  const [left, right] = [o.l, o.r - band + 1];
  return runs(left, o.b + 2, 1) || runs(right, o.b + 2, 1) || runs(left, o.t - 2, -1) || runs(right, o.t - 2, -1);
}

/**
 * Sides with ink bulging past them: two pixels beyond the outline (past a scan's soft edge row)
 * over most of the side's middle half. A box's line is its outermost ink, and a tick or pen
 * stroke overshooting it crosses a side in one narrow place; a bold letter's bowl (O, o) is
 * round, so the long runs its sides are found in lie inside its curves on every side.
 */
function bulgingSides(mask: Uint8Array, w: number, h: number, o: Outline): number {
  const span = Math.min(o.r - o.l, o.b - o.t);
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < w && y < h ? mask[y * w + x]! : 0);
  const share = (inked: (p: number) => number, from: number, to: number) => {
    let n = 0;
    for (let p = from + (span >> 2); p <= to - (span >> 2); p++) n += inked(p);
    return n / Math.max(1, to - from - 2 * (span >> 2) + 1);
  };
  const shares = [
    share((x) => at(x, o.t - 2), o.l, o.r),
    share((x) => at(x, o.b + 2), o.l, o.r),
    share((y) => at(o.l - 2, y), o.t, o.b),
    share((y) => at(o.r + 2, y), o.t, o.b),
  ];
  return shares.filter((v) => v > 0.5).length;
}

/**
 * A box with a filled square inside that touches its line here and there: ink over most of it,
 * but the white gap between line and fill shows (a solid bullet ■ has none), and its middle
 * half solid: the fill covers it, where a bold letter (d, o, a) has its hole.
 */
function filledBox(mask: Uint8Array, w: number, o: Outline): boolean {
  let n = 0;
  for (let y = o.t; y <= o.b; y++) for (let x = o.l; x <= o.r; x++) n += mask[y * w + x]!;
  const share = n / ((o.r - o.l + 1) * (o.b - o.t + 1));
  if (share < FILLED_MIN || share > FILLED_MAX) return false;
  const [qw, qh] = [(o.r - o.l + 1) >> 2, (o.b - o.t + 1) >> 2];
  let middle = 0;
  for (let y = o.t + qh; y <= o.b - qh; y++) for (let x = o.l + qw; x <= o.r - qw; x++) middle += mask[y * w + x]!;
  return middle >= FILLED_MIDDLE * (o.r - o.l + 1 - 2 * qw) * (o.b - o.t + 1 - 2 * qh);
}

/**
 * The width of each side's line (top, bottom, left, right): the first run of ink inward from
 * the outline's edge (starting within `reach` of it: a skewed side leaves the edge white along
 * part of it), its median over the side's middle half. By median, since a scan's soft edge
 * breaks a few positions, and a tick touching a side deepens only a few.
 */
function sideDepths(mask: Uint8Array, w: number, o: Outline, reach: number): number[] {
  const span = Math.min(o.r - o.l, o.b - o.t);
  const max = span >> 1;
  const depthAt = (x: number, y: number, dx: number, dy: number) => {
    let s = 0;
    while (s < reach && mask[(y + dy * s) * w + x + dx * s] !== 1) s++;
    let d = s;
    while (d < max && mask[(y + dy * d) * w + x + dx * d] === 1) d++;
    return d - s;
  };
  const along = (from: number, to: number, depth: (p: number) => number) => {
    const out: number[] = [];
    for (let p = from + (span >> 2); p <= to - (span >> 2); p++) out.push(depth(p));
    return out.sort((a, b) => a - b)[out.length >> 1] ?? 0;
  };
  return [
    along(o.l, o.r, (x) => depthAt(x, o.t, 0, 1)),
    along(o.l, o.r, (x) => depthAt(x, o.b, 0, -1)),
    along(o.t, o.b, (y) => depthAt(o.l, y, 1, 0)),
    along(o.t, o.b, (y) => depthAt(o.r, y, -1, 0)),
  ];
}

/**
 * A box's line, from its side depths: its width (the thinnest side: ink inside, a check glyph's
 * foot or arm, only ever deepens a side) and how far its ink may reach in (the second deepest
 * side: a scan thickens one side more than another, one deepened by a glyph is left out).
 * Null for a letter's bowl (a bold p, d, o): stems down both its sides over MAX_STROKE of its
 * width, or heavy stems (over STEM) and thin strokes across, the stress of type; a printed
 * box's line is thin and one width all round. Only heavy stems count for the stress: a thin
 * line on a gray scan reads a pixel or two wider or narrower from side to side (a 1-pixel top
 * against 3-pixel sides on a 150-dpi JPEG). The stems, not the thinnest side, are held to
 * MAX_STROKE: a bold bowl's top and bottom can be as thin as a box's line.
 */
function lineOf(depths: number[], width: number): { stroke: number; reach: number } | null {
  const [top, bottom, left, right] = depths as [number, number, number, number];
  const across = Math.max(1, Math.min(top, bottom));
  const down = Math.max(1, Math.min(left, right));
  if (down > MAX_STROKE * width || (down > STEM * width && down > EVEN_LINE * across + 1)) return null;
  return { stroke: Math.min(across, down), reach: [...depths].sort((a, b) => a - b)[2]! };
}

/**
 * The largest square outline in the blob: a pair of bands of long horizontal runs and a pair of
 * long vertical ones, as far apart as each other, each side inked along its length. A pen stroke
 * crossing the box adds ink outside it and short runs only, so the box is still found.
 */
export function squareOutline(mask: Uint8Array, w: number, h: number, side: SideRange, depth: number): Outline | null {
  const rows = bands(longestRuns(mask, w, h, 'row'), side.min * 0.8);
  const cols = bands(longestRuns(mask, w, h, 'col'), side.min * 0.8);
  let best: Outline | null = null;
  for (const top of rows) {
    for (const bottom of rows) {
      const height = bottom[1] - top[0] + 1;
      if (height < side.min || height > side.max) continue;
      for (const left of cols) {
        for (const right of cols) {
          const width = right[1] - left[0] + 1;
          if (width < side.min || width > side.max || Math.abs(width - height) > 0.15 * Math.max(width, height)) continue;
          if (best && width * height <= (best.r - best.l + 1) * (best.b - best.t + 1)) continue;
          const o = { l: left[0], t: top[0], r: right[1], b: bottom[1], stroke: 1 };
          const sides = (['top', 'bottom', 'left', 'right'] as const).every((s) => sideCover(mask, w, o, s, depth) >= SIDE_COVER);
          if (!sides || !squareCorners(mask, w, o, depth, { top, bottom, left, right })) continue;
          if (bulgingSides(mask, w, h, o) >= 2) continue;
          const cap = Math.round(MAX_STROKE * width);
          if (filledBox(mask, w, o)) {
            best = { ...o, stroke: cap };
            continue;
          }
          const line = lineOf(sideDepths(mask, w, o, depth), width);
          if (line && !stemPastCorner(mask, w, h, o, line.stroke)) best = { ...o, stroke: Math.max(1, Math.min(line.reach, cap)) };
        }
      }
    }
  }
  return best;
}

/**
 * A hollow ring filling the blob's bounds: ink on nearly every ray from the centre near the rim,
 * none in the corners outside it nor in its middle, and a line thin against its radius (a thick
 * ring, a bullet, a letter O's heavy sides fail one of these). Its line width, or 0.
 */
export function ringStroke(mask: Uint8Array, w: number, h: number): number {
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const radius = (w + h) / 4;
  const rays = 48;
  let covered = 0;
  let thickness = 0;
  for (let k = 0; k < rays; k++) {
    const dx = Math.cos((2 * Math.PI * k) / rays);
    const dy = Math.sin((2 * Math.PI * k) / rays);
    let inked = 0;
    for (let r = radius; r >= radius * 0.5; r -= 0.5) {
      const x = Math.round(cx + dx * r);
      const y = Math.round(cy + dy * r);
      if (x >= 0 && y >= 0 && x < w && y < h && mask[y * w + x] === 1) inked++;
    }
    if (inked > 0) covered++;
    thickness += inked / 2;
  }
  if (covered < rays * RING_COVER) return 0;
  const stroke = thickness / rays;
  if (stroke > radius * 0.3) return 0;
  let corners = 0;
  let middle = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] !== 1) continue;
      const d = Math.hypot(x - cx, y - cy);
      if (d > radius * 1.15 + 1) corners++;
      else if (d < radius * 0.45) middle++;
    }
  }
  return corners <= 2 && middle <= 2 ? Math.max(1, Math.round(stroke)) : 0;
}

/** A ring found inside a larger blob: centre and outer radius (mask pixels) and its line width. */
export interface Ring {
  cx: number;
  cy: number;
  r: number;
  stroke: number;
}

/**
 * The blob with its holes filled (ink, and paper no path from the bounds' edge reaches), as the
 * chamfer distance (3 a step across, 4 a diagonal) of each pixel to the nearest paper outside.
 */
function filledDistance(mask: Uint8Array, w: number, h: number): Uint16Array {
  const outside = new Uint8Array(w * h);
  // Each pixel is stacked once at most; its neighbours are tested in place, not through a closure.
  const stack = new Int32Array(w * h);
  let top = 0;
  const reach = (i: number) => {
    if (mask[i] === 0 && outside[i] === 0) {
      outside[i] = 1;
      stack[top++] = i;
    }
  };
  for (let x = 0; x < w; x++) reach(x), reach((h - 1) * w + x);
  for (let y = 0; y < h; y++) reach(y * w), reach(y * w + w - 1);
  while (top > 0) {
    const i = stack[--top]!;
    const x = i % w;
    if (x > 0 && mask[i - 1] === 0 && outside[i - 1] === 0) (outside[i - 1] = 1), (stack[top++] = i - 1);
    if (x < w - 1 && mask[i + 1] === 0 && outside[i + 1] === 0) (outside[i + 1] = 1), (stack[top++] = i + 1);
    if (i >= w && mask[i - w] === 0 && outside[i - w] === 0) (outside[i - w] = 1), (stack[top++] = i - w);
    if (i < w * (h - 1) && mask[i + w] === 0 && outside[i + w] === 0) (outside[i + w] = 1), (stack[top++] = i + w);
  }
  // Each neighbour read in place (off the bounds: 0, paper), not through a closure asked four times a pixel.
  const d = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (outside[i]) continue;
      const left = x > 0 ? d[i - 1]! : 0;
      const up = y > 0 ? d[i - w]! : 0;
      const upLeft = y > 0 && x > 0 ? d[i - w - 1]! : 0;
      const upRight = y > 0 && x < w - 1 ? d[i - w + 1]! : 0;
      d[i] = Math.min(left + 3, up + 3, upLeft + 4, upRight + 4);
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (outside[i]) continue;
      const right = x < w - 1 ? d[i + 1]! : 0;
      const down = y < h - 1 ? d[i + w]! : 0;
      const downRight = y < h - 1 && x < w - 1 ? d[i + w + 1]! : 0;
      const downLeft = y < h - 1 && x > 0 ? d[i + w - 1]! : 0;
      d[i] = Math.min(d[i]!, right + 3, down + 3, downRight + 4, downLeft + 4);
    }
  }
  return d;
}

/**
 * A ring inside a blob that also holds other ink: a radio button a pen stroke crosses and
 * overshoots, one blob with it. With its holes filled, the blob holds the ring's whole disc,
 * so the filled shape's deepest point is the ring's centre and its depth the radius (a stroke
 * or a word is a few pixels deep). The ring is then checked on the blob's own ink: a thin line
 * on nearly every ray at that radius, and an inside mostly paper (a stroke crosses it, a solid
 * dot or a letter's bowl fills it).
 */
export function ringInside(mask: Uint8Array, w: number, h: number, side: SideRange): Ring | null {
  const d = filledDistance(mask, w, h);
  let best = 0;
  for (let i = 0; i < d.length; i++) if (d[i]! > best) best = d[i]!;
  const r = best / 3;
  if (r < side.min / 2 - 1 || r > side.max / 2 + 1) return null;
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i]! < best - 1) continue;
    sx += i % w;
    sy += Math.floor(i / w);
    n++;
  }
  const [cx, cy] = [sx / n, sy / n];
  const rays = 48;
  const depths: number[] = [];
  for (let k = 0; k < rays; k++) {
    const dx = Math.cos((2 * Math.PI * k) / rays);
    const dy = Math.sin((2 * Math.PI * k) / rays);
    const inkAt = (q: number) => {
      const x = Math.round(cx + dx * q);
      const y = Math.round(cy + dy * q);
      return x >= 0 && y >= 0 && x < w && y < h && mask[y * w + x] === 1;
    };
    let q = r + 1;
    while (q > r * 0.6 && !inkAt(q)) q -= 0.5;
    if (q <= r * 0.6) continue;
    let depth = 0;
    while (q > 0 && inkAt(q)) (q -= 0.5), (depth += 0.5);
    depths.push(depth);
  }
  if (depths.length < rays * RING_COVER) return null;
  const stroke = depths.sort((a, b) => a - b)[depths.length >> 1]!;
  if (stroke > r * 0.3) return null;
  let inside = 0;
  let all = 0;
  const ri = r - stroke - 1;
  for (let y = Math.ceil(cy - ri); y <= cy + ri; y++) {
    for (let x = Math.ceil(cx - ri); x <= cx + ri; x++) {
      if (Math.hypot(x - cx, y - cy) > ri) continue;
      all++;
      inside += mask[y * w + x]!;
    }
  }
  if (inside > all * MAX_CROSSING || !crossedRadially(mask, w, h, cx, cy, r, stroke)) return null;
  return { cx, cy, r, stroke: Math.max(1, Math.round(stroke)) };
}

/**
 * Ink running unbroken (but for a pixel) along some ray from well inside the ring to past its
 * line: a stroke through the ring. A letter inside touching the ring (the R of a ®) or one
 * outside touching it (a word's letter) reaches the line from one side only.
 */
function crossedRadially(mask: Uint8Array, w: number, h: number, cx: number, cy: number, r: number, stroke: number): boolean {
  const rays = 96;
  for (let k = 0; k < rays; k++) {
    const dx = Math.cos((2 * Math.PI * k) / rays);
    const dy = Math.sin((2 * Math.PI * k) / rays);
    let gap = 0;
    let q = 0.55 * r;
    for (; q <= r + stroke + 2 && gap <= 2; q += 0.5) {
      const x = Math.round(cx + dx * q);
      const y = Math.round(cy + dy * q);
      gap = x >= 0 && y >= 0 && x < w && y < h && mask[y * w + x] === 1 ? 0 : gap + 1;
    }
    if (q > r + stroke + 2 && gap <= 2) return true;
  }
  return false;
}
