import { isIP, type LookupFunction } from 'node:net';
import { backoffMs, retryAfterMs } from './backoff.js';
import { assertPublicAddresses, ForbiddenTargetError, hostOf, systemResolver, type Resolver } from './guard.js';
import { pinnedLookup } from './lookup.js';
import { post, type PostResponse } from './post.js';
import { webhookHeaders, type Signer } from './sign.js';

/** One event to deliver: the body is fixed at enqueue, so every retry sends the same bytes under the same id. */
export interface WebhookMessage {
  id: string;
  url: string;
  body: string;
}

export interface DeliveryReport {
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus?: number;
  lastError?: string;
}

/** How a delivery ended, for metrics: 'abandoned' means the service shut down before it was done. */
export type DeliveryOutcome = 'delivered' | 'failed' | 'abandoned';

export interface WebhookSenderOptions {
  maxAttempts: number;
  timeoutMs: number;
  /** Scales the backoff schedule (5000 ≈ 5 s … 180 s); tests use a few ms. */
  retryBaseMs: number;
  allowPrivate: boolean;
  signer?: Signer;
  resolver?: Resolver;
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

interface Delivery {
  message: WebhookMessage;
  url: URL;
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
  private readonly lookup: LookupFunction;
  private emptied: (() => void)[] = [];

  constructor(private readonly options: WebhookSenderOptions) {
    this.lookup = pinnedLookup(options.resolver ?? systemResolver, options.allowPrivate);
  }

  /** Starts delivering now; `onReport` hears about every attempt and the end. */
  send(message: WebhookMessage, onReport: (report: DeliveryReport) => void): void {
    const delivery: Delivery = { message, url: new URL(message.url), report: { state: 'pending', attempts: 0 }, onReport };
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
    try {
      const response = await this.post(delivery, AbortSignal.any([controller.signal, AbortSignal.timeout(this.options.timeoutMs)]));
      if (this.deliveries.has(delivery)) this.afterResponse(delivery, response);
    } catch (err) {
      if (this.deliveries.has(delivery)) this.afterError(delivery, err as Error);
    }
  }

  private post(delivery: Delivery, signal: AbortSignal): Promise<PostResponse> {
    const host = hostOf(delivery.url);
    // Node connects to an address literal without calling the lookup, so check it here.
    if (isIP(host) && !this.options.allowPrivate) assertPublicAddresses(host, [host]);
    const { id, body } = delivery.message;
    return post(delivery.url, body, { headers: webhookHeaders(id, body, this.options.signer), lookup: this.lookup, signal });
  }

  private afterResponse(delivery: Delivery, { status, retryAfter }: PostResponse): void {
    delivery.report.lastStatus = status;
    if (status >= 200 && status < 300) {
      delivery.report.lastError = undefined;
      this.finish(delivery, 'delivered', 'delivered');
      return;
    }
    if (status === 429 || status >= 500) {
      const honoured = status === 429 || status === 503 ? retryAfterMs(retryAfter) : undefined;
      this.retry(delivery, `HTTP ${status}`, honoured ?? 0);
      return;
    }
    const why = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
    this.finish(delivery, 'failed', 'failed', why);
  }

  private afterError(delivery: Delivery, err: Error): void {
    delivery.report.lastStatus = undefined;
    if (err instanceof ForbiddenTargetError) {
      this.finish(delivery, 'failed', 'failed', err.message);
      return;
    }
    // node:http aborts with an AbortError whose cause is the signal's reason.
    const timedOut = (err.cause as Error | undefined)?.name === 'TimeoutError';
    const why = timedOut ? `timed out after ${this.options.timeoutMs} ms` : ((err as NodeJS.ErrnoException).code ?? err.message);
    this.retry(delivery, why, 0);
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

  private finish(delivery: Delivery, state: 'delivered' | 'failed', outcome: DeliveryOutcome, why?: string): void {
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
