import type { JobQueue } from '../jobs/queue.js';
import type { JobRepository } from '../jobs/repository.js';
import type { UploadReceiver } from '../upload/receiver.js';

/** The upload page's files, read once at start (see src/page/assets.ts). */
export interface PageAssets {
  html: string;
  js: string;
  css: string;
}

/**
 * Everything Node-specific that the routes reach, wired in by the runtime; the routes
 * themselves speak Web-standard Request/Response only.
 */
export interface AppDeps {
  /** Reads jobs and results, watches a job's changes; DELETE forgets one. */
  jobs: Pick<JobRepository, 'get' | 'pageNumbers' | 'pageJson' | 'findByIdempotencyKey' | 'delete' | 'watch'>;
  queue: JobQueue;
  uploads: UploadReceiver;
  languages: string[];
  apiKey?: string;
  /** Refuses a callback URL the service must not reach (throws ForbiddenTargetError). */
  checkCallbackUrl(url: string): Promise<void>;
  /** Resident memory of the service, for /healthz. */
  rssMb(): number;
  draining(): boolean;
  /** Prometheus exposition for /metrics. */
  metrics: { contentType: string; render(): Promise<string> };
  events: EventStreamLimits;
  /** MAX_RESULT_STREAMS: result bodies this instance sends at once. */
  maxResultStreams: number;
  /** The upload page served at GET /; not mounted when absent. */
  page?: PageAssets;
}

export interface EventStreamLimits {
  /** MAX_EVENT_STREAMS: open event streams of this instance. */
  maxStreams: number;
  /** A keep-alive comment goes out after this long without events (SSE_HEARTBEAT_S). */
  heartbeatMs: number;
  /** Told when a stream opens (+1) or closes (-1), for the open-streams gauge. */
  onStreams(delta: 1 | -1): void;
}

/** What /healthz and /metrics need; a worker-only instance serves just these. */
export type OpsDeps = Pick<AppDeps, 'draining' | 'rssMb' | 'metrics'> & { queue: Pick<JobQueue, 'stats'> };
