import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile, leftoverFiles, sleep, startServer, submit, submitOk, waitForJob, type JobJson, type RunningServer } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface WebhookEvent {
  type: string;
  timestamp: string;
  data: JobJson & { result_url: string };
}

const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** Polls the job until its webhook is no longer pending. */
async function webhookDone(url: string, id: string, timeoutMs = 20_000): Promise<JobJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as JobJson;
    if (job.webhook && job.webhook.state !== 'pending') return job;
    if (Date.now() > deadline) throw new Error(`webhook of ${id} still pending: ${JSON.stringify(job.webhook)}`);
    await sleep(100);
  }
}

describe('webhooks from the real server (private targets allowed)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_TIMEOUT_S: '2' });
  });
  afterAll(() => server.stop());

  it('job.succeeded: one signed POST with the job and an absolute result_url', async () => {
    const r = await receiver();
    const job = await submitOk(server.url, corpusFile('text/tagged.pdf'), { fields: { callback_url: `${r.url}/hook` } });
    expect(job.webhook).toEqual({ url: `${r.url}/hook`, state: 'pending', attempts: 0, last_status: null, last_error: null });
    const [req] = await r.waitFor(1);
    const event = new Webhook(SECRET).verify(req!.body, req!.headers as Record<string, string>) as WebhookEvent;
    expect(req!.path).toBe('/hook');
    expect(req!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(event.type).toBe('job.succeeded');
    expect(Date.parse(event.timestamp)).not.toBeNaN();
    expect(event.data).toMatchObject({ id: job.id, status: 'succeeded', progress: { pages_done: 2, pages_total: 2 }, file: { name: 'tagged.pdf' } });
    expect(event.data.result_url).toBe(`${server.url}/api/jobs/${job.id}/result`);
    expect((await fetch(event.data.result_url)).status).toBe(200);

    const done = await webhookDone(server.url, job.id);
    expect(done.webhook).toEqual({ url: `${r.url}/hook`, state: 'delivered', attempts: 1, last_status: 200, last_error: null });
    // Delivered is final: nothing is left that could send it again.
    expect(r.received).toHaveLength(1);
  });

  it('job.failed carries the error; a raw upload with callback_url in the query works too', async () => {
    const r = await receiver();
    const job = await submitOk(server.url, corpusFile('bad/invalid.pdf'), { raw: true, fields: { callback_url: r.url } });
    const [req] = await r.waitFor(1);
    const event = new Webhook(SECRET).verify(req!.body, req!.headers as Record<string, string>) as WebhookEvent;
    expect(event.type).toBe('job.failed');
    expect(event.data).toMatchObject({ id: job.id, status: 'failed', error: { code: 'pdf_invalid' } });
  });

  it('job.cancelled goes out even though DELETE forgets the job', async () => {
    const r = await receiver();
    const job = await submitOk(server.url, corpusFile('text/pdkids.pdf'), { fields: { callback_url: r.url } });
    expect((await fetch(`${server.url}/api/jobs/${job.id}`, { method: 'DELETE' })).status).toBe(204);
    const [req] = await r.waitFor(1);
    const event = JSON.parse(req!.body) as WebhookEvent;
    expect(event.type).toBe('job.cancelled');
    expect(event.data.id).toBe(job.id);
  });

  it('retries 500s with the same webhook-id; attempts are counted on the job', async () => {
    const r = await receiver([{ status: 500 }, { status: 503 }]);
    const job = await submitOk(server.url, corpusFile('text/tagged.pdf'), { fields: { callback_url: r.url } });
    const done = await webhookDone(server.url, job.id);
    expect(done.webhook).toMatchObject({ state: 'delivered', attempts: 3, last_status: 200, last_error: null });
    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((x) => x.headers['webhook-id'])).size).toBe(1);
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
  });

  it('a 404 is final and visible on the job', async () => {
    const r = await receiver([{ status: 404 }]);
    const job = await submitOk(server.url, corpusFile('text/tagged.pdf'), { fields: { callback_url: r.url } });
    const done = await webhookDone(server.url, job.id);
    expect(done.webhook).toMatchObject({ state: 'failed', attempts: 1, last_status: 404, last_error: 'HTTP 404' });
  });
});

