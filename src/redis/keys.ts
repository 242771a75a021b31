/**
 * Every Redis key and pub/sub channel of the service, BullMQ's queues included. All start with
 * PREFIX, so the service can share a Redis with others and `pdf-ocr:*` finds everything it keeps.
 */
export const PREFIX = 'pdf-ocr';

/** A job's hash: its fields, and a field per page result (see redis/repository.ts). */
export const jobKey = (id: string) => `${PREFIX}:job:${id}`;
/** The id of the job an Idempotency-Key created, kept as long as that job. */
export const idempotencyKey = (key: string) => `${PREFIX}:idempotency:${key}`;
/** An upload on its way from an API instance to a worker, when there is no SHARED_DIR. */
export const pdfKey = (id: string) => `${PREFIX}:pdf:${id}`;
/** Uploads being received on every API instance, each scored by when its place lapses. */
export const ADMISSIONS_KEY = `${PREFIX}:admissions`;

/** Each job write publishes `{id, status, done, total}` here; event streams on every API instance listen. */
export const UPDATES_CHANNEL = `${PREFIX}:updates`;
/** A DELETE asks the worker running the job to stop it. */
export const CANCEL_CHANNEL = `${PREFIX}:cancel`;

/** BullMQ queues, opened with `prefix: PREFIX`: their keys are `pdf-ocr:<queue>:…`. */
export const JOBS_QUEUE = 'jobs';
export const WEBHOOK_QUEUE = 'webhooks';
