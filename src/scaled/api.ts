import type { Queue } from 'bullmq';
import { ApiError } from '../errors.js';
import { isFinal, type Job } from '../jobs/job.js';
import type { QueueStats } from '../jobs/scheduler.js';
import type { JobQueue, JobReader } from '../routes/deps.js';
import type { Channels } from './channels.js';
import { available } from './connections.js';
import type { FinishJob } from './finish.js';
import type { PdfTransfer } from './pdf-transfer.js';
import type { JobRecords } from './records.js';

export interface RedisApiOptions {
  queue: Queue;
  records: JobRecords;
  pdfs: PdfTransfer;
  channels: Channels;
  finish: FinishJob;
  queueLimit: number;
  /** PDF_WORKER_THREADS, assumed the same on every worker instance. */
  slotsPerWorker: number;
}

/** A first guess at a job's duration, for Retry-After (the API does not time jobs). */
const TYPICAL_JOB_SECONDS = 20;
/** Copying an upload into Redis moves up to MAX_UPLOAD_MB; only a stalled copy should hit this. */
const PUBLISH_TIMEOUT_MS = 30_000;
/** How long a DELETE waits for the worker running the job to stop it. */
const CANCEL_WAIT_MS = 10_000;
const WAITING_STATES = new Set(['waiting', 'prioritized', 'delayed']);

/** The routes' store and queue on Redis: job records plus a BullMQ queue shared by every instance. */
export function redisApi(options: RedisApiOptions): { store: JobReader; queue: JobQueue } {
  const { queue, records, pdfs, channels, finish } = options;

  /** As the embedded scheduler: room while a child slot is free or fewer than QUEUE_LIMIT jobs wait. */
  async function assertCapacity(): Promise<void> {
    const waiting = await available(queue.getWaitingCount());
    if (waiting < options.queueLimit) return;
    const [active, slots] = await available(Promise.all([queue.getActiveCount(), totalSlots()]));
    if (active < slots && waiting === 0) return;
    const waitSeconds = Math.ceil((TYPICAL_JOB_SECONDS * (waiting + 1)) / Math.max(1, slots));
    throw new ApiError(429, 'queue_full', 'the queue is full; try again later', undefined, { 'Retry-After': String(waitSeconds) });
  }

  async function submit(job: Job): Promise<void> {
    await assertCapacity();
    job.file.path = await available(pdfs.publish(job.id, job.file.path), PUBLISH_TIMEOUT_MS);
    await available(records.create(job));
    await available(queue.add('pdf', { id: job.id }, { jobId: job.id, removeOnComplete: true, removeOnFail: true }));
  }

  /** A job no worker has taken is removed from the queue here; a running one is stopped by its worker. */
  async function cancel(id: string): Promise<boolean> {
    const job = await available(records.get(id));
    if (!job || isFinal(job.status)) return false;
    if (await available(removeWaiting(id))) {
      job.status = 'cancelled';
      job.finishedAt = new Date();
      await available(finish(job, job.file.path));
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
    let check = () => {};
    const done = new Promise<void>((resolve) => {
      check = () => void records.get(id).then((job) => (!job || isFinal(job.status)) && resolve(), () => {});
    });
    const unsubscribe = channels.watch(id, check);
    const timer = setTimeout(check, 0);
    const giveUp = new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    try {
      await Promise.race([done, giveUp]);
    } finally {
      unsubscribe();
      clearTimeout(timer);
    }
  }

  /** Child slots across the worker instances connected now. */
  async function totalSlots(): Promise<number> {
    return (await queue.getWorkersCount()) * options.slotsPerWorker;
  }

  async function stats(): Promise<QueueStats> {
    const [counts, limit] = await available(Promise.all([queue.getJobCounts('active', 'waiting'), totalSlots()]));
    return { running: counts.active ?? 0, queued: counts.waiting ?? 0, limit };
  }

  return {
    store: {
      get: (id) => available(records.get(id)),
      delete: (id) => available(records.delete(id)),
    },
    queue: { assertCapacity, submit, cancel, stats },
  };
}
