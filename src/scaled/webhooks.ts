import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { shortId, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { PREFIX, WEBHOOK_QUEUE } from '../redis/keys.js';
import { attemptDelivery, attemptOptions, type WebhookMessage } from '../webhook/attempt.js';
import { backoffMs } from '../webhook/backoff.js';
import { checkCallbackUrl, type WebhookRecorder, type Webhooks } from '../webhook/callbacks.js';
import { webhookMessage } from '../webhook/event.js';
import { settlesWithin } from './connections.js';

/** Attempts run side by side on one instance; each is one short POST. */
const CONCURRENCY = 4;
/** A delivery whose instance died mid-attempt is taken up again this often before it is given up. */
const MAX_STALLS = 2;
/** Closing needs Redis; with no attempt in flight an instance does not wait longer than this for it. */
const IDLE_CLOSE_MS = 2000;

interface Delivery {
  jobId: string;
  message: WebhookMessage;
}

/** A retryable attempt: BullMQ schedules the next one, not before `minDelayMs` (a receiver's Retry-After). */
class RetryLater extends Error {
  constructor(
    message: string,
    readonly minDelayMs: number,
  ) {
    super(message);
  }
}

/**
 * Webhooks on Redis: each delivery is a BullMQ job in a queue of its own, attempted by any
 * instance, with the same backoff as one instance. Its retries live in Redis, so they survive
 * the death of the instance that ended the job: another instance takes the next attempt.
 */
export function queuedWebhooks(
  config: Config,
  connections: { queue: Redis; worker: Redis },
  record: WebhookRecorder,
  metrics: Metrics,
  log: Logger,
): Webhooks & { close(): Promise<void> } {
  const queue = new Queue<Delivery>(WEBHOOK_QUEUE, { connection: connections.queue, prefix: PREFIX });
  queue.on('error', () => {});
  const options = attemptOptions(config);

  let inFlight = 0;
  const worker = new Worker<Delivery>(
    WEBHOOK_QUEUE,
    async (queued) => {
      inFlight++;
      try {
        await attempt(queued.data, queued.attemptsMade + 1);
      } finally {
        inFlight--;
      }
    },
    {
      connection: connections.worker,
      prefix: PREFIX,
      concurrency: CONCURRENCY,
      lockDuration: config.queueLockMs,
      stalledInterval: config.queueLockMs,
      maxStalledCount: MAX_STALLS,
      settings: {
        backoffStrategy: (attemptsMade, _type, err) =>
          Math.max(err instanceof RetryLater ? err.minDelayMs : 0, backoffMs(attemptsMade, config.webhookRetryBaseMs)),
      },
    },
  );
  worker.on('error', () => {});

  /** One attempt; a retryable failure throws RetryLater (BullMQ schedules the next), a final one UnrecoverableError. */
  async function attempt({ jobId, message }: Delivery, attempts: number): Promise<void> {
    const result = await attemptDelivery(message, options);
    const report = { url: message.url, attempts, lastStatus: result.status };
    if (result.outcome === 'delivered') {
      await record(jobId, { ...report, state: 'delivered' });
      done(jobId, 'delivered', attempts, result.status);
      return;
    }
    if (result.outcome === 'retry' && attempts < config.webhookMaxAttempts) {
      await record(jobId, { ...report, state: 'pending', lastError: result.why });
      throw new RetryLater(result.why, result.minDelayMs);
    }
    await record(jobId, { ...report, state: 'failed', lastError: result.why });
    done(jobId, 'failed', attempts, result.status, result.why);
    throw new UnrecoverableError(result.why);
  }

  function done(jobId: string, state: 'delivered' | 'failed', attempts: number, status?: number, error?: string): void {
    metrics.webhookDelivery(state);
    log.info({ job: shortId(jobId), webhook: state, attempts, status, error }, 'webhook done');
  }

  return {
    check: (url) => checkCallbackUrl(config, log, url),
    deliver(job) {
      const url = job.options.callbackUrl;
      if (!url) return;
      const delivery: Delivery = { jobId: job.id, message: webhookMessage(job, url, config.publicUrl) };
      // One delivery per job, whichever instance ended it: the job id names it.
      void queue
        .add('deliver', delivery, {
          jobId: `webhook-${job.id}`,
          attempts: config.webhookMaxAttempts,
          backoff: { type: 'custom' },
          removeOnComplete: true,
          removeOnFail: true,
        })
        .catch((err: Error) => log.warn({ job: shortId(job.id), err: err.message }, 'could not queue a webhook'));
    },
    /** Attempts in flight get until `deadline`; deliveries waiting for their next attempt stay in Redis for the other instances. */
    async flush(deadline) {
      const closing = worker.close();
      await settlesWithin(closing, inFlight > 0 ? Math.max(0, deadline - Date.now()) : IDLE_CLOSE_MS);
    },
    async close() {
      await settlesWithin(queue.close(), 2000);
    },
  };
}
