import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  corpusFile,
  leftoverFiles,
  logLines,
  ROOT,
  sleep,
  startServer,
  submit,
  submitOk,
  waitForJob,
  workerPids,
  type JobJson,
  type RunningServer,
} from './helpers.js';

const API_KEY = 'security-test-key-7d41b0';
const auth = { authorization: `Bearer ${API_KEY}` };
const TAGGED = corpusFile('text/tagged.pdf');
/** The same bytes as a plain ArrayBuffer-backed array, which fetch takes as a body. */
const TAGGED_BYTES = new Uint8Array(readFileSync(TAGGED));
/** Every page of a 23-page PDF through OCR: holds the only child slot while a test looks at what waits. */
const BLOCKER = { file: corpusFile('text/TAMReview.pdf'), fields: { ocr: 'force' } };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: RunningServer;
beforeAll(async () => {
  // One child slot, so queued jobs (and their spooled uploads) can be looked at; no grace, so stopping is quick.
  server = await startServer({ API_KEY, PDF_WORKER_THREADS: '1', QUEUE_LIMIT: '64', MAX_UPLOAD_MB: '1', SHUTDOWN_GRACE_S: '0' });
});
afterAll(() => server.stop());

/** Starts the long job and waits until its child runs; everything submitted after it stays queued. */
async function startBlocker(): Promise<JobJson> {
  const job = await submitOk(server.url, BLOCKER.file, { fields: BLOCKER.fields, headers: auth });
  while (workerPids(server.proc.pid).length === 0) await sleep(50);
  return job;
}

async function remove(id: string): Promise<void> {
  expect((await fetch(`${server.url}/api/jobs/${id}`, { method: 'DELETE', headers: auth })).status).toBe(204);
}

async function noLeftovers(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (leftoverFiles(server.tmpDir).length > 0 && Date.now() < deadline) await sleep(100);
  expect(leftoverFiles(server.tmpDir)).toEqual([]);
}

/** A JSON response that browsers may not reinterpret as something else. */
function expectJson(res: Response, what: string): void {
  expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
}

