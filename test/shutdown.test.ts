import { afterEach, describe, expect, it } from 'vitest';
import { corpusFile, isAlive, leftoverFiles, logLines, sleep, startServer, submit, submitOk, workerPids, type JobJson, type RunningServer } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

/** OCR of every page of a 23-page text PDF: far longer than a 2 s grace period. */
const LONG = { file: corpusFile('text/TAMReview.pdf'), fields: { ocr: 'force' } };
/** Three pages of the same through OCR (~2 s a page): finishes well within a 60 s grace period. */
const SHORT = { file: corpusFile('text/TAMReview.pdf'), fields: { ocr: 'force', pages: '1-3' } };

interface WebhookEvent {
  type: string;
  data: JobJson;
}

let servers: RunningServer[] = [];
let receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(receivers.map((r) => r.close()));
  servers = [];
  receivers = [];
});

/** A server whose webhooks may go to the loopback receiver, which every job of the test reports to. */
async function setup(env: Record<string, string>): Promise<{ s: RunningServer; r: Receiver }> {
  const r = await startReceiver();
  receivers.push(r);
  const s = await startServer({ WEBHOOK_ALLOW_PRIVATE: 'true', ...env });
  servers.push(s);
  return { s, r };
}

/** Resolves once the server has exited and its stdout is read to the end (so its last log lines are in). */
function exitOf(s: RunningServer): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => s.proc.once('close', (code, signal) => resolve({ code, signal })));
}

/**
 * Remembers every child the server ever had while it runs: once the server has exited its
 * orphans would belong to init, so asking for its children then would prove nothing.
 */
function trackChildren(s: RunningServer): { pids: Set<number>; stop(): void } {
  const pids = new Set<number>();
  const timer = setInterval(() => {
    for (const pid of workerPids(s.proc.pid)) pids.add(pid);
  }, 50);
  return { pids, stop: () => clearInterval(timer) };
}

async function untilRunning(s: RunningServer, id: string): Promise<void> {
  for (;;) {
    const job = (await (await fetch(`${s.url}/api/jobs/${id}`)).json()) as JobJson;
    if (job.status === 'running' && workerPids(s.proc.pid).length > 0) return;
    if (job.status !== 'queued') throw new Error(`job ended before the test could signal: ${JSON.stringify(job)}`);
    await sleep(50);
  }
}

async function health(s: RunningServer): Promise<{ status: number; body: { status: string } }> {
  const res = await fetch(`${s.url}/healthz`);
  return { status: res.status, body: (await res.json()) as { status: string } };
}

function events(r: Receiver): WebhookEvent[] {
  return r.received.map((req) => JSON.parse(req.body) as WebhookEvent);
}

describe('graceful shutdown on SIGTERM', () => {
  it('keeps answering while draining: /healthz 503 draining, uploads 503 shutting_down, the running job finishes', async () => {
    const { s, r } = await setup({ SHUTDOWN_GRACE_S: '60', PDF_WORKER_THREADS: '1' });
    const children = trackChildren(s);
    const job = await submitOk(s.url, SHORT.file, { fields: { ...SHORT.fields, callback_url: r.url } });
    await untilRunning(s, job.id);
    const exited = exitOf(s);
    s.proc.kill('SIGTERM');

    // The HTTP server must stay up during the grace period, or a load balancer could not see the drain.
    let draining = await health(s);
    while (draining.status === 200) draining = await health(s);
    expect(draining).toMatchObject({ status: 503, body: { status: 'draining' } });
    const during = (await (await fetch(`${s.url}/api/jobs/${job.id}`)).json()) as JobJson;
    expect(during.status).toBe('running');

    const refused = await submit(s.url, corpusFile('text/tagged.pdf'));
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('shutting_down');

    await r.waitFor(1, 60_000);
    const [event] = events(r);
    expect(event).toMatchObject({ type: 'job.succeeded', data: { id: job.id, status: 'succeeded', progress: { pages_done: 3, pages_total: 3 } } });
    expect(await exited).toEqual({ code: 0, signal: null });
    children.stop();

    expect(children.pids.size).toBeGreaterThan(0);
    expect([...children.pids].filter(isAlive)).toEqual([]);
    expect(leftoverFiles(s.tmpDir)).toEqual([]);
    expect(r.received).toHaveLength(1); // the refused upload made no job
    const messages = logLines(s).map((l) => l.msg);
    expect(messages).toContain('draining');
    expect(messages.at(-1)).toBe('stopped');
  });

  it('cancels what cannot finish within SHUTDOWN_GRACE_S: children killed, job.cancelled sent, uploads removed, exit 0', async () => {
    const { s, r } = await setup({ SHUTDOWN_GRACE_S: '2', PDF_WORKER_THREADS: '1' });
    const children = trackChildren(s);
    const running = await submitOk(s.url, LONG.file, { fields: { ...LONG.fields, callback_url: r.url } });
    const queued = await submitOk(s.url, corpusFile('text/tagged.pdf'), { fields: { callback_url: r.url } });
    await untilRunning(s, running.id);
    expect(leftoverFiles(s.tmpDir).filter((f) => f.endsWith('upload.pdf'))).toHaveLength(2);

    const exited = exitOf(s);
    const signalled = Date.now();
    s.proc.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    const tookMs = Date.now() - signalled;
    children.stop();

    // The grace period was given, and the cancellation plus webhook flush did not drag on.
    expect(tookMs).toBeGreaterThanOrEqual(2000);
    expect(tookMs).toBeLessThan(10_000);
    const byId = new Map(events(r).map((e) => [e.data.id, e]));
    expect(byId.get(running.id)).toMatchObject({ type: 'job.cancelled', data: { status: 'cancelled' } });
    expect(byId.get(queued.id)).toMatchObject({ type: 'job.cancelled', data: { status: 'cancelled' } });
    expect(r.received).toHaveLength(2);

    expect(children.pids.size).toBeGreaterThan(0);
    expect([...children.pids].filter(isAlive)).toEqual([]);
    expect(leftoverFiles(s.tmpDir)).toEqual([]);
    expect(logLines(s).filter((l) => l.msg === 'child exited').map((l) => l.code)).toEqual(['cancelled']);
  });
});
