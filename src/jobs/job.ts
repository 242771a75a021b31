import type { ErrorInfo, FailureCode } from '../errors.js';
import type { OcrMode, PageResult } from '../protocol.js';
import { pageFidelity } from './formats.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type FinalStatus = Exclude<JobStatus, 'queued' | 'running'>;

export interface JobOptions {
  ocr: OcrMode;
  pages: string | null;
  lang: string;
  password?: string;
  callbackUrl?: string;
}

export interface WebhookState {
  url: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus?: number;
  lastError?: string;
}

export interface Job {
  id: string;
  status: JobStatus;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Pages this job processes (the selection), known once a child has opened the PDF. */
  selected: number[] | null;
  /** Pages in the whole document. */
  documentPages: number | null;
  file: { name: string; bytes: number; path: string };
  options: JobOptions;
  /** Results by page number, filled as the child reports them. */
  pages: Map<number, PageResult>;
  error?: ErrorInfo & { code: FailureCode };
  webhook?: WebhookState;
  /** Base URL of the request that created the job, for absolute links in webhooks. */
  origin: string;
}

export function isFinal(status: JobStatus): status is FinalStatus {
  return status !== 'queued' && status !== 'running';
}

/** The job as the API shows it (snake_case, no internals such as the temp path). */
export function jobView(job: Job) {
  return {
    id: job.id,
    status: job.status,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
    progress: { pages_done: job.pages.size, pages_total: job.selected?.length ?? null },
    file: { name: job.file.name, bytes: job.file.bytes },
    options: { ocr: job.options.ocr, pages: job.options.pages, lang: job.options.lang },
    ...(job.error ? { error: { code: job.error.code, message: job.error.message } } : {}),
    ...(job.webhook ? { webhook: webhookView(job.webhook) } : {}),
  };
}
export type JobView = ReturnType<typeof jobView>;

function webhookView(w: WebhookState) {
  return {
    url: w.url,
    state: w.state,
    attempts: w.attempts,
    last_status: w.lastStatus ?? null,
    last_error: w.lastError ?? null,
  };
}

export function orderedPages(job: Job): PageResult[] {
  return [...job.pages.values()].sort((a, b) => a.page - b.page);
}

/** The text of all pages, separated by form feed as pdftotext does. */
export function plainText(job: Job): string {
  return orderedPages(job)
    .map((p) => p.text)
    .join('\f');
}

export function resultView(job: Job) {
  const pages = orderedPages(job).map((p) => ({
    page: p.page,
    text: p.text,
    source: p.source,
    ...(p.confidence !== undefined ? { confidence: p.confidence } : {}),
    error: p.error,
    ...pageFidelity(p),
  }));
  return {
    id: job.id,
    pages_total: job.selected?.length ?? pages.length,
    document_pages: job.documentPages,
    pages,
    text: plainText(job),
  };
}
