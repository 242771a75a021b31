import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the receiver answers to one request; `hangMs` delays the answer (timeouts). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  hangMs?: number;
}

export interface Received {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  received: Received[];
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A real webhook receiver on loopback; answers with `replies` in order, then 200. */
export async function startReceiver(replies: Reply[] = [], host = '127.0.0.1'): Promise<Receiver> {
  const received: Received[] = [];
  const queue = [...replies];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      for (const w of waiters.splice(0)) w();
      const reply = queue.shift() ?? { status: 200 };
      const answer = () => res.writeHead(reply.status, reply.headers).end('ok');
      if (reply.hangMs) setTimeout(answer, reply.hangMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const waitFor = async (count: number, timeoutMs = 20_000): Promise<Received[]> => {
    const deadline = Date.now() + timeoutMs;
    while (received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`receiver: ${received.length} of ${count} requests after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return received;
  };
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${hostPart}:${port}`, port, received, waitFor, close };
}
