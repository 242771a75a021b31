import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import {
  finalStatus,
  finalStatusSchema,
  isFinal,
  queuedJob,
  type Job,
  type JobChange,
  type JobOutcome,
  type JobStatus,
  type NewJob,
  type WebhookState,
} from '../jobs/job.js';
import type { CreateResult, JobRepository, KeptSubmit, RepositoryEvents, StartedJob } from '../jobs/repository.js';
import type { PageResult } from '../protocol.js';
import { idempotencyKey, jobKey, UPDATES_CHANNEL } from './keys.js';
import { luaScript } from './scripts.js';

/** Besides FIELDS, a job hash has a field `p:<n>` per page result. */
const PAGE_FIELD_PREFIX = 'p:';
const pageField = (page: number) => `${PAGE_FIELD_PREFIX}${page}`;

/** The hash fields of a job besides its pages. */
const FIELDS = [
  'status',
  'createdAt',
  'startedAt',
  'finishedAt',
  'selected',
  'documentPages',
  'file',
  'upload',
  'options',
  'password',
  'done',
  'bytes',
  'error',
  'webhook',
  'origin',
] as const;

/** What the job scripts (redis/lua/) take from the TypeScript side. */
const CONSTANTS = {
  JOB_KEY_PREFIX: jobKey(''),
  UPDATES_CHANNEL,
  PAGE_FIELD_PREFIX,
  RUNNING: 'running' satisfies JobStatus,
  FINAL_STATUSES: finalStatusSchema.options,
};
const jobScript = (name: string) => luaScript(CONSTANTS, 'job-prelude', name);
/** Each command, its number of keys and its script (redis/lua/). */
const SCRIPTS = {
  createJob: [2, jobScript('create-job')],
  startJob: [1, jobScript('start-job')],
  openedJob: [1, jobScript('opened-job')],
  addJobPage: [1, jobScript('add-job-page')],
  finishJob: [1, jobScript('finish-job')],
  setJobField: [1, luaScript({}, 'set-job-field')],
} as const;

type Scripts = Redis & {
  createJob(key: string, idempotency: string, ttlMs: number, id: string, ...fields: string[]): Promise<string>;
  startJob(key: string, ttlMs: number, id: string, now: string): Promise<JobStatus | null>;
  openedJob(key: string, ttlMs: number, id: string, documentPages: number, selected: string, total: number): Promise<number>;
  addJobPage(key: string, ttlMs: number, id: string, field: string, json: string, bytes: number): Promise<number>;
  finishJob(key: string, ttlMs: number, id: string, status: string, finishedAt: string, error: string, dropPages: string): Promise<number>;
  setJobField(key: string, ttlMs: number, field: string, value: string): Promise<number>;
};

export interface RedisRepositoryOptions {
  ttlMs: number;
  /**
   * Wraps every call: the API side fails fast with QueueUnavailable while Redis is away, a
   * worker waits the outage out (its connection retries).
   */
  call<T>(operation: Promise<T>): Promise<T>;
  /** Subscribes to UPDATES_CHANNEL messages for one job (one subscriber connection per instance). */
  subscribe(id: string, listener: (message: string) => void): () => void;
}

/**
 * Job state in Redis: one hash per job (the fields above, and `p:<n>` for each page result,
 * which are the checkpoints another worker resumes from), expiring RESULT_TTL_S after its
 * last change. Every write is a Lua script: it refuses a job that is gone or has ended, and
 * publishes the change.
 */
export class RedisJobRepository implements JobRepository {
  readonly events = new EventEmitter<RepositoryEvents>();
  private readonly redis: Scripts;