describe('API_KEY', () => {
  it('is required as a Bearer token on every /api/* route: 401 unauthorized without it or with a wrong one', async () => {
    const wrong: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-key' },
      { authorization: `Bearer ${API_KEY}x` },
      { authorization: `Bearer ${API_KEY.slice(0, -1)}` },
      { authorization: API_KEY },
      { authorization: `Basic ${Buffer.from(`user:${API_KEY}`).toString('base64')}` },
      { 'x-api-key': API_KEY },
    ];
    const job = await submitOk(server.url, TAGGED, { headers: auth });
    expect((await waitForJob(server.url, job.id, 60_000, auth)).status).toBe('succeeded');
    const routes: { method: string; path: string }[] = [
      { method: 'GET', path: `/api/jobs/${job.id}` },
      { method: 'GET', path: `/api/jobs/${job.id}/result` },
      { method: 'GET', path: `/api/jobs/${job.id}/events` },
      { method: 'DELETE', path: `/api/jobs/${job.id}` },
      { method: 'GET', path: '/api/jobs/00000000-0000-4000-8000-000000000000' },
      { method: 'GET', path: '/api/nothing-here' },
    ];
    for (const headers of wrong) {
      const what = JSON.stringify(headers);
      const responses = [
        await submit(server.url, TAGGED, { headers }),
        ...(await Promise.all(routes.map((r) => fetch(`${server.url}${r.path}`, { method: r.method, headers })))),
      ];
      for (const res of responses) {
        expect(res.status, `${res.url} ${what}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expectJson(res, res.url);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }

    // The right key opens every route, and the refused DELETEs above did not delete.
    const get = await fetch(`${server.url}/api/jobs/${job.id}`, { headers: auth });
    expect(get.status).toBe(200);
    expect((await fetch(`${server.url}/api/jobs/${job.id}/result`, { headers: auth })).status).toBe(200);
    const events = await fetch(`${server.url}/api/jobs/${job.id}/events`, { headers: auth });
    expect(events.status).toBe(200);
    expect(await events.text()).toMatch(/^event: succeeded$/m);
    await remove(job.id);
    expect((await fetch(`${server.url}/api/jobs/${job.id}`, { headers: auth })).status).toBe(404);

    // The refused uploads made no job and left no file.
    const queuedLines = logLines(server).filter((l) => l.msg === 'job state' && l.status === 'queued');
    expect(queuedLines.map((l) => l.job)).toEqual([job.id.slice(0, 8)]);
    await noLeftovers();
  });

  it('leaves the upload page, /healthz and /metrics open', async () => {
    for (const route of ['/', '/healthz', '/metrics']) {
      const res = await fetch(`${server.url}${route}`);
      expect(res.status, route).toBe(200);
      await res.arrayBuffer();
    }
  });
});

describe('job ids', () => {
  it('are UUIDv4 with 122 random bits, and the logs carry only their 8-character prefix', async () => {
    const blocker = await startBlocker();
    const queued = await Promise.all(Array.from({ length: 32 }, () => submitOk(server.url, TAGGED, { raw: true, headers: auth })));
    const ids = queued.map((j) => j.id);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
    // Each of the 122 bits outside the version and variant fields must take both values across
    // 32 ids (a false alarm has odds of about 1 in 10^7); a counter or a clock would not.
    const bits = ids.map((id) => BigInt(`0x${id.replaceAll('-', '')}`));
    const fixed = (bit: number) => (bit >= 76 && bit <= 79) || bit === 62 || bit === 63;
    const stuck: number[] = [];
    for (let bit = 0; bit < 128; bit++) {
      if (fixed(bit)) continue;
      const ones = bits.filter((b) => (b >> BigInt(bit)) & 1n).length;
      if (ones === 0 || ones === bits.length) stuck.push(bit);
    }
    expect(stuck).toEqual([]);

    for (const id of [...ids, blocker.id]) await remove(id);
    const logs = server.logs.join('\n');
    const logged = new Set(logLines(server).map((l) => l.job));
    for (const id of [...ids, blocker.id]) {
      expect(logs).not.toContain(id);
      expect(logs).not.toContain(id.slice(9)); // no other rendering of the secret part either
      expect(logged).toContain(id.slice(0, 8));
    }
    await noLeftovers();
  });
});

describe('uploads on disk', () => {
  it('are mode 0600 files in mode 0700 mkdtemp dirs under TMP_DIR; a client file name never becomes a path', async () => {
    const blocker = await startBlocker();
    const escape = `pdf-ocr-escape-${process.pid}-${Date.now()}.pdf`;
    const names = ['../../etc/passwd', `../../${escape}`, `/tmp/${escape}`, '..'];
    const shown = ['passwd', escape, escape, 'upload.pdf']; // the multipart parser keeps the last segment
    const queued = [];
    for (const name of names) queued.push(await submitOk(server.url, TAGGED, { name, headers: auth }));
    queued.push(await submitOk(server.url, TAGGED, { raw: true, headers: auth }));
    expect(queued.map((j) => (j.file as { name: string }).name)).toEqual([...shown, 'upload.pdf']);

    // While they wait, each upload sits alone in its own private directory inside TMP_DIR.
    const dirs = readdirSync(server.tmpDir);
    expect(dirs).toHaveLength(queued.length + 1);
    const size = statSync(TAGGED).size;
    for (const dir of dirs) {
      // The job id the server made (so a sweeper can tell whose it is) and mkdtemp's random suffix.
      expect(dir).toMatch(/^pdf-ocr-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-[A-Za-z0-9]{6}$/);
      const full = path.join(server.tmpDir, dir);
      expect(statSync(full).mode & 0o777, dir).toBe(0o700);
      expect(readdirSync(full)).toEqual(['upload.pdf']);
      expect(statSync(path.join(full, 'upload.pdf')).mode & 0o777, dir).toBe(0o600);
    }
    const sizes = dirs.map((d) => statSync(path.join(server.tmpDir, d, 'upload.pdf')).size);
    expect(sizes.filter((s) => s === size)).toHaveLength(queued.length);
    for (const base of [server.tmpDir, path.dirname(server.tmpDir), '/tmp', '/etc']) expect(existsSync(path.join(base, escape))).toBe(false);

    // The one option that names a file (the OCR model) must be an installed language, not a path.
    for (const lang of ['../../../etc/passwd', 'eng/../../x', '..']) {
      const res = await submit(server.url, TAGGED, { fields: { lang }, headers: auth });
      expect(res.status, lang).toBe(400);
    }

    for (const job of [...queued, blocker]) await remove(job.id);
    await noLeftovers();
  });
});

describe('error bodies', () => {
  /** What a leaked stack trace or internal path looks like. */
  const STACK = [/^\s*at\s/m, /\bat .+\(.+:\d+:\d+\)/, /\.(?:[cm]?js|ts):\d+/, /node_modules/];

  it('carry a code and a message, never a stack trace or an internal path', async () => {
    const blocker = await startBlocker();
    const post = (body: BodyInit, contentType: string, headers: Record<string, string> = auth) =>
      fetch(`${server.url}/api/jobs`, { method: 'POST', body, headers: { ...headers, 'content-type': contentType } });
    const cases: [string, number, Promise<Response>][] = [
      ['bad option', 400, submit(server.url, TAGGED, { fields: { ocr: 'sometimes' }, headers: auth })],
      ['multipart without a boundary', 400, post(TAGGED_BYTES, 'multipart/form-data')],
      ['multipart with a broken body', 400, post('--x\r\nContent-Disposition: form-data; name="file"\r\n\r\n%PDF-', 'multipart/form-data; boundary=x')],
      ['no key', 401, post(TAGGED_BYTES, 'application/pdf', {})],
      ['unknown job', 404, fetch(`${server.url}/api/jobs/${'f'.repeat(64)}`, { headers: auth })],
      ['unknown route', 404, fetch(`${server.url}/no/such/route`)],
      ['unfinished job', 409, fetch(`${server.url}/api/jobs/${blocker.id}/result`, { headers: auth })],
      ['too large', 413, post(new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2 * 1024 * 1024, 0x20)])), 'application/pdf')],
      ['not a PDF', 415, post('PK\u0003\u0004 a zip, not a pdf', 'application/pdf')],
      ['unsupported body type', 415, post('%PDF-1.7', 'text/plain')],
    ];
    for (const [what, status, pending] of cases) {
      const res = await pending;
      const text = await res.text();
      expect(res.status, `${what}: ${text}`).toBe(status);
      expectJson(res, what);
      const body = JSON.parse(text) as { error: { code: string; message: string } };
      expect(body.error.code, what).toMatch(/^[a-z_]+$/);
      expect(body.error.message, what).toEqual(expect.any(String));
      for (const pattern of STACK) expect(text, what).not.toMatch(pattern);
      expect(text, what).not.toContain(ROOT);
    }
    expect(server.logs.join('\n')).not.toMatch(/internal_error|something went wrong/);
    await remove(blocker.id);
    await noLeftovers();
  });
});

describe('X-Content-Type-Options', () => {
  it('is nosniff on the JSON the API answers with', async () => {
    const res202 = await submit(server.url, TAGGED, { headers: auth });
    expect(res202.status).toBe(202);
    expectJson(res202, '202');
    const { id } = (await res202.json()) as JobJson;
    await waitForJob(server.url, id, 60_000, auth);
    for (const route of [`/api/jobs/${id}`, `/api/jobs/${id}/result`, '/healthz', '/openapi.json']) {
      const res = await fetch(`${server.url}${route}`, { headers: auth });
      expect(res.status, route).toBe(200);
      expectJson(res, route);
      await res.arrayBuffer();
    }
    await remove(id);
  });
});
