import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/wiring/app.js';
import { MemoryJobRepository } from '../src/jobs/memory-repository.js';
import type { JobQueue } from '../src/jobs/queue.js';
import { createUploadReceiver } from '../src/upload/receiver.js';
import { corpusFile, startServer, submitOk, waitForJob, type RunningServer } from './helpers.js';

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads an SSE body to its end (or until `stopWhen`), returning events and comment lines. */
async function readSse(body: ReadableStream<Uint8Array>, stopWhen?: (events: SseEvent[], comments: string[]) => boolean) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  let ended = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) comments.push(line);
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) events.push({ event, data: JSON.parse(data.join('\n')) });
    }
    if (stopWhen?.(events, comments)) {
      await reader.cancel();
      break;
    }
  }
  return { events, comments, ended };
}

type Progress = { pages_done: number; pages_total: number | null };

describe('GET /api/jobs/{id}/events over a real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // One slot, so a second job waits in the queue and its whole life is observable.
    server = await startServer({ PDF_WORKER_THREADS: '1' });
  });
  afterAll(() => server.stop());

  const events = (id: string, headers: Record<string, string> = {}) => fetch(`${server.url}/api/jobs/${id}/events`, { headers });

  it('streams progress for a multi-page job, then one final event, then ends', async () => {
    const blocker = await submitOk(server.url, corpusFile('scanned/linn.pdf'));
    const job = await submitOk(server.url, corpusFile('text/multi_page.pdf'));
    const res = await events(job.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const { events: got, ended } = await readSse(res.body!);
    expect(ended).toBe(true);

    const progress = got.filter((e) => e.event === 'progress').map((e) => e.data as Progress);
    expect(progress[0]).toEqual({ pages_done: 0, pages_total: null }); // still queued behind the blocker
    expect(progress.some((p) => p.pages_total === 5 && p.pages_done > 0 && p.pages_done < 5)).toBe(true);
    const done = progress.map((p) => p.pages_done);
    expect(done).toEqual([...done].sort((a, b) => a - b));

    const final = got.at(-1)!;
    expect(final.event).toBe('succeeded');
    expect(final.data).toMatchObject({ id: job.id, status: 'succeeded', progress: { pages_done: 5, pages_total: 5 } });
    expect(got.filter((e) => e.event !== 'progress')).toHaveLength(1);
    await waitForJob(server.url, blocker.id);
  });

  it('gives a late client the current state first: a finished job is one final event and the end', async () => {
    const job = await submitOk(server.url, corpusFile('text/tagged.pdf'));
    await waitForJob(server.url, job.id);
    const { events: got, ended } = await readSse((await events(job.id)).body!);
    expect(ended).toBe(true);
    expect(got).toHaveLength(1);
    expect(got[0]!.event).toBe('succeeded');
    expect(got[0]!.data).toMatchObject({ id: job.id, status: 'succeeded' });
  });

  it('ends with a failed event carrying the error code', async () => {
    const job = await submitOk(server.url, corpusFile('bad/skew-encrypted.pdf'));
    const { events: got } = await readSse((await events(job.id)).body!);
    expect(got.at(-1)).toMatchObject({ event: 'failed', data: { status: 'failed', error: { code: 'pdf_password_required' } } });
  });

  it('ends with a cancelled event when the job is deleted while a client watches', async () => {
    const blocker = await submitOk(server.url, corpusFile('scanned/linn.pdf'));
    const job = await submitOk(server.url, corpusFile('text/multi_page.pdf'));
    const res = await events(job.id);
    const reading = readSse(res.body!);
    await fetch(`${server.url}/api/jobs/${job.id}`, { method: 'DELETE' });
    const { events: got, ended } = await reading;
    expect(ended).toBe(true);
    expect(got[0]!.event).toBe('progress');
    expect(got.at(-1)).toMatchObject({ event: 'cancelled', data: { id: job.id, status: 'cancelled' } });
    await waitForJob(server.url, blocker.id);
  });

  it('404 job_not_found as JSON for an unknown id', async () => {
    const res = await events('00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('job_not_found');
  });
});

