import { Redis, type RedisOptions } from 'ioredis';
import { QueueUnavailable } from '../jobs/errors.js';

/** A request waits at most this long for Redis before it gets `503 queue_unavailable`. */
const API_TIMEOUT_MS = 3000;

/**
 * The two ways the service talks to Redis. An API request must fail fast when Redis is away
 * (no offline queue, one try, a short timeout); a worker's writes (checkpoints, final state)
 * and BullMQ's own worker connection must wait out an outage and go on when it ends.
 */
export function connect(url: string, kind: 'fail-fast' | 'patient'): Redis {
  const options: RedisOptions =
    kind === 'fail-fast'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: API_TIMEOUT_MS }
      : { maxRetriesPerRequest: null };
  const redis = new Redis(url, { ...options, retryStrategy: (attempt) => Math.min(attempt * 200, 2000) });
  // Without a listener ioredis prints every failed reconnect; the callers see the errors anyway.
  redis.on('error', () => {});
  return redis;
}

/** Runs an API-side Redis operation; any failure or a slow answer becomes QueueUnavailable (503 at the edge). */
export async function available<T>(operation: Promise<T>, timeoutMs = API_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
  });
  try {
    return await Promise.race([operation, timeout]);
  } catch {
    throw new QueueUnavailable();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether `operation` settles within `ms`. Shutdown uses it around BullMQ's close(), which
 * waits for Redis and so would wait forever during an outage.
 */
export async function settlesWithin(operation: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = operation.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}
