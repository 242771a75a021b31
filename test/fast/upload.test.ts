/**
 * The upload receiver on its own: real Web Requests with real streamed bodies, real files in a
 * temp dir. Every refusal leaves no directory and no open file behind.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toApiError, type ApiError } from '../../src/routes/errors.js';
import { UploadRefused } from '../../src/upload/errors.js';
import { createUploadReceiver, type UploadLimits } from '../../src/upload/receiver.js';
import { corpusFile } from '../helpers.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'pdf-ocr-upload-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PDF = readFileSync(corpusFile('text/tagged.pdf'));
const MB = 1024 * 1024;

/** A body that hands out `chunks` one by one, counting what was read, then ends (or errors, or stalls). */
function streamBody(chunks: Uint8Array[], end: 'close' | 'error' | 'stall' = 'close') {
  let pulled = 0;
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) {
        pulled += chunks[i]!.length;
        controller.enqueue(chunks[i++]!);
        return;
      }
      if (end === 'close') controller.close();
      else if (end === 'error') controller.error(new Error('the client went away'));
      else return new Promise(() => {}); // never another byte
    },
  });
  return { stream, pulled: () => pulled };
}

function request(body: ReadableStream<Uint8Array> | Uint8Array | string, contentType: string, headers: Record<string, string> = {}): Request {
  return new Request('http://localhost/api/jobs', {
    method: 'POST',
    body,
    headers: { 'content-type': contentType, ...headers },
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

function multipart(parts: { name: string; value: string | Uint8Array; filename?: string }[], { terminated = true } = {}): { body: Uint8Array; type: string } {
  const boundary = `----test${randomUUID()}`;
  const pieces: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  if (terminated) pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(pieces)), type: `multipart/form-data; boundary=${boundary}` };
}

const openFds = () => readdirSync('/proc/self/fd').length;

function receiver(limits: Partial<UploadLimits> = {}) {
  return createUploadReceiver({ maxBytes: MB, timeoutMs: 10_000, dir: root, ...limits });
}

/** Runs a receive that must be refused: the error as HTTP shows it, with no directory and no descriptor left. */
async function refused(run: Promise<unknown>, fdsBefore: number): Promise<ApiError> {
  const err = await run.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UploadRefused);
  expect(readdirSync(root)).toEqual([]);
  expect(openFds()).toBeLessThanOrEqual(fdsBefore);
  return toApiError(err as UploadRefused);
}

