import { z } from 'zod';
import { deliveryStateSchema, type DeliveryState } from '../jobs/job.js';
import { attemptDelivery, type AttemptOptions, type WebhookMessage } from './attempt.js';
import { backoffMs } from './backoff.js';

export type { WebhookMessage } from './attempt.js';

export interface DeliveryReport {
  state: DeliveryState;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
}

/** How a delivery ended, for metrics: 'abandoned' means the service shut down before it was done. */
export const deliveryOutcomeSchema = z.enum([...deliveryStateSchema.exclude(['pending']).options, 'abandoned']);
export type DeliveryOutcome = z.infer<typeof deliveryOutcomeSchema>;

export interface WebhookSenderOptions {
  maxAttempts: number;
  /** Scales the backoff schedule (5000 ≈ 5 s … 180 s); tests use a few ms. */
  retryBaseMs: number;
  /** How each attempt is made (attemptOptions). */
  attempt: AttemptOptions;
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

interface Delivery {
  message: WebhookMessage;
  report: DeliveryReport;
  onReport: (report: DeliveryReport) => void;
  timer?: NodeJS.Timeout;
  controller?: AbortController;
}

/**
 * Sends webhooks off the job path: a set of deliveries, each retried on its own unref'd
 * timer. It holds no job state; every change goes out through the delivery's `onReport`.
 */
export class WebhookSender {
  private readonly deliveries = new Set<Delivery>();
  private emptied: (() => void)[] = [];

  constructor(private readonly options: WebhookSenderOptions) {}

  /** Starts delivering now; `onReport` hears about every attempt and the end. */
  send(message: WebhookMessage, onReport: (report: DeliveryReport) => void): void {
    const delivery: Delivery = { message, report: { state: 'pending', attempts: 0 }, onReport };
    this.deliveries.add(delivery);
    void this.attempt(delivery);
  }

  /**
   * Shutdown: deliveries waiting out a backoff are attempted at once; waits until all are done
   * or `graceMs` has passed, then abandons the rest.
   */
  async flush(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    for (const delivery of this.deliveries) {
      if (delivery.timer === undefined) continue;
      clearTimeout(delivery.timer);
      void this.attempt(delivery);
    }
    await this.settled(deadline);
    for (const delivery of this.deliveries) {
      clearTimeout(delivery.timer);
      delivery.controller?.abort();
      this.finish(delivery, 'failed', 'abandoned', 'the service shut down before delivery');
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.timer = undefined;
    delivery.report.attempts++;
    const controller = new AbortController();
    delivery.controller = controller;
    const result = await attemptDelivery(delivery.message, this.options.attempt, controller.signal);
    if (!this.deliveries.has(delivery)) return;
    delivery.report.lastStatus = result.status;
    if (result.outcome === 'delivered') {
      delivery.report.lastError = undefined;
      this.finish(delivery, 'delivered', 'delivered');
    } else if (result.outcome === 'retry') {
      this.retry(delivery, result.why, result.minDelayMs);
    } else {
      this.finish(delivery, 'failed', 'failed', result.why);
    }
  }

  private retry(delivery: Delivery, why: string, minDelayMs: number): void {
    delivery.report.lastError = why;
    if (delivery.report.attempts >= this.options.maxAttempts) {
      this.finish(delivery, 'failed', 'failed', why);
      return;
    }
    const delay = Math.max(minDelayMs, backoffMs(delivery.report.attempts, this.options.retryBaseMs));
    delivery.timer = setTimeout(() => void this.attempt(delivery), delay);
    delivery.timer.unref();
    delivery.onReport({ ...delivery.report });
  }

  private finish(delivery: Delivery, state: Exclude<DeliveryState, 'pending'>, outcome: DeliveryOutcome, why?: string): void {
    if (why !== undefined) delivery.report.lastError = why;
    delivery.report.state = state;
    this.deliveries.delete(delivery);
    delivery.onReport({ ...delivery.report });
    this.options.onOutcome?.(outcome);
    if (this.deliveries.size === 0) for (const resolve of this.emptied.splice(0)) resolve();
  }

  /** Resolves when no delivery is left, or at the deadline. */
  private settled(deadline: number): Promise<void> {
    if (this.deliveries.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      this.emptied.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
