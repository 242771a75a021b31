import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface PostResponse {
  status: number;
  retryAfter: string | undefined;
}

export interface PostOptions {
  headers: Record<string, string>;
  lookup: LookupFunction;
  signal: AbortSignal;
}

/**
 * One POST attempt. node:http never follows redirects, so a 3xx comes back as is. The host
 * name (not the resolved address) stays in the request options, so the Host header and the
 * TLS servername are the caller's; only the socket's address comes from the pinned lookup.
 */
export function post(url: URL, body: string, options: PostOptions): Promise<PostResponse> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'pdf-ocr-service-webhook',
          ...options.headers,
        },
        lookup: options.lookup,
        signal: options.signal,
        // A fresh connection per attempt: no pooled socket outlives the check of its address.
        agent: false,
      },
      (response) => {
        const retryAfter = response.headers['retry-after'];
        // Only the status matters; the receiver's body is not read.
        response.destroy();
        resolve({ status: response.statusCode ?? 0, retryAfter });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
