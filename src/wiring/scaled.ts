import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS_QUEUE, PREFIX } from '../redis/keys.js';
import { RedisJobRepository } from '../redis/repository.js';
import { Channels } from '../scaled/channels.js';
import { available, connect, settlesWithin } from '../scaled/connections.js';
import { redisTransfer, sharedDirTransfer, type PdfTransfer } from '../scaled/pdf-transfer.js';
import { redisQueue } from '../scaled/queue.js';
import { sweepSharedDir } from '../scaled/sweeper.js';
import { queuedWebhooks } from '../scaled/webhooks.js';
import { startRedisWorker } from '../scaled/worker.js';
import { createEngine } from './engine.js';
import { observeJobs } from './observe.js';
import type { Parts, PartsContext } from './parts.js';

/** How long closing the BullMQ queue may take at shutdown (it waits for Redis). */
const CLOSE_WAIT_MS = 2000;
/** Room for an upload beyond UPLOAD_TIMEOUT_S: its copy into Redis. */
const ADMISSION_MARGIN_MS = 60_000;

/**
 * The service as one of several instances on Redis: `--role api` answers HTTP, `worker` runs
 * jobs (and serves /healthz and /metrics), `all` both. Job state lives in Redis, jobs travel
 * through a BullMQ queue. The API side reads and writes with a connection that fails fast
 * while Redis is away; the worker side with one that waits the outage out.
 */
export async function scaledParts(context: PartsContext, url: string): Promise<Parts> {
  const { config, log, metrics } = context;
  const failFast = connect(url, 'fail-fast');
  const patient = connect(url, 'patient');
  const subscriber = connect(url, 'patient');
  const webhookWorker = connect(url, 'patient');
  const connections: Redis[] = [failFast, patient, subscriber, webhookWorker];
  const channels = new Channels(subscriber, failFast);
  const repository = (redis: Redis, call: <T>(p: Promise<T>) => Promise<T>) =>
    new RedisJobRepository(redis, { ttlMs: config.resultTtlMs, call, subscribe: channels.subscribe });
  // The worker side's writes, and every webhook's delivery state: an outage delays them, never loses them.
  const patientJobs = repository(patient, (p) => p);
  const webhooks = queuedWebhooks(config, { queue: patient, worker: webhookWorker }, (id, state) => patientJobs.setWebhook(id, state), metrics, log);
  const transfer = (redis: Redis): PdfTransfer => (config.sharedDir ? sharedDirTransfer() : redisTransfer(redis, config.resultTtlMs));

  /** Whichever instance wrote a job's end sends its webhook and drops its upload (the write happens once). */
  const observe = (jobs: RedisJobRepository, pdfs: PdfTransfer) => {
    observeJobs(jobs.events, metrics, log);
    jobs.events.on('final', (job) => {
      webhooks.deliver(job);
      void pdfs.remove(job.upload).catch(() => {});
    });
  };

  let api: { jobs: RedisJobRepository; queue: ReturnType<typeof redisQueue>; bull: Queue } | undefined;
  if (config.role !== 'worker') {
    const jobs = repository(failFast, (p) => available(p));
    const pdfs = transfer(failFast);
    const bull = new Queue(JOBS_QUEUE, { connection: failFast, prefix: PREFIX });
    bull.on('error', () => {});
    observe(jobs, pdfs);
    const queue = redisQueue({
      redis: failFast,
      queue: bull,
      repository: jobs,
      pdfs,
      channels,
      queueLimit: config.queueLimit,
      slotsPerWorker: config.workerThreads,
      admissionMs: config.uploadTimeoutMs + ADMISSION_MARGIN_MS,
    });
    api = { jobs, queue, bull };
  }
  const stopSweeping = config.sharedDir
    ? sweepSharedDir(
        config.sharedDir,
        async (id) => (await patientJobs.get(id)) !== undefined,
        { intervalMs: config.purgeIntervalMs, minAgeMs: config.uploadTimeoutMs + ADMISSION_MARGIN_MS },
        log,
      )
    : () => {};

  let worker: { scheduler: ReturnType<typeof createEngine>['scheduler']; running: () => number; close(graceMs: number): Promise<void> } | undefined;
  if (config.role !== 'api') {
    const jobs = patientJobs;
    const pdfs = transfer(patient);
    observe(jobs, pdfs);
    const { scheduler, supervisor } = createEngine(config, jobs, metrics, log);
    const bullConnection = connect(url, 'patient');
    connections.push(bullConnection);
    const runner = startRedisWorker({
      connection: bullConnection,
      repository: jobs,
      pdfs,
      channels,
      scheduler,
      slots: config.workerThreads,
      lockMs: config.queueLockMs,
      tmpDir: config.tmpDir,
      log,
    });
    worker = { scheduler, running: () => supervisor.running, close: (graceMs) => runner.close(graceMs) };
  }

  return {
    api: api && { jobs: api.jobs, queue: api.queue },
    webhooks,
    stats: async () => (api ? api.queue.stats() : worker!.scheduler.stats()),
    runningChildren: () => worker?.running() ?? 0,
    held: () => patientJobs.held(),
    async drain(deadline) {
      await worker?.close(Math.max(0, deadline - Date.now()));
    },
    async close() {
      stopSweeping();
      await webhooks.close();
      if (api) await settlesWithin(api.bull.close(), CLOSE_WAIT_MS);
      for (const redis of connections) redis.disconnect();
    },
  };
}
