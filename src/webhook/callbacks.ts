import type { Config } from '../config.js';
import type { Job, WebhookState } from '../jobs/job.js';
import { shortId, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { attemptOptions } from './attempt.js';
import { WebhookSender, type DeliveryReport } from './deliver.js';
import { webhookMessage } from './event.js';
import { assertPublicUrl, ForbiddenTargetError } from './guard.js';

/**
 * Webhooks of jobs cancelled at the end of the grace period still get this long for one prompt
 * attempt; orchestrators leave a margin past SHUTDOWN_GRACE_S (25 s of Kubernetes' 30 s).
 */
const FLUSH_FLOOR_MS = 3000;

/** Where a delivery's progress goes: the repository that holds the job (memory or Redis). */
export type WebhookRecorder = (id: string, state: WebhookState) => Promise<void>;

/** The callback_url feature as the rest of the service sees it. */
export interface Webhooks {
  /** Runs before a job with a callback_url is accepted; throws ForbiddenTargetError for a target the service must not reach. */
  check(url: string): Promise<void>;
  /** Sends the webhook of a job that has ended, if it asked for one; call once per job. */
  deliver(job: Job): void;
  /** Attempts what is still pending, until `deadline` (but at least a short floor). */
  flush(deadline: number): Promise<void>;
}

/**
 * Refuses a callback URL the service must not reach (ForbiddenTargetError), unless
 * WEBHOOK_ALLOW_PRIVATE. The client hears only that it is not allowed; the log says why.
 */
export async function checkCallbackUrl(config: Config, log: Logger, url: string): Promise<void> {
  if (config.webhookAllowPrivate) return;
  try {
    await assertPublicUrl(url);
  } catch (err) {
    if (err instanceof ForbiddenTargetError) log.info({ reason: err.detail }, 'callback_url refused');
    throw err;
  }
}

/**
 * The callback_url feature of one instance: the check at submit, one delivery when a job
 * ends with its retries in this process, its state on the job, and the flush at shutdown.
 */
export function createCallbacks(config: Config, record: WebhookRecorder, metrics: Metrics, log: Logger): Webhooks {
  const sender = new WebhookSender({
    maxAttempts: config.webhookMaxAttempts,
    retryBaseMs: config.webhookRetryBaseMs,
    attempt: attemptOptions(config),
    onOutcome: (outcome) => metrics.webhookDelivery(outcome),
  });

  return {
    deliver(job) {
      const url = job.options.callbackUrl;
      if (!url) return;
      sender.send(webhookMessage(job, url, config.publicUrl), (report: DeliveryReport) => {
        // The job may be gone (deleted, expired); its delivery still runs to the end.
        void record(job.id, { url, ...report }).catch(() => {});
        if (report.state !== 'pending') {
          log.info({ job: shortId(job.id), webhook: report.state, attempts: report.attempts, status: report.lastStatus, error: report.lastError }, 'webhook done');
        }
      });
    },
    check: (url) => checkCallbackUrl(config, log, url),
    flush(deadline) {
      return sender.flush(Math.max(deadline - Date.now(), FLUSH_FLOOR_MS));
    },
  };
}
