import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Busboy } from '@fastify/busboy';
import { ApiError } from './errors.js';

export interface ReceivedUpload {
  /** A temp file in a directory of its own; removing the directory removes everything. */
  path: string;
  name: string;
  bytes: number;
  /** Form fields of a multipart upload (options); empty for a raw PDF body. */
  fields: Record<string, string>;
}

/** Turns a request body into a temp file: the routes' only door to the filesystem. */
export interface UploadReceiver {
  receive(request: Request): Promise<ReceivedUpload>;
  discard(upload: ReceivedUpload): Promise<void>;
}

const SIGNATURE = Buffer.from('%PDF-');
const SIGNATURE_WINDOW = 1024;
const MAX_FIELDS = 32;
const MAX_FIELD_BYTES = 16 * 1024;

export function createUploadReceiver(options: { maxBytes: number; tmpDir?: string }): UploadReceiver {
  const root = options.tmpDir ?? os.tmpdir();
  return {
    async receive(request) {
      const type = request.headers.get('content-type') ?? '';
      if (!request.body) throw notAPdf('the request has no body');
      const dir = await mkdtemp(path.join(root, 'pdf-ocr-'));
      const file = path.join(dir, 'upload.pdf');
      try {
        if (/^multipart\/form-data/i.test(type)) return await receiveMultipart(request.body, type, file, options.maxBytes);
        if (/^application\/(pdf|octet-stream)/i.test(type)) {
          const bytes = await writeLimited(request.body, file, options.maxBytes);
          return { path: file, name: 'upload.pdf', bytes, fields: {} };
        }
        throw new ApiError(415, 'not_a_pdf', 'send the PDF as multipart/form-data (field "file") or as application/pdf');
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    },
    async discard(upload) {
      await rm(path.dirname(upload.path), { recursive: true, force: true });
    },
  };
}

async function receiveMultipart(body: ReadableStream<Uint8Array>, contentType: string, file: string, maxBytes: number): Promise<ReceivedUpload> {
  const fields: Record<string, string> = {};
  const parser = multipartParser(contentType);
  let saved: Promise<number> | undefined;
  let name = 'upload.pdf';
  parser.on('field', (key, value) => (fields[key] = value));
  parser.on('file', (field, stream, filename) => {
    if (field !== 'file' || saved) return stream.resume();
    name = safeName(filename);
    saved = writeLimited(stream, file, maxBytes);
    // Stop feeding the parser once the file is refused; the server drains the rest.
    saved.catch(() => parser.destroy());
  });
  try {
    await feed(body, parser);
  } catch (err) {
    // A refused file (too large, not a PDF) stopped the parser: report the file's error.
    await saved;
    throw err;
  }
  if (!saved) throw new ApiError(400, 'invalid_request', 'the multipart body has no "file" field');
  return { path: file, name, bytes: await saved, fields };
}

/** Busboy throws on a malformed Content-Type (e.g. no boundary): that is the client's error, not ours. */
function multipartParser(contentType: string): ReturnType<typeof Busboy> {
  try {
    return Busboy({
      headers: { 'content-type': contentType },
      limits: { files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES },
    });
  } catch (err) {
    throw new ApiError(400, 'invalid_request', `the multipart body could not be parsed: ${(err as Error).message}`);
  }
}

/** Pushes a web stream into busboy, with backpressure, until the parser finishes or fails. */
async function feed(body: ReadableStream<Uint8Array>, parser: ReturnType<typeof Busboy>): Promise<void> {
  const done = finished(parser);
  const reader = body.getReader();
  try {
    for (;;) {
      if (parser.destroyed) break;
      const { value, done: end } = await reader.read();
      if (end) break;
      if (!parser.write(value)) await Promise.race([once(parser, 'drain'), done]);
    }
    if (!parser.destroyed) parser.end();
    await done;
  } catch (err) {
    throw new ApiError(400, 'invalid_request', `the multipart body could not be parsed: ${(err as Error).message}`);
  } finally {
    reader.releaseLock();
  }
}

/** Writes a stream to `file`, checking the PDF signature and cutting off at `maxBytes`. */
async function writeLimited(source: ReadableStream<Uint8Array> | Readable, file: string, maxBytes: number): Promise<number> {
  const out = createWriteStream(file, { mode: 0o600 });
  const input = source instanceof Readable ? source : Readable.fromWeb(source as never);
  let bytes = 0;
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new ApiError(413, 'file_too_large', `the file is larger than the ${Math.round(maxBytes / 1048576)} MB limit`);
      if (head.length < SIGNATURE_WINDOW) {
        head = Buffer.concat([head, chunk.subarray(0, SIGNATURE_WINDOW - head.length)]);
        if (head.length >= SIGNATURE_WINDOW && !head.includes(SIGNATURE)) throw notAPdf();
      }
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (bytes === 0) throw notAPdf('the file is empty');
    if (!head.includes(SIGNATURE)) throw notAPdf();
    out.end();
    await finished(out);
    return bytes;
  } catch (err) {
    await closeQuietly(out);
    if (!(source instanceof Readable)) await input.destroy();
    throw err;
  }
}

async function closeQuietly(out: WriteStream): Promise<void> {
  out.destroy();
  await finished(out).catch(() => {});
}

function notAPdf(message = 'the file is not a PDF (no %PDF- signature in its first 1024 bytes)'): ApiError {
  return new ApiError(415, 'not_a_pdf', message);
}

/** Keeps a client's file name for display only; it never becomes a path. */
function safeName(name: string | undefined): string {
  const cleaned = (name ?? '').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255);
  return cleaned || 'upload.pdf';
}
