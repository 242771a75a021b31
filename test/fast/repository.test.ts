/**
 * The job repository's contract, the same table of checks against both implementations: in
 * memory, and in a real redis-server on a loopback port.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../../harness/redis.js';
import { until } from '../helpers.js';
import type { JobChange, NewJob } from '../../src/jobs/job.js';
import { MemoryJobRepository } from '../../src/jobs/memory-repository.js';
import type { JobRepository } from '../../src/jobs/repository.js';
import { UPDATES_CHANNEL } from '../../src/redis/keys.js';
import { RedisJobRepository } from '../../src/redis/repository.js';
import { Channels } from '../../src/scaled/channels.js';
import type { PageResult } from '../../src/protocol.js';

const newJob = (extra: Partial<NewJob> = {}): NewJob => ({
  id: randomUUID(),
  createdAt: new Date(),
  file: { name: 'report.pdf', bytes: 1234 },
  upload: { kind: 'local', path: '/tmp/nowhere/upload.pdf' },
  options: { ocr: 'auto', pages: null, lang: 'eng' },
  origin: 'http://localhost',
  ...extra,
});
const page = (n: number, text = `page ${n}`): PageResult => ({ page: n, text, source: 'text', error: null });

/** Every page job `id` kept, in page order, read one at a time as a result is. */
async function keptPages(repository: JobRepository, id: string): Promise<PageResult[]> {
  return Promise.all((await repository.pageNumbers(id)).map(async (n) => JSON.parse((await repository.pageJson(id, n))!) as PageResult));
}

/** Resolves with the changes `repository.watch` delivers, once `count` have come. */
function changes(repository: JobRepository, id: string, count: number): Promise<JobChange[]> {
  return new Promise((resolve) => {
    const got: JobChange[] = [];
    const unsubscribe = repository.watch(id, (change) => {
      got.push(change);
      if (got.length === count) {
        unsubscribe();
        resolve(got);
      }
    });
  });
}

interface Subject {
  name: string;
  make(): Promise<JobRepository>;
}

let redis: RunningRedis;
const connections: Redis[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await redis.stop();
});

/** What the scaled service builds on one instance: a command connection and the pub/sub channels on a subscriber. */
async function redisRepository(): Promise<JobRepository> {
  const commands = new Redis(redis.url);
  const subscriber = new Redis(redis.url);
  connections.push(commands, subscriber);
  const channels = new Channels(subscriber, commands);
  // Subscribed before the first write, so no update is missed.
  const deadline = Date.now() + 10_000;
  while (Number(((await commands.pubsub('NUMSUB', UPDATES_CHANNEL)) as [string, number])[1]) < 1) {
    if (Date.now() > deadline) throw new Error('the subscriber did not subscribe');
    await new Promise((r) => setTimeout(r, 10));
  }
  return new RedisJobRepository(commands, { ttlMs: 60_000, call: (p) => p, subscribe: channels.subscribe });
}

const subjects: Subject[] = [
  { name: 'memory', make: async () => new MemoryJobRepository({ ttlMs: 60_000, purgeIntervalMs: 60_000, maxBytes: 1 << 20 }) },
  { name: 'redis', make: redisRepository },
];

