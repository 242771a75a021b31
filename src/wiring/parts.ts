import type { Config } from '../config.js';
import type { JobQueue, QueueStats } from '../jobs/queue.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { AppDeps } from '../routes/deps.js';
import type { Webhooks } from '../webhook/callbacks.js';

/** What one instance is made of, for its role: built by embedded.ts or scaled.ts. */
export interface Parts {
  /** Present when this instance answers /api/*. */
  api?: { jobs: AppDeps['jobs']; queue: JobQueue };
  webhooks: Webhooks;
  /** The queue as /healthz and queue_depth show it. */
  stats(): Promise<QueueStats>;
  runningChildren(): number;
  /** Whether the instance holds work for clients: a job queued or running, or a result kept. */
  held(): Promise<boolean>;
  /** Running jobs get until `deadline`; then they are cancelled (one instance) or handed back to the queue (scaled). */
  drain(deadline: number): Promise<void>;
  close(): Promise<void>;
}

export interface PartsContext {
  config: Config;
  log: Logger;
  metrics: Metrics;
}
