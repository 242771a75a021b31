import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import type { Job, WebhookState } from '../jobs/job.js';
import { shortId, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { WebhookSender, type DeliveryReport } from './deliver.js';
import { webhookMessage } from './event.js';
import { assertPublicUrl, ForbiddenTargetError } from './guard.js';
import { createSigner } from './sign.js';

/**
 * Webhooks of jobs cancelled at the end of the grace period still get this long for one prompt
 * attempt; orchestrators leave a margin past SHUTDOWN_GRACE_S (25 s of Kubernetes' 30 s).
 */
const FLUSH_FLOOR_MS = 3000;

/** Where a delivery's progress goes: the store that holds the job (memory or Redis). */
export type WebhookRecorder = (job: Job, state: WebhookState) => void;

/**
 * The callback_url feature: the check at submit, one delivery when a job ends, its state on
 * the job, and the flush at shutdown.
 */
export function createCallbacks(config: Config, record: WebhookRecorder, metrics: Metrics, log: Logger) {
  const sender = new WebhookSender({
    maxAttempts: config.webhookMaxAttempts,
    timeoutMs: config.webhookTimeoutMs,
    retryBaseMs: config.webhookRetryBaseMs,
    allowPrivate: config.webhookAllowPrivate,
    signer: config.webhookSecret ? createSigner(config.webhookSecret) : undefined,
    onOutcome: (outcome) => metrics.webhookDelivery(outcome),
  });

  return {
    /** Sends the webhook of a job that has ended, if it asked for one; call once per job. */
    deliver(job: Job): void {
      const url = job.options.callbackUrl;
      if (!url) return;
      sender.send(webhookMessage(job, url, config.publicUrl), (report: DeliveryReport) => {
        record(job, { url, ...report });
        if (report.state !== 'pending') {
          log.info({ job: shortId(job.id), webhook: report.state, attempts: report.attempts, status: report.lastStatus, error: report.lastError }, 'webhook done');
        }
      });
    },
    /** Runs in the route before a job with a callback_url is accepted. */
    async check(url: string): Promise<void> {
      if (config.webhookAllowPrivate) return;
      try {
        await assertPublicUrl(url);
      } catch (err) {
        if (err instanceof ForbiddenTargetError) throw new ApiError(400, 'callback_url_forbidden', err.message);
        throw err;
      }
    },
    /** Attempts what is still pending, until `deadline` (but at least a short floor). */
    flush(deadline: number): Promise<void> {
      return sender.flush(Math.max(deadline - Date.now(), FLUSH_FLOOR_MS));
    },
  };
}
