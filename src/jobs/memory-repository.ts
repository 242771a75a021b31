import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import type { PageResult } from '../protocol.js';
import { changeOf, finalStatus, queuedJob, type Job, type JobChange, type JobOutcome, type NewJob, type WebhookState } from './job.js';
import type { CreateResult, JobRepository, KeptSubmit, RepositoryEvents, StartedJob } from './repository.js';
import { Watchers } from './watchers.js';

export interface MemoryRepositoryOptions {
  ttlMs: number;
  purgeIntervalMs: number;
  /**
   * Bound on the results this process holds (RESULT_STORE_MB): running jobs' pages count too, and
   * the least recently finished jobs go first to make room for them.
   */
  maxBytes: number;
  /** Told after each purge how many expired jobs went. */
  onPurge?(removed: number): void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Entry {
  job: Mutable<Job>;
  /** Page results as JSON: a string is the most compact form V8 keeps, and its length is what MAX_RESULT_MB counts. */
  pages: Map<number, string>;
  idempotencyKey?: string;
  fingerprint?: string;
}

/** What V8 spends on a job's object itself besides the strings in it. */
const JOB_OVERHEAD_BYTES = 512;
/** What V8 spends per kept page besides its JSON (map slot, string header). */
const PAGE_OVERHEAD_BYTES = 64;

/**
 * Jobs in this process. Queued and running jobs sit in a plain map and are never evicted;
 * finished ones move to an LRU bounded by RESULT_TTL_S and by the bytes they hold.
 */
export class MemoryJobRepository implements JobRepository {
  readonly events = new EventEmitter<RepositoryEvents>();
  private readonly active = new Map<string, Entry>();
  private readonly finished: LRUCache<string, Entry>;
  /** Idempotency key → job id, for as long as that job is kept. */
  private readonly keys = new Map<string, string>();
  private readonly watchers = new Watchers<JobChange>();
  private readonly purgeTimer: NodeJS.Timeout;
  /** What queued and running jobs' pages hold (they are never evicted). */
  private activeBytes = 0;

  constructor(options: MemoryRepositoryOptions) {
    this.finished = new LRUCache<string, Entry>({
      ttl: options.ttlMs,
      maxSize: options.maxBytes,
      sizeCalculation: entryBytes,
      updateAgeOnGet: false,
      dispose: (entry, id, reason) => {
        if (reason !== 'set') this.forgetKey(entry, id);
      },
    });
    this.purgeTimer = setInterval(() => {
      const before = this.finished.size;
      this.finished.purgeStale();
      options.onPurge?.(before - this.finished.size);
    }, options.purgeIntervalMs);
    this.purgeTimer.unref();
  }

  async create(job: NewJob): Promise<CreateResult> {
    const { idempotency } = job;
    if (idempotency) {
      const existing = this.entry(this.keys.get(idempotency.key));
      if (existing) return { created: false, existing: { ...existing.job }, sameBody: existing.fingerprint === idempotency.fingerprint };
    }
    const entry: Entry = {
      job: queuedJob(job),
      pages: new Map(),
      idempotencyKey: idempotency?.key,
      fingerprint: idempotency?.fingerprint,
    };
    this.active.set(job.id, entry);
    if (idempotency) this.keys.set(idempotency.key, job.id);
    this.events.emit('created', { ...entry.job });
    return { created: true };
  }

  async get(id: string): Promise<Job | undefined> {
    const entry = this.entry(id);
    return entry && { ...entry.job };
  }

  async findByIdempotencyKey(key: string): Promise<KeptSubmit | undefined> {
    const entry = this.entry(this.keys.get(key));
    return entry && { job: { ...entry.job }, fingerprint: entry.fingerprint ?? '' };
  }

  async pageNumbers(id: string): Promise<number[]> {
    return [...(this.entry(id)?.pages.keys() ?? [])].sort((a, b) => a - b);
  }

  async pageJson(id: string, page: number): Promise<string | undefined> {
    return this.entry(id)?.pages.get(page);
  }