for (const subject of subjects) {
  describe(`${subject.name} repository`, () => {
    let repository: JobRepository;
    beforeAll(async () => {
      repository = await subject.make();
    });
    afterAll(() => repository.close());

    it('moves a job queued → running → succeeded, with its pages in order and their bytes counted', async () => {
      const job = newJob({ options: { ocr: 'auto', pages: null, lang: 'eng', callbackUrl: 'https://example.com/hook' } });
      const events: string[] = [];
      repository.events.on('started', (j) => j.id === job.id && events.push('started'));
      repository.events.on('final', (j) => j.id === job.id && events.push('final'));
      expect(await repository.create(job)).toEqual({ created: true });
      const queued = (await repository.get(job.id))!;
      expect(queued).toMatchObject({ status: 'queued', pagesDone: 0, selected: null, startedAt: null, webhook: { state: 'pending', attempts: 0 } });
      expect(queued.upload).toEqual(job.upload);

      const watched = changes(repository, job.id, 5);
      const started = (await repository.start(job.id))!;
      expect(started.job.status).toBe('running');
      expect(started.donePages).toEqual([]);
      await repository.opened(job.id, 10, [2, 3]);
      const bytes3 = await repository.addPage(job.id, page(3));
      const bytes2 = await repository.addPage(job.id, page(2));
      expect(bytes2).toBeGreaterThan(bytes3!);
      // The same page again (a resumed child) changes nothing.
      expect(await repository.addPage(job.id, page(2, 'again'))).toBe(bytes2);
      const ended = (await repository.finish(job.id, { ok: true }))!;
      expect(ended).toMatchObject({ status: 'succeeded', pagesDone: 2, selected: [2, 3], documentPages: 10, resultBytes: bytes2 });
      expect(ended.finishedAt).toBeInstanceOf(Date);
      expect((await keptPages(repository, job.id)).map((p) => [p.page, p.text])).toEqual([
        [2, 'page 2'],
        [3, 'page 3'],
      ]);
      expect((await watched).map((c) => [c.status, c.pagesDone, c.pagesTotal])).toEqual([
        ['running', 0, null],
        ['running', 0, 2],
        ['running', 1, 2],
        ['running', 2, 2],
        ['succeeded', 2, 2],
      ]);
      expect(events).toEqual(['started', 'final']);
    });

    it('ends a job once: the first writer wins, later writes to it are refused', async () => {
      const job = newJob();
      await repository.create(job);
      await repository.start(job.id);
      const finals: string[] = [];
      repository.events.on('final', (j) => j.id === job.id && finals.push(j.status));
      const [a, b] = await Promise.all([
        repository.finish(job.id, { ok: false, code: 'timeout', message: 'too slow' }),
        repository.finish(job.id, { ok: true }),
      ]);
      expect([a?.status, b?.status].filter(Boolean)).toHaveLength(1);
      expect(finals).toHaveLength(1);
      expect(await repository.addPage(job.id, page(1))).toBeUndefined();
      expect(await repository.start(job.id)).toBeUndefined();
      // Webhook progress after the end is still written, without another 'final'.
      await repository.setWebhook(job.id, { url: 'https://example.com/', state: 'delivered', attempts: 1, lastStatus: 200 });
      expect((await repository.get(job.id))!.webhook).toMatchObject({ state: 'delivered', lastStatus: 200 });
      expect(finals).toHaveLength(1);
    });

    it('drops a failed job pages and keeps its error; a cancelled job has no error', async () => {
      const failed = newJob();
      await repository.create(failed);
      await repository.start(failed.id);
      await repository.addPage(failed.id, page(1));
      const ended = (await repository.finish(failed.id, { ok: false, code: 'result_too_large', message: 'too much text' }))!;
      expect(ended).toMatchObject({ status: 'failed', error: { code: 'result_too_large', message: 'too much text' }, resultBytes: 0 });
      expect(await keptPages(repository, failed.id)).toEqual([]);
      const cancelled = newJob();
      await repository.create(cancelled);
      const gone = (await repository.finish(cancelled.id, { ok: false, code: 'cancelled', message: 'the job was cancelled' }))!;
      expect(gone.status).toBe('cancelled');
      expect(gone.error).toBeUndefined();
    });

    it('keeps a password only until a child has opened the PDF', async () => {
      const job = newJob({ password: 'open sesame' });
      await repository.create(job);
      expect((await repository.start(job.id))!.job.password).toBe('open sesame');
      await repository.opened(job.id, 1, [1]);
      expect((await repository.get(job.id))!.password).toBeUndefined();
    });

    it('resumes a running job with the pages done so far (another worker took it over)', async () => {
      const job = newJob();
      await repository.create(job);
      await repository.start(job.id);
      await repository.opened(job.id, 3, [1, 2, 3]);
      await repository.addPage(job.id, page(1));
      const resumed = (await repository.start(job.id))!;
      expect(resumed.job.status).toBe('running');
      expect(resumed.donePages).toEqual([1]);
    });

    it('refuses every write to a deleted job (a DELETE wins over a late write)', async () => {
      const job = newJob();
      await repository.create(job);
      await repository.start(job.id);
      await repository.addPage(job.id, page(1));
      expect(await repository.delete(job.id)).toBe(true);
      // A result being sent page by page finds the page gone.
      expect(await repository.pageJson(job.id, 1)).toBeUndefined();
      expect(await repository.pageNumbers(job.id)).toEqual([]);
      expect(await repository.addPage(job.id, page(1))).toBeUndefined();
      expect(await repository.finish(job.id, { ok: true })).toBeUndefined();
      await repository.setWebhook(job.id, { url: 'https://example.com/', state: 'failed', attempts: 1 });
      expect(await repository.get(job.id)).toBeUndefined();
      expect(await repository.delete(job.id)).toBe(false);
    });

    it('answers an idempotency key with the job it was first used for, telling the same body from another', async () => {
      const key = `key-${randomUUID()}`;
      const first = newJob({ idempotency: { key, fingerprint: 'body-a' } });
      expect(await repository.create(first)).toEqual({ created: true });
      expect(await repository.findByIdempotencyKey(key)).toMatchObject({ job: { id: first.id }, fingerprint: 'body-a' });
      const again = await repository.create(newJob({ idempotency: { key, fingerprint: 'body-a' } }));
      expect(again).toMatchObject({ created: false, sameBody: true, existing: { id: first.id } });
      const other = await repository.create(newJob({ idempotency: { key, fingerprint: 'body-b' } }));
      expect(other).toMatchObject({ created: false, sameBody: false, existing: { id: first.id } });
      // Once the job is gone, the key starts afresh.
      await repository.delete(first.id);
      expect(await repository.findByIdempotencyKey(key)).toBeUndefined();
      const fresh = newJob({ idempotency: { key, fingerprint: 'body-b' } });
      expect(await repository.create(fresh)).toEqual({ created: true });
      expect(await repository.findByIdempotencyKey(key)).toMatchObject({ job: { id: fresh.id }, fingerprint: 'body-b' });
    });
  });
}

