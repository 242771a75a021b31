/**
 * A small reader of a PDF's objects, read from the file on demand, for one purpose: finding the
 * raw bytes of a scanned page's JPEG, which pdfjs decodes in JavaScript and never hands out
 * (its maintainers declined to, mozilla/pdf.js#18840). It knows classic and stream cross-reference
 * tables, object streams and Flate; anything else (encryption, other filters, damage that pdfjs
 * would repair) makes it give up, and the caller goes back to pdfjs. It trusts nothing it reads:
 * every size is bounded and every lookup may fail.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { asArray, fail, isName, isOp, isStream, Lexer, PdfRef, type PdfDict, type PdfStream, type PdfValue } from './pdf-lexer.js';

/** Nothing a scanned page needs is larger: bounds on what one lookup may read or inflate. */
const MAX_OBJECT_BYTES = 1 << 20;
/**
 * An object, or a cross-reference section, is read in a window this size first, then 16 times
 * larger until it ends inside (at most MAX_OBJECT_BYTES): a page's, font's or stream's dictionary
 * takes a few hundred bytes, and reading 1 MB for each (the whole file, on most) made the drawn
 * forms' gate cost 10 % of a text page's layer read (test/corpus/text).
 */
const FIRST_WINDOW_BYTES = 4096;
const WINDOW_GROWTH = 16;
const MAX_INFLATED_BYTES = 16 << 20;
const MAX_XREF_SECTIONS = 64;
/** Objects a file may list: ~40 a page for a 500-page scan (MAX_PAGES) is far below it. */
const MAX_XREF_ENTRIES = 1 << 18;

type XrefEntry = { type: 1; offset: number } | { type: 2; stream: number; index: number };

/** One PDF file, its cross-reference table read at open; objects read when asked for. */
export class PdfObjects {
  private readonly fd: number;
  private readonly size: number;
  private readonly xref = new Map<number, XrefEntry>();
  private readonly objectStreams = new Map<number, { lexer: Lexer; offsets: Map<number, number> }>();
  private readonly scratch = Buffer.allocUnsafe(FIRST_WINDOW_BYTES);

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

  /** The file read, or null when it is beyond this reader (unsupported, damaged, unreadable): pdfjs then reads it all. */
  static open(file: string): PdfObjects | null {
    try {
      return new PdfObjects(file, statSync(file).size);
    } catch {
      return null;
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

  /**
   * The first window at `offset`, in one buffer kept for it: a buffer of 4 kB a lookup is outside
   * Node's pool, and their garbage made a lookup cost 19 us instead of 4. What parses it keeps no
   * part of it (values are copied out as strings and numbers).
   */
  private readFirstWindow(offset: number): Uint8Array {
    const len = Math.max(0, Math.min(FIRST_WINDOW_BYTES, this.size - offset));
    return this.scratch.subarray(0, readSync(this.fd, this.scratch, 0, len, offset));
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

  /**
   * Calls `parse` on a window of the file from `offset`, larger each time it fails or sees no end
   * (returns undefined) before the window holds all an object may take; then its answer stands.
   */
  private windowed<T>(offset: number, parse: (bytes: Uint8Array, whole: boolean) => T | undefined): T {
    for (let window = FIRST_WINDOW_BYTES; ; window = Math.min(window * WINDOW_GROWTH, MAX_OBJECT_BYTES)) {
      const bytes = window === FIRST_WINDOW_BYTES ? this.readFirstWindow(offset) : this.read(offset, window);
      const whole = window >= MAX_OBJECT_BYTES || bytes.length < window;
      try {
        const value = parse(bytes, whole);
        if (value !== undefined) return value;
      } catch (err) {
        if (whole) throw err;
      }
      if (whole) return fail(`nothing read at ${offset}`);
    }
  }

  private objectAt(offset: number, num: number): PdfValue {
    return this.windowed(offset, (bytes, whole) => {
      const lexer = new Lexer(bytes);
      const [n, , keyword] = [lexer.next(), lexer.next(), lexer.next()];
      if (n !== num || !isOp(keyword) || keyword.op !== 'obj') fail(`object ${num} is not where the table says`);
      const value = lexer.value();
      const after = lexer.atEnd() ? undefined : lexer.next();
      // In a part of the file, only a token that ends before the window does (with the end of
      // line after `stream`) shows that the value was read whole.
      if (!whole && lexer.pos + 2 >= bytes.length) return undefined;
      if (value instanceof Map && isOp(after) && after.op === 'stream') {
        // The data starts after the end of line following `stream`.
        let start = lexer.pos;
        if (lexer.bytes[start] === 0x0d) start++;
        if (lexer.bytes[start] === 0x0a) start++;
        return { dict: value, start: offset + start } satisfies PdfStream;
      }
      return value;
    });
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
    const table = this.windowed(offset, (bytes) => {
      const lexer = new Lexer(bytes);
      const first = lexer.next();
      return isOp(first) && first.op === 'xref' ? this.readXrefTable(lexer, offset) : null;
    });
    if (table) return table;
    const lexer = new Lexer(this.read(offset, 64));
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
        const at = lexer.atEnd() ? bytes.length : lexer.pos;
        const entry = tableEntry(bytes, at) ?? fail(`bad cross-reference entry near ${offset + at}`);
        lexer.pos += 18;
        if (entry.inUse && !this.xref.has(num)) this.keep(num, { type: 1, offset: entry.offset });
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

/**
 * A classic table's entry, `oooooooooo ggggg n` (ten digits, five, `n` or `f`), read from the
 * bytes: a string and a regular expression an entry made opening a file of 10,000 objects cost
 * milliseconds.
 */
function tableEntry(b: Uint8Array, at: number): { offset: number; inUse: boolean } | undefined {
  if (at + 18 > b.length || b[at + 10] !== 0x20 || b[at + 16] !== 0x20) return undefined;
  let offset = 0;
  for (let i = 0; i < 16; i++) {
    const c = b[at + i]!;
    if (i === 10) continue;
    if (c < 0x30 || c > 0x39) return undefined;
    if (i < 10) offset = offset * 10 + (c - 0x30);
  }
  const kind = b[at + 17];
  return kind === 0x6e || kind === 0x66 ? { offset, inUse: kind === 0x6e } : undefined;
}

/** A non-negative integer that a loop may count to. */
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
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
