import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WaitingError, Worker, type Job as QueuedJob } from 'bullmq';
import type { Redis } from 'ioredis';
import { isFinal, type UploadLocation } from '../jobs/job.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { shortId, type Logger } from '../log.js';
import { withoutPaths } from '../paths.js';
import { JOBS_QUEUE, PREFIX } from '../redis/keys.js';
import type { RedisJobRepository } from '../redis/repository.js';
import type { Channels } from './channels.js';
import { settlesWithin } from './connections.js';
import type { PdfTransfer } from './pdf-transfer.js';

/** Stalls (its worker went silent) a job survives before it fails as worker_crashed. */
const MAX_STALLS = 2;
/** At shutdown, how long stopped jobs may take to go back to the queue. */
const HAND_BACK_WAIT_MS = 5000;

export interface RedisWorkerOptions {
  /** A patient connection (BullMQ duplicates it for its blocking reads). */
  connection: Redis;
  repository: RedisJobRepository;
  pdfs: PdfTransfer;
  channels: Channels;
  scheduler: Scheduler;
  slots: number;
  lockMs: number;
  tmpDir?: string;
  log: Logger;
}

/**
 * A worker instance: takes jobs from the BullMQ queue, at most PDF_WORKER_THREADS at once,
 * and runs each through the same scheduler and supervisor as one instance does. The scheduler
 * writes straight to the Redis repository, so the page results there are the checkpoints
 * another worker resumes from when this one dies.
 */
export function startRedisWorker(options: RedisWorkerOptions): { close(graceMs: number): Promise<void> } {
  const { repository, pdfs, scheduler, log } = options;
  let running = 0;

  async function processJob(queued: QueuedJob<{ id: string }>, token?: string): Promise<void> {
    const { id } = queued.data;
    const job = await repository.get(id);
    // Deleted, expired, or taken again after it had ended: nothing to do.
    if (!job || isFinal(job.status)) return;
    let file: string;
    try {
      file = await privateCopy(job.upload);
    } catch (err) {
      // The job's message reaches clients: the paths of the shared store stay in the log.
      log.warn({ job: shortId(id), err: (err as Error).message }, 'could not copy the upload');
      await crashed(id, `the upload could not be read: ${withoutPaths((err as Error).message)}`);
      return;
    }
    if (job.pagesDone > 0) log.info({ job: shortId(id), pagesDone: job.pagesDone }, 'resuming job');
    running++;
    try {
      if ((await scheduler.submit({ id, file })) === 'released') {
        await queued.moveToWait(token);
        throw new WaitingError();
      }
    } finally {
      running--;
    }
  }

  /** The job's PDF in a fresh temp dir of this machine, which the scheduler removes when the job leaves. */
  async function privateCopy(location: UploadLocation): Promise<string> {
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

  function crashed(id: string, message: string): Promise<unknown> {
    return repository.finish(id, { ok: false, code: 'worker_crashed', message });
  }

  const worker = new Worker<{ id: string }>(JOBS_QUEUE, processJob, {
    connection: options.connection,
    prefix: PREFIX,
    concurrency: options.slots,
    lockDuration: options.lockMs,
    stalledInterval: options.lockMs,
    maxStalledCount: MAX_STALLS,
  });
  // A job BullMQ gave up on (it stalled too often, or its processing threw) still ends, as worker_crashed.
  worker.on('failed', (queued, err) => {
    if (!queued) return;
    log.warn({ job: shortId(queued.data.id), err: err.message }, 'job lost');
    void crashed(queued.data.id, `the job was lost: ${withoutPaths(err.message)}`).catch(() => {});
  });
  // Connection errors while Redis is away; the worker reconnects by itself.
  worker.on('error', () => {});
  options.channels.onCancel((id) => void scheduler.cancel(id));

  return {
    /**
     * Takes no new job; running ones get `graceMs` to finish, then their children are stopped
     * and the jobs go back to the queue, where another worker resumes them at their checkpoint.
     */
    async close(graceMs) {
      const closing = worker.close();
      // Running jobs get the grace period; an idle worker waits only for BullMQ to let go of Redis.
      if (await settlesWithin(closing, running > 0 ? graceMs : HAND_BACK_WAIT_MS)) return;
      if (running === 0) return;
      await scheduler.releaseAll();
      // Handing jobs back needs Redis; while it is away their locks expire instead, and the
      // stalled-job check of another worker re-queues them.
      await settlesWithin(closing, HAND_BACK_WAIT_MS);
    },
  };
}
