import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { OcrModel } from '../config.js';
import { shortId } from '../log.js';
import type { FailureCode, OcrEngineChoice, PageErrorCode, PageResult } from '../protocol.js';
import type { Job, JobOutcome } from './job.js';
import type { JobRepository } from './repository.js';
import { queueWaitS, TYPICAL_JOB_SECONDS } from './retry-after.js';
import type { Run, RunOutcome, Supervisor, Task } from './supervisor.js';

export interface SchedulerOptions {
  slots: number;
  maxPages: number;
  ocrDpi: number;
  maxPagePixels: number;
  model: OcrModel;
  engine: OcrEngineChoice;
  /** A backstop on a job's wall time from its first start; stuck children are caught per page. */
  jobTimeoutMs: number;
  /** MAX_RESULT_MB: a job whose pages pass it fails with `result_too_large`. */
  maxResultBytes: number;
  /**
   * Whether a lone document's pages may be split over two children. A second child costs ~1.4
   * CPU s to start (node, pdfjs, the engine and its WebAssembly warming up); with under two CPUs
   * it saves no time, only spends them.
   */
  splitDocuments: boolean;
}

export interface QueueStats {
  running: number;
  queued: number;
  limit: number;
}

/** A job handed to this scheduler: its id and the PDF on this machine a child reads (removed when the job leaves). */
export interface LocalJob {
  id: string;
  file: string;
}

/**
 * How a job left the scheduler: it ended (its final state is written), it was released
 * (stopped without ending, for another worker instance to resume), or it was gone or had
 * already ended when its turn came.
 */
export type Departure = 'ended' | 'released' | 'gone';

type Failure = { code: FailureCode; message: string };

/** A job being worked on: one child, or two when its pages were split between free slots. */
interface ActiveJob {
  local: LocalJob;
  /** The job as it was when it left the queue; set once the repository has started it. */
  job?: Job;
  /** Kept here, not in the repository, once a child has opened the PDF: a restarted child needs it again. */
  password?: string;
  /** The job's page selection, once a child has opened the PDF. */
  selected: number[] | null;
  /** Pages with a result, here or by an earlier worker. */
  done: Set<number>;
  /** Each run with the pages it owns (null: all selected pages). */
  runs: Map<Run, number[] | null>;
  restarts: number;
  /** How often each page was being worked on when its child died or stalled. */
  failures: Map<number, number>;
  /** The first failure of the job; it ends with it. */
  failure?: Failure;
  /** Stopped to be resumed elsewhere: it leaves without a final state. */
  releasing: boolean;
  /** Repository writes, one after another, so the final write comes after every page. */
  writes: Promise<void>;
  /** When this scheduler started it (for the Retry-After estimate). */
  startedAt: number;
  timer?: NodeJS.Timeout;
  leave(how: Departure): void;
  left: Promise<Departure>;
}

/** Below this many pages left a second child costs more (start-up, OCR engine) than it saves. */
const MIN_PAGES_TO_SPLIT = 4;
/** Fresh children a job gets after crashes that no page error explains before it fails. */
const MAX_RESTARTS = 2;
/** Ways a run ends that another child may get past, resuming at the page it was on. */
const RESUMABLE = new Set<FailureCode>(['worker_crashed', 'memory_limit', 'timeout']);
/**
 * Attempts at one page before it becomes a page error: a page that crashes its child gets a
 * third try at half resolution; a page that stalls one gets a second try.
 */
const PAGE_ATTEMPTS: Partial<Record<FailureCode, number>> = { worker_crashed: 3, memory_limit: 3, timeout: 2 };
/** A page that failed this often is rendered at half resolution next time. */
const REDUCE_AFTER = 2;

/**
 * The FIFO queue in front of the supervisor: at most `slots` children at once. When a slot
 * would stay idle, a running document's remaining pages are split with a second child. It
 * turns what children report into repository writes, the only way job state changes.
 */
export class Scheduler {
  private readonly queue: ActiveJob[] = [];
  private readonly active = new Map<string, ActiveJob>();
  private averageJobSeconds = TYPICAL_JOB_SECONDS;
  private drained: (() => void)[] = [];

  constructor(
    private readonly repository: JobRepository,
    private readonly supervisor: Supervisor,
    private readonly options: SchedulerOptions,
  ) {}

  stats(): QueueStats {
    return { running: this.active.size, queued: this.queue.length, limit: this.options.slots };
  }

  /** Seconds until `ahead` more jobs could start, from the jobs timed so far. */
  waitEstimateS(ahead: number): number {
    return queueWaitS(ahead, this.options.slots, this.averageJobSeconds);
  }

