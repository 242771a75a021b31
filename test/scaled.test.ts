import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../harness/redis.js';
import { REPORT_SCAN, REPORT_SCAN_EXPECTED, scannedPdf } from '../bench/scan-pdf.js';
import { redisTransfer } from '../src/scaled/pdf-transfer.js';
import {
  corpusFile,
  expectNoLeftovers,
  isAlive,
  leftoverFiles,
  logLines,
  result,
  startServer,
  submit,
  submitOk,
  until,
  waitForJob,
  wordAccuracy,
  workerPids,
  type JobJson,
  type RunningServer,
} from './helpers.js';
import { isStopped, unreadByServer } from './frozen.js';
import { startReceiver, type Receiver, type Reply } from './receiver.js';

/** Six OCR pages (~2 s each): long enough to kill a worker in the middle. */
// The bench's 200-dpi scan, built from a text PDF of the corpus as the bench builds it (cached).
const REPORT = { file: await scannedPdf(REPORT_SCAN), fields: { pages: '1-6' } };
const REPORT_TEXT = readFileSync(REPORT_SCAN_EXPECTED, 'utf8').split('\f').slice(0, 6).join('\n');
const TEXT = { file: corpusFile('text/tracemonkey.pdf'), fields: {} };
const SCAN = { file: corpusFile('scanned/cardinal.pdf'), fields: {} };

