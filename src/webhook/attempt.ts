import { isIP, type LookupFunction } from 'node:net';
import type { Config } from '../config.js';
import { retryAfterMs } from './backoff.js';
import { assertPublicAddresses, ForbiddenTargetError, hostOf, systemResolver, type Resolver } from './guard.js';
import { pinnedLookup } from './lookup.js';
import { post } from './post.js';
import { createSigner, webhookHeaders, type Signer } from './sign.js';

/** One event to deliver: the body is fixed at enqueue, so every retry sends the same bytes under the same id. */
export interface WebhookMessage {
  id: string;
  url: string;
  body: string;
}

export interface AttemptOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  signer?: Signer;
  /** The pinned DNS lookup (./lookup.ts): checks every address it hands the socket. */
  lookup: LookupFunction;
}

/**
 * How every attempt is made, from WEBHOOK_*: the same for the sender of one instance and for
 * the deliveries queued on Redis. `resolver` is the system's DNS but in tests of the guard.
 */
export function attemptOptions(
  config: Pick<Config, 'webhookTimeoutMs' | 'webhookAllowPrivate' | 'webhookSecret'>,
  resolver: Resolver = systemResolver,
): AttemptOptions {
  return {
    timeoutMs: config.webhookTimeoutMs,
    allowPrivate: config.webhookAllowPrivate,
    signer: config.webhookSecret ? createSigner(config.webhookSecret) : undefined,
    lookup: pinnedLookup(resolver, config.webhookAllowPrivate),
  };
}

/** What one attempt says about the delivery: done, worth another try (not before `minDelayMs`), or over. */
export type AttemptResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; status?: number; why: string; minDelayMs: number }
  | { outcome: 'failed'; status?: number; why: string };

/**
 * One POST of a webhook and its verdict, per API.md: any 2xx is success; connection errors,
 * timeouts, 429 and 5xx are retried (honouring Retry-After on 429/503); other 4xx and any 3xx
 * are final (redirects are not followed), and so is a target the guard refuses.
 */
export async function attemptDelivery(message: WebhookMessage, options: AttemptOptions, abort?: AbortSignal): Promise<AttemptResult> {
  const url = new URL(message.url);
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(abort ? [abort] : [])]);
  try {
    const host = hostOf(url);
    // Node connects to an address literal without calling the lookup, so check it here.
    if (isIP(host) && !options.allowPrivate) assertPublicAddresses(host, [host]);
    const headers = webhookHeaders(message.id, message.body, options.signer);
    const { status, retryAfter } = await post(url, message.body, { headers, lookup: options.lookup, signal });
    if (status >= 200 && status < 300) return { outcome: 'delivered', status };
    if (status === 429 || status >= 500) {
      const honoured = status === 429 || status === 503 ? retryAfterMs(retryAfter) : undefined;
      return { outcome: 'retry', status, why: `HTTP ${status}`, minDelayMs: honoured ?? 0 };
    }
    const why = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
    return { outcome: 'failed', status, why };
  } catch (err) {
    if (err instanceof ForbiddenTargetError) return { outcome: 'failed', why: err.message };
    // node:http aborts with an AbortError whose cause is the signal's reason.
    const timedOut = ((err as Error).cause as Error | undefined)?.name === 'TimeoutError';
    const why = timedOut ? `timed out after ${options.timeoutMs} ms` : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    return { outcome: 'retry', why, minDelayMs: 0 };
  }
}
