import type { JobBody } from '../routes/schemas.js';
import type { Job, WebhookState } from '../jobs/job.js';

/** The job as the API and webhooks show it (snake_case; no internals such as the upload or the password). */
export function jobView(job: Job): JobBody {
  return {
    id: job.id,
    status: job.status,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
    progress: { pages_done: job.pagesDone, pages_total: job.selected?.length ?? null },
    file: { name: job.file.name, bytes: job.file.bytes },
    options: { ocr: job.options.ocr, pages: job.options.pages, lang: job.options.lang },
    ...(job.error ? { error: { code: job.error.code, message: job.error.message } } : {}),
    ...(job.webhook ? { webhook: webhookView(job.webhook) } : {}),
  };
}

function webhookView(w: WebhookState): NonNullable<JobBody['webhook']> {
  return {
    url: w.url,
    state: w.state,
    attempts: w.attempts,
    last_status: w.lastStatus ?? null,
    last_error: w.lastError ?? null,
  };
}
