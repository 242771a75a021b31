import { z } from 'zod';
import { failureCodeSchema, ocrModeSchema, type FailureCode } from '../protocol.js';

/** A job's status: the API's, the webhooks', the metrics' labels and the events' names. */
export const jobStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof jobStatusSchema>;
export const finalStatusSchema = jobStatusSchema.exclude(['queued', 'running']);
export type FinalStatus = z.infer<typeof finalStatusSchema>;

/** Where a job's webhook is: still being tried, or done one way or the other. */
export const deliveryStateSchema = z.enum(['pending', 'delivered', 'failed']);
export type DeliveryState = z.infer<typeof deliveryStateSchema>;

/** What a submit asked for; the API shows all of it but the callback URL (the webhook's state says where it goes). */
export const optionValuesSchema = z.object({ ocr: ocrModeSchema, pages: z.string().nullable(), lang: z.string(), callbackUrl: z.string().optional() });
export type JobOptions = z.infer<typeof optionValuesSchema>;

export interface WebhookState {
  url: string;
  state: DeliveryState;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
}

export const jobErrorSchema = z.object({ code: failureCodeSchema, message: z.string() });
export type JobError = z.infer<typeof jobErrorSchema>;

/**
 * Where a job's PDF waits for a child: a file on this machine (one instance), a Redis string,
 * or a file in a directory every instance mounts (scaled).
 */
export type UploadLocation = { kind: 'local'; path: string } | { kind: 'redis'; key: string } | { kind: 'shared'; path: string };

/** A job as the repository keeps it. Only the repository changes it; everyone else reads. */
export interface Job {
  readonly id: string;
  readonly status: JobStatus;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** Pages this job processes (the selection), known once a child has opened the PDF. */
  readonly selected: readonly number[] | null;
  /** Pages in the whole document. */
  readonly documentPages: number | null;
  readonly file: { readonly name: string; readonly bytes: number };
  readonly upload: UploadLocation;
  readonly options: Readonly<JobOptions>;
  /** An encrypted PDF's password, until a child has opened the PDF. */
  readonly password?: string;
  readonly pagesDone: number;
  /** Bytes of the page results kept so far (JSON, all formats): what MAX_RESULT_MB bounds. */
  readonly resultBytes: number;
  readonly error?: JobError;
  readonly webhook?: WebhookState;
  /** Base URL of the request that created the job, for absolute links in webhooks. */
  readonly origin: string;
}

/** What a submit hands the repository; the rest starts empty. */
export type NewJob = Pick<Job, 'id' | 'createdAt' | 'file' | 'upload' | 'options' | 'password' | 'origin'> & {
  /** `Idempotency-Key` of the submit (scoped to its API key) and a digest of its body. */
  idempotency?: { key: string; fingerprint: string };
};

/** How a job ends; the repository turns it into the final status. */
export type JobOutcome = { ok: true } | { ok: false; code: FailureCode; message: string };

/** What the event stream needs of a change, sent without re-reading the job. */
export interface JobChange {
  status: JobStatus;
  pagesDone: number;
  pagesTotal: number | null;
}

export function isFinal(status: JobStatus): status is FinalStatus {
  return (finalStatusSchema.options as readonly JobStatus[]).includes(status);
}

export function finalStatus(outcome: JobOutcome): FinalStatus {
  if (outcome.ok) return 'succeeded';
  return outcome.code === 'cancelled' ? 'cancelled' : 'failed';
}

export function changeOf(job: Job): JobChange {
  return { status: job.status, pagesDone: job.pagesDone, pagesTotal: job.selected?.length ?? null };
}

/** A new job as it is stored: queued, nothing done yet. */
export function queuedJob(job: NewJob): Job {
  const { idempotency: _idempotency, ...fields } = job;
  const url = job.options.callbackUrl;
  return {
    ...fields,
    status: 'queued',
    startedAt: null,
    finishedAt: null,
    selected: null,
    documentPages: null,
    pagesDone: 0,
    resultBytes: 0,
    ...(url ? { webhook: { url, state: 'pending', attempts: 0 } } : {}),
  };
}
