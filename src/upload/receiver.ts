import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy } from '@fastify/busboy';
import { NotAPdf, UnreadableUpload, UploadRefused, UploadTimedOut, UploadTooLarge } from './errors.js';

/** What a submit's answer needs of its body: everything but the bytes themselves. */
export interface UploadDigest {
  name: string;
  bytes: number;
  /** SHA-256 of the PDF, hex: what tells a retried submit from another one. */
  sha256: string;
  /** Form fields of a multipart upload (options); empty for a raw PDF body. */
  fields: Record<string, string>;
}

export interface ReceivedUpload extends UploadDigest {
  /** A temp file in a directory of its own; removing the directory removes everything. */
  path: string;
}

/** Turns a request body into a temp file: the routes' only door to the filesystem. */
export interface UploadReceiver {
  /** `id` names the upload's directory, so a sweeper can tell whose it is. */
  receive(request: Request, id: string): Promise<ReceivedUpload>;
  /**
   * Reads the body as `receive` does, with the same limits and refusals, but keeps none of it:
   * a retried submit is answered from its digest alone, so its PDF never reaches the disk.
   */
  digest(request: Request): Promise<UploadDigest>;
  /**
   * Reads the body to its end, within the limits, and keeps none of it; never fails. A refusal
   * sent before the body is read reaches a client that writes its whole body before reading
   * (Python's urllib and requests) only if the body is taken first: @hono/node-server drains
   * an unread body for 500 ms, then closes the socket, and such a client sees a broken pipe
   * instead of its 429 and Retry-After.
   */
  drain(request: Request): Promise<void>;
  discard(upload: ReceivedUpload): Promise<void>;
}

export interface UploadLimits {
  /** MAX_UPLOAD_MB: bounds the whole request body, whatever its parts. */
  maxBytes: number;
  /** UPLOAD_TIMEOUT_S: the whole body must have arrived by then. */
  timeoutMs: number;
  dir?: string;
}

/** The request body and what it passes through, first to last. */
type Stream = Readable | Transform;

const SIGNATURE = Buffer.from('%PDF-');
const SIGNATURE_WINDOW = 1024;
const MAX_FIELDS = 32;
/** Enough for every option (callback_url is at most 2,048 characters). */
const MAX_FIELD_BYTES = 4096;

export function createUploadReceiver(limits: UploadLimits): UploadReceiver {
  const root = limits.dir ?? os.tmpdir();
  return {
    async receive(request, id) {
      const type = contentType(request, limits);
      const dir = await mkdtemp(path.join(root, `pdf-ocr-${id}-`));
      const file = path.join(dir, 'upload.pdf');
      try {
        return { ...(await readBody(request, type, limits, () => createWriteStream(file, { mode: 0o600 }))), path: file };
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    },
    async digest(request) {
      return readBody(request, contentType(request, limits), limits, nullSink);
    },
    async drain(request) {
      if (!request.body || request.bodyUsed) return;
      const body = Readable.fromWeb(request.body as never);
      await pipeline([body, new ByteLimit(limits.maxBytes), nullSink()], { signal: AbortSignal.timeout(limits.timeoutMs) }).catch(() => body.destroy());
    },
    async discard(upload) {
      await rm(path.dirname(upload.path), { recursive: true, force: true });
    },
  };
}

/** The body's type, once the request is known to carry a PDF of an allowed size (a declared length over the limit is refused before a byte is read). */
function contentType(request: Request, limits: UploadLimits): string {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type) && !/^application\/(pdf|octet-stream)/i.test(type)) {
    throw new NotAPdf('send the PDF as multipart/form-data (field "file") or as application/pdf');
  }
  if (Number(request.headers.get('content-length')) > limits.maxBytes) throw new UploadTooLarge(limits.maxBytes);
  if (!request.body) throw new NotAPdf('the request has no body');
  return type;
}

