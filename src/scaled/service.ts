import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createEngine, type Engine } from '../engine.js';
import type { Logger } from '../log.js';
import { createMetrics, processRssMb, type Metrics } from '../metrics.js';
import { createOpsApp } from '../ops-app.js';
import type { JobQueue } from '../routes/deps.js';
import type { Service, ServiceOptions } from '../service.js';
import { createCallbacks } from '../webhook/callbacks.js';
import { redisApi } from './api.js';
import { Channels } from './channels.js';
import { connect, PREFIX, settlesWithin } from './connections.js';
import { createFinisher } from './finish.js';
import { redisTransfer, sharedDirTransfer, type PdfTransfer } from './pdf-transfer.js';
import { JobRecords } from './records.js';
import { QUEUE_NAME, startRedisWorker } from './worker.js';

/** How long closing the BullMQ queue may take at shutdown (it waits for Redis). */
const CLOSE_WAIT_MS = 2000;

/** What both halves of an instance share. */
interface Shared {
  config: Config;
  url: string;
  log: Logger;
  metrics: Metrics;
  channels: Channels;
  callbacks: ReturnType<typeof createCallbacks>;
  draining(): boolean;
  transfer(redis: Redis): PdfTransfer;
}

/**
 * The service as one of several instances on Redis: `--role api` answers HTTP, `worker` runs
 * jobs (and serves /healthz and /metrics), `all` both. Job state lives in Redis, jobs travel
 * through a BullMQ queue.
 */
export async function createScaledService(config: Config, url: string, log: Logger, options: ServiceOptions): Promise<Service> {
  const failFast = connect(url, 'fail-fast');
  const patient = connect(url, 'patient');
  const subscriber = connect(url, 'patient');
  let api: Awaited<ReturnType<typeof apiSide>> | undefined;
  let worker: ReturnType<typeof workerSide> | undefined;
  const metrics = createMetrics({
    queueDepth: async () => (api ? (await api.queue.stats()).queued : (worker?.engine.scheduler.stats().queued ?? 0)),
    runningChildren: () => worker?.engine.supervisor.running ?? 0,
  });
  const records = new JobRecords(patient, config.resultTtlMs);
  // Delivery state is written with the patient connection: an outage delays it, never loses it.
  const callbacks = createCallbacks(config, (job, state) => void records.saveWebhook(job.id, state).catch(() => {}), metrics, log);
  let draining = false;
  const shared: Shared = {
    config,
    url,
    log,
    metrics,
    channels: new Channels(subscriber, failFast),
    callbacks,
    draining: () => draining,
    transfer: (redis) => (config.sharedDir ? sharedDirTransfer() : redisTransfer(redis, config.resultTtlMs)),
  };
  if (config.role !== 'worker') api = await apiSide(shared, failFast, options);
  if (config.role !== 'api') worker = workerSide(shared, records, patient);
  const local = worker?.engine.scheduler;
  const app = api?.app ?? createOpsApp({ queue: { stats: async () => local!.stats() }, draining: shared.draining, rssMb: processRssMb, metrics });

  async function shutdown(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    draining = true;
    await worker?.close(graceMs);
    await callbacks.flush(deadline);
    await api?.close();
    for (const redis of [failFast, patient, subscriber]) redis.disconnect();
  }

  return { app, shutdown };
}

/** Takes uploads into the shared queue and answers for every job, whichever worker runs it. */
async function apiSide(shared: Shared, redis: Redis, options: ServiceOptions) {
  const { config } = shared;
  const { createHttpApp } = await import('../http.js');
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: PREFIX });
  queue.on('error', () => {});
  const records = new JobRecords(redis, config.resultTtlMs);
  const pdfs = shared.transfer(redis);
  const backend = redisApi({
    queue,
    records,
    pdfs,
    channels: shared.channels,
    finish: createFinisher(records, pdfs, shared.callbacks.deliver),
    queueLimit: config.queueLimit,
    slotsPerWorker: config.workerThreads,
  });
  const app = createHttpApp(config, {
    ...backend,
    watch: shared.channels.watch,
    checkCallbackUrl: shared.callbacks.check,
    draining: shared.draining,
    metrics: shared.metrics,
    sseHeartbeatMs: options.sseHeartbeatMs,
  });
  return { app, queue: backend.queue as JobQueue, close: () => settlesWithin(queue.close(), CLOSE_WAIT_MS) };
}

/** Runs jobs from the shared queue on this machine's children. */
function workerSide(shared: Shared, records: JobRecords, redis: Redis) {
  const { config } = shared;
  const engine: Engine = createEngine(config, shared.metrics, shared.log);
  const pdfs = shared.transfer(redis);
  const bullConnection = connect(shared.url, 'patient');
  const worker = startRedisWorker({
    connection: bullConnection,
    records,
    pdfs,
    channels: shared.channels,
    finish: createFinisher(records, pdfs, shared.callbacks.deliver),
    engine,
    slots: config.workerThreads,
    lockMs: config.queueLockMs,
    tmpDir: config.tmpDir,
    log: shared.log,
  });
  return {
    engine,
    async close(graceMs: number) {
      await worker.close(graceMs);
      engine.store.close();
      bullConnection.disconnect();
    },
  };
}