/** `count` jobs run to success one after another, each with one page of ~20 kB; their ids, oldest first. */
async function finishedJobs(repository: JobRepository, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const job = newJob();
    ids.push(job.id);
    await repository.create(job);
    await repository.start(job.id);
    await repository.addPage(job.id, page(1, 'x'.repeat(20_000)));
    await repository.finish(job.id, { ok: true });
  }
  return ids;
}

describe('memory repository bounds', () => {
  it('evicts the least recently finished jobs past RESULT_STORE_MB, counting everything they hold', async () => {
    const repository = new MemoryJobRepository({ ttlMs: 60_000, purgeIntervalMs: 60_000, maxBytes: 64 * 1024 });
    const ids = await finishedJobs(repository, 4);
    const kept = await Promise.all(ids.map((id) => repository.get(id)));
    expect(kept.map((j) => j !== undefined)).toEqual([false, true, true, true]);
    repository.close();
  });

  it("counts running jobs' pages in the bound too: finished jobs make room for them, least recent first", async () => {
    const repository = new MemoryJobRepository({ ttlMs: 60_000, purgeIntervalMs: 60_000, maxBytes: 64 * 1024 });
    const finished = await finishedJobs(repository, 2);
    const running = newJob();
    await repository.create(running);
    await repository.start(running.id);
    await repository.addPage(running.id, page(1, 'y'.repeat(20_000)));
    // 2 × ~21 kB finished + ~20 kB running fit in 64 kB; one more running page does not.
    expect((await Promise.all(finished.map((id) => repository.get(id)))).every(Boolean)).toBe(true);
    await repository.addPage(running.id, page(2, 'y'.repeat(20_000)));
    expect((await Promise.all(finished.map((id) => repository.get(id)))).map(Boolean)).toEqual([false, true]);
    repository.close();
  });

  it('never evicts a queued or running job', async () => {
    const repository = new MemoryJobRepository({ ttlMs: 60_000, purgeIntervalMs: 60_000, maxBytes: 8 * 1024 });
    const running = newJob();
    await repository.create(running);
    await repository.start(running.id);
    for (let i = 1; i <= 5; i++) await repository.addPage(running.id, page(i, 'y'.repeat(4000)));
    expect((await repository.get(running.id))!.pagesDone).toBe(5);
    repository.close();
  });
});

/** Each on a keyspace of its own: the Redis one on database 1, which the tests above do not use. */
const heldSubjects: { name: string; make(ttlMs: number): JobRepository }[] = [
  { name: 'memory', make: (ttlMs) => new MemoryJobRepository({ ttlMs, purgeIntervalMs: 60_000, maxBytes: 1 << 20 }) },
  {
    name: 'redis',
    make(ttlMs) {
      const commands = new Redis(`${redis.url}/1`);
      connections.push(commands);
      return new RedisJobRepository(commands, { ttlMs, call: (p) => p, subscribe: () => () => {} });
    },
  },
];

describe('held(): whether any job is kept (what keeps a Render instance awake)', () => {
  for (const subject of heldSubjects) {
    it(`${subject.name}: from a job's creation, through its run and its kept result, until it is deleted`, async () => {
      const repository = subject.make(60_000);
      try {
        expect(await repository.held()).toBe(false);
        const job = newJob();
        await repository.create(job);
        expect(await repository.held(), 'queued').toBe(true);
        await repository.start(job.id);
        expect(await repository.held(), 'running').toBe(true);
        await repository.finish(job.id, { ok: true });
        expect(await repository.held(), 'result kept').toBe(true);
        await repository.delete(job.id);
        expect(await repository.held(), 'deleted').toBe(false);
      } finally {
        repository.close();
      }
    });

    it(`${subject.name}: not once the kept result has expired, before any purge`, async () => {
      const repository = subject.make(200);
      try {
        const job = newJob();
        await repository.create(job);
        await repository.start(job.id);
        await repository.finish(job.id, { ok: true });
        await until('the result to expire', async () => !(await repository.held()), 10_000);
      } finally {
        repository.close();
      }
    });
  }
});
