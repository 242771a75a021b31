/**
 * One pass over a content stream's bytes for the drawn forms' gate (drawn-gate.ts): whether it
 * strokes a closed shape of a check box's size once its transform is applied (a rectangle, a
 * closed quadrilateral, a closed curve) that the hooks take for a box (one with words beside
 * it), and, through hooks, the form XObjects it draws and the fonts it sets. Text is skipped,
 * not read: a text object (BT to ET) is stepped over whole unless the page has a dingbat font,
 * strings are stepped over, operands other than numbers are dropped, and only the operators of
 * paths, transforms, `Do` and `Tf` are told apart.
 */
import { compose, type Placement } from '../page/placement.js';
import { MAX_ASPECT, MAX_LINE_SHARE, MAX_MARK, MIN_MARK } from './drawn-boxes.js';

/** The current transform, as pdfjs and the rest of the child write it (placement.ts composes it). */
export type Matrix = Placement;

/** What a stream (or a form drawn in it) may show: nothing of a box's kind at any scale, shapes none of which is a box here, a box. */
export const Verdict = { Shapeless: 0, NoMark: 1, Mark: 2 } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export interface ScanHooks {
  /** The form or image `Do` draws by this resource name under this transform. */
  draw(name: string, ctm: Matrix): Verdict;
  /** Whether `Do` with this resource name may draw a form (false for an image, or a name the resources lack). */
  drawsForm(name: string): boolean;
  /** The resource names of the dingbat fonts `Tf` may set (most pages: none). */
  symbolFonts: ReadonlySet<string>;
  /** A closed shape of a box's size at these bounds on the page (points, top-left origin): whether it is one (its label beside it). */
  box(l: number, t: number, r: number, b: number): boolean;
}

/** A little over the reader's own bounds (drawn-boxes.ts): the gate must not be stricter than the reader. */
const SIZE_SLACK = 0.5;
const ASPECT_SLACK = 1.05;
/** A subpath whose end is this close to its start (points on the page) is closed without `h`. */
const CLOSE_SNAP = 1.5;
/** A box is four lines, a circle four Béziers (eight when drawn by 45° arcs): a subpath of more is neither. */
const MAX_SEGMENTS = 16;
/** Nested `q` kept: deeper saves are not tracked (their `Q` then restores too far, which only loosens the gate). */
const MAX_SAVES = 256;

const op = (s: string) => s.charCodeAt(0) | ((s.charCodeAt(1) || 0) << 8) | ((s.charCodeAt(2) || 0) << 16);
const OP = {
  q: op('q'), Q: op('Q'), cm: op('cm'), m: op('m'), l: op('l'), c: op('c'), v: op('v'), y: op('y'), h: op('h'), re: op('re'),
  S: op('S'), s: op('s'), B: op('B'), Bstar: op('B*'), b: op('b'), bstar: op('b*'),
  f: op('f'), F: op('F'), fstar: op('f*'), n: op('n'), Do: op('Do'), Tf: op('Tf'), ID: op('ID'), w: op('w'), gs: op('gs'), BT: op('BT'),
};
/** An operator longer than three bytes: none the gate needs. */
const LONG_OP = -1;
const END = -2;

/** Each byte's class in content: regular, white space, delimiter, the start of a number. */
const REGULAR = 0;
const WHITE = 1;
const DELIMITER = 2;
const NUMBER = 4;
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x0d, 0x09, 0x0c, 0x00]) CLASS[c] = WHITE;
for (const c of '()<>[]{}/%') CLASS[c.charCodeAt(0)] = DELIMITER;
for (const c of '0123456789+-.') CLASS[c.charCodeAt(0)] = NUMBER;

/** The tokeniser's white space and delimiters (CLASS), for the regular expressions below (NUL as \x00: `\0` before a digit would read as an octal escape). */
const WS = String.raw`\t\n\f\r \x00`;
const DELIMITERS = String.raw`()<>[\]{}/%`;
/**
 * An operator standing alone, as the tokeniser reads it: after white space, a number or a
 * delimiter that ends a token (never `(`, `[`, `/` or `%`, which start a string, an array, a
 * name or a comment the tokeniser steps over), and before white space or a delimiter.
 */
