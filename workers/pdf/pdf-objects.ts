/**
 * A small reader of a PDF's objects, read from the file on demand, for one purpose: finding the
 * raw bytes of a scanned page's JPEG, which pdfjs decodes in JavaScript and never hands out
 * (its maintainers declined to, mozilla/pdf.js#18840). It knows classic and stream cross-reference
 * tables, object streams and Flate; anything else (encryption, other filters, damage that pdfjs
 * would repair) makes it give up, and the caller goes back to pdfjs. It trusts nothing it reads:
 * every size is bounded and every lookup may fail.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

export class PdfName {
  constructor(readonly name: string) {}
}
export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}
export type PdfDict = Map<string, PdfValue>;
export interface PdfStream {
  dict: PdfDict;
  /** File offset of the stream's first data byte (for streams in the file itself). */
  start: number;
}
export type PdfValue = number | boolean | null | string | PdfName | PdfRef | PdfValue[] | PdfDict | PdfStream;

/** A structure this reader does not handle; the caller falls back to pdfjs. */
class Unsupported extends Error {}

const fail = (why: string): never => {
  throw new Unsupported(why);
};

/** Nothing a scanned page needs is larger: bounds on what one lookup may read or inflate. */
const MAX_OBJECT_BYTES = 1 << 20;
const MAX_INFLATED_BYTES = 16 << 20;
const MAX_XREF_SECTIONS = 64;
/** Objects a file may list: ~40 a page for a 500-page scan (MAX_PAGES) is far below it. */
const MAX_XREF_ENTRIES = 1 << 18;

const isWhite = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
const isDelimiter = (c: number) => c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x2f || c === 0x25;

/** Reads PDF tokens and objects from bytes. Operators and keywords come back as `{ op }`. */
export class Lexer {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  private skipSpace(): void {
    const b = this.bytes;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (isWhite(c)) this.pos++;
      else if (c === 0x25) while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      else break;
    }
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.bytes.length;
  }

  /** The next object, or an operator/keyword as `{ op }`. `n g R` is folded into a PdfRef. */
  next(): PdfValue | { op: string } {
    this.skipSpace();
    const b = this.bytes;
    if (this.pos >= b.length) fail('unexpected end of data');
    const c = b[this.pos]!;
    if (c === 0x2f) return new PdfName(this.regular(this.pos + 1));
    if (c === 0x28) return this.literalString();
    if (c === 0x5b) {
      this.pos++;
      const items: PdfValue[] = [];
      for (;;) {
        this.skipSpace();
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return items;
        }
        items.push(this.value());
      }
    }
    if (c === 0x3c && b[this.pos + 1] === 0x3c) {
      this.pos += 2;
      const dict: PdfDict = new Map();
      for (;;) {
        this.skipSpace();
        if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
          this.pos += 2;
          return dict;
        }
        const key = this.next();
        if (!(key instanceof PdfName)) fail('dictionary key is not a name');
        dict.set((key as PdfName).name, this.value());
      }
    }
    if (c === 0x3c) return this.hexString();
    if (isDelimiter(c)) fail(`unexpected delimiter ${String.fromCharCode(c)}`);
    const word = this.regular(this.pos);
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
      const n = Number(word);
      // `num gen R`: look ahead without consuming when it is not a reference.
      if (/^\d+$/.test(word)) {
        const save = this.pos;
        this.skipSpace();
        const gen = /^\d+$/.exec(this.peekRegular())?.[0];
        if (gen !== undefined) {
          this.regular(this.pos);
          this.skipSpace();
          if (this.peekRegular() === 'R') {
            this.regular(this.pos);
            return new PdfRef(n, Number(gen));
          }
        }
        this.pos = save;
      }
      return n;
    }
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'null') return null;
    return { op: word };
  }

  /** The next token, which must be an object (not an operator). */
  value(): PdfValue {
    const v = this.next();
    if (isOp(v)) fail(`unexpected operator ${v.op}`);
    return v as PdfValue;
  }

  private peekRegular(): string {
    const save = this.pos;
    const word = this.regular(this.pos);
    this.pos = save;
    return word;
  }

  private regular(from: number): string {
    const b = this.bytes;
    let end = from;
    while (end < b.length && !isWhite(b[end]!) && !isDelimiter(b[end]!)) end++;
    this.pos = end;
    return Buffer.from(b.subarray(from, end)).toString('latin1');
  }

  private literalString(): string {
    const b = this.bytes;
    let depth = 0;
    const start = ++this.pos;
    for (; this.pos < b.length; this.pos++) {
      const c = b[this.pos]!;
      if (c === 0x5c) this.pos++;
      else if (c === 0x28) depth++;
      else if (c === 0x29 && depth-- === 0) break;
    }
    // Escapes are left as they are: no caller reads a string's content.
    return Buffer.from(b.subarray(start, this.pos++)).toString('latin1');
  }

  private hexString(): string {
    const end = this.bytes.indexOf(0x3e, this.pos);
    if (end < 0) fail('unterminated hex string');
    const text = Buffer.from(this.bytes.subarray(this.pos + 1, end)).toString('latin1');
    this.pos = end + 1;
    return text;
  }
}