describe('upload receiver', () => {
  it('writes a raw PDF to a 0600 file in its own 0700 directory, named after the job, with its SHA-256', async () => {
    const id = randomUUID();
    const upload = await receiver().receive(request(new Uint8Array(PDF), 'application/pdf'), id);
    expect(readFileSync(upload.path)).toEqual(PDF);
    expect(upload).toMatchObject({ name: 'upload.pdf', bytes: PDF.length, fields: {} });
    expect(upload.sha256).toBe(createHash('sha256').update(PDF).digest('hex'));
    expect(path.basename(path.dirname(upload.path))).toMatch(new RegExp(`^pdf-ocr-${id}-`));
    expect(statSync(upload.path).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(upload.path)).mode & 0o777).toBe(0o700);
    await receiver().discard(upload);
    expect(readdirSync(root)).toEqual([]);
  });

  it('takes a multipart upload with its option fields, whatever comes before the file', async () => {
    const { body, type } = multipart([
      { name: 'ocr', value: 'force' },
      { name: 'file', value: PDF, filename: 'report\u0007.pdf' },
      { name: 'pages', value: '1-2' },
    ]);
    const upload = await receiver().receive(request(body, type), randomUUID());
    expect(upload).toMatchObject({ name: 'report.pdf', bytes: PDF.length, fields: { ocr: 'force', pages: '1-2' } });
    await receiver().discard(upload);
  });

  const cases: [string, () => { body: ReadableStream<Uint8Array> | Uint8Array | string; type: string; headers?: Record<string, string> }, Partial<UploadLimits>, number, string][] = [
    ['a declared length over the limit', () => ({ body: new Uint8Array(PDF), type: 'application/pdf', headers: { 'content-length': String(2 * MB) } }), {}, 413, 'file_too_large'],
    ['not a PDF', () => ({ body: 'PK\u0003\u0004 a zip', type: 'application/pdf' }), {}, 415, 'not_a_pdf'],
    ['an empty body', () => ({ body: new Uint8Array(0), type: 'application/pdf' }), {}, 415, 'not_a_pdf'],
    ['another body type', () => ({ body: '%PDF-1.7', type: 'text/plain' }), {}, 415, 'not_a_pdf'],
    ['multipart without a boundary', () => ({ body: new Uint8Array(PDF), type: 'multipart/form-data' }), {}, 400, 'invalid_request'],
    ['multipart without a file field', () => ({ ...multipartParts([{ name: 'ocr', value: 'auto' }]) }), {}, 400, 'invalid_request'],
    ['a multipart body that never terminates', () => ({ ...multipartParts([{ name: 'file', value: PDF, filename: 'a.pdf' }], false) }), {}, 400, 'invalid_request'],
    ['a form field over 4 kB (a 16 kB lang)', () => ({ ...multipartParts([{ name: 'lang', value: 'eng+'.repeat(4096) }, { name: 'file', value: PDF, filename: 'a.pdf' }]) }), {}, 400, 'invalid_request'],
  ];
  for (const [what, make, limits, status, code] of cases) {
    it(`refuses ${what}: ${status} ${code}, nothing left`, async () => {
      const fds = openFds();
      const { body, type, headers } = make();
      const err = await refused(receiver(limits).receive(request(body, type, headers), randomUUID()), fds);
      expect([err.status, err.code]).toEqual([status, code]);
    });
  }

  it('cuts a raw body off at MAX_UPLOAD_MB: 413 after about that much was read, not the whole', async () => {
    const fds = openFds();
    const chunk = new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(64 * 1024 - 9, 0x20)]));
    const body = streamBody(Array.from({ length: 31 * 16 }, () => chunk));
    const err = await refused(receiver().receive(request(body.stream, 'application/pdf'), randomUUID()), fds);
    expect(err.code).toBe('file_too_large');
    expect(body.pulled()).toBeLessThan(MB + 4 * chunk.length);
  });

  it('bounds the whole multipart body, not only its file: a 31 MB field is refused after about 1 MB', async () => {
    const fds = openFds();
    const head = multipart([{ name: 'note', value: '' }], { terminated: false });
    const filler = new Uint8Array(64 * 1024).fill(0x61);
    const body = streamBody([head.body, ...Array.from({ length: 31 * 16 }, () => filler)]);
    const err = await refused(receiver().receive(request(body.stream, head.type), randomUUID()), fds);
    expect(err.code).toBe('file_too_large');
    expect(body.pulled()).toBeLessThan(MB + 4 * filler.length);
  });

  it('cleans up a multipart upload whose client went away mid-file', async () => {
    const fds = openFds();
    const { body: whole, type } = multipart([{ name: 'file', value: new Uint8Array(Buffer.concat([PDF, Buffer.alloc(400 * 1024)])), filename: 'a.pdf' }]);
    const body = streamBody([whole.subarray(0, 100 * 1024)], 'error');
    const err = await refused(receiver().receive(request(body.stream, type), randomUUID()), fds);
    expect(err.code).toBe('invalid_request');
  });

  it('cuts off an upload that has not arrived within UPLOAD_TIMEOUT_S with 408 upload_timeout', async () => {
    const fds = openFds();
    const { body: whole, type } = multipart([{ name: 'file', value: PDF, filename: 'a.pdf' }]);
    const body = streamBody([whole.subarray(0, 2000)], 'stall');
    const err = await refused(receiver({ timeoutMs: 300 }).receive(request(body.stream, type), randomUUID()), fds);
    expect([err.status, err.code]).toEqual([408, 'upload_timeout']);
  });

  it('digests a body as receive would, without a file: the same SHA-256 and fields, the same refusals', async () => {
    const form = multipart([{ name: 'ocr', value: 'off' }, { name: 'file', value: PDF, filename: 'a.pdf' }]);
    const digest = await receiver().digest(request(form.body, form.type));
    expect(digest).toEqual({ name: 'a.pdf', bytes: PDF.length, sha256: createHash('sha256').update(PDF).digest('hex'), fields: { ocr: 'off' } });
    expect(readdirSync(root)).toEqual([]);
    const fds = openFds();
    expect((await refused(receiver().digest(request(new Uint8Array(2 * MB), 'application/pdf')), fds)).status).toBe(413);
    expect((await refused(receiver().digest(request('hello', 'application/pdf')), fds)).code).toBe('not_a_pdf');
  });
});

function multipartParts(parts: { name: string; value: string | Uint8Array; filename?: string }[], terminated = true) {
  const { body, type } = multipart(parts, { terminated });
  return { body, type };
}