const AFTER_TOKEN = String.raw`(?<![^${WS})<>\]{}0-9+\-.])`;
const TOKEN_END = String.raw`(?![^${WS}${DELIMITERS}])`;
/**
 * Not a digit of a hex string, which the tokeniser steps over: hex digits and spaces from a lone
 * `<` before it (`[<12>-2<1B>1]`, pdkids.pdf's text: a `B` or `b` there, 400 a page, each a match
 * handed to JavaScript, cost more than the whole scan had). A line break ends the look.
 */
const NOT_IN_HEX = String.raw`(?<!(?:^|[^<])<[0-9A-Fa-f \t]*)`;
/**
 * The operators through which a stream may show a box: a stroke (a path only filled, clipped or
 * dropped is never one) and `Do`. Looked for natively in the whole stream before any token is
 * read: a text page without a stroked path or a form drawn has nothing to read (pdkids.pdf's
 * pages: rules, clips and images only). A match in a string or an image's data only costs the
 * full reading.
 */
const SHOWING_OPS = new RegExp(String.raw`${AFTER_TOKEN}${NOT_IN_HEX}(?:S|s|B\*?|b\*?|(Do))${TOKEN_END}`, 'g');
/** The resource name just before a `Do`. */
const DO_NAME = new RegExp(String.raw`/([^${WS}${DELIMITERS}]*)[${WS}]+$`);
/** A path's construction from where the tokeniser stands: numbers and `m l c v y h re W W*`, each standing alone. */
const PATH_RUN = new RegExp(String.raw`(?:[${WS}]*(?:[0-9+\-.]+|[mlcvyh]|re|W\*?)${TOKEN_END})*[${WS}]*`, 'y');
/** The painting operators that end a path without stroking it. */
const UNSTROKED = new RegExp(String.raw`(?:f\*?|F|n)${TOKEN_END}`, 'y');

const EI = Buffer.from('EI', 'latin1');
const ET = Buffer.from('ET', 'latin1');

/** The byte ends a token: white space or a delimiter. */
const standsAlone = (d: Uint8Array, at: number) => (CLASS[d[at] ?? 0x20]! & (WHITE | DELIMITER)) !== 0;

export function mayBeMark(w: number, h: number): boolean {
  const lo = Math.min(w, h);
  const hi = Math.max(w, h);
  return lo >= MIN_MARK - SIZE_SLACK && hi <= MAX_MARK + SIZE_SLACK && hi <= lo * MAX_ASPECT * ASPECT_SLACK;
}

/** The content's tokens: numbers kept (the last eight), the last name kept, strings and arrays stepped over. */
class Tokens {
  pos = 0;
  /**
   * Numbers since the last operator (saturating at 8), where the last eight start, in a ring:
   * read only when an operator the gate follows takes them (most are text positions and colours).
   */
  count = 0;
  private readonly starts = new Int32Array(8);
  private top = 0;
  private nameStart = 0;
  private nameEnd = 0;

  /** The same bytes, for Buffer's native search of a two-byte operator. */
  private readonly bytes: Buffer;
  /** Where the last path construction looked at ends: it is not looked at again from inside. */
  private runEnd = 0;

  constructor(
    private readonly data: Uint8Array,
    /** The same bytes as a string, for the regular expressions that step over paths. */
    private readonly text: string,
  ) {
    this.bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
  }

  /**
   * After `m` or `re`: a path then filled, clipped or dropped, never stroked, is stepped over
   * whole to its painting operator, natively; true when it was. A figure's content is mostly
   * such paths (tracemonkey.pdf's page 11: 14,836 curves, 7 strokes), and the child runs this
   * code unoptimised for long (its V8 flags, supervisor.ts): read token by token, they were most
   * of the gate's time there.
   */
  skipUnstrokedPath(): boolean {
    if (this.pos < this.runEnd) return false;
    PATH_RUN.lastIndex = this.pos;
    PATH_RUN.test(this.text);
    const end = PATH_RUN.lastIndex;
    UNSTROKED.lastIndex = end;
    if (!UNSTROKED.test(this.text)) {
      this.runEnd = end;
      return false;
    }
    this.pos = UNSTROKED.lastIndex;
    return true;
  }

  /** The k-th (from 0) of the operator's last `of` numbers. */
  arg(k: number, of: number): number {
    return this.numberAt(this.starts[(this.top - of + k) & 7]!);
  }

