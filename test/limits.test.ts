/**
 * The limits that protect a service on a public URL (API.md, "Limits that protect the
 * service", "Idempotent submits"), each tried against the real server the way an attacker or
 * a flaky client would: raw sockets that stop mid-body, drip bytes, or never end a form.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  corpusFile,
  leftoverFiles,
  logLines,
  result,
  serverPerTest,
  sleep,
  submit,
  submitOk,
  until,
  waitForJob,
  workerPids,
  type JobJson,
  type RunningServer,
} from './helpers.js';
import { sharedStreamPdf } from './pdf-bytes.js';

const server = serverPerTest();
const TAGGED = readFileSync(corpusFile('text/tagged.pdf'));
/** Six pages forced through OCR: a job that keeps its child busy for a while. */
const BUSY = { file: corpusFile('text/TAMReview.pdf'), fields: { ocr: 'force', pages: '1-6' } };
const BUSY_PDF = readFileSync(BUSY.file);

/** A raw HTTP/1.1 request on a socket of its own, so a test can send part of a body, drip it, or drop it. */
function rawRequest(s: RunningServer, head: Record<string, string>, target = '/api/jobs') {
  const { port } = new URL(s.url);
  const socket: Socket = connect(Number(port), '127.0.0.1');
  let received = '';
  let sent = 0;
  const response = new Promise<{ status: number; text: string }>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (status && received.includes('\r\n\r\n')) resolve({ status: Number(status[1]), text: received });
    });
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  const headers = Object.entries({ host: '127.0.0.1', ...head }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.write(`POST ${target} HTTP/1.1\r\n${headers}\r\n`);
  return {
    socket,
    response,
    closed,
    sent: () => sent,
    /** Writes a piece of the body and waits until the socket takes it (false once the server closed it). */
    write: (piece: Uint8Array | string) =>
      new Promise<boolean>((resolve) => {
        if (socket.destroyed) return resolve(false);
        const bytes = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
        socket.write(piece, (err) => {
          if (!err) sent += bytes;
          resolve(!err);
        });
      }),
  };
}

