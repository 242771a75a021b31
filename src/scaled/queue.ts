import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueFull } from '../jobs/errors.js';
import { queueWaitS } from '../jobs/retry-after.js';
import { isFinal } from '../jobs/job.js';
import type { Admission, JobQueue, QueueStats } from '../jobs/queue.js';
import { ADMISSIONS_KEY } from '../redis/keys.js';
import type { RedisJobRepository } from '../redis/repository.js';
import { luaScript } from '../redis/scripts.js';
import type { Channels } from './channels.js';
import { available } from './connections.js';
import type { PdfTransfer } from './pdf-transfer.js';

export interface RedisQueueOptions {
  redis: Redis;
  queue: Queue;
  repository: RedisJobRepository;
  pdfs: PdfTransfer;
  channels: Channels;
  queueLimit: number;
  /** PDF_WORKER_THREADS, assumed the same on every worker instance. */
  slotsPerWorker: number;
  /** How long an admitted upload may take before its room is given back (UPLOAD_TIMEOUT_S and the copy to Redis). */
  admissionMs: number;
}

/** Copying an upload into Redis moves up to MAX_UPLOAD_MB; only a stalled copy should hit this. */
const PUBLISH_TIMEOUT_MS = 30_000;
/** How long a DELETE waits for the worker running the job to stop it. */
const CANCEL_WAIT_MS = 10_000;
const WAITING_STATES = new Set(['waiting', 'prioritized', 'delayed']);
/** Takes a place for an upload across API instances, or says how many are taken (redis/lua/admit-job.lua). */
const ADMIT = luaScript({}, 'admit-job');

type AdmitScript = Redis & { admitJob(...args: (string | number)[]): Promise<number> };

/** The routes' queue on Redis: admissions and job records in Redis, a BullMQ queue shared by every instance. */
export function redisQueue(options: RedisQueueOptions): JobQueue {
  const { queue, repository, pdfs, channels } = options;
  options.redis.defineCommand('admitJob', { numberOfKeys: 5, lua: ADMIT });
  const redis = options.redis as AdmitScript;
  const keys = [ADMISSIONS_KEY, ...['wait', 'active', 'prioritized', 'paused'].map((k) => queue.toKey(k))];

  /** Room while slots plus QUEUE_LIMIT exceed what runs, waits and is being uploaded, across instances. */
  async function admit(): Promise<Admission> {
    const slots = await totalSlots();
    const member = randomUUID();
    const now = Date.now();
    const taken = await available(redis.admitJob(...keys, now, now + options.admissionMs, member, slots + options.queueLimit));
    if (taken >= 0) throw new QueueFull(queueWaitS(taken - slots + 1, slots));
    let held = true;
    return {
      release() {
        if (held) void redis.zrem(ADMISSIONS_KEY, member).catch(() => {});
        held = false;
      },
    };
  }

  async function submit(...[job]: Parameters<JobQueue['submit']>) {
    if (job.upload.kind !== 'local') throw new Error('an API instance publishes the upload it received');
    // A submit racing the first one with its key is answered before its PDF is copied for nothing.
    const earlier = job.idempotency && (await repository.findByIdempotencyKey(job.idempotency.key));
    if (earlier) return { created: false, existing: earlier.job, sameBody: earlier.fingerprint === job.idempotency!.fingerprint };
    // Given up at the timeout, the copy stops too and takes back what it wrote.
    const upload = await available(pdfs.publish(job.id, job.upload.path, AbortSignal.timeout(PUBLISH_TIMEOUT_MS)), PUBLISH_TIMEOUT_MS);
    const created = await repository.create({ ...job, upload });
    if (!created.created) {
      await pdfs.remove(upload).catch(() => {});
      return created;
    }
    try {
      await available(queue.add('pdf', { id: job.id }, { jobId: job.id, removeOnComplete: true, removeOnFail: true }));
    } catch (err) {
      // Not queued: nothing would ever run it, so it does not stay.
      await Promise.all([repository.delete(job.id), pdfs.remove(upload)]).catch(() => {});
      throw err;
    }
    return created;
  }

  /** A job no worker has taken is ended here; a running one is stopped by its worker. */
  async function cancel(id: string): Promise<boolean> {
    const job = await repository.get(id);
    if (!job || isFinal(job.status)) return false;
    if (await available(removeWaiting(id))) {
      await repository.finish(id, { ok: false, code: 'cancelled', message: 'the job was cancelled' });
      return true;
    }
    await available(channels.requestCancel(id));
    await ended(id, CANCEL_WAIT_MS);
    return true;
  }

  async function removeWaiting(id: string): Promise<boolean> {
    const queued = await queue.getJob(id);
    if (!queued || !WAITING_STATES.has(await queued.getState())) return false;
    // A worker may take it between the two calls; then it is locked and remove() refuses.
    return queued.remove().then(
      () => true,
      () => false,
    );
  }

  /** Resolves when the job is final or gone, or after `ms`. */
  async function ended(id: string, ms: number): Promise<void> {
    let resolveDone = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const unsubscribe = repository.watch(id, (change) => isFinal(change.status) && resolveDone());
    const check = () => void repository.get(id).then((job) => (!job || isFinal(job.status)) && resolveDone(), () => {});
    check();
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    try {
      await Promise.race([done, giveUp]);
    } finally {
      unsubscribe();
      clearTimeout(timer);
    }
  }

  /** Child slots across the worker instances connected now. */
  async function totalSlots(): Promise<number> {
    return (await available(queue.getWorkersCount())) * options.slotsPerWorker;
  }

  async function stats(): Promise<QueueStats> {
    const [counts, limit] = await available(Promise.all([queue.getJobCounts('active', 'waiting'), totalSlots()]));
    return { running: counts.active ?? 0, queued: counts.waiting ?? 0, limit };
  }

  return { admit, submit, cancel, stats };
}
