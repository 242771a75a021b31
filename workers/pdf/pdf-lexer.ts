/** PDF values and the lexer that reads them from bytes, for pdf-objects.ts: what it cannot take, it gives up on (fail). */
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

export const fail = (why: string): never => {
  throw new Unsupported(why);
};

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
    const from = this.pos;
    const end = this.regularEnd(from);
    this.pos = end;
    const kind = numberKind(b, from, end);
    if (kind === INTEGER) {
      const n = digits(b, from, end);
      return this.refAfter(n) ?? n;
    }
    if (kind === REAL) return Number(latin1(b, from, end));
    const word = latin1(b, from, end);
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'null') return null;
    return { op: word };
  }

  /** `n gen R` after an unsigned integer n: the reference, consumed; otherwise nothing moves. */
  private refAfter(num: number): PdfRef | undefined {
    const b = this.bytes;
    const save = this.pos;
    this.skipSpace();
    const genFrom = this.pos;
    const genEnd = this.regularEnd(genFrom);
    if (genEnd > genFrom && numberKind(b, genFrom, genEnd) === INTEGER) {
      this.pos = genEnd;
      this.skipSpace();
      if (b[this.pos] === 0x52 && this.regularEnd(this.pos) === this.pos + 1) {
        this.pos++;
        return new PdfRef(num, digits(b, genFrom, genEnd));
      }
    }
    this.pos = save;
    return undefined;
  }

  /** The next token, which must be an object (not an operator). */
  value(): PdfValue {
    const v = this.next();
    if (isOp(v)) fail(`unexpected operator ${v.op}`);
    return v as PdfValue;
  }

  private regularEnd(from: number): number {
    const b = this.bytes;
    let end = from;
    while (end < b.length && !isWhite(b[end]!) && !isDelimiter(b[end]!)) end++;
    return end;
  }

  private regular(from: number): string {
    this.pos = this.regularEnd(from);
    return latin1(this.bytes, from, this.pos);
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
    return latin1(b, start, this.pos++);
  }

  private hexString(): string {
    const end = this.bytes.indexOf(0x3e, this.pos);
    if (end < 0) fail('unterminated hex string');
    const text = latin1(this.bytes, this.pos + 1, end);
    this.pos = end + 1;
    return text;
  }
}

/** A token's kind of number: an unsigned integer (what `n gen R` takes), any other number, or none. */
const NOT_NUMBER = 0;
const INTEGER = 1;
const REAL = 2;

/** As /^[+-]?(\d+\.?\d*|\.\d+)$/ would tell, without making the token a string. */
function numberKind(b: Uint8Array, from: number, end: number): number {
  let i = from;
  const signed = b[i] === 0x2b || b[i] === 0x2d;
  if (signed) i++;
  let seen = 0;
  let dots = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x30 && c <= 0x39) seen++;
    else if (c === 0x2e && dots === 0) dots++;
    else return NOT_NUMBER;
  }
  if (seen === 0) return NOT_NUMBER;
  return signed || dots ? REAL : INTEGER;
}

function digits(b: Uint8Array, from: number, end: number): number {
  let n = 0;
  for (let i = from; i < end; i++) n = n * 10 + (b[i]! - 0x30);
  return n;
}

/** Tokens up to this long are made strings byte by byte: a Buffer view for each cost more (names, operators). */
const SHORT_TOKEN = 24;

/** Bytes as a latin1 string. */
function latin1(b: Uint8Array, from: number, end: number): string {
  if (end - from > SHORT_TOKEN) return Buffer.from(b.buffer, b.byteOffset + from, end - from).toString('latin1');
  let text = '';
  for (let i = from; i < end; i++) text += String.fromCharCode(b[i]!);
  return text;
}

export function isOp(v: unknown): v is { op: string } {
  return typeof v === 'object' && v !== null && !(v instanceof Map) && !Array.isArray(v) && 'op' in v;
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