function multipartHead(boundary: string, name = 'file', filename = 'a.pdf'): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`;
}

/** Open descriptors of a process (the server): a leak shows here. */
const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/**
 * A tiny PDF whose pages all draw one deflated content stream of ~2 MB of text: a few kB on
 * the wire, megabytes of text per page once read.
 */
function textBomb(pages: number): Buffer {
  return sharedStreamPdf(pages, `BT /F1 1 Tf 10 10 Td (${'A'.repeat(1000)}) Tj ET\n`.repeat(2000));
}

describe('uploads that do not arrive as they should', () => {
  it('cleans up after 20 multipart uploads dropped mid-body: no directory, no descriptor, every request ended', async () => {
    const s = await server({});
    const pid = s.proc.pid!;
    await (await fetch(`${s.url}/healthz`)).text();
    const fds = fdCount(pid);
    const boundary = 'dropped';
    const piece = Buffer.concat([Buffer.from(multipartHead(boundary)), TAGGED, Buffer.alloc(100 * 1024 - TAGGED.length, 0x20)]);
    const requests = Array.from({ length: 20 }, () =>
      rawRequest(s, { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(500 * 1024) }),
    );
    for (const r of requests) await r.write(piece);
    // Each upload has reached the disk before its client goes away.
    await until('20 uploads on disk', () => readdirSync(s.tmpDir).length === 20);
    for (const r of requests) r.socket.destroy();
    await Promise.all(requests.map((r) => r.closed));
    await until('no upload left', () => leftoverFiles(s.tmpDir).length === 0);
    await until('descriptors back to where they were', () => fdCount(pid) <= fds);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('refuses a 31 MB multipart body with MAX_UPLOAD_MB=1 after about 1 MB, whatever part carries it', async () => {
    const s = await server({ MAX_UPLOAD_MB: '1' });
    const boundary = 'big';
    // A huge field before the file: the file alone would be small.
    const r = rawRequest(s, { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' });
    const chunk = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
    await r.write(chunk(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n`)));
    const filler = chunk(Buffer.alloc(64 * 1024, 0x61));
    let answered = false;
    void r.response.then(() => (answered = true));
    for (let i = 0; i < 31 * 16 && !answered; i++) if (!(await r.write(filler))) break;
    const { status, text } = await r.response;
    expect(status).toBe(413);
    expect(text).toContain('file_too_large');
    // What the client got onto the wire before the answer: the limit plus what socket buffers hold, not 31 MB.
    expect(r.sent()).toBeLessThan(16 * 1024 * 1024);
    r.socket.destroy();
    await until('no upload left', () => leftoverFiles(s.tmpDir).length === 0);
  });

  it('answers 408 upload_timeout to a drip-fed upload within UPLOAD_TIMEOUT_S + 5 s', async () => {
    const s = await server({ UPLOAD_TIMEOUT_S: '3' });
    const started = Date.now();
    const r = rawRequest(s, { 'content-type': 'application/pdf', 'content-length': String(10_000) });
    await r.write('%PDF-1.7\n');
    // One byte now and then, until the server answers.
    const drip = setInterval(() => void r.write(' '), 1000);
    try {
      const { status, text } = await r.response;
      expect(status).toBe(408);
      expect(text).toContain('upload_timeout');
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      clearInterval(drip);
      r.socket.destroy();
    }
    await until('no upload left', () => leftoverFiles(s.tmpDir).length === 0);
  });

  it('answers 400 invalid_request to a multipart body that never terminates, logging one line and no stack', async () => {
    const s = await server({});
    const body = Buffer.concat([Buffer.from(multipartHead('open')), TAGGED]);
    const res = await fetch(`${s.url}/api/jobs`, { method: 'POST', body, headers: { 'content-type': 'multipart/form-data; boundary=open' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    const text = s.logs.join('\n');
    expect(text).not.toMatch(/^\s+at\s/m);
    expect(text).not.toMatch(/internal_error/);
    expect(leftoverFiles(s.tmpDir)).toEqual([]);
  });

  it('refuses a 16 kB lang in a form field and a 4 kB one in the query: 400, never echoed back', async () => {
    const s = await server({});
    // A longer query is refused by Node itself (431: the request line is over its header limit).
    for (const [raw, kb] of [[false, 16], [true, 4]] as const) {
      const lang = 'eng+'.repeat(kb * 256).slice(0, -1);
      const res = await submit(s.url, TAGGED, { raw, fields: { lang } });
      expect(res.status, raw ? 'query' : 'form').toBe(400);
      const text = await res.text();
      expect(text.length).toBeLessThan(4096);
    }
    expect(leftoverFiles(s.tmpDir)).toEqual([]);
  });

  it('counts uploads still arriving toward QUEUE_LIMIT: a burst of slow uploads cannot get past it', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1', QUEUE_LIMIT: '1' });
    const slow = [0, 1].map(() => rawRequest(s, { 'content-type': 'application/pdf', 'content-length': String(TAGGED.length) }));
    for (const r of slow) await r.write(TAGGED.subarray(0, 100));
    await until('both uploads on disk', () => readdirSync(s.tmpDir).length === 2);
    const refused = await submit(s.url, TAGGED);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    // A client that writes its whole body before it reads (Python's urllib) gets its 429 only if the
    // server takes the body first; its pause outlasts @hono/node-server's 500 ms drain of an unread body.
    const writesFirst = rawRequest(s, { 'content-type': 'application/pdf', 'content-length': String(TAGGED.length), connection: 'close' });
    await writesFirst.write(TAGGED.subarray(0, 100));
    await sleep(1000);
    expect(await writesFirst.write(TAGGED.subarray(100))).toBe(true);
    const answer = await Promise.race([writesFirst.response.then((r) => ({ ...r, sent: writesFirst.sent() })), writesFirst.closed.then(() => 'closed' as const)]);
    expect(answer).toMatchObject({ status: 429, sent: TAGGED.length });
    // One finishes and is queued, one goes away: room again.
    await slow[0]!.write(TAGGED.subarray(100));
    expect((await slow[0]!.response).status).toBe(202);
    slow[1]!.socket.destroy();
    await until('room again', async () => (await submit(s.url, TAGGED)).status === 202);
  });
});

