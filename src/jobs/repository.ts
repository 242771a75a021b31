import type { EventEmitter } from 'node:events';
import type { PageResult } from '../protocol.js';
import type { Job, JobChange, JobOutcome, NewJob, WebhookState } from './job.js';

/** Writes made through this repository instance, for the observers of this process (logs, metrics, webhooks). */
export interface RepositoryEvents {
  created: [job: Job];
  /** Queued → running (a job resumed by another worker was already running: no event). */
  started: [job: Job];
  /** A page result was kept (each page once). */
  page: [id: string, page: PageResult];
  /** Emitted once per job, by the instance whose write ended it. */
  final: [job: Job];
}

/** The job an idempotency key names, with the digest of the submit that created it. */
export interface KeptSubmit {
  job: Job;
  fingerprint: string;
}

export type CreateResult = { created: true } | { created: false; existing: Job; sameBody: boolean };

/** A job as it leaves the queue for a child, with the pages an earlier child already did. */
export interface StartedJob {
  job: Job;
  donePages: number[];
}

/**
 * The one writer of job state. Every change of a job goes through these calls; they refuse
 * to write to a job that is gone (a DELETE wins over a late write) and end a job once only.
 * Two implementations: in memory (one instance) and in Redis (scaled).
 */
export interface JobRepository {
  readonly events: EventEmitter<RepositoryEvents>;
  /** Stores a new queued job, unless its idempotency key already names a kept job. */
  create(job: NewJob): Promise<CreateResult>;
  get(id: string): Promise<Job | undefined>;
  /** The job an `Idempotency-Key` (already scoped to its API key) was first used for, while it is kept. */
  findByIdempotencyKey(key: string): Promise<KeptSubmit | undefined>;
  /** The numbers of the pages kept for job `id`, ascending. */
  pageNumbers(id: string): Promise<number[]>;
  /**
   * One kept page as stored (a PageResult's JSON); undefined once the job is gone. A result is
   * read through these two a page at a time: built whole, a 16 MB result of one-letter words took
   * 170 MB of the parent per request.
   */
  pageJson(id: string, page: number): Promise<string | undefined>;
  /** Queued (or running, when resumed) → running; undefined when the job is gone or has ended. */
  start(id: string): Promise<StartedJob | undefined>;
  /** A child has opened the PDF: its page selection is known and the password is not kept any longer. */
  opened(id: string, documentPages: number, selected: number[]): Promise<void>;
  /** Keeps a page result (once per page); the job's result bytes after it, or undefined when the job is gone. */
  addPage(id: string, page: PageResult): Promise<number | undefined>;
  /** Ends the job; the ended job for the one caller whose write did it, else undefined. */
  finish(id: string, outcome: JobOutcome): Promise<Job | undefined>;
  setWebhook(id: string, state: WebhookState): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Whether any job is kept: queued, running, or ended with its state kept until RESULT_TTL_S. */
  held(): Promise<boolean>;
  /** Calls `listener` with every change of job `id` (state, progress); returns the unsubscribe. */
  watch(id: string, listener: (change: JobChange) => void): () => void;
  close(): void;
}