  async start(id: string): Promise<StartedJob | undefined> {
    const entry = this.active.get(id);
    if (!entry) return undefined;
    const { job } = entry;
    if (job.status === 'queued') {
      job.status = 'running';
      job.startedAt ??= new Date();
      this.changed(entry);
      this.events.emit('started', { ...job });
    }
    return { job: { ...job }, donePages: [...entry.pages.keys()] };
  }

  async opened(id: string, documentPages: number, selected: number[]): Promise<void> {
    const entry = this.active.get(id);
    if (!entry) return;
    entry.job.documentPages = documentPages;
    entry.job.selected = selected;
    delete entry.job.password;
    this.changed(entry);
  }

  async addPage(id: string, page: PageResult): Promise<number | undefined> {
    const entry = this.active.get(id);
    if (!entry) return undefined;
    if (entry.pages.has(page.page)) return entry.job.resultBytes;
    const json = JSON.stringify(page);
    entry.pages.set(page.page, json);
    const bytes = Buffer.byteLength(json);
    entry.job.pagesDone = entry.pages.size;
    entry.job.resultBytes += bytes;
    this.activeBytes += bytes;
    this.makeRoom();
    this.changed(entry);
    this.events.emit('page', id, page);
    return entry.job.resultBytes;
  }

  async finish(id: string, outcome: JobOutcome): Promise<Job | undefined> {
    const entry = this.active.get(id);
    if (!entry) return undefined;
    this.active.delete(id);
    this.activeBytes -= entry.job.resultBytes;
    const { job } = entry;
    job.status = finalStatus(outcome);
    job.finishedAt = new Date();
    delete job.password;
    if (!outcome.ok) {
      job.error = outcome.code === 'cancelled' ? undefined : { code: outcome.code, message: outcome.message };
      // A failed or cancelled job has no result to serve.
      entry.pages.clear();
      job.resultBytes = 0;
    }
    this.finished.set(id, entry);
    this.makeRoom();
    this.changed(entry);
    const ended = { ...job };
    this.events.emit('final', ended);
    return ended;
  }

  async setWebhook(id: string, state: WebhookState): Promise<void> {
    const entry = this.entry(id);
    if (!entry) return;
    entry.job.webhook = state;
    this.changed(entry);
  }

  async delete(id: string): Promise<boolean> {
    const entry = this.entry(id);
    if (!entry) return false;
    if (this.active.delete(id)) this.activeBytes -= entry.job.resultBytes;
    this.finished.delete(id);
    this.forgetKey(entry, id);
    return true;
  }

  async held(): Promise<boolean> {
    // keys() passes over entries past their TTL that the purge has not yet removed.
    return this.active.size > 0 || this.finished.keys().next().done === false;
  }

  watch(id: string, listener: (change: JobChange) => void): () => void {
    return this.watchers.add(id, listener);
  }

  close(): void {
    clearInterval(this.purgeTimer);
  }

  /** Finished jobs go, least recently finished first, while they and the running ones pass the bound. */
  private makeRoom(): void {
    while (this.finished.size > 0 && this.finished.calculatedSize + this.activeBytes > this.finished.maxSize) this.finished.pop();
  }

  private entry(id: string | undefined): Entry | undefined {
    if (id === undefined) return undefined;
    return this.active.get(id) ?? this.finished.get(id);
  }

  private changed(entry: Entry): void {
    this.watchers.notify(entry.job.id, changeOf(entry.job));
  }

  private forgetKey(entry: Entry, id: string): void {
    if (entry.idempotencyKey !== undefined && this.keys.get(entry.idempotencyKey) === id) this.keys.delete(entry.idempotencyKey);
  }
}

/** What a finished job costs the parent: its pages' JSON, a little per page, and its own fields (options, error, names). */
function entryBytes(entry: Entry): number {
  const own = Buffer.byteLength(JSON.stringify(entry.job));
  return JOB_OVERHEAD_BYTES + own + entry.job.resultBytes + entry.pages.size * PAGE_OVERHEAD_BYTES;
}
