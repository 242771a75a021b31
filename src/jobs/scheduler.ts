import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../errors.js';
import type { OcrModel } from '../config.js';
import type { Job } from './job.js';
import type { JobStore } from './store.js';
import type { Run, RunOutcome, Supervisor } from './supervisor.js';

export interface SchedulerOptions {
  slots: number;
  queueLimit: number;
  maxPages: number;
  ocrDpi: number;
  maxPagePixels: number;
  model: OcrModel;
}

export interface QueueStats {
  running: number;
  queued: number;
  limit: number;
}

/** A first guess at a job's duration, until real jobs have been timed. */
const INITIAL_JOB_SECONDS = 20;

/**
 * The FIFO queue in front of the supervisor: at most `slots` runs at once, at most
 * `queueLimit` jobs waiting. It turns run outcomes into job state in the store.
 */
export class Scheduler {
  private readonly queue: Job[] = [];
  private readonly runs = new Map<string, { run: Run; ended: Promise<void> }>();
  private averageJobSeconds = INITIAL_JOB_SECONDS;

  constructor(
    private readonly store: JobStore,
    private readonly supervisor: Supervisor,
    private readonly options: SchedulerOptions,
  ) {}

  stats(): QueueStats {
    return { running: this.runs.size, queued: this.queue.length, limit: this.options.slots };
  }

  /** Throws `429 queue_full` when no job can be accepted now. */
  assertCapacity(): void {
    if (this.runs.size < this.options.slots || this.queue.length < this.options.queueLimit) return;
    const waitSeconds = Math.ceil((this.averageJobSeconds * (this.queue.length + 1)) / this.options.slots);
    throw new ApiError(429, 'queue_full', 'the queue is full; try again later', undefined, {
      'Retry-After': String(Math.max(1, waitSeconds)),
    });
  }

  submit(job: Job): void {
    this.assertCapacity();
    this.store.add(job);
    this.queue.push(job);
    this.pump();
  }

  /** Cancels a queued or running job; resolves once it has ended. False if not active. */
  async cancel(id: string): Promise<boolean> {
    const queued = this.queue.findIndex((j) => j.id === id);
    if (queued >= 0) {
      const [job] = this.queue.splice(queued, 1);
      await this.finish(job!, { ok: false, code: 'cancelled', message: 'the job was cancelled', peakMemoryMb: 0 });
      return true;
    }
    const active = this.runs.get(id);
    if (!active) return false;
    active.run.cancel();
    await active.ended;
    return true;
  }

  /** Cancels everything queued and running (shutdown). */
  async cancelAll(): Promise<void> {
    const ids = [...this.queue.map((j) => j.id), ...this.runs.keys()];
    await Promise.all(ids.map((id) => this.cancel(id)));
  }

  /** Resolves when nothing is running, or after `ms`. */
  async idle(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.runs.size > 0 || this.queue.length > 0) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
    return true;
  }

  private pump(): void {
    while (this.runs.size < this.options.slots && this.queue.length > 0) this.start(this.queue.shift()!);
  }

  private start(job: Job): void {
    job.status = 'running';
    job.startedAt = new Date();
    this.store.touch(job);
    const run = this.supervisor.run(this.task(job), {
      onDocument: (documentPages, selected) => {
        job.documentPages = documentPages;
        job.pagesTotal = selected.length;
        this.store.touch(job);
      },
      onPage: (result) => {
        job.pages.set(result.page, result);
        this.store.touch(job);
      },
    });
    const ended = run.outcome.then((outcome) => this.finish(job, outcome));
    this.runs.set(job.id, { run, ended });
  }

  private task(job: Job) {
    const { maxPages, ocrDpi, maxPagePixels, model } = this.options;
    return {
      file: job.file.path,
      password: job.options.password,
      ocr: job.options.ocr,
      lang: job.options.lang,
      pages: job.options.pages,
      skip: [...job.pages.keys()],
      maxPages,
      ocrDpi,
      maxPagePixels,
      model: { dir: model.dir, gzip: model.gzip },
    };
  }

  private async finish(job: Job, outcome: RunOutcome): Promise<void> {
    this.runs.delete(job.id);
    await rm(path.dirname(job.file.path), { recursive: true, force: true });
    job.finishedAt = new Date();
    if (outcome.ok) {
      job.status = 'succeeded';
    } else if (outcome.code === 'cancelled') {
      job.status = 'cancelled';
    } else {
      job.status = 'failed';
      job.error = { code: outcome.code, message: outcome.message };
    }
    if (job.startedAt) this.recordDuration((job.finishedAt.getTime() - job.startedAt.getTime()) / 1000);
    this.store.touch(job);
    this.pump();
  }

  private recordDuration(seconds: number): void {
    this.averageJobSeconds = 0.8 * this.averageJobSeconds + 0.2 * seconds;
  }
}
