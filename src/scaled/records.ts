import type { Redis } from 'ioredis';
import { isFinal, type Job, type WebhookState } from '../jobs/job.js';
import type { PageResult } from '../protocol.js';
import { PREFIX } from './connections.js';

/** Workers publish a job's id here after each change; API instances relay it to event streams. */
export const UPDATES_CHANNEL = `${PREFIX}:updates`;

const jobKey = (id: string) => `${PREFIX}:job:${id}`;
const pageField = (page: number) => `p:${page}`;

/** Writes fields only while the job exists (a DELETE wins over a late write), refreshes its TTL, tells watchers. */
const SAVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PUBLISH', '${UPDATES_CHANNEL}', ARGV[2])
return 1`;

/** The same, once: only the first writer of a final status wins (it then sends the webhook). */
const FINALIZE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'succeeded' or status == 'failed' or status == 'cancelled' then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PUBLISH', '${UPDATES_CHANNEL}', ARGV[2])
return 1`;

type RecordScripts = Redis & {
  saveJob(key: string, ttlMs: number, id: string, ...fields: string[]): Promise<number>;
  finalizeJob(key: string, ttlMs: number, id: string, ...fields: string[]): Promise<number>;
};

/**
 * Job state in Redis: one hash per job (`status`, `meta`, `webhook`, `pdf`, and `p:<n>` for
 * each page result, which are the checkpoints), expiring RESULT_TTL_S after its last change.
 */
export class JobRecords {
  private readonly redis: RecordScripts;

  constructor(
    redis: Redis,
    private readonly ttlMs: number,
  ) {
    redis.defineCommand('saveJob', { numberOfKeys: 1, lua: SAVE });
    redis.defineCommand('finalizeJob', { numberOfKeys: 1, lua: FINALIZE });
    this.redis = redis as RecordScripts;
  }

  /** A new job; `file.path` is where workers fetch the PDF from (a Redis key or a shared path). */
  async create(job: Job): Promise<void> {
    const fields = { ...stateFields(job), pdf: job.file.path, ...(job.webhook ? { webhook: JSON.stringify(job.webhook) } : {}) };
    await this.redis.multi().hset(jobKey(job.id), fields).pexpire(jobKey(job.id), this.ttlMs).exec();
  }

  async get(id: string): Promise<Job | undefined> {
    const hash = await this.redis.hgetall(jobKey(id));
    return hash.status ? fromHash(id, hash) : undefined;
  }

  /** Status and progress, plus the page results not written yet; false if the job is gone. */
  async save(job: Job, newPages: PageResult[]): Promise<boolean> {
    return (await this.redis.saveJob(jobKey(job.id), this.ttlMs, job.id, ...flat(stateFields(job)), ...pageFields(newPages))) === 1;
  }

  /** Writes a final status unless the job already has one; true for the one writer that won. */
  async finalize(job: Job, newPages: PageResult[] = []): Promise<boolean> {
    return (await this.redis.finalizeJob(jobKey(job.id), this.ttlMs, job.id, ...flat(stateFields(job)), ...pageFields(newPages))) === 1;
  }

  async saveWebhook(id: string, state: WebhookState): Promise<void> {
    await this.redis.saveJob(jobKey(id), this.ttlMs, id, 'webhook', JSON.stringify(state));
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.del(jobKey(id))) === 1;
  }
}

/** What a job's hash holds besides its pages, its webhook and its PDF's location. */
interface Meta {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  selected: number[] | null;
  documentPages: number | null;
  file: { name: string; bytes: number };
  options: Job['options'];
  error?: Job['error'];
  origin: string;
}

function stateFields(job: Job): Record<string, string> {
  const meta: Meta = {
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    selected: job.selected,
    documentPages: job.documentPages,
    file: { name: job.file.name, bytes: job.file.bytes },
    // An encrypted PDF's password is needed until the job ends, and not kept after.
    options: isFinal(job.status) ? { ...job.options, password: undefined } : job.options,
    error: job.error,
    origin: job.origin,
  };
  return { status: job.status, meta: JSON.stringify(meta) };
}

function fromHash(id: string, hash: Record<string, string>): Job {
  const meta = JSON.parse(hash.meta!) as Meta;
  const pages = new Map<number, PageResult>();
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('p:')) pages.set(Number(field.slice(2)), JSON.parse(value) as PageResult);
  }
  return {
    id,
    status: hash.status as Job['status'],
    createdAt: new Date(meta.createdAt),
    startedAt: meta.startedAt ? new Date(meta.startedAt) : null,
    finishedAt: meta.finishedAt ? new Date(meta.finishedAt) : null,
    selected: meta.selected,
    documentPages: meta.documentPages,
    file: { ...meta.file, path: hash.pdf ?? '' },
    options: meta.options,
    pages,
    ...(meta.error ? { error: meta.error } : {}),
    ...(hash.webhook ? { webhook: JSON.parse(hash.webhook) as WebhookState } : {}),
    origin: meta.origin,
  };
}

/** Page results as hash field/value pairs: `p:<n>`, the result as JSON. */
function pageFields(pages: PageResult[]): string[] {
  return pages.flatMap((p) => [pageField(p.page), JSON.stringify(p)]);
}

function flat(fields: Record<string, string>): string[] {
  return Object.entries(fields).flat();
}