  name(): string {
    const d = this.data;
    return Buffer.from(d.buffer, d.byteOffset + this.nameStart, this.nameEnd - this.nameStart).toString('latin1');
  }

  /** The next operator's code; numbers and the name before it are kept for it. */
  nextOp(): number {
    const d = this.data;
    this.count = 0;
    while (this.pos < d.length) {
      const c = d[this.pos]!;
      const kind = CLASS[c]!;
      if (kind === WHITE) this.skipWhite();
      else if (kind === NUMBER) this.skipNumber();
      else if (kind === REGULAR) return this.readOp();
      else if (c === 0x28) this.skipString();
      else if (c === 0x5b) this.skipArray();
      else if (c === 0x2f) this.readName();
      else if (c === 0x25) this.skipLine();
      else if (c === 0x3c) this.pos += d[this.pos + 1] === 0x3c ? 2 : this.skipHex();
      else this.pos++;
    }
    return END;
  }

  /** Inline image data after `ID`: up to `EI` standing alone. */
  skipImageData(): void {
    const d = this.data;
    // Both bytes searched at once, natively: an image's data holds an E every 256 bytes or so
    // (tracemonkey.pdf's page 11, an 888 kB figure of 78 inline images: the gate 30 -> 26 ms).
    const bytes = this.bytes;
    for (let at = bytes.indexOf(EI, this.pos + 1); at >= 0; at = bytes.indexOf(EI, at + 1)) {
      if (CLASS[d[at - 1]!] === WHITE && (at + 2 >= d.length || CLASS[d[at + 2]!] === WHITE || CLASS[d[at + 2]!] === DELIMITER)) {
        this.pos = at + 2;
        return;
      }
    }
    this.pos = d.length;
  }

  /**
   * A text object, to the first `ET` standing alone: no path, `Do` or inline image belongs in
   * one, and its strings and TJ arrays are most of a text page's content (pdkids.pdf). An `ET`
   * inside one of its strings stops the skip early, never late: the rest is then read as usual.
   */
  skipText(): void {
    const d = this.data;
    const bytes = this.bytes;
    for (let at = bytes.indexOf(ET, this.pos); at >= 0; at = bytes.indexOf(ET, at + 1)) {
      if (standsAlone(d, at - 1) && (at + 2 >= d.length || standsAlone(d, at + 2))) {
        this.pos = at + 2;
        return;
      }
    }
    this.pos = d.length;
  }

  private skipWhite(): void {
    const d = this.data;
    let pos = this.pos + 1;
    while (pos < d.length && CLASS[d[pos]!] === WHITE) pos++;
    this.pos = pos;
  }

  private skipNumber(): void {
    const d = this.data;
    this.starts[this.top] = this.pos;
    this.top = (this.top + 1) & 7;
    if (this.count < 8) this.count++;
    let pos = this.pos + 1;
    while (pos < d.length && CLASS[d[pos]!] === NUMBER) pos++;
    this.pos = pos;
  }

  private readOp(): number {
    const d = this.data;
    const start = this.pos;
    let pos = start + 1;
    while (pos < d.length && (CLASS[d[pos]!]! & (WHITE | DELIMITER)) === 0) pos++;
    this.pos = pos;
    const len = pos - start;
    if (len > 3) return LONG_OP;
    return d[start]! | (len > 1 ? d[start + 1]! << 8 : 0) | (len > 2 ? d[start + 2]! << 16 : 0);
  }

  private numberAt(start: number): number {
    const d = this.data;
    let sign = 1;
    let value = 0;
    let scale = 0;
    for (let pos = start; pos < d.length; pos++) {
      const c = d[pos]!;
      if (c >= 0x30 && c <= 0x39) {
        value = value * 10 + (c - 0x30);
        if (scale) scale *= 10;
      } else if (c === 0x2e && !scale) scale = 1;
      else if (c === 0x2d) sign = -sign;
      else if (c !== 0x2b) break;
    }
    return (sign * value) / (scale || 1);
  }

  private readName(): void {
    const d = this.data;
    let pos = (this.nameStart = this.pos + 1);
    while (pos < d.length && (CLASS[d[pos]!]! & (WHITE | DELIMITER)) === 0) pos++;
    this.pos = this.nameEnd = pos;
  }