export function isOp(v: unknown): v is { op: string } {
  return typeof v === 'object' && v !== null && !(v instanceof Map) && !Array.isArray(v) && 'op' in v;
}

type XrefEntry = { type: 1; offset: number } | { type: 2; stream: number; index: number };

/** One PDF file, its cross-reference table read at open; objects read when asked for. */
export class PdfObjects {
  private readonly fd: number;
  private readonly size: number;
  private readonly xref = new Map<number, XrefEntry>();
  private readonly objectStreams = new Map<number, { lexer: Lexer; offsets: Map<number, number> }>();

  constructor(file: string, size: number) {
    this.fd = openSync(file, 'r');
    this.size = size;
    try {
      this.readXref();
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  read(offset: number, length: number): Uint8Array {
    const len = Math.max(0, Math.min(length, this.size - offset));
    const buf = Buffer.allocUnsafe(len);
    return buf.subarray(0, readSync(this.fd, buf, 0, len, offset));
  }

  /** Follows a reference (once per level) to its object. */
  resolve(v: PdfValue | undefined): PdfValue | undefined {
    for (let depth = 0; v instanceof PdfRef; depth++) {
      if (depth > 8) fail('reference chain too long');
      v = this.object(v.num);
    }
    return v;
  }

  dict(v: PdfValue | undefined): PdfDict | undefined {
    const r = this.resolve(v);
    if (r instanceof Map) return r;
    if (isStream(r)) return r.dict;
    return undefined;
  }

  object(num: number): PdfValue {
    const entry = this.xref.get(num) ?? fail(`object ${num} is not in the cross-reference table`);
    if (entry.type === 2) return this.fromObjectStream(entry.stream, entry.index, num);
    return this.objectAt(entry.offset, num);
  }

  /** The stream's bytes as stored (still encoded), `/Length` of them. */
  rawStream(stream: PdfStream): Uint8Array {
    const length = this.resolve(stream.dict.get('Length'));
    if (typeof length !== 'number' || length < 0 || length > MAX_INFLATED_BYTES) fail('bad stream length');
    return this.read(stream.start, length as number);
  }

  /** The stream decoded; only Flate (with or without PNG predictors) or no filter at all. */
  decodedStream(stream: PdfStream): Uint8Array {
    const filters = asArray(this.resolve(stream.dict.get('Filter')));
    const raw = this.rawStream(stream);
    if (filters.length === 0) return raw;
    if (filters.length !== 1 || !isName(this.resolve(filters[0]), 'FlateDecode')) fail('unsupported stream filter');
    const inflated = inflateSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
    const params = this.dict(asArray(this.resolve(stream.dict.get('DecodeParms')))[0]);
    const predictor = params && this.resolve(params.get('Predictor'));
    if (typeof predictor !== 'number' || predictor === 1) return inflated;
    if (predictor < 10) fail('TIFF predictor');
    const columns = this.resolve(params!.get('Columns')) ?? 1;
    if (!isCount(columns) || columns === 0) fail('bad /Columns');
    return unpredictPng(inflated, columns as number);
  }

  private objectAt(offset: number, num: number): PdfValue {
    const lexer = new Lexer(this.read(offset, MAX_OBJECT_BYTES));
    const [n, , keyword] = [lexer.next(), lexer.next(), lexer.next()];
    if (n !== num || !isOp(keyword) || keyword.op !== 'obj') fail(`object ${num} is not where the table says`);
    const value = lexer.value();
    const after = lexer.atEnd() ? undefined : lexer.next();
    if (value instanceof Map && isOp(after) && after.op === 'stream') {
      // The data starts after the end of line following `stream`.
      let start = lexer.pos;
      if (lexer.bytes[start] === 0x0d) start++;
      if (lexer.bytes[start] === 0x0a) start++;
      return { dict: value, start: offset + start } satisfies PdfStream;
    }
    return value;
  }

  private fromObjectStream(streamNum: number, index: number, num: number): PdfValue {
    let objstm = this.objectStreams.get(streamNum);
    if (!objstm) {
      const stream = this.resolve(new PdfRef(streamNum, 0));
      if (!isStream(stream)) fail('object stream is not a stream');
      const s = stream as PdfStream;
      const count = this.resolve(s.dict.get('N'));
      const first = this.resolve(s.dict.get('First'));
      if (!isCount(count) || !isCount(first)) fail('bad object stream');
      const data = this.decodedStream(s);
      // Two numbers an object, each at least a byte and a space.
      if ((count as number) * 4 > data.length) fail('bad object stream header');
      const header = new Lexer(data);
      const offsets = new Map<number, number>();
      for (let i = 0; i < (count as number); i++) {
        const objNum = header.value();
        const objOffset = header.value();
        if (typeof objNum !== 'number' || typeof objOffset !== 'number') fail('bad object stream header');
        offsets.set(objNum as number, (first as number) + (objOffset as number));
      }
      objstm = { lexer: new Lexer(data), offsets };
      this.objectStreams.set(streamNum, objstm);
    }
    const at = objstm.offsets.get(num) ?? fail(`object ${num} not in its object stream (index ${index})`);
    objstm.lexer.pos = at;
    return objstm.lexer.value();
  }

  private readXref(): void {
    const tail = Buffer.from(this.read(Math.max(0, this.size - 1024), 1024)).toString('latin1');
    const match = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail) ?? /startxref\s+(\d+)/.exec(tail);
    let next: number | undefined = match ? Number(match[1]) : fail('no startxref');
    const seen = new Set<number>();
    for (let sections = 0; next !== undefined; sections++) {
      if (sections > MAX_XREF_SECTIONS || seen.has(next)) fail('cross-reference chain loops');
      seen.add(next);
      const section = this.readXrefSection(next);
      if (sections === 0 && section.has('Encrypt')) fail('encrypted');
      const hybrid = section.get('XRefStm');
      if (typeof hybrid === 'number') this.readXrefSection(hybrid);
      const prev = section.get('Prev');
      next = typeof prev === 'number' ? prev : undefined;
    }
  }

  /** Reads one table or stream, keeping entries already known (newer sections come first). */
  private readXrefSection(offset: number): PdfDict {
    const lexer = new Lexer(this.read(offset, MAX_OBJECT_BYTES));
    const first = lexer.next();
    if (isOp(first) && first.op === 'xref') return this.readXrefTable(lexer, offset);
    lexer.pos = 0;
    const num = lexer.next();
    if (typeof num !== 'number') fail('no cross-reference table at startxref');
    const stream = this.objectAt(offset, num as number);
    if (!isStream(stream) || !isName(stream.dict.get('Type'), 'XRef')) fail('no cross-reference stream at startxref');
    this.readXrefStream(stream as PdfStream);
    return (stream as PdfStream).dict;
  }

  private readXrefTable(lexer: Lexer, offset: number): PdfDict {
    const bytes = lexer.bytes;
    for (;;) {
      const token = lexer.next();
      if (isOp(token) && token.op === 'trailer') {
        const trailer = lexer.value();
        if (!(trailer instanceof Map)) fail('bad trailer');
        return trailer as PdfDict;
      }
      const count = lexer.value();
      // An entry takes at least 18 bytes: a count the bytes left cannot hold is refused before the loop.
      if (!isCount(token) || !isCount(count) || count * 18 > bytes.length - lexer.pos) fail('bad cross-reference subsection');
      for (let i = 0; i < (count as number); i++) {
        const num = (token as number) + i;
        const text = lexer.atEnd() ? '' : Buffer.from(bytes.subarray(lexer.pos, lexer.pos + 20)).toString('latin1');
        const entry = /^(\d{10}) (\d{5}) ([nf])/.exec(text) ?? fail(`bad cross-reference entry near ${offset + lexer.pos}`);
        lexer.pos += 18;
        if (entry[3] === 'n' && !this.xref.has(num)) this.keep(num, { type: 1, offset: Number(entry[1]) });
      }
    }
  }

  /**
   * Every entry is read from the stream's bytes: an entry of no bytes (`/W [0 0 0]`) or an
   * `/Index` that counts past them is refused before the loop. Without it, /W [0 0 0] over
   * /Index [10^300 10^15+0.5] (a count pdfjs refuses, rebuilding the table by a scan) would count
   * to 10^15 over one object number.
   */
  private readXrefStream(stream: PdfStream): void {
    const widths = stream.dict.get('W');
    if (!Array.isArray(widths) || widths.length !== 3 || !widths.every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w <= 8)) fail('bad /W');
    const [w0, w1, w2] = widths as [number, number, number];
    const entryBytes = w0 + w1 + w2;
    if (entryBytes === 0) fail('cross-reference entries of no bytes');
    const size = stream.dict.get('Size');
    const index = asArray(stream.dict.get('Index') ?? [0, size ?? 0]);
    const data = this.decodedStream(stream);
    const field = (at: number, width: number) => {
      let v = 0;
      for (let i = 0; i < width; i++) v = v * 256 + data[at + i]!;
      return v;
    };
    let at = 0;
    for (let s = 0; s + 1 < index.length; s += 2) {
      const start = index[s];
      const count = index[s + 1];
      if (!isCount(start) || !isCount(count) || !Number.isSafeInteger(start + count)) return fail('bad /Index');
      if (at + count * entryBytes > data.length) fail('cross-reference stream too short');
      for (let i = 0; i < count; i++, at += entryBytes) {
        const type = w0 === 0 ? 1 : field(at, w0);
        const num = start + i;
        if (this.xref.has(num) || (type !== 1 && type !== 2)) continue;
        const a = field(at + w0, w1);
        this.keep(num, type === 1 ? { type: 1, offset: a } : { type: 2, stream: a, index: field(at + w0 + w1, w2) });
      }
    }
  }

