import type { Job } from '../jobs/job.js';
import type { QueueStats } from '../jobs/scheduler.js';
import type { UploadReceiver } from '../upload.js';

/** The store as the routes see it. */
export interface JobReader {
  get(id: string): Job | undefined;
  delete(id: string): boolean;
}

/** The scheduler as the routes see it. */
export interface JobQueue {
  assertCapacity(): void;
  submit(job: Job): void;
  cancel(id: string): Promise<boolean>;
  stats(): QueueStats;
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
