import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WaitingError, Worker, type Job as QueuedJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Engine } from '../engine.js';
import { isFinal, type Job } from '../jobs/job.js';
import { shortId, type Logger } from '../log.js';
import type { Channels } from './channels.js';
import { PREFIX, settlesWithin } from './connections.js';
import type { FinishJob } from './finish.js';
import type { PdfTransfer } from './pdf-transfer.js';
import type { JobRecords } from './records.js';

export const QUEUE_NAME = 'jobs';
/** Stalls (its worker went silent) a job survives before it fails as worker_crashed. */
const MAX_STALLS = 2;
/** At shutdown, how long stopped jobs may take to go back to the queue. */
const HAND_BACK_WAIT_MS = 5000;

export interface RedisWorkerOptions {
  /** A patient connection (BullMQ duplicates it for its blocking reads). */
  connection: Redis;
  records: JobRecords;
  pdfs: PdfTransfer;
  channels: Channels;
  finish: FinishJob;
  engine: Engine;
  slots: number;
  lockMs: number;
  tmpDir?: string;
  log: Logger;
}

/** A job this instance runs now, as the local scheduler sees it. */
interface LocalRun {
  /** Where the original PDF is (Redis key or shared path). */
  location: string;
  /** Pages already in Redis. */
  written: Set<number>;
  /** Writes to Redis, one after another. */
  writes: Promise<void>;
  /** Set at shutdown: the job goes back to the queue instead of ending. */
  releasing: boolean;
  end(how: 'ended' | 'released'): void;
}

/**
 * A worker instance: takes jobs from the BullMQ queue, at most PDF_WORKER_THREADS at once,
 * and runs each through the same local scheduler and supervisor as the embedded service.
 * Every change of a local job is mirrored to its Redis record, so the page results there are
 * the checkpoints another worker resumes from when this one dies.
 */
export function startRedisWorker(options: RedisWorkerOptions): { close(graceMs: number): Promise<void> } {
  const { records, pdfs, finish, engine, log } = options;
  const runs = new Map<string, LocalRun>();

  engine.store.on('update', (job) => {
    const run = runs.get(job.id);
    if (!run) return;
    run.writes = run.writes.then(() => mirror(job, run)).catch((err: Error) => log.warn({ job: shortId(job.id), err: err.message }, 'could not write job state to Redis'));
  });

  async function mirror(job: Job, run: LocalRun): Promise<void> {
    const fresh = [...job.pages.values()].filter((p) => !run.written.has(p.page));
    if (isFinal(job.status)) {
      try {
        if (!run.releasing) await finish(job, run.location, fresh);
      } finally {
        engine.store.delete(job.id);
        run.end(run.releasing ? 'released' : 'ended');
      }
      return;
    }
    // False: the job was deleted meanwhile, so it is stopped here too.
    if (!(await records.save(job, fresh))) void engine.scheduler.cancel(job.id);
    for (const p of fresh) run.written.add(p.page);
  }

  async function processJob(queued: QueuedJob<{ id: string }>, token?: string): Promise<void> {
    const job = await records.get(queued.data.id);
    // Deleted, expired, or taken again after it had ended: nothing to do.
    if (!job || isFinal(job.status)) return;
    const location = job.file.path;
    try {
      job.file.path = await privateCopy(location);
    } catch (err) {
      await crashed(job, location, `the upload could not be read: ${(err as Error).message}`);
      return;
    }
    if (job.pages.size > 0) log.info({ job: shortId(job.id), pagesDone: job.pages.size }, 'resuming job');
    let end: LocalRun['end'] = () => {};
    const ended = new Promise<'ended' | 'released'>((resolve) => (end = resolve));
    runs.set(job.id, { location, written: new Set(job.pages.keys()), writes: Promise.resolve(), releasing: false, end });
    job.status = 'queued';
    try {
      engine.scheduler.submit(job);
      if ((await ended) === 'released') {
        await queued.moveToWait(token);
        throw new WaitingError();
      }
    } finally {
      runs.delete(job.id);
    }
  }

  /** The job's PDF in a fresh temp dir of this machine, which the local scheduler removes when the job ends. */
  async function privateCopy(location: string): Promise<string> {
    const dir = await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'pdf-ocr-'));
    const file = path.join(dir, 'upload.pdf');
    try {
      await pdfs.fetch(location, file);
      return file;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  function crashed(job: Job, location: string, message: string): Promise<boolean> {
    return finish({ ...job, status: 'failed', finishedAt: new Date(), error: { code: 'worker_crashed', message } }, location);
  }

  /** A job BullMQ gave up on (it stalled too often, or its processing threw) still ends, as worker_crashed. */
  async function lost(id: string, why: string): Promise<void> {
    const job = await records.get(id);
    if (job && !isFinal(job.status)) await crashed(job, job.file.path, `the job was lost: ${why}`);
  }

  const worker = new Worker<{ id: string }>(QUEUE_NAME, processJob, {
    connection: options.connection,
    prefix: PREFIX,
    concurrency: options.slots,
    lockDuration: options.lockMs,
    stalledInterval: options.lockMs,
    maxStalledCount: MAX_STALLS,
  });
  worker.on('failed', (queued, err) => {
    if (queued) void lost(queued.data.id, err.message).catch(() => {});
  });
  // Connection errors while Redis is away; the worker reconnects by itself.
  worker.on('error', () => {});
  options.channels.onCancel((id) => {
    if (runs.has(id)) void engine.scheduler.cancel(id);
  });

  return {
    /**
     * Takes no new job; running ones get `graceMs` to finish, then their children are stopped
     * and the jobs go back to the queue, where another worker resumes them at their checkpoint.
     */
    async close(graceMs) {
      const closing = worker.close();
      // Running jobs get the grace period; an idle worker waits only for BullMQ to let go of Redis.
      if (await settlesWithin(closing, runs.size > 0 ? graceMs : HAND_BACK_WAIT_MS)) return;
      if (runs.size === 0) return;
      for (const run of runs.values()) run.releasing = true;
      await engine.scheduler.cancelAll();
      // Handing jobs back needs Redis; while it is away their locks expire instead, and the
      // stalled-job check of another worker re-queues them.
      await settlesWithin(closing, HAND_BACK_WAIT_MS);
    },
  };
}