describe('what a job may produce', () => {
  it('cuts a text bomb of a few kB page by page (text_truncated), within MAX_RESULT_MB, and keeps the other results', async () => {
    const s = await server({ MAX_RESULT_MB: '4', RESULT_STORE_MB: '8' });
    const first = await submitOk(s.url, corpusFile('text/multi_page.pdf'));
    expect((await waitForJob(s.url, first.id)).status).toBe('succeeded');
    // Eight pages of ~1.8 MB of text each (pdfjs takes a few seconds a page to read that much).
    const bomb = textBomb(8);
    expect(bomb.length).toBeLessThan(8 * 1024);
    const job = await submitOk(s.url, bomb, { name: 'bomb.pdf' });
    expect((await waitForJob(s.url, job.id)).status).toBe('succeeded');
    const r = await result(s.url, job.id);
    // What the job keeps is its pages (the response adds them once more, joined, as `text`).
    expect(Buffer.byteLength(JSON.stringify(r.pages))).toBeLessThan(4 * 1024 * 1024);
    expect(r.pages).toHaveLength(8);
    expect(r.pages.every((p) => p.error?.code === 'text_truncated' && p.text.length > 100_000)).toBe(true);
    // The store still has the first job's result, long before its TTL.
    expect((await result(s.url, first.id)).text).toContain('word processor');
  });

  it('counts the selected pages against MAX_PAGES: pages=1-5 of a longer document succeeds', async () => {
    const s = await server({ MAX_PAGES: '10' });
    const whole = await submitOk(s.url, corpusFile('text/tracemonkey.pdf'));
    const done = await waitForJob(s.url, whole.id);
    expect(done.error?.code).toBe('too_many_pages');
    const part = await submitOk(s.url, corpusFile('text/tracemonkey.pdf'), { fields: { pages: '1-5' } });
    expect((await waitForJob(s.url, part.id)).status).toBe('succeeded');
    expect((await result(s.url, part.id)).pages).toHaveLength(5);
  });
});

describe('secrets and streams', () => {
  it('gives a running child none of the parent secrets (/proc/<child>/environ)', async () => {
    const secrets = { API_KEY: 'limits-test-key', WEBHOOK_SECRET: 'whsec_bGltaXRzLXRlc3Qtc2VjcmV0LXNlY3JldA==' };
    const s = await server(secrets);
    const headers = { authorization: `Bearer ${secrets.API_KEY}` };
    const job = await submitOk(s.url, BUSY.file, { fields: BUSY.fields, headers });
    await until('a child runs', () => workerPids(s.proc.pid).length > 0);
    const [child] = workerPids(s.proc.pid);
    const environ = readFileSync(`/proc/${child}/environ`, 'latin1');
    expect(environ).not.toContain('limits-test-key');
    expect(environ).not.toContain('whsec_');
    expect(environ).not.toMatch(/API_KEY|WEBHOOK_SECRET|REDIS_URL/);
    expect(readFileSync(`/proc/${s.proc.pid}/environ`, 'latin1')).toContain('limits-test-key');
    await fetch(`${s.url}/api/jobs/${job.id}`, { method: 'DELETE', headers });
  });

  it('refuses event stream MAX_EVENT_STREAMS+1 with 429 too_many_streams; the open ones cost the parent under 20 MB', async () => {
    const s = await server({ MAX_EVENT_STREAMS: '200' });
    const job = await submitOk(s.url, BUSY.file, { fields: BUSY.fields });
    const rss = async () => ((await (await fetch(`${s.url}/healthz`)).json()) as { memory: { rss_mb: number } }).memory.rss_mb;
    const before = await rss();
    const controllers: AbortController[] = [];
    const open = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const controller = new AbortController();
        controllers.push(controller);
        const res = await fetch(`${s.url}/api/jobs/${job.id}/events`, { signal: controller.signal });
        const reader = res.body!.getReader();
        await reader.read();
        return res.status;
      }),
    );
    expect(open.every((st) => st === 200)).toBe(true);
    const refused = await fetch(`${s.url}/api/jobs/${job.id}/events`);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_streams');
    expect((await rss()) - before).toBeLessThan(20);
    for (const c of controllers) c.abort();
    await fetch(`${s.url}/api/jobs/${job.id}`, { method: 'DELETE' });
    expect(logLines(s).some((l) => l.msg === 'MaxListenersExceededWarning')).toBe(false);
    expect(s.logs.join('\n')).not.toContain('MaxListenersExceededWarning');
  });
});

