import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { finalStatusSchema, type FinalStatus, type Job } from './jobs/job.js';
import { pageSourceSchema, type PageResult } from './protocol.js';
import { deliveryOutcomeSchema, type DeliveryOutcome as WebhookOutcome } from './webhook/deliver.js';

/** What one child left behind when it exited (fed by the supervisor's exit hook). */
export interface ChildExitInfo {
  peakMemoryMb: number;
  /** `ok` or the failure code (a fixed set), never anything per job. */
  outcome: string;
}

export interface MetricsSources {
  queueDepth(): Promise<number>;
  runningChildren(): number;
}

/**
 * The service's Prometheus metrics, on a registry of its own (prom-client's global default
 * registry stays untouched). Labels are bounded sets: statuses, sources, outcomes; never ids.
 */
export function createMetrics(sources: MetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const jobsFinished = new Counter({
    name: 'jobs_finished_total',
    help: 'Jobs that reached a final status, by status',
    labelNames: ['status'] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Time from submission to final status (queue wait included), by final status',
    labelNames: ['status'] as const,
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200],
    registers,
  });
  const queueWait = new Histogram({
    name: 'job_queue_wait_seconds',
    help: 'Time a job waited in the queue before its child started',
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });
  const pagesProcessed = new Counter({
    name: 'pages_processed_total',
    help: 'Pages read, by source (text layer or OCR)',
    labelNames: ['source'] as const,
    registers,
  });
  const pageErrors = new Counter({
    name: 'page_errors_total',
    help: 'Pages that could not be processed while their job still went on',
    registers,
  });
  new Gauge({
    name: 'queue_depth',
    help: 'Jobs waiting for a free child slot',
    registers,
    async collect() {
      // Scaled, the depth is read from Redis; while it is away the gauge keeps its last value.
      await sources.queueDepth().then(
        (depth) => this.set(depth),
        () => {},
      );
    },
  });
  new Gauge({
    name: 'running_children',
    help: 'PDF child processes alive now',
    registers,
    collect() {
      this.set(sources.runningChildren());
    },
  });
  const childPeakMemory = new Histogram({
    name: 'child_peak_memory_bytes',
    help: 'Peak memory each child process owned (anonymous and shared pages), observed when it exits',
    buckets: [32, 64, 96, 128, 160, 192, 224, 256, 320, 384, 512, 768, 1024].map((mb) => mb * 1024 * 1024),
    registers,
  });
  const childrenExited = new Counter({
    name: 'children_exited_total',
    help: 'Child processes that exited, by outcome (ok or the failure code)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const eventStreams = new Gauge({
    name: 'event_streams',
    help: 'Open /api/jobs/{id}/events streams (MAX_EVENT_STREAMS bounds them)',
    registers,
  });
  const webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook deliveries, by how they ended (delivered, failed, abandoned at shutdown)',
    labelNames: ['outcome'] as const,
    registers,
  });

  // Series exist from the start (at 0), so rates and alerts work before the first event.
  for (const status of finalStatusSchema.options) jobsFinished.labels(status).inc(0);
  for (const source of pageSourceSchema.options) pagesProcessed.labels(source).inc(0);
  for (const outcome of deliveryOutcomeSchema.options) webhookDeliveries.labels(outcome).inc(0);

  return {
    contentType: registry.contentType as string,
    /** The Prometheus text exposition of every series. */
    render: () => registry.metrics(),
    registry,

    /** A job left the queue for a child. */
    jobStarted(job: Job): void {
      if (job.startedAt) queueWait.observe(Math.max(0, (job.startedAt.getTime() - job.createdAt.getTime()) / 1000));
    },

    /** A job reached its final status (the store's `final` event). */
    jobFinished(job: Job): void {
      const status = job.status as FinalStatus;
      jobsFinished.labels(status).inc();
      const end = job.finishedAt ?? new Date();
      jobDuration.labels(status).observe(Math.max(0, (end.getTime() - job.createdAt.getTime()) / 1000));
    },

    /** A page result was kept. */
    pageRead(page: PageResult): void {
      pagesProcessed.labels(page.source).inc();
      if (page.error) pageErrors.inc();
    },

    /** An event stream opened (+1) or closed (-1). */
    eventStreams(delta: 1 | -1): void {
      eventStreams.inc(delta);
    },

    childExited(info: ChildExitInfo): void {
      childPeakMemory.observe(info.peakMemoryMb * 1024 * 1024);
      childrenExited.labels(info.outcome).inc();
    },

    /** For the webhook sender: one call per delivery, when it ends. */
    webhookDelivery(outcome: WebhookOutcome): void {
      webhookDeliveries.labels(outcome).inc();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Resident memory of this process in MB, for /healthz. */
export function processRssMb(): number {
  return Math.round(process.memoryUsage.rss() / 1048576);
}