let redis: RunningRedis;
/** The test's own database on the file's redis-server: what one test leaves cannot reach the next. */
let url: string;
let database = 0;
let inspect: Redis;
let subscribers: Redis[] = [];
let instances: RunningServer[] = [];
let receivers: Receiver[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(() => {
  // redis-server has 16 databases unless told otherwise (harness/redis.ts).
  if (++database >= 16) throw new Error('more tests than databases: start redis-server with --databases');
  url = `${redis.url}/${database}`;
  inspect = new Redis(url, { lazyConnect: true });
  inspect.on('error', () => {}); // reconnect attempts while the outage test has Redis down
});
afterEach(async () => {
  await Promise.all(instances.map((s) => s.stop()));
  const left = instances.flatMap((s) => workerPids(s.proc.pid));
  await Promise.all(receivers.map((r) => r.close()));
  for (const client of [inspect, ...subscribers]) client.disconnect();
  instances = [];
  receivers = [];
  subscribers = [];
  expect(left).toEqual([]);
});

/** An instance of the service on the test's Redis database: `npm start -- --role <role>`. */
async function instance(role: 'api' | 'worker' | 'all', env: Record<string, string> = {}): Promise<RunningServer> {
  const s = await startServer(
    { REDIS_URL: url, QUEUE_LOCK_S: '2', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '50', ...env },
    ['--role', role],
  );
  instances.push(s);
  return s;
}

async function receiver(replies: Reply[] = []): Promise<Receiver> {
  const r = await startReceiver(replies);
  receivers.push(r);
  return r;
}

async function getJob(url: string, id: string): Promise<JobJson> {
  return (await (await fetch(`${url}/api/jobs/${id}`)).json()) as JobJson;
}

/** The test's own Redis client, connected on first use (it connects lazily). */
async function redisClient(): Promise<Redis> {
  if (inspect.status !== 'ready') await inspect.connect();
  return inspect;
}

async function keys(pattern: string): Promise<string[]> {
  return (await redisClient()).keys(pattern);
}

/** A job's record in Redis, as stored. */
async function jobHash(id: string): Promise<Record<string, string>> {
  return (await redisClient()).hgetall(`pdf-ocr:job:${id}`);
}

/** Deliveries still in the webhook queue (their BullMQ job hashes). */
const pendingDeliveries = () => keys('pdf-ocr:webhooks:webhook-*');

interface JobUpdate {
  id: string;
  status: string;
  done: number;
}

/**
 * The update each write of a job's state publishes (on `pdf-ocr:updates`, which every database
 * of the server shares), from now on: `first` resolves with the first one, past or future, that
 * matches.
 */
async function jobUpdates() {
  const subscriber = new Redis(url);
  subscribers.push(subscriber);
  const seen: JobUpdate[] = [];
  const checks = new Set<() => void>();
  subscriber.on('message', (_channel: string, message: string) => {
    seen.push(JSON.parse(message) as JobUpdate);
    for (const check of checks) check();
  });
  await subscriber.subscribe('pdf-ocr:updates');
  return {
    first: (match: (u: JobUpdate) => boolean) =>
      new Promise<JobUpdate>((resolve) => {
        const check = () => {
          const found = seen.find(match);
          if (!found) return;
          checks.delete(check);
          resolve(found);
        };
        checks.add(check);
        check();
      }),
  };
}

/**
 * SIGKILLs a worker instance held where it stands: stopped first, so it writes nothing more,
 * then killed once Redis has read all it had sent; `checkpoint` reads in between exactly what
 * another worker will resume from. Returns that reading and the children the worker leaves,
 * which must then exit by themselves.
 */
async function killHeld<T>(worker: RunningServer, checkpoint: () => Promise<T>): Promise<{ held: T; orphans: number[] }> {
  const pid = worker.proc.pid!;
  const exited = new Promise((resolve) => worker.proc.once('exit', resolve));
  worker.proc.kill('SIGSTOP');
  try {
    await until('the worker to stop', () => isStopped(pid), 10_000);
    await until('Redis to read all the stopped worker sent', () => {
      const { connections, unread } = unreadByServer(pid, redis.port);
      return connections > 0 && unread === 0;
    }, 10_000);
    // Stopped, it starts no child: this list is complete.
    return { held: await checkpoint(), orphans: workerPids(pid) };
  } finally {
    worker.proc.kill('SIGKILL');
    await exited;
  }
}

describe('scaled on Redis: one API and two worker instances', () => {
  it('runs eight jobs to complete results when a worker is SIGKILLed mid-job, one webhook per job', async () => {
    const api = await instance('api');
    // The doomed worker runs alone until it is held: every running job is its own.
    const doomed = await instance('worker');
    const hooks = await receiver();
    const updates = await jobUpdates();
    const kinds = [REPORT, TEXT, REPORT, SCAN, REPORT, TEXT, REPORT, SCAN];
    const jobs = await Promise.all(
      kinds.map((k) => submitOk(api.url, k.file, { fields: { ...k.fields, callback_url: `${hooks.url}/hook` } })),
    );
    const reports = new Set(jobs.filter((_, i) => kinds[i] === REPORT).map((j) => j.id));

    // Kill the worker held at a report's checkpoint of two pages (of six): not a moment caught by polling.
    const { id: victim } = await updates.first((u) => reports.has(u.id) && u.status === 'running' && u.done >= 2);
    const { held, orphans } = await killHeld(doomed, () => jobHash(victim));
    expect(held.status).toBe('running');
    expect(Number(held.done)).toBeGreaterThanOrEqual(2);
    expect(Number(held.done)).toBeLessThan(6);
    // A child notices its parent is gone when its current page is done: that bounds this, not a clock.
    await until('the dead worker’s children to exit', () => orphans.every((pid) => !isAlive(pid)), 120_000);

    const survivor = await instance('worker');
    const done = await Promise.all(jobs.map((j) => waitForJob(api.url, j.id, 480_000)));
    expect(done.map((j) => j.status)).toEqual(jobs.map(() => 'succeeded'));
    // The other worker went on from exactly the pages the dead one had written.
    const resumed = logLines(survivor).find((l) => l.msg === 'resuming job' && l.job === victim.slice(0, 8));
    expect(resumed?.pagesDone).toBe(Number(held.done));

    const texts = new Set<string>();
    for (const [i, j] of jobs.entries()) {
      const r = await result(api.url, j.id);
      expect(r.pages.filter((p) => p.error !== null)).toEqual([]);
      expect(r.pages.map((p) => p.page)).toEqual(Array.from({ length: r.pages_total }, (_, n) => n + 1));
      if (kinds[i] === REPORT) {
        expect(r.pages_total).toBe(6);
        expect(r.pages.every((p) => p.source === 'ocr' && p.text.length > 100)).toBe(true);
        expect(wordAccuracy(r.text, REPORT_TEXT)).toBeGreaterThan(0.95);
        texts.add(r.text);
      }
    }
    // The resumed report reads exactly as the three that ran without interruption.
    expect(texts.size).toBe(1);

    await hooks.waitFor(8);
    await until('webhook states in Redis', async () => {
      const states = await Promise.all(jobs.map(async (j) => (await getJob(api.url, j.id)).webhook?.state));
      return states.every((s) => s === 'delivered');
    }, 60_000);
    // Every delivery is done and gone from the webhook queue: nothing can send a ninth.
    await until('the deliveries to leave the webhook queue', async () => (await pendingDeliveries()).length === 0, 60_000);
    const events = hooks.received.map((r) => JSON.parse(r.body) as { type: string; data: { id: string } });
    expect(events.map((e) => e.data.id).sort()).toEqual(jobs.map((j) => j.id).sort());
    expect(events.every((e) => e.type === 'job.succeeded')).toBe(true);

    expect(await keys('pdf-ocr:pdf:*')).toEqual([]);
    await expectNoLeftovers(api);
    await expectNoLeftovers(survivor);
    // Only the killed worker's private copy of its PDF is left, in its own temp dir.
    rmSync(doomed.tmpDir, { recursive: true, force: true });
  }, 600_000);

  it('serves any job from any API instance: events, results, cancel, and one queue limit for all', async () => {
    const a = await instance('api', { QUEUE_LIMIT: '2' });
    const b = await instance('api', { QUEUE_LIMIT: '2' });
    // No worker yet, so jobs wait in the shared queue.
    const first = await submitOk(a.url, TEXT.file);
    const second = await submitOk(b.url, SCAN.file);
    const refused = await submit(a.url, TEXT.file);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('queue_full');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    expect((await getJob(b.url, first.id)).status).toBe('queued');
    expect((await fetch(`${a.url}/api/jobs/${second.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${b.url}/api/jobs/${second.id}`)).status).toBe(404);

    const stream = await fetch(`${b.url}/api/jobs/${first.id}/events`);
    const reading = readEvents(stream);
    await instance('worker');
    const events = await reading;
    expect(events.at(-1)).toBe('succeeded');
    expect(events).toContain('progress');
    expect((await result(a.url, first.id)).pages_total).toBe(14);
    // An encrypted PDF's password reaches the worker through Redis and is dropped when the job ends.
    const locked = await submitOk(b.url, corpusFile('bad/issue6010_1_pwabc.pdf'), { fields: { password: 'abc' } });
    expect((await waitForJob(a.url, locked.id)).status).toBe('succeeded');
    expect((await result(a.url, locked.id)).text).toContain('Issue 6010');
    const hash = await jobHash(locked.id);
    expect(JSON.parse(hash.options!)).toMatchObject({ lang: 'eng' });
    expect(hash).not.toHaveProperty('password');
    expect(JSON.stringify(hash)).not.toContain('"abc"');

    const health = (await (await fetch(`${b.url}/healthz`)).json()) as { queue: { limit: number } };
    expect(health.queue.limit).toBe(2); // one worker instance, PDF_WORKER_THREADS=2
    expect(await keys('pdf-ocr:pdf:*')).toEqual([]);
    await expectNoLeftovers(a);
    await expectNoLeftovers(b);
  }, 120_000);

  it('a worker stopped with SIGTERM hands its job back at once; a DELETE stops it on the other worker', async () => {
    const api = await instance('api');
    const leaving = await instance('worker', { SHUTDOWN_GRACE_S: '1', QUEUE_LOCK_S: '60' });
    const updates = await jobUpdates();
    const job = await submitOk(api.url, REPORT.file, { fields: { pages: '1-12' } });
    await updates.first((u) => u.id === job.id && u.done >= 2);
    // A long lock: the job can only move on this soon if the leaving worker released it.
    const staying = await instance('worker', { QUEUE_LOCK_S: '60' });
    leaving.proc.kill('SIGTERM');
    await until('the leaving worker to exit', () => leaving.proc.exitCode !== null, 15_000);
    await until('the job to resume on the other worker', () => logLines(staying).some((l) => l.msg === 'resuming job'), 15_000);
    await until('a child on the other worker', () => workerPids(staying.proc.pid).length > 0, 15_000);

    expect((await fetch(`${api.url}/api/jobs/${job.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${api.url}/api/jobs/${job.id}`)).status).toBe(404);
    await until('the other worker’s child to stop', () => workerPids(staying.proc.pid).length === 0, 10_000);
    expect(await keys('pdf-ocr:*')).toEqual(expect.not.arrayContaining([`pdf-ocr:job:${job.id}`]));
    await expectNoLeftovers(staying);
    await expectNoLeftovers(leaving);
  }, 120_000);

  it('fails a job whose upload is gone from Redis as worker_crashed, and goes on', async () => {
    const api = await instance('api');
    const job = await submitOk(api.url, SCAN.file);
    expect(await keys(`pdf-ocr:pdf:${job.id}`)).toHaveLength(1);
    await (await redisClient()).del(`pdf-ocr:pdf:${job.id}`);
    const worker = await instance('worker');
    const failed = await waitForJob(api.url, job.id, 30_000);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'worker_crashed', message: expect.stringMatching(/upload could not be read/) });
    const next = await submitOk(api.url, TEXT.file);
    expect((await waitForJob(api.url, next.id)).status).toBe('succeeded');
    await expectNoLeftovers(worker);
  }, 60_000);

  it('with SHARED_DIR, uploads reach the workers through the shared directory, which empties', async () => {
    const shared = mkdtempSync(path.join(os.tmpdir(), 'pdf-ocr-shared-'));
    try {
      const api = await instance('api', { SHARED_DIR: shared });
      const worker = await instance('worker', { SHARED_DIR: shared });
      // A worker instance serves /healthz and /metrics for its orchestrator, and no API.
      expect(await (await fetch(`${worker.url}/healthz`)).json()).toMatchObject({ status: 'ok', queue: { running: 0, queued: 0, limit: 2 } });
      expect(await (await fetch(`${worker.url}/metrics`)).text()).toMatch(/^running_children 0$/m);
      expect((await fetch(`${worker.url}/api/jobs/${crypto.randomUUID()}`)).status).toBe(404);
      const job = await submitOk(api.url, SCAN.file);
      expect(leftoverFiles(shared).length).toBeGreaterThan(0);
      expect((await waitForJob(api.url, job.id)).status).toBe('succeeded');
      expect((await result(api.url, job.id)).pages_total).toBe(4);
      expect(await keys('pdf-ocr:pdf:*')).toEqual([]);
      await until('the shared directory to empty', () => leftoverFiles(shared).length === 0, 10_000);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('scaled on Redis: what outlives an instance', () => {
  it('keeps a webhook retrying after the instance that ended its job is SIGKILLed between attempts', async () => {
    // Backoff ~3 s: time to see the first attempt fail and kill the worker before the second.
    const env = { WEBHOOK_RETRY_BASE_MS: '3000' };
    const api = await instance('api', env);
    const worker = await instance('worker', env);
    const hooks = await receiver([{ status: 500 }]);
    const job = await submitOk(api.url, TEXT.file, { fields: { callback_url: `${hooks.url}/hook` } });
    await hooks.waitFor(1);
    await until('the first attempt recorded and the next one scheduled', async () => {
      const state = (await getJob(api.url, job.id)).webhook;
      return state?.attempts === 1 && (await (await redisClient()).zcard('pdf-ocr:webhooks:delayed')) === 1;
    });
    worker.proc.kill('SIGKILL');
    const [first, second] = await hooks.waitFor(2, 30_000);
    await until('delivered', async () => (await getJob(api.url, job.id)).webhook?.state === 'delivered');
    await until('the delivery to leave the webhook queue', async () => (await pendingDeliveries()).length === 0);
    expect(hooks.received).toHaveLength(2);
    // The same event, sent twice under one id: a receiver can tell the retry.
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expect((await getJob(api.url, job.id)).webhook).toMatchObject({ attempts: 2, last_status: 200 });
    rmSync(worker.tmpDir, { recursive: true, force: true });
  }, 60_000);

  it('sweeps a SHARED_DIR upload whose job record expired without ending, and keeps a waiting one', async () => {
    const shared = mkdtempSync(path.join(os.tmpdir(), 'pdf-ocr-shared-'));
    try {
      const api = await instance('api', { SHARED_DIR: shared, PURGE_INTERVAL_S: '1' });
      // No worker: the job waits, its upload in the shared directory.
      const waiting = await submitOk(api.url, SCAN.file);
      const orphan = path.join(shared, `pdf-ocr-${crypto.randomUUID()}-abc123`);
      mkdirSync(orphan);
      writeFileSync(path.join(orphan, 'upload.pdf'), '%PDF-1.7\n');
      // Both look old: only the record tells them apart.
      const old = new Date(Date.now() - 3 * 3600_000);
      for (const dir of readdirSync(shared)) utimesSync(path.join(shared, dir), old, old);
      await until('the orphan swept', () => !existsSync(orphan), 15_000);
      expect(readdirSync(shared)).toEqual([expect.stringContaining(waiting.id)]);
      expect(logLines(api).some((l) => l.msg === 'swept orphaned uploads' && l.removed === 1)).toBe(true);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * Keyspace events of the keys matching `pattern`, in the order Redis made them: what was
 * written, however briefly it lived.
 */
async function keyEvents(pattern: string) {
  const client = await redisClient();
  await client.config('SET', 'notify-keyspace-events', 'K$g');
  const subscriber = new Redis(url);
  const mark = `pdf-ocr-test:mark:${randomUUID()}`;
  const events: { key: string; event: string }[] = [];
  let marked = () => {};
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
    if (channel === mark) marked();
    else events.push({ key: channel.replace(/^__keyspace@\d+__:/, ''), event: message });
  });
  await subscriber.psubscribe(`__keyspace@${database}__:${pattern}`, mark);
  return {
    events,
    /** Resolves once every event made so far has arrived: Redis sends a subscriber's messages in order. */
    async settled(): Promise<void> {
      const arrived = new Promise<void>((resolve) => (marked = resolve));
      await client.publish(mark, '');
      await arrived;
    },
    async close(): Promise<void> {
      subscriber.disconnect();
      await client.config('SET', 'notify-keyspace-events', '');
    },
  };
}

describe('scaled on Redis: admission', () => {
  it('never opens more event streams than MAX_EVENT_STREAMS on an API instance, whatever the burst', async () => {
    const api = await instance('api', { MAX_EVENT_STREAMS: '3' });
    const job = await submitOk(api.url, TEXT.file);
    const clients = Array.from({ length: 20 }, () => new AbortController());
    const statuses = await Promise.all(clients.map(async (c) => (await fetch(`${api.url}/api/jobs/${job.id}/events`, { signal: c.signal })).status));
    for (const c of clients) c.abort();
    expect(statuses.filter((st) => st === 200)).toHaveLength(3);
    expect(statuses.filter((st) => st === 429)).toHaveLength(17);
  });

  it('answers a retry of a kept job before its PDF is copied into Redis', async () => {
    const api = await instance('api');
    const watch = await keyEvents('pdf-ocr:pdf:*');
    try {
      const headers = { 'idempotency-key': 'scaled-x1' };
      const first = await submitOk(api.url, TEXT.file, { headers });
      const again = await submit(api.url, TEXT.file, { headers });
      expect(again.status).toBe(200);
      expect(((await again.json()) as JobJson).id).toBe(first.id);
      await watch.settled();
      expect(new Set(watch.events.map((e) => e.key))).toEqual(new Set([`pdf-ocr:pdf:${first.id}`]));
    } finally {
      await watch.close();
    }
  });

  it('gives an upload copied into Redis its TTL with its first piece, before the rest is appended', async () => {
    const api = await instance('api');
    const watch = await keyEvents('pdf-ocr:pdf:*');
    try {
      // Three 1 MB pieces; no worker, so it stays where it was copied.
      const padded = Buffer.concat([readFileSync(TEXT.file), Buffer.alloc(2 * 1024 * 1024, 0x20)]);
      const job = await submitOk(api.url, padded);
      await watch.settled();
      const events = watch.events.filter((e) => e.key === `pdf-ocr:pdf:${job.id}`).map((e) => e.event);
      expect(events.slice(0, 2)).toEqual(['set', 'expire']);
      expect(events.filter((e) => e === 'append')).toHaveLength(2);
      expect(await (await redisClient()).pttl(`pdf-ocr:pdf:${job.id}`)).toBeGreaterThan(0);
    } finally {
      await watch.close();
    }
  });

  it('stops copying an abandoned upload into Redis and removes what it wrote', async () => {
    const client = await redisClient();
    // A pipe for the upload file: its copy waits for each piece, so the abandon lands mid-copy.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pdf-ocr-transfer-'));
    const fifo = path.join(dir, 'upload.pdf');
    execFileSync('mkfifo', [fifo]);
    const watch = await keyEvents('pdf-ocr:pdf:*');
    try {
      const abandon = new AbortController();
      const id = randomUUID();
      const publishing = redisTransfer(client, 60_000).publish(id, fifo, abandon.signal);
      publishing.catch(() => {});
      const writer = createWriteStream(fifo);
      writer.on('error', () => {}); // EPIPE once the copy has stopped reading
      writer.write(readFileSync(TEXT.file));
      await until('the first piece in Redis', () => watch.events.length > 0, 10_000);
      abandon.abort();
      writer.end(Buffer.alloc(4 * 1024 * 1024, 0x20));
      await expect(publishing).rejects.toThrow();
      await watch.settled();
      expect(watch.events.at(-1)).toEqual({ key: `pdf-ocr:pdf:${id}`, event: 'del' });
      expect(await client.exists(`pdf-ocr:pdf:${id}`)).toBe(0);
    } finally {
      await watch.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scaled on Redis: an outage', () => {
  it('answers 503 queue_unavailable at once while Redis is down, and recovers by itself', async () => {
    const api = await instance('api');
    await instance('worker');
    const before = await submitOk(api.url, TEXT.file);
    expect((await waitForJob(api.url, before.id)).status).toBe('succeeded');

    await redis.stop();
    const started = Date.now();
    const refused = await submit(api.url, TEXT.file);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('queue_unavailable');
    const lookup = await fetch(`${api.url}/api/jobs/${before.id}`);
    expect(lookup.status).toBe(503);
    expect(((await lookup.json()) as { error: { code: string } }).error.code).toBe('queue_unavailable');
    expect((await fetch(`${api.url}/healthz`)).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);

    await redis.start();
    await until('the API to answer again', async () => (await fetch(`${api.url}/healthz`)).status === 200, 30_000);
    const after = await submitOk(api.url, SCAN.file);
    expect((await waitForJob(api.url, after.id, 60_000)).status).toBe('succeeded');
    expect((await result(api.url, after.id)).pages_total).toBe(4);
    await expectNoLeftovers(api);

    // Stopped while Redis is away, both instances still exit cleanly and promptly.
    await redis.stop();
    const stopping = Date.now();
    const exits = instances.map((s) => new Promise<number | null>((resolve) => s.proc.once('exit', (code) => resolve(code))));
    for (const s of instances) s.proc.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
    expect(Date.now() - stopping).toBeLessThan(15_000);
    await redis.start();
  }, 120_000);
});

/** The event names of an SSE stream, up to its end. */
async function readEvents(res: Response): Promise<string[]> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
  return [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]!);
}