describe('GET /api/jobs/{id}/events in-process', () => {
  const repository = new MemoryJobRepository({ ttlMs: 60_000, purgeIntervalMs: 60_000, maxBytes: 1 << 20 });
  let open = 0;
  const unused = () => Promise.reject(new Error('not used by the event stream'));
  const queue: JobQueue = { admit: unused, submit: unused, cancel: unused, stats: unused };
  const app = createApp({
    jobs: repository,
    queue,
    uploads: createUploadReceiver({ maxBytes: 1 << 20, timeoutMs: 10_000 }),
    languages: ['eng'],
    checkCallbackUrl: async () => {},
    rssMb: () => 0,
    draining: () => false,
    metrics: { contentType: 'text/plain', render: async () => '' },
    events: { maxStreams: 3, heartbeatMs: 40, onStreams: (delta) => (open += delta) },
    maxResultStreams: 16,
  });
  afterAll(() => repository.close());

  /** A running job of 200 pages, as a scheduler would leave it. */
  const runningJob = async (): Promise<string> => {
    const id = crypto.randomUUID();
    await repository.create({
      id,
      createdAt: new Date(),
      file: { name: 'fake.pdf', bytes: 1 },
      upload: { kind: 'local', path: '/nonexistent/fake.pdf' },
      options: { ocr: 'auto', pages: null, lang: 'eng' },
      origin: 'http://localhost',
    });
    await repository.start(id);
    await repository.opened(id, 200, Array.from({ length: 200 }, (_, i) => i + 1));
    return id;
  };
  const addPage = (id: string, page: number) => repository.addPage(id, { page, text: `page ${page}`, source: 'text', error: null });
  /** Until the streams that went away have run their cleanup (a deadline, not a bet on its length). */
  const streamsDownTo = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (open > n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(open).toBe(n);
  };

  it('closes its stream when the client goes away (abort signal or cancelled body)', async () => {
    const id = await runningJob();
    const clients = await Promise.all(
      [0, 1, 2].map(async () => {
        const controller = new AbortController();
        const res = await app.request(`/api/jobs/${id}/events`, { signal: controller.signal });
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        await reader.read(); // the current state
        return { controller, reader };
      }),
    );
    expect(open).toBe(3);
    // Two go away the way a browser tab does on a Node server (the body is cancelled), one by abort signal.
    await clients[0]!.reader.cancel();
    await clients[1]!.reader.cancel();
    clients[2]!.controller.abort();
    await addPage(id, 1); // nobody left to write to
    await streamsDownTo(0);
  });

  it('refuses a stream past MAX_EVENT_STREAMS with 429 too_many_streams, and takes one again once a stream closed', async () => {
    const id = await runningJob();
    const readers = await Promise.all([0, 1, 2].map(async () => (await app.request(`/api/jobs/${id}/events`)).body!.getReader()));
    const refused = await app.request(`/api/jobs/${id}/events`);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_streams');
    expect(refused.headers.get('retry-after')).toBe('5');
    await readers[0]!.cancel();
    await streamsDownTo(2);
    const again = await app.request(`/api/jobs/${id}/events`);
    expect(again.status).toBe(200);
    await Promise.all([again.body!.cancel(), ...readers.slice(1).map((r) => r.cancel())]);
    await streamsDownTo(0);
  });

  it('coalesces progress for a slow client and sends heartbeat comments while idle', async () => {
    const id = await runningJob();
    const res = await app.request(`/api/jobs/${id}/events`);
    for (let p = 1; p <= 200; p++) await addPage(id, p); // a burst the client does not read yet
    const { events: got, comments } = await readSse(res.body!, (evs, cs) => (evs.at(-1)?.data as Progress | undefined)?.pages_done === 200 && cs.length > 0);
    const progress = got.map((e) => e.data as Progress);
    expect(progress.at(-1)).toEqual({ pages_done: 200, pages_total: 200 });
    expect(progress.length).toBeLessThan(20);
    expect(comments[0]).toBe(': keep-alive');
    await streamsDownTo(0);
  });

  it('a stream that ends on its own also closes', async () => {
    const id = await runningJob();
    const res = await app.request(`/api/jobs/${id}/events`);
    const reading = readSse(res.body!);
    await repository.finish(id, { ok: true });
    const { events: got, ended } = await reading;
    expect(ended).toBe(true);
    expect(got.at(-1)!.event).toBe('succeeded');
    await streamsDownTo(0);
  });
});
