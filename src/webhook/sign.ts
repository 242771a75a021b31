import { Webhook } from 'standardwebhooks';

/** Produces the `webhook-signature` value for one attempt of one message. */
export type Signer = (msgId: string, timestamp: Date, body: string) => string;

/** A Standard Webhooks signer for a `whsec_…` secret: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. */
export function createSigner(secret: string): Signer {
  const webhook = new Webhook(secret);
  return (msgId, timestamp, body) => webhook.sign(msgId, timestamp, body);
}

/**
 * The Standard Webhooks headers of one attempt. The id stays the same across retries (receivers
 * de-duplicate on it); the timestamp is the attempt's own, so a late retry still passes the
 * receiver's freshness window. Without a signer the message goes out unsigned (API.md).
 */
export function webhookHeaders(msgId: string, body: string, signer: Signer | undefined, now: Date = new Date()): Record<string, string> {
  const headers: Record<string, string> = {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
  };
  if (signer) headers['webhook-signature'] = signer(msgId, now, body);
  return headers;
}
