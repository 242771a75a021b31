import type { Config } from '../config.js';
import { ApiError } from '../errors.js';
import type { Job } from '../jobs/job.js';
import type { JobStore } from '../jobs/store.js';
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

/**
 * The callback_url feature: the check at submit, one delivery when a job ends, its state on
 * the job, and the flush at shutdown.
 */
export function createCallbacks(config: Config, store: JobStore, metrics: Metrics, log: Logger) {
  const sender = new WebhookSender({
    maxAttempts: config.webhookMaxAttempts,
    timeoutMs: config.webhookTimeoutMs,
    retryBaseMs: config.webhookRetryBaseMs,
    allowPrivate: config.webhookAllowPrivate,
    signer: config.webhookSecret ? createSigner(config.webhookSecret) : undefined,
    onOutcome: (outcome) => metrics.webhookDelivery(outcome),
  });

  /** Delivery state goes back into the store, the only holder of job state. */
  function send(job: Job, url: string): void {
    sender.send(webhookMessage(job, url, config.publicUrl), (report: DeliveryReport) => {
      const current = store.get(job.id);
      if (!current?.webhook) return;
      current.webhook = { url, ...report };
      store.touch(current);
      if (report.state !== 'pending') {
        log.info({ job: shortId(job.id), webhook: report.state, attempts: report.attempts, status: report.lastStatus, error: report.lastError }, 'webhook done');
      }
    });
  }

  store.on('final', (job) => {
    if (job.options.callbackUrl) send(job, job.options.callbackUrl);
  });

  return {
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
