import { describe, expect, it } from 'vitest';
import {
  corpusFile,
  expectNoLeftovers,
  result,
  sleep,
  serverPerTest,
  submit,
  submitOk,
  waitForJob,
  workerPids,
} from './helpers.js';

/** A job that keeps a child busy for a while: every page of a 55-page book through OCR. */
const SLOW = { file: corpusFile('text/pdkids.pdf'), fields: { ocr: 'force' } };

const server = serverPerTest();

describe('the supervisor and its queue', () => {
  it('never runs more than PDF_WORKER_THREADS children, and runs every job', async () => {
    const s = await server({ PDF_WORKER_THREADS: '2' });
    const jobs = await Promise.all(
      Array.from({ length: 6 }, () => submitOk(s.url, corpusFile('text/TAMReview.pdf'), { fields: { pages: '1-8', ocr: 'force' } })),
    );
    let maxSeen = 0;
    let sawTwo = false;
    const watching = (async () => {
      for (;;) {
        const n = workerPids(s.proc.pid).length;
        maxSeen = Math.max(maxSeen, n);
        if (n === 2) sawTwo = true;
        const health = (await (await fetch(`${s.url}/healthz`)).json()) as { queue: { running: number; queued: number } };
        if (health.queue.running === 0 && health.queue.queued === 0) return;
        await sleep(50);
      }
    })();
    const done = await Promise.all(jobs.map((j) => waitForJob(s.url, j.id)));
    await watching;
    expect(done.map((j) => j.status)).toEqual(Array(6).fill('succeeded'));
    expect(maxSeen).toBe(2);
    expect(sawTwo).toBe(true);
    await expectNoLeftovers(s);
  });

  it('answers 429 queue_full with Retry-After when the queue is at its limit', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1', QUEUE_LIMIT: '1' });
    const first = await submitOk(s.url, SLOW.file, { fields: SLOW.fields });
    const second = await submitOk(s.url, SLOW.file, { fields: SLOW.fields });
    const third = await submit(s.url, SLOW.file, { fields: SLOW.fields });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('queue_full');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    for (const j of [second, first]) expect((await fetch(`${s.url}/api/jobs/${j.id}`, { method: 'DELETE' })).status).toBe(204);
    await expectNoLeftovers(s);
  });

  it('cancels a queued and a running job, killing the running child', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1' });
    const running = await submitOk(s.url, SLOW.file, { fields: SLOW.fields });
    const queued = await submitOk(s.url, SLOW.file, { fields: SLOW.fields });
    while (workerPids(s.proc.pid).length === 0) await sleep(50);
    const [pid] = workerPids(s.proc.pid);

    expect((await fetch(`${s.url}/api/jobs/${queued.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${s.url}/api/jobs/${queued.id}`)).status).toBe(404);
    expect((await fetch(`${s.url}/api/jobs/${running.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${s.url}/api/jobs/${running.id}`)).status).toBe(404);
    expect(workerPids(s.proc.pid)).not.toContain(pid);
    await expectNoLeftovers(s);
  });

  it('fails a job that outlives JOB_TIMEOUT_S with timeout, and frees the slot', async () => {
    const s = await server({ JOB_TIMEOUT_S: '2', PDF_WORKER_THREADS: '1' });
    const slow = await submitOk(s.url, SLOW.file, { fields: SLOW.fields });
    const quick = await submitOk(s.url, corpusFile('text/tagged.pdf'));
    const failed = await waitForJob(s.url, slow.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('timeout');
    expect((await waitForJob(s.url, quick.id)).status).toBe('succeeded');
    const res = await fetch(`${s.url}/api/jobs/${slow.id}/result`);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('timeout');
    await expectNoLeftovers(s);
  });

  it('kills a child over its memory cap (memory_limit), and the next job succeeds', async () => {
    // A 9000×9000 px page decoded at full size needs far more than the 160 MB cap. The page
    // is tried three times (twice, then at half resolution), then recorded as a page error.
    const s = await server({ CHILD_MEMORY_MB: '160', MAX_PAGE_MEGAPIXELS: '200', OCR_DPI: '300' });
    const big = await submitOk(s.url, corpusFile('bad/enormous.pdf'));
    expect((await waitForJob(s.url, big.id)).status).toBe('succeeded');
    const r = await result(s.url, big.id);
    expect(r.pages[0]!.error?.code).toBe('memory_limit');
    const killed = s.logs.filter((l) => l.includes('child exited') && l.includes('"code":"memory_limit"'));
    expect(killed).toHaveLength(3);
    const next = await submitOk(s.url, corpusFile('text/tagged.pdf'));
    expect((await waitForJob(s.url, next.id)).status).toBe('succeeded');
    await expectNoLeftovers(s);
  });

  it('forgets finished jobs after RESULT_TTL_S', async () => {
    const s = await server({ RESULT_TTL_S: '1', PURGE_INTERVAL_S: '1' });
    const job = await submitOk(s.url, corpusFile('text/tagged.pdf'));
    expect((await waitForJob(s.url, job.id)).status).toBe('succeeded');
    expect((await fetch(`${s.url}/api/jobs/${job.id}/result`)).status).toBe(200);
    const deadline = Date.now() + 10_000;
    let gone = await fetch(`${s.url}/api/jobs/${job.id}`);
    while (gone.status === 200 && Date.now() < deadline) {
      await sleep(100);
      gone = await fetch(`${s.url}/api/jobs/${job.id}`);
    }
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('job_not_found');
    while (!s.logs.join('\n').includes('purged expired jobs') && Date.now() < deadline) await sleep(100);
    expect(s.logs.join('\n')).toMatch(/purged expired jobs/);
  });
});
