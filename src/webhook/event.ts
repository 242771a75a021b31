import { randomUUID } from 'node:crypto';
import { jobView } from '../api/views.js';
import { isFinal, type Job } from '../jobs/job.js';
import type { WebhookMessage } from './attempt.js';

/** The webhook for a job that has ended (API.md, Webhook). */
export function webhookEvent(job: Job, publicUrl: string | undefined) {
  if (!isFinal(job.status)) throw new Error(`job ${job.status} has not ended`);
  return {
    type: `job.${job.status}` as const,
    timestamp: (job.finishedAt ?? new Date()).toISOString(),
    data: { ...jobView(job), result_url: resultUrl(job, publicUrl) },
  };
}

/** Absolute, from PUBLIC_URL when set (which may carry a path prefix), else from the submitting request. */
export function resultUrl(job: Job, publicUrl: string | undefined): string {
  const base = (publicUrl ?? job.origin).replace(/\/*$/, '/');
  return new URL(`api/jobs/${job.id}/result`, base).href;
}

export function webhookMessage(job: Job, url: string, publicUrl: string | undefined): WebhookMessage {
  return { id: `msg_${randomUUID().replaceAll('-', '')}`, url, body: JSON.stringify(webhookEvent(job, publicUrl)) };
}