  /**
   * An array operand, to its `]`: TJ's strings and kerning, a dash pattern. No operator the gate
   * reads takes one, and stepping over it saves parsing the numbers of every TJ.
   */
  private skipArray(): void {
    const d = this.data;
    let depth = 0;
    for (this.pos++; this.pos < d.length; ) {
      const c = d[this.pos]!;
      if (c === 0x28) this.skipString();
      else if (c === 0x3c && d[this.pos + 1] !== 0x3c) this.pos += this.skipHex();
      else if (c === 0x25) this.skipLine();
      else {
        this.pos++;
        if (c === 0x5b) depth++;
        else if (c === 0x5d && depth-- === 0) return;
      }
    }
  }

  private skipString(): void {
    const d = this.data;
    let depth = 0;
    let pos = this.pos + 1;
    for (; pos < d.length; pos++) {
      const c = d[pos]!;
      if (c === 0x5c) pos++;
      else if (c === 0x28) depth++;
      else if (c === 0x29 && depth-- === 0) break;
    }
    this.pos = pos + 1;
  }

  /** Bytes from `<` past the hex string's `>`. */
  private skipHex(): number {
    // A loop, not indexOf: TJ arrays hold hex strings of two digits by the hundred (pdkids.pdf),
    // and a native call each cost more than the rest of the scan.
    const d = this.data;
    let pos = this.pos + 1;
    while (pos < d.length && d[pos] !== 0x3e) pos++;
    return Math.min(pos + 1, d.length) - this.pos;
  }

  private skipLine(): void {
    const d = this.data;
    let pos = this.pos;
    while (pos < d.length && d[pos] !== 0x0a && d[pos] !== 0x0d) pos++;
    this.pos = pos;
  }
}

/**
 * The current path's subpaths as built, on the page (the transform applied as each point comes):
 * whether one is a closed shape, and one of a box's size. No allocation a point: a figure's
 * content runs to a megabyte of path operators (tracemonkey.pdf's charts).
 */
class Shapes {
  shape = false;
  mark = false;
  ctm: Matrix;
  /** `w` as set (0 after `gs`, which may set it: unknown, so no bound). */
  lineWidth = 1;
  /**
   * The current subpath is past being a box: too many segments (at any scale), or wider than one
   * here. Its points are then not read: a chart's polylines run to thousands of them (the 888 kB
   * figure of tracemonkey.pdf's page 9).
   */
  done = false;
  private oversized = false;
  private open = false;
  private lines = 0;
  private curves = 0;
  private closed = false;
  private x0 = 0;
  private y0 = 0;
  private x = 0;
  private y = 0;
  private left = 0;
  private bottom = 0;
  private right = 0;
  private top = 0;

  constructor(
    ctm: Matrix,
    private readonly isBox: ScanHooks['box'],
  ) {
    this.ctm = ctm;
  }

  move(ux: number, uy: number): void {
    this.endSubpath();
    const m = this.ctm;
    const x = m[0] * ux + m[2] * uy + m[4];
    const y = m[1] * ux + m[3] * uy + m[5];
    this.open = true;
    this.done = this.oversized = false;
    this.lines = this.curves = 0;
    this.closed = false;
    this.x0 = this.left = this.right = x;
    this.y0 = this.bottom = this.top = y;
    this.x = x;
    this.y = y;
  }

  lineTo(ux: number, uy: number): void {
    if (!this.open) return this.move(ux, uy);
    this.lines++;
    const m = this.ctm;
    this.reach(m[0] * ux + m[2] * uy + m[4], m[1] * ux + m[3] * uy + m[5]);
  }

  /**
   * A Bézier, its control points NaN where `v` and `y` take the current point or the end. The
   * box takes its middle and its end, as the reader's flattened curve does within 0.08 of the
   * radius of a circle's quarter (its control points stand out up to 40 % beyond it). Numbers,
   * not points: a figure's markers run to thousands of curves, and an array a point was a third
   * of the gate's time on tracemonkey.pdf's page 11.
   */
  curveTo(ax: number, ay: number, bx: number, by: number, ux: number, uy: number): void {
    if (!this.open) return this.move(ux, uy);
    this.curves++;
    const m = this.ctm;
    const x3 = m[0] * ux + m[2] * uy + m[4];
    const y3 = m[1] * ux + m[3] * uy + m[5];
    const x1 = Number.isNaN(ax) ? this.x : m[0] * ax + m[2] * ay + m[4];
    const y1 = Number.isNaN(ax) ? this.y : m[1] * ax + m[3] * ay + m[5];
    const x2 = Number.isNaN(bx) ? x3 : m[0] * bx + m[2] * by + m[4];
    const y2 = Number.isNaN(bx) ? y3 : m[1] * bx + m[3] * by + m[5];
    this.reach((this.x + 3 * x1 + 3 * x2 + x3) / 8, (this.y + 3 * y1 + 3 * y2 + y3) / 8);
    this.reach(x3, y3);
  }

