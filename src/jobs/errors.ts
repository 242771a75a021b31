import { RETRY_SOON_S } from './retry-after.js';

/**
 * What the job layer refuses, as plain errors; the HTTP edge (src/routes/errors.ts) maps each
 * to its status and code in one place.
 */

/** No room for another job now: every slot is busy and the queue is at its limit. */
export class QueueFull extends Error {
  override name = 'QueueFull';
  constructor(readonly retryAfterS: number) {
    super('the queue is full; try again later');
  }
}

/** The shared queue (Redis) cannot be reached (scaled setup only). */
export class QueueUnavailable extends Error {
  override name = 'QueueUnavailable';
  readonly retryAfterS = RETRY_SOON_S;
  constructor() {
    super('the job queue (Redis) cannot be reached; try again shortly');
  }
}
