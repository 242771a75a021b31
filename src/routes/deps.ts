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
}