  constructor(
    redis: Redis,
    private readonly options: RedisRepositoryOptions,
  ) {
    for (const [name, [numberOfKeys, lua]] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys, lua });
    this.redis = redis as Scripts;
  }

  async create(job: NewJob): Promise<CreateResult> {
    const fresh = queuedJob(job);
    const key = job.idempotency ? idempotencyKey(job.idempotency.key) : '';
    const fields: Record<string, string> = {
      ...jobFields(fresh),
      done: '0',
      bytes: '0',
      ...(fresh.password !== undefined ? { password: fresh.password } : {}),
      ...(job.idempotency ? { fingerprint: job.idempotency.fingerprint, idempotencyKey: key } : {}),
    };
    const earlier = await this.call(this.redis.createJob(jobKey(job.id), key, this.options.ttlMs, job.id, ...Object.entries(fields).flat()));
    if (earlier === '') {
      this.events.emit('created', fresh);
      return { created: true };
    }
    const [existing, fingerprint] = await Promise.all([this.get(earlier), this.call(this.redis.hget(jobKey(earlier), 'fingerprint'))]);
    if (!existing) return this.create(job);
    return { created: false, existing, sameBody: fingerprint === job.idempotency!.fingerprint };
  }

  async get(id: string): Promise<Job | undefined> {
    const values = await this.call(this.redis.hmget(jobKey(id), ...FIELDS));
    return values[0] ? fromFields(id, values) : undefined;
  }

  async findByIdempotencyKey(key: string): Promise<KeptSubmit | undefined> {
    const id = await this.call(this.redis.get(idempotencyKey(key)));
    if (!id) return undefined;
    const [job, fingerprint] = await Promise.all([this.get(id), this.call(this.redis.hget(jobKey(id), 'fingerprint'))]);
    return job && { job, fingerprint: fingerprint ?? '' };
  }

  async pageNumbers(id: string): Promise<number[]> {
    return pageNumbersOf(await this.call(this.redis.hkeys(jobKey(id))));
  }

  async pageJson(id: string, page: number): Promise<string | undefined> {
    return (await this.call(this.redis.hget(jobKey(id), pageField(page)))) ?? undefined;
  }

  async start(id: string): Promise<StartedJob | undefined> {
    const before = await this.call(this.redis.startJob(jobKey(id), this.options.ttlMs, id, new Date().toISOString()));
    if (!before) return undefined;
    const [job, fields] = await Promise.all([this.get(id), this.call(this.redis.hkeys(jobKey(id)))]);
    if (!job) return undefined;
    if (before === 'queued') this.events.emit('started', job);
    return { job, donePages: pageNumbersOf(fields) };
  }

  async opened(id: string, documentPages: number, selected: number[]): Promise<void> {
    await this.call(this.redis.openedJob(jobKey(id), this.options.ttlMs, id, documentPages, JSON.stringify(selected), selected.length));
  }

  async addPage(id: string, page: PageResult): Promise<number | undefined> {
    const json = JSON.stringify(page);
    const bytes = await this.call(this.redis.addJobPage(jobKey(id), this.options.ttlMs, id, pageField(page.page), json, Buffer.byteLength(json)));
    if (bytes < 0) return undefined;
    this.events.emit('page', id, page);
    return bytes;
  }

  async finish(id: string, outcome: JobOutcome): Promise<Job | undefined> {
    const status = finalStatus(outcome);
    const error = !outcome.ok && outcome.code !== 'cancelled' ? JSON.stringify({ code: outcome.code, message: outcome.message }) : '';
    const won = await this.call(this.redis.finishJob(jobKey(id), this.options.ttlMs, id, status, new Date().toISOString(), error, outcome.ok ? '0' : '1'));
    if (won !== 1) return undefined;
    const job = await this.get(id);
    if (job) this.events.emit('final', job);
    return job;
  }

  async setWebhook(id: string, state: WebhookState): Promise<void> {
    await this.call(this.redis.setJobField(jobKey(id), this.options.ttlMs, 'webhook', JSON.stringify(state)));
  }

  async held(): Promise<boolean> {
    // Every job hash expires RESULT_TTL_S after its last write, so the first one found answers.
    let cursor = '0';
    do {
      const [next, keys] = await this.call(this.redis.scan(cursor, 'MATCH', jobKey('*'), 'COUNT', 1000));
      if (keys.length > 0) return true;
      cursor = next;
    } while (cursor !== '0');
    return false;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.call(this.redis.del(jobKey(id)))) === 1;
  }

  watch(id: string, listener: (change: JobChange) => void): () => void {
    return this.options.subscribe(id, (message) => {
      const { status, done, total } = JSON.parse(message) as { status: JobStatus; done: number; total?: number };
      listener({ status, pagesDone: done, pagesTotal: total ?? null });
    });
  }

  close(): void {}

  private call<T>(operation: Promise<T>): Promise<T> {
    return this.options.call(operation);
  }
}

/** The page numbers among a job hash's fields, ascending. */
function pageNumbersOf(fields: string[]): number[] {
  return fields
    .filter((f) => f.startsWith(PAGE_FIELD_PREFIX))
    .map((f) => Number(f.slice(PAGE_FIELD_PREFIX.length)))
    .sort((a, b) => a - b);
}

/** The fields of a new job; the rest are written as it moves. */
function jobFields(job: Job): Record<string, string> {
  return {
    status: job.status,
    createdAt: job.createdAt.toISOString(),
    startedAt: '',
    finishedAt: '',
    file: JSON.stringify(job.file),
    upload: JSON.stringify(job.upload),
    options: JSON.stringify(job.options),
    origin: job.origin,
    ...(job.webhook ? { webhook: JSON.stringify(job.webhook) } : {}),
  };
}

function fromFields(id: string, values: (string | null)[]): Job {
  const field = Object.fromEntries(FIELDS.map((name, i) => [name, values[i] ?? undefined])) as Record<(typeof FIELDS)[number], string | undefined>;
  const date = (v: string | undefined) => (v ? new Date(v) : null);
  const json = <T>(v: string | undefined): T | undefined => (v ? (JSON.parse(v) as T) : undefined);
  const status = field.status as JobStatus;
  return {
    id,
    status,
    createdAt: new Date(field.createdAt!),
    startedAt: date(field.startedAt),
    finishedAt: date(field.finishedAt),
    selected: json<number[]>(field.selected) ?? null,
    documentPages: field.documentPages ? Number(field.documentPages) : null,
    file: json<Job['file']>(field.file)!,
    upload: json<Job['upload']>(field.upload)!,
    options: json<Job['options']>(field.options)!,
    ...(field.password !== undefined && !isFinal(status) ? { password: field.password } : {}),
    pagesDone: Number(field.done ?? 0),
    resultBytes: Number(field.bytes ?? 0),
    ...(field.error ? { error: json<Job['error']>(field.error)! } : {}),
    ...(field.webhook ? { webhook: json<WebhookState>(field.webhook)! } : {}),
    origin: field.origin ?? '',
  };
}
