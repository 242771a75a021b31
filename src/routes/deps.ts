import type { Job } from '../jobs/job.js';
import type { QueueStats } from '../jobs/scheduler.js';
import type { UploadReceiver } from '../upload.js';

/**
 * The store as the routes see it: in memory (embedded) or in Redis (scaled). Either may throw
 * an ApiError (`503 queue_unavailable` when Redis cannot be reached).
 */
export interface JobReader {
  get(id: string): Promise<Job | undefined>;
  delete(id: string): Promise<boolean>;
}

/** The queue as the routes see it: the in-process scheduler, or BullMQ on Redis. */
export interface JobQueue {
  /** Throws `429 queue_full` when no job can be accepted now. */
  assertCapacity(): Promise<void>;
  submit(job: Job): Promise<void>;
  /** Cancels a queued or running job; resolves once it has ended. False if not active. */
  cancel(id: string): Promise<boolean>;
  stats(): Promise<QueueStats>;
}

/** Calls `listener` whenever job `id` changes (state, a page); returns the unsubscribe. */
export type JobWatch = (id: string, listener: () => void) => () => void;

/** The upload page's files, read once at start (see src/page/assets.ts). */
export interface PageAssets {
  html: string;
  js: string;
  css: string;
}

/**
 * Everything Node-specific that the routes reach, wired in by the entry point; the routes
 * themselves speak Web-standard Request/Response only.
 */
export interface AppDeps {
  store: JobReader;
  queue: JobQueue;
  uploads: UploadReceiver;
  languages: string[];
  apiKey?: string;
  /** Refuses a callback URL the service must not reach: throws `400 callback_url_forbidden`. */
  checkCallbackUrl(url: string): Promise<void>;
  /** Resident memory of the service, for /healthz. */
  rssMb(): number;
  draining(): boolean;
  /** Prometheus exposition for /metrics. */
  metrics: { contentType: string; render(): Promise<string> };
  /** Subscribes to one job's changes, for GET /api/jobs/{id}/events. */
  watch: JobWatch;
  /** Heartbeat comment interval of the event stream; 15 000 ms when unset. */
  sseHeartbeatMs?: number;
  /** The upload page served at GET /; not mounted when absent. */
  page?: PageAssets;
}

/** What /healthz and /metrics need; a worker-only instance serves just these. */
export type OpsDeps = Pick<AppDeps, 'draining' | 'rssMb' | 'metrics'> & { queue: Pick<JobQueue, 'stats'> };
