/**
 * The `Retry-After` a refusal carries, in seconds: one estimate for a full queue, whichever
 * queue refused (one instance's scheduler or the shared one on Redis), and one short wait for
 * what frees itself within moments.
 */

/** A job's duration before any has been timed; the scaled API never times one, so it keeps this. */
export const TYPICAL_JOB_SECONDS = 20;

/** A result body or event stream ends, or Redis comes back: worth asking again this soon. */
export const RETRY_SOON_S = 5;

/**
 * Seconds until `ahead` more jobs could start on `slots` slots, each taking `jobSeconds`. At
 * least one second and at least one job ahead; with no worker yet (0 slots) one slot is assumed.
 */
export function queueWaitS(ahead: number, slots: number, jobSeconds: number = TYPICAL_JOB_SECONDS): number {
  return Math.max(1, Math.ceil((jobSeconds * Math.max(1, ahead)) / Math.max(1, slots)));
}