  /** Holds one entry, up to a number no scanned document needs (each costs ~60 bytes of the child's small heap). */
  private keep(num: number, entry: XrefEntry): void {
    if (this.xref.size >= MAX_XREF_ENTRIES) fail('too many objects');
    this.xref.set(num, entry);
  }
}

/** A non-negative integer that a loop may count to. */
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export function isStream(v: unknown): v is PdfStream {
  return typeof v === 'object' && v !== null && 'dict' in v && 'start' in v;
}

export function isName(v: unknown, name?: string): v is PdfName {
  return v instanceof PdfName && (name === undefined || v.name === name);
}

export function asArray(v: PdfValue | undefined): PdfValue[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** Undoes PNG row predictors (Predictor ≥ 10), one byte per sample as cross-reference streams use. */
function unpredictPng(data: Uint8Array, columns: number): Uint8Array {
  const rowBytes = columns;
  const rows = Math.floor(data.length / (rowBytes + 1));
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    const filter = data[r * (rowBytes + 1)]!;
    const src = r * (rowBytes + 1) + 1;
    const dst = r * rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const left = i > 0 ? out[dst + i - 1]! : 0;
      const up = r > 0 ? out[dst - rowBytes + i]! : 0;
      const upLeft = r > 0 && i > 0 ? out[dst - rowBytes + i - 1]! : 0;
      const x = data[src + i]!;
      let v: number;
      if (filter === 0) v = x;
      else if (filter === 1) v = x + left;
      else if (filter === 2) v = x + up;
      else if (filter === 3) v = x + ((left + up) >> 1);
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      } else return fail('bad PNG predictor');
      out[dst + i] = v & 0xff;
    }
  }
  return out;
}