  private reach(x: number, y: number): void {
    this.x = x;
    this.y = y;
    if (x < this.left) this.left = x;
    if (x > this.right) this.right = x;
    if (y < this.bottom) this.bottom = y;
    if (y > this.top) this.top = y;
    this.oversized = this.right - this.left > MAX_MARK + SIZE_SLACK || this.top - this.bottom > MAX_MARK + SIZE_SLACK;
    this.done = this.oversized || this.lines + this.curves > MAX_SEGMENTS;
  }

  close(): void {
    this.closed = true;
  }

  /** A rectangle `re`: closed. */
  rect(x: number, y: number, w: number, h: number): void {
    this.endSubpath();
    const m = this.ctm;
    // The box of the four corners: each side's extent is the sum of both edges' extents.
    const dx = Math.abs(m[0] * w) + Math.abs(m[2] * h);
    const dy = Math.abs(m[1] * w) + Math.abs(m[3] * h);
    this.shape = true;
    if (!this.outlines(dx, dy)) return;
    const cx = m[0] * (x + w / 2) + m[2] * (y + h / 2) + m[4];
    const cy = m[1] * (x + w / 2) + m[3] * (y + h / 2) + m[5];
    if (this.isBox(cx - dx / 2, cy - dy / 2, cx + dx / 2, cy + dy / 2)) this.mark = true;
  }

  endSubpath(): void {
    if (!this.open) return;
    this.open = false;
    // Closed or not, a large subpath may be a box at another scale: the form drawing it is not shapeless.
    if (this.oversized) this.shape = true;
    if (this.done) return;
    const closed = this.closed || Math.hypot(this.x - this.x0, this.y - this.y0) < CLOSE_SNAP;
    if (!closed || (this.lines < 3 && this.curves < 2) || (this.lines > 0 && this.curves > 0)) return;
    this.shape = true;
    // `top` is the larger y: the page's lower edge when the transform is the view's.
    if (this.outlines(this.right - this.left, this.top - this.bottom) && this.isBox(this.left, this.bottom, this.right, this.top)) this.mark = true;
  }

  /** A box's size, outlined by a line thin enough for a box (a thicker one is a ring or a badge). */
  private outlines(w: number, h: number): boolean {
    const m = this.ctm;
    const line = this.lineWidth * Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2]));
    return mayBeMark(w, h) && line <= MAX_LINE_SHARE * w * ASPECT_SLACK;
  }

  reset(): void {
    this.open = this.done = false;
    this.shape = this.mark = false;
  }
}

/** Whether the content strokes a closed shape the hooks take for a box, or draws a form or sets a font the hooks say may be a mark. */
export function scanContent(data: Uint8Array, start: Matrix, hooks: ScanHooks): Verdict {
  const text = Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');
  // A stream that neither strokes nor draws a form shows no box: its tokens need not be read (a dingbat font's `Tf` may be anywhere).
  if (hooks.symbolFonts.size === 0 && !mayShow(text, hooks)) return Verdict.Shapeless;
  const tokens = new Tokens(data, text);
  const shapes = new Shapes(start, hooks.box);
  const saved: SavedState[] = [];
  let verdict: Verdict = Verdict.Shapeless;
  for (let code = tokens.nextOp(); code !== END; code = tokens.nextOp()) {
    switch (code) {
      case OP.S:
      case OP.s:
      case OP.B:
      case OP.Bstar:
      case OP.b:
      case OP.bstar:
        // Closed by the operator, or by the fill (as the reader, drawn-ink.ts, takes it).
        if (code !== OP.S) shapes.close();
        shapes.endSubpath();
        if (shapes.mark) return Verdict.Mark;
        if (shapes.shape) verdict = Verdict.NoMark;
        shapes.reset();
        break;
      case OP.f:
      case OP.F:
      case OP.fstar:
      case OP.n:
        shapes.reset();
        break;
      case OP.Do:
      case OP.Tf: {
        if (code === OP.Tf && hooks.symbolFonts.size === 0) break;
        const seen = code === OP.Do ? hooks.draw(tokens.name(), shapes.ctm) : hooks.symbolFonts.has(tokens.name()) ? Verdict.Mark : Verdict.Shapeless;
        if (seen === Verdict.Mark) return Verdict.Mark;
        if (seen > verdict) verdict = seen;
        break;
      }
      case OP.ID:
        tokens.skipImageData();
        break;
      case OP.BT:
        // A page with a dingbat font has its text objects read: a Tf there may set it.
        if (hooks.symbolFonts.size === 0) tokens.skipText();
        break;
      default:
        if (!buildPath(code, tokens, shapes)) setState(code, tokens, shapes, saved);
        else if ((code === OP.m || code === OP.re) && tokens.skipUnstrokedPath()) shapes.reset();
    }
  }
  return verdict;
}

