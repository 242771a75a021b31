import type { CreateResult } from './repository.js';
import type { NewJob } from './job.js';
import type { QueueStats } from './scheduler.js';

export type { QueueStats } from './scheduler.js';

/** Room held for one submit while its upload arrives; released once the job is queued (or refused). */
export interface Admission {
  release(): void;
}

/**
 * The queue as the routes see it: the in-process scheduler (one instance) or BullMQ on Redis
 * (scaled). Refusals are the plain errors of ./errors.ts.
 */
export interface JobQueue {
  /** Holds room for a job whose upload is about to arrive; throws QueueFull when there is none. */
  admit(): Promise<Admission>;
  /** Creates the job (unless its idempotency key names a kept one) and queues it. */
  submit(job: NewJob): Promise<CreateResult>;
  /** Cancels a queued or running job; resolves once it has ended. False if it was neither. */
  cancel(id: string): Promise<boolean>;
  stats(): Promise<QueueStats>;
}