  /** Queues a job; resolves when it leaves the scheduler. */
  submit(local: LocalJob): Promise<Departure> {
    const entry = newEntry(local);
    this.queue.push(entry);
    this.pump();
    return entry.left;
  }

  /** Cancels a queued or running job; resolves once it has ended. False if not here. */
  async cancel(id: string): Promise<boolean> {
    const queued = this.queue.findIndex((j) => j.local.id === id);
    if (queued >= 0) {
      const [entry] = this.queue.splice(queued, 1);
      this.active.set(id, entry!);
      await this.end(entry!, { ok: false, code: 'cancelled', message: 'the job was cancelled' });
      return true;
    }
    const active = this.active.get(id);
    if (!active) return false;
    this.stop(active, { code: 'cancelled', message: 'the job was cancelled' });
    await active.left;
    return true;
  }

  /** Cancels everything queued and running (shutdown of one instance). */
  async cancelAll(): Promise<void> {
    const ids = [...this.queue.map((j) => j.local.id), ...this.active.keys()];
    await Promise.all(ids.map((id) => this.cancel(id)));
  }

  /** Stops everything without ending it, for other worker instances to resume (scaled shutdown). */
  async releaseAll(): Promise<void> {
    const all = [...this.queue.splice(0), ...this.active.values()];
    for (const entry of all) {
      entry.releasing = true;
      if (!this.active.has(entry.local.id)) {
        this.active.set(entry.local.id, entry);
        void this.end(entry, { ok: false, code: 'cancelled', message: 'released' });
      } else {
        this.stop(entry, { code: 'cancelled', message: 'released' });
      }
    }
    await Promise.all(all.map((e) => e.left));
  }

  /** Resolves true when nothing is running or queued, or false after `ms`. */
  idle(ms: number): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.drained.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private isIdle(): boolean {
    return this.active.size === 0 && this.queue.length === 0;
  }

  /** Children alive or about to be; a job whose start is being written holds its slot. */
  private children(): number {
    let n = 0;
    for (const a of this.active.values()) n += Math.max(1, a.runs.size);
    return n;
  }

  private pump(): void {
    while (this.children() < this.options.slots && this.queue.length > 0) {
      const entry = this.queue.shift()!;
      this.active.set(entry.local.id, entry);
      void this.start(entry);
    }
    if (this.isIdle()) for (const resolve of this.drained.splice(0)) resolve();
  }

  private async start(active: ActiveJob): Promise<void> {
    const started = await this.repository.start(active.local.id).catch(() => undefined);
    if (!started) {
      await this.leave(active, 'gone');
      return;
    }
    const { job, donePages } = started;
    active.job = job;
    active.startedAt = Date.now();
    active.password = job.password;
    active.selected = job.selected ? [...job.selected] : null;
    for (const page of donePages) active.done.add(page);
    if (active.failure) {
      await this.end(active, { ok: false, ...active.failure });
      return;
    }
    // Counted from the job's first start: a job resumed by another worker keeps its clock.
    const elapsed = Date.now() - (job.startedAt ?? new Date()).getTime();
    active.timer = setTimeout(
      () => this.stop(active, { code: 'timeout', message: `the job took longer than ${this.options.jobTimeoutMs / 1000} s` }),
      Math.max(0, this.options.jobTimeoutMs - elapsed),
    );
    this.launch(active, null);
  }

  private launch(active: ActiveJob, only: number[] | null): void {
    const run: Run = this.supervisor.run(
      this.task(active, only),
      {
        onDocument: (documentPages, selected) => {
          if (active.selected !== null) return;
          active.selected = selected;
          this.write(active, () => this.repository.opened(active.local.id, documentPages, selected));
        },
        onPage: (result) => {
          this.addPage(active, result);
          // Text-layer pages take milliseconds; only pages that need OCR are worth a second child.
          if (result.source === 'ocr') this.maybeSplit(active, run);
        },
      },
      shortId(active.local.id),
    );
    active.runs.set(run, only);
    void run.outcome.then((outcome) => this.runEnded(active, run, outcome));
  }

  private addPage(active: ActiveJob, result: PageResult): void {
    active.done.add(result.page);
    this.write(active, async () => {
      const bytes = await this.repository.addPage(active.local.id, result);
      if (bytes === undefined) {
        // Deleted while it ran (DELETE wins): stop working on it.
        this.stop(active, { code: 'cancelled', message: 'the job was deleted' });
      } else if (bytes > this.options.maxResultBytes) {
        const limitMb = Math.round(this.options.maxResultBytes / 1048576);
        this.stop(active, { code: 'result_too_large', message: `the job's text passed the ${limitMb} MB limit (MAX_RESULT_MB)` });
      }
    });
  }

