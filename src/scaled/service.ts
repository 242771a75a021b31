import { Queue } from 'bullmq';
import type { Config } from '../config.js';
import { createEngine, type Engine } from '../engine.js';
import { createHttpApp } from '../http.js';
import type { Logger } from '../log.js';
import { createMetrics } from '../metrics.js';
import type { JobQueue } from '../routes/deps.js';
import type { Service, ServiceOptions } from '../service.js';
import { createCallbacks } from '../webhook/callbacks.js';
import { redisApi } from './api.js';
import { Channels } from './channels.js';
import { connect, PREFIX } from './connections.js';
import { createFinisher } from './finish.js';
import { redisTransfer, sharedDirTransfer } from './pdf-transfer.js';
import { JobRecords } from './records.js';
import { QUEUE_NAME, startRedisWorker } from './worker.js';

/**
 * The service as one of several instances on Redis: `--role api` answers HTTP, `worker` runs
 * jobs, `all` both. Job state lives in Redis, jobs travel through a BullMQ queue.
 */
export function createScaledService(config: Config, url: string, log: Logger, options: ServiceOptions): Service {
  const failFast = connect(url, 'fail-fast');
  const patient = connect(url, 'patient');
  const channels = new Channels(connect(url, 'patient'), failFast);
  const connections = [failFast, patient];
  const transfer = (redis: typeof patient) => (config.sharedDir ? sharedDirTransfer() : redisTransfer(redis, config.resultTtlMs));
  let engine: Engine | undefined;
  let api: JobQueue | undefined;
  const metrics = createMetrics({
    queueDepth: async () => (api ? (await api.stats()).queued : (engine?.scheduler.stats().queued ?? 0)),
    runningChildren: () => engine?.supervisor.running ?? 0,
  });
  const workerRecords = new JobRecords(patient, config.resultTtlMs);
  // Delivery state is written with the patient connection: an outage delays it, never loses it.
  const callbacks = createCallbacks(config, (job, state) => void workerRecords.saveWebhook(job.id, state).catch(() => {}), metrics, log);
  let draining = false;

  let app: Service['app'];
  let queue: Queue | undefined;
  if (config.role !== 'worker') {
    queue = new Queue(QUEUE_NAME, { connection: failFast, prefix: PREFIX });
    queue.on('error', () => {});
    const records = new JobRecords(failFast, config.resultTtlMs);
    const pdfs = transfer(failFast);
    const backend = redisApi({
      queue,
      records,
      pdfs,
      channels,
      finish: createFinisher(records, pdfs, callbacks.deliver),
      queueLimit: config.queueLimit,
      slotsPerWorker: config.workerThreads,
    });
    api = backend.queue;
    app = createHttpApp(config, {
      ...backend,
      watch: channels.watch,
      checkCallbackUrl: callbacks.check,
      draining: () => draining,
      metrics,
      sseHeartbeatMs: options.sseHeartbeatMs,
    });
  }

  let worker: ReturnType<typeof startRedisWorker> | undefined;
  if (config.role !== 'api') {
    engine = createEngine(config, metrics, log);
    const pdfs = transfer(patient);
    const bullConnection = connect(url, 'patient');
    connections.push(bullConnection);
    worker = startRedisWorker({
      connection: bullConnection,
      records: workerRecords,
      pdfs,
      channels,
      finish: createFinisher(workerRecords, pdfs, callbacks.deliver),
      engine,
      slots: config.workerThreads,
      lockMs: config.queueLockMs,
      tmpDir: config.tmpDir,
      log,
    });
  }

  async function shutdown(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    draining = true;
    await worker?.close(graceMs);
    await callbacks.flush(deadline);
    engine?.store.close();
    await queue?.close().catch(() => {});
    channels.close();
    for (const redis of connections) redis.disconnect();
  }

  return { app, shutdown };
}
