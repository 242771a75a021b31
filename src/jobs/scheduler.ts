import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ApiError } from '../errors.js';
import type { OcrModel } from '../config.js';
import { shortId } from '../log.js';
import type { Job } from './job.js';
import type { JobStore } from './store.js';
import type { Run, RunOutcome, Supervisor, Task } from './supervisor.js';

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

type Failure = Extract<RunOutcome, { ok: false }>;

/** A job being worked on: one child, or two when its pages were split between free slots. */
interface ActiveJob {
  job: Job;
  /** Each run with the pages it owns (null: all selected pages). */
  runs: Map<Run, number[] | null>;
  restarts: number;
  /** How often each page was being worked on when its child died. */
  crashes: Map<number, number>;
  /** The first failure of any of its runs; the job ends with it. */
  failure?: Failure;
  ended: Promise<void>;
  end(): void;
}

/** A first guess at a job's duration, until real jobs have been timed. */
const INITIAL_JOB_SECONDS = 20;
/** Below this many pages left a second child costs more (start-up, OCR engine) than it saves. */
const MIN_PAGES_TO_SPLIT = 4;
/** Fresh children a job gets after crashes before it fails. */
const MAX_RESTARTS = 2;
/** Ways a child dies that another child may get past, resuming at the next page. */
const RESUMABLE = new Set(['worker_crashed', 'memory_limit']);

/**
 * The FIFO queue in front of the supervisor: at most `slots` children at once, at most
 * `queueLimit` jobs waiting. When a slot would stay idle, a running document's remaining
 * pages are split with a second child. It turns run outcomes into job state in the store.
 */
export class Scheduler {
  private readonly queue: Job[] = [];
  private readonly active = new Map<string, ActiveJob>();
  private averageJobSeconds = INITIAL_JOB_SECONDS;

  constructor(
    private readonly store: JobStore,
    private readonly supervisor: Supervisor,
    private readonly options: SchedulerOptions,
  ) {}

  stats(): QueueStats {
    return { running: this.active.size, queued: this.queue.length, limit: this.options.slots };
  }

  /** Throws `429 queue_full` when no job can be accepted now. */
  assertCapacity(): void {
    if (this.active.size < this.options.slots || this.queue.length < this.options.queueLimit) return;
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
    const active = this.active.get(id);
    if (!active) return false;
    for (const run of active.runs.keys()) run.cancel();
    await active.ended;
    return true;
  }

  /** Cancels everything queued and running (shutdown). */
  async cancelAll(): Promise<void> {
    const ids = [...this.queue.map((j) => j.id), ...this.active.keys()];
    await Promise.all(ids.map((id) => this.cancel(id)));
  }

  /** Resolves when nothing is running or queued, or after `ms`. */
  async idle(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.active.size > 0 || this.queue.length > 0) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
    return true;
  }

  private children(): number {
    let n = 0;
    for (const a of this.active.values()) n += a.runs.size;
    return n;
  }

  private pump(): void {
    while (this.children() < this.options.slots && this.queue.length > 0) this.start(this.queue.shift()!);
  }

  private start(job: Job): void {
    job.status = 'running';
    // A job resumed by another worker instance keeps the time it first started.
    job.startedAt ??= new Date();
    this.store.touch(job);
    let end = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    const active: ActiveJob = { job, runs: new Map(), restarts: 0, crashes: new Map(), ended, end };
    this.active.set(job.id, active);
    this.launch(active, null);
  }

  private launch(active: ActiveJob, only: number[] | null): Run {
    const { job } = active;
    const run: Run = this.supervisor.run(
      this.task(active, only),
      {
        onDocument: (documentPages, selected) => {
          if (job.selected !== null) return;
          job.documentPages = documentPages;
          job.selected = selected;
          this.store.touch(job);
        },
        onPage: (result) => {
          job.pages.set(result.page, result);
          this.store.touch(job);
          // Text-layer pages take milliseconds; only pages that need OCR are worth a second child.
          if (result.source === 'ocr') this.maybeSplit(active, run);
        },
      },
      shortId(job.id),
    );
    active.runs.set(run, only);
    void run.outcome.then((outcome) => this.runEnded(active, run, outcome));
    return run;
  }

  /** Gives the second half of a document's remaining pages to a second child when a slot would idle. */
  private maybeSplit(active: ActiveJob, first: Run): void {
    if (active.runs.size > 1 || active.runs.get(first) !== null) return;
    const left = (active.job.selected ?? []).filter((p) => !active.job.pages.has(p));
    if (left.length < MIN_PAGES_TO_SPLIT || this.queue.length > 0 || this.children() >= this.options.slots) return;
    const half = Math.ceil(left.length / 2);
    first.narrow(left.slice(0, half));
    active.runs.set(first, left.slice(0, half));
    this.launch(active, left.slice(half));
  }

  private runEnded(active: ActiveJob, run: Run, outcome: RunOutcome): void {
    const owned = active.runs.get(run) ?? null;
    active.runs.delete(run);
    const result = outcome.ok || active.failure ? outcome : this.recover(active, owned, outcome);
    if (result === 'relaunched') return;
    if (!result.ok && !active.failure) {
      active.failure = result;
      for (const sibling of active.runs.keys()) sibling.cancel();
    }
    if (active.runs.size > 0) {
      this.pump();
      return;
    }
    // The job stays active until it is final in the store, so idle() cannot report a drained
    // scheduler while its webhook is still about to be queued (seen as a flaky shutdown test).
    void this.finish(active.job, active.failure ?? result).then(() => {
      this.active.delete(active.job.id);
      active.end();
    });
  }

  /**
   * Page checkpoints: a child that died mid-document is replaced by a fresh one that starts at
   * the page it was on. A page that killed a child twice is retried once at half resolution;
   * if it kills that child too it is recorded as a page error and the job goes on without it.
   */
  private recover(active: ActiveJob, owned: number[] | null, outcome: Failure): 'relaunched' | RunOutcome {
    const { job } = active;
    if (!RESUMABLE.has(outcome.code)) return outcome;
    const mine = owned ?? job.selected;
    const page = mine?.find((p) => !job.pages.has(p));
    const finished: RunOutcome = { ok: true, peakMemoryMb: outcome.peakMemoryMb };
    // It died after its last page: nothing is lost.
    if (mine && page === undefined) return finished;
    if (page !== undefined && this.countCrash(active, page) > 2) {
      job.pages.set(page, { page, text: '', source: 'ocr', error: { code: outcome.code, message: outcome.message } });
      this.store.touch(job);
      if (mine!.every((p) => job.pages.has(p))) return finished;
    } else if (++active.restarts > MAX_RESTARTS) {
      return outcome;
    }
    this.launch(active, owned);
    return 'relaunched';
  }

  private countCrash(active: ActiveJob, page: number): number {
    const crashes = (active.crashes.get(page) ?? 0) + 1;
    active.crashes.set(page, crashes);
    return crashes;
  }

  private task({ job, crashes }: ActiveJob, only: number[] | null): Task {
    const { maxPages, ocrDpi, maxPagePixels, model } = this.options;
    return {
      file: job.file.path,
      password: job.options.password,
      ocr: job.options.ocr,
      lang: job.options.lang,
      pages: job.options.pages,
      skip: [...job.pages.keys()],
      reduced: [...crashes].filter(([, n]) => n === 2).map(([page]) => page),
      only,
      maxPages,
      ocrDpi,
      maxPagePixels,
      model: { dir: model.dir, gzip: model.gzip },
    };
  }

  private async finish(job: Job, outcome: RunOutcome): Promise<void> {
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