describe('Idempotency-Key', () => {
  it('gives a retried submit its first job back (200, same Location), and refuses the key for another body with 422', async () => {
    const s = await server({});
    const key = `retry-${randomUUID()}`;
    const headers = { 'idempotency-key': key };
    const first = await submit(s.url, TAGGED, { headers, fields: { ocr: 'off' } });
    expect(first.status).toBe(202);
    const job = (await first.json()) as JobJson;
    const again = await submit(s.url, TAGGED, { headers, fields: { ocr: 'off' } });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(`/api/jobs/${job.id}`);
    expect(((await again.json()) as JobJson).id).toBe(job.id);
    const other = await submit(s.url, TAGGED, { headers, fields: { ocr: 'force' } });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    const bad = await submit(s.url, TAGGED, { headers: { 'idempotency-key': 'tab\there' } });
    expect(bad.status).toBe(400);
    await waitForJob(s.url, job.id);
    expect(logLines(s).filter((l) => l.msg === 'job state' && l.status === 'queued')).toHaveLength(1);
    await until('no stray upload', () => leftoverFiles(s.tmpDir).length === 0);
  });

  /** A raw upload of BUSY (its options in the query) with this key, its first 100 bytes sent. */
  const slowRetry = async (s: RunningServer, key: string) => {
    const head = { 'content-type': 'application/pdf', 'content-length': String(BUSY_PDF.length), 'idempotency-key': key };
    const r = rawRequest(s, head, `/api/jobs?${new URLSearchParams(BUSY.fields).toString()}`);
    await r.write(BUSY_PDF.subarray(0, 100));
    return r;
  };
  const queueTaken = async (s: RunningServer) => {
    const { queue } = (await (await fetch(`${s.url}/healthz`)).json()) as { queue: { running: number; queued: number } };
    return queue.running + queue.queued;
  };

  it('counts a retry of a kept job toward QUEUE_LIMIT while it arrives: past it, 429', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1', QUEUE_LIMIT: '1' });
    const headers = { 'idempotency-key': 'x1' };
    const kept = await submitOk(s.url, BUSY.file, { raw: true, fields: BUSY.fields, headers });
    // One place was left: one retry takes it, the other two are refused (answered once their bodies are in).
    const retries = await Promise.all([0, 1, 2].map(() => slowRetry(s, 'x1')));
    for (const r of retries) expect(await r.write(BUSY_PDF.subarray(100))).toBe(true);
    const answers = await Promise.all(retries.map((r) => r.response));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 429, 429]);
    expect(answers.find((a) => a.status === 200)!.text).toMatch(new RegExp(`^location: /api/jobs/${kept.id}\r$`, 'im'));
    await fetch(`${s.url}/api/jobs/${kept.id}`, { method: 'DELETE' });
    for (const r of retries) r.socket.destroy();
    await until('no stray upload', () => leftoverFiles(s.tmpDir).length === 0);
  });

  it('creates no job past QUEUE_LIMIT from the key of a job deleted while its retry arrived', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1', QUEUE_LIMIT: '1' });
    const headers = { 'idempotency-key': 'x2' };
    const kept = await submitOk(s.url, BUSY.file, { raw: true, fields: BUSY.fields, headers });
    const waiting = await submitOk(s.url, BUSY.file, { fields: BUSY.fields });
    const retry = await slowRetry(s, 'x2');
    // The key's job goes and a new one fills its place before the retry's body is in.
    expect((await fetch(`${s.url}/api/jobs/${kept.id}`, { method: 'DELETE' })).status).toBe(204);
    const filler = await submit(s.url, BUSY.file, { fields: BUSY.fields });
    await retry.write(BUSY_PDF.subarray(100));
    await retry.response;
    expect(await queueTaken(s)).toBeLessThanOrEqual(2);
    retry.socket.destroy();
    for (const id of [waiting.id, filler.status === 202 ? ((await filler.json()) as JobJson).id : undefined]) {
      if (id) await fetch(`${s.url}/api/jobs/${id}`, { method: 'DELETE' });
    }
  });
});