  /** Queues a repository write behind the job's earlier ones; one that fails (Redis away) does not stop the next. */
  private write(active: ActiveJob, operation: () => Promise<unknown>): void {
    active.writes = active.writes.then(operation).then(
      () => {},
      () => {},
    );
  }

  /** Ends the job with `failure` once its children are gone (the first failure wins). */
  private stop(active: ActiveJob, failure: Failure): void {
    active.failure ??= failure;
    for (const run of active.runs.keys()) run.cancel();
  }

  /** Gives the second half of a document's remaining pages to a second child when a slot would idle. */
  private maybeSplit(active: ActiveJob, first: Run): void {
    if (!this.options.splitDocuments || active.failure || active.runs.size > 1 || active.runs.get(first) !== null) return;
    const left = (active.selected ?? []).filter((p) => !active.done.has(p));
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
    if (!result.ok) this.stop(active, { code: result.code, message: result.message });
    if (active.runs.size > 0) {
      this.pump();
      return;
    }
    void this.end(active, active.failure ? { ok: false, ...active.failure } : { ok: true });
  }

  /**
   * Page checkpoints: a child that died or stalled mid-document is replaced by a fresh one that
   * starts at the page it was on. A page that keeps killing children is retried at half
   * resolution, then recorded as a page error while the job goes on without it.
   */
  private recover(active: ActiveJob, owned: number[] | null, outcome: Extract<RunOutcome, { ok: false }>): 'relaunched' | RunOutcome {
    const attempts = PAGE_ATTEMPTS[outcome.code];
    if (!RESUMABLE.has(outcome.code) || attempts === undefined) return outcome;
    // Stalled or out of memory before any child had opened the document: the opening does it
    // (pdfjs's reader runs for ever over some cross-reference streams), and would again.
    if (active.selected === null && outcome.code !== 'worker_crashed') return outcome;
    const mine = owned ?? active.selected;
    const page = mine?.find((p) => !active.done.has(p));
    const finished: RunOutcome = { ok: true, peakMemoryMb: outcome.peakMemoryMb };
    // It died after its last page: nothing is lost.
    if (mine && page === undefined) return finished;
    if (page !== undefined && this.countFailure(active, page) >= attempts) {
      this.addPage(active, { page, text: '', source: 'ocr', error: { code: outcome.code as PageErrorCode, message: outcome.message } });
      if (mine!.every((p) => active.done.has(p))) return finished;
    } else if (++active.restarts > MAX_RESTARTS) {
      return outcome;
    }
    this.launch(active, owned);
    return 'relaunched';
  }

  private countFailure(active: ActiveJob, page: number): number {
    const failures = (active.failures.get(page) ?? 0) + 1;
    active.failures.set(page, failures);
    return failures;
  }

  private task(active: ActiveJob, only: number[] | null): Task {
    const { maxPages, ocrDpi, maxPagePixels, model, engine, maxResultBytes } = this.options;
    const { options } = active.job!;
    return {
      file: active.local.file,
      password: active.password,
      ocr: options.ocr,
      lang: options.lang,
      pages: options.pages,
      skip: [...active.done],
      reduced: [...active.failures].filter(([, n]) => n === REDUCE_AFTER).map(([page]) => page),
      only,
      maxPages,
      maxResultBytes,
      ocrDpi,
      maxPagePixels,
      model: { dir: model.dir, gzip: model.gzip },
      engine,
    };
  }

  /** Writes the job's end (unless it is being released), then lets it leave. */
  private async end(active: ActiveJob, outcome: JobOutcome): Promise<void> {
    clearTimeout(active.timer);
    await active.writes;
    if (!active.releasing) {
      await this.repository.finish(active.local.id, outcome).catch(() => undefined);
      this.recordDuration((Date.now() - active.startedAt) / 1000);
    }
    await this.leave(active, active.releasing ? 'released' : 'ended');
  }

  /** The job's local PDF goes, its slot frees, and the next job starts. */
  private async leave(active: ActiveJob, how: Departure): Promise<void> {
    await rm(path.dirname(active.local.file), { recursive: true, force: true });
    this.active.delete(active.local.id);
    active.leave(how);
    this.pump();
  }

  private recordDuration(seconds: number): void {
    this.averageJobSeconds = 0.8 * this.averageJobSeconds + 0.2 * seconds;
  }
}

function newEntry(local: LocalJob): ActiveJob {
  let leave: (how: Departure) => void = () => {};
  const left = new Promise<Departure>((resolve) => (leave = resolve));
  return {
    local,
    selected: null,
    done: new Set(),
    runs: new Map(),
    restarts: 0,
    failures: new Map(),
    releasing: false,
    writes: Promise.resolve(),
    startedAt: Date.now(),
    leave,
    left,
  };
}