describe('SSRF guard at submit (WEBHOOK_ALLOW_PRIVATE unset)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('refuses loopback, private and metadata targets with 400 callback_url_forbidden', async () => {
    const urls = ['http://127.0.0.1:9/x', 'http://localhost/', 'http://[::1]:8080/', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://[::ffff:192.168.0.1]/'];
    for (const url of urls) {
      for (const raw of [false, true]) {
        const res = await submit(server.url, corpusFile('text/tagged.pdf'), { raw, fields: { callback_url: url } });
        expect(res.status, url).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code, url).toBe('callback_url_forbidden');
      }
    }
  });

  it('says a refused callback_url is not allowed, never what its host resolves to', async () => {
    for (const url of ['http://localhost:6379/', 'http://[::1]:6379/']) {
      const res = await submit(server.url, corpusFile('text/tagged.pdf'), { fields: { callback_url: url } });
      expect(res.status, url).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code, url).toBe('callback_url_forbidden');
      expect(error.message, url).toMatch(/callback_url is not allowed/);
      expect(error.message, url).not.toMatch(/\d+\.\d+\.\d+\.\d+|::/);
    }
  });

  it('refuses an unsupported scheme with 400', async () => {
    const res = await submit(server.url, corpusFile('text/tagged.pdf'), { fields: { callback_url: 'gopher://127.0.0.1/' } });
    expect(res.status).toBe(400);
  });

  it('leaves no upload behind for refused submits', async () => {
    const deadline = Date.now() + 5000;
    while (leftoverFiles(server.tmpDir).length > 0 && Date.now() < deadline) await sleep(100);
    expect(leftoverFiles(server.tmpDir)).toEqual([]);
  });
});

describe('PUBLIC_URL, unsigned webhooks and the shutdown flush', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // A minute's backoff: only the shutdown flush can bring the retry forward.
    server = await startServer({ WEBHOOK_ALLOW_PRIVATE: 'true', PUBLIC_URL: 'https://ocr.example.com/base/', WEBHOOK_RETRY_BASE_MS: '60000' });
  });
  afterAll(() => server.stop());

  it('builds result_url from PUBLIC_URL and sends no signature without WEBHOOK_SECRET', async () => {
    const r = await receiver();
    const job = await submitOk(server.url, corpusFile('text/tagged.pdf'), { fields: { callback_url: r.url } });
    const [req] = await r.waitFor(1);
    const event = JSON.parse(req!.body) as WebhookEvent;
    expect(event.data.result_url).toBe(`https://ocr.example.com/base/api/jobs/${job.id}/result`);
    expect(req!.headers['webhook-id']).toBeDefined();
    expect(req!.headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(req!.headers['webhook-signature']).toBeUndefined();
  });

  it('attempts a pending delivery at once on SIGTERM, then exits', async () => {
    const r = await receiver([{ status: 503 }]);
    const job = await submitOk(server.url, corpusFile('text/tagged.pdf'), { fields: { callback_url: r.url } });
    await r.waitFor(1);
    await waitForJob(server.url, job.id);
    const pending = (await (await fetch(`${server.url}/api/jobs/${job.id}`)).json()) as JobJson;
    expect(pending.webhook).toMatchObject({ state: 'pending', attempts: 1, last_status: 503 });
    const exited = new Promise<number | null>((resolve) => server.proc.once('exit', (code) => resolve(code)));
    const signalled = Date.now();
    server.proc.kill('SIGTERM');
    await r.waitFor(2, 10_000);
    expect(r.received[1]!.at - signalled).toBeLessThan(5000);
    expect(r.received[1]!.headers['webhook-id']).toBe(r.received[0]!.headers['webhook-id']);
    expect(await exited).toBe(0);
  });
});