/** Bytes looked at before a `Do` for its resource name (a name takes at most 127). */
const MAX_NAME = 256;

/** Whether the stream may stroke a path or draw a form: without either, whatever its transforms, it shows no box. */
function mayShow(text: string, hooks: ScanHooks): boolean {
  SHOWING_OPS.lastIndex = 0;
  for (let m = SHOWING_OPS.exec(text); m; m = SHOWING_OPS.exec(text)) {
    if (!m[1]) return true;
    const name = DO_NAME.exec(text.slice(Math.max(0, m.index - MAX_NAME), m.index));
    if (!name || hooks.drawsForm(name[1]!)) return true;
  }
  return false;
}

interface SavedState {
  ctm: Matrix;
  lineWidth: number;
}

/** A path construction operator, applied; false for any other. */
function buildPath(code: number, tokens: Tokens, shapes: Shapes): boolean {
  const n = tokens.count;
  if (code === OP.m) {
    if (n >= 2) shapes.move(tokens.arg(0, 2), tokens.arg(1, 2));
  } else if (code === OP.l) {
    if (n >= 2 && !shapes.done) shapes.lineTo(tokens.arg(0, 2), tokens.arg(1, 2));
  } else if (code === OP.c) {
    if (n >= 6 && !shapes.done) shapes.curveTo(tokens.arg(0, 6), tokens.arg(1, 6), tokens.arg(2, 6), tokens.arg(3, 6), tokens.arg(4, 6), tokens.arg(5, 6));
  } else if (code === OP.v) {
    if (n >= 4 && !shapes.done) shapes.curveTo(NaN, NaN, tokens.arg(0, 4), tokens.arg(1, 4), tokens.arg(2, 4), tokens.arg(3, 4));
  } else if (code === OP.y) {
    if (n >= 4 && !shapes.done) shapes.curveTo(tokens.arg(0, 4), tokens.arg(1, 4), NaN, NaN, tokens.arg(2, 4), tokens.arg(3, 4));
  } else if (code === OP.re) {
    if (n >= 4) shapes.rect(tokens.arg(0, 4), tokens.arg(1, 4), tokens.arg(2, 4), tokens.arg(3, 4));
  } else if (code === OP.h) shapes.close();
  else return false;
  return true;
}

/** The graphics state the gate follows: the transform and the line width, saved and restored. */
function setState(code: number, tokens: Tokens, shapes: Shapes, saved: SavedState[]): void {
  const n = tokens.count;
  if (code === OP.q) {
    if (saved.length < MAX_SAVES) saved.push({ ctm: shapes.ctm, lineWidth: shapes.lineWidth });
  } else if (code === OP.Q) {
    const state = saved.pop();
    if (state) ({ ctm: shapes.ctm, lineWidth: shapes.lineWidth } = state);
  } else if (code === OP.cm) {
    if (n >= 6) shapes.ctm = compose(shapes.ctm, [0, 1, 2, 3, 4, 5].map((k) => tokens.arg(k, 6)) as Placement);
  } else if (code === OP.w) {
    if (n >= 1) shapes.lineWidth = Math.abs(tokens.arg(0, 1));
  } else if (code === OP.gs) shapes.lineWidth = 0;
}