/** Reads the whole body within the limits, the PDF into `sink`; any failure is an UploadRefused. */
async function readBody(request: Request, type: string, limits: UploadLimits, sink: () => Writable): Promise<UploadDigest> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const body = Readable.fromWeb(request.body as never);
  const head = [body, new ByteLimit(limits.maxBytes)];
  try {
    if (/^multipart\/form-data/i.test(type)) return await receiveMultipart(head, type, sink, timeout);
    return { ...(await savePdf(head, sink(), timeout)), name: 'upload.pdf', fields: {} };
  } catch (err) {
    body.destroy();
    if (timeout.aborted) throw new UploadTimedOut(limits.timeoutMs);
    throw err instanceof UploadRefused ? err : new UnreadableUpload(`the upload could not be read: ${(err as Error).message}`);
  }
}

async function receiveMultipart(body: Stream[], contentType: string, sink: () => Writable, signal: AbortSignal): Promise<UploadDigest> {
  const fields: Record<string, string> = {};
  const parser = multipartParser(contentType);
  let part: Readable | undefined;
  let saved: Promise<{ bytes: number; sha256: string }> | undefined;
  let name = 'upload.pdf';
  let fieldError: UploadRefused | undefined;
  parser.on('field', (key: string, value: string, _keyTruncated: boolean, valueTruncated: boolean) => {
    if (valueTruncated) fieldError ??= new UnreadableUpload(`the form field "${key}" is longer than ${MAX_FIELD_BYTES} bytes`);
    fields[key] = value;
  });
  parser.on('file', (field: string, stream: Readable, filename: string | undefined) => {
    if (field !== 'file' || saved) {
      stream.on('error', () => {}).resume();
      return;
    }
    name = safeName(filename);
    part = stream;
    saved = savePdf([stream], sink(), signal);
    // A refused file (too large, not a PDF) stops the parser.
    saved.catch((err: Error) => parser.destroy(err));
  });
  try {
    await pipeline([...body, parser], { signal });
  } catch (err) {
    // Busboy does not end the file part when it stops: without this the save would wait forever.
    part?.destroy(err as Error);
    const partError = await saved?.then(
      () => undefined,
      (e: unknown) => e,
    );
    throw partError instanceof UploadRefused ? partError : err;
  }
  if (fieldError) {
    await saved?.catch(() => {});
    throw fieldError;
  }
  if (!saved) throw new UnreadableUpload('the multipart body has no "file" field');
  return { ...(await saved), name, fields };
}

/** Busboy throws on a malformed Content-Type (e.g. no boundary): that is the client's error, not ours. */
function multipartParser(contentType: string): ReturnType<typeof Busboy> {
  try {
    return Busboy({
      headers: { 'content-type': contentType },
      limits: { files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES },
    });
  } catch (err) {
    throw new UnreadableUpload(`the multipart body could not be parsed: ${(err as Error).message}`);
  }
}

/** Writes a stream to `sink`, checking the PDF signature and hashing it on the way. */
async function savePdf(source: Stream[], sink: Writable, signal: AbortSignal): Promise<{ bytes: number; sha256: string }> {
  const check = new PdfCheck();
  await pipeline([...source, check, sink], { signal });
  return { bytes: check.bytes, sha256: check.hash.digest('hex') };
}

const nullSink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** Fails the stream once more than `maxBytes` have passed. */
class ByteLimit extends Transform {
  private bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return done(new UploadTooLarge(this.maxBytes));
    done(null, chunk);
  }
}

/** Passes a PDF through: `%PDF-` within its first 1024 bytes, not empty; counts and hashes it. */
class PdfCheck extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  private head = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.head.length < SIGNATURE_WINDOW) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, SIGNATURE_WINDOW - this.head.length)]);
      if (this.head.length >= SIGNATURE_WINDOW && !this.head.includes(SIGNATURE)) return done(new NotAPdf());
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.bytes === 0) return done(new NotAPdf('the file is empty'));
    if (!this.head.includes(SIGNATURE)) return done(new NotAPdf());
    done();
  }
}

/** Keeps a client's file name for display only; it never becomes a path. */
function safeName(name: string | undefined): string {
  const cleaned = (name ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
  return cleaned || 'upload.pdf';
}
