import { describe, expect, it } from 'vitest';
import { corpusFile, isAlive, logLines, result, sleep, serverPerTest, submitOk, waitForJob, workerPids, type JobJson, type RunningServer } from './helpers.js';

/** Six pages of a text PDF forced through OCR: ~2 s a page, long enough to interfere with. */
const SIX_PAGES = { file: corpusFile('text/TAMReview.pdf'), fields: { ocr: 'force', pages: '1-6' } };

const server = serverPerTest();

async function job(s: RunningServer, id: string): Promise<JobJson> {
  return (await (await fetch(`${s.url}/api/jobs/${id}`)).json()) as JobJson;
}

/** Waits for a worker that is not in `seen`, while the job has `pagesDone` pages done. */
async function nextWorker(s: RunningServer, id: string, seen: Set<number>, pagesDone: number): Promise<number> {
  for (;;) {
    const fresh = workerPids(s.proc.pid).filter((p) => !seen.has(p));
    const state = await job(s, id);
    if (state.status !== 'running') throw new Error(`job ended early: ${JSON.stringify(state)}`);
    if (fresh.length > 0 && state.progress.pages_done >= pagesDone) return fresh[0]!;
    await sleep(50);
  }
}

describe('faults', () => {
  it('resumes at the next page when a child is SIGKILLed mid-job, and loses nothing', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1' });
    const { id } = await submitOk(s.url, SIX_PAGES.file, { fields: SIX_PAGES.fields });
    const first = await nextWorker(s, id, new Set(), 2);
    process.kill(first, 'SIGKILL');
    const done = await waitForJob(s.url, id);
    expect(done.status).toBe('succeeded');
    const r = await result(s.url, id);
    expect(r.pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.pages.every((p) => p.error === null && p.text.length > 100)).toBe(true);
    const spawned = s.logs.filter((l) => l.includes('child spawned')).length;
    expect(spawned).toBe(2);
  });

  // Crash counting and the half-resolution retry are decided by the scheduler alone: test/fast/scheduler.test.ts
  // drives them with the fake child, page by page, without betting on how long an OCR page takes.

  it('replaces a child that stops (SIGSTOP) once PAGE_TIMEOUT_S passes without a page, and loses nothing', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1', PAGE_TIMEOUT_S: '30' });
    const { id } = await submitOk(s.url, SIX_PAGES.file, { fields: SIX_PAGES.fields });
    const stuck = await nextWorker(s, id, new Set(), 1);
    process.kill(stuck, 'SIGSTOP');
    const done = await waitForJob(s.url, id);
    expect(done.status).toBe('succeeded');
    const r = await result(s.url, id);
    expect(r.pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.pages.every((p) => p.error === null && p.text.length > 100)).toBe(true);
    const exits = logLines(s).filter((l) => l.msg === 'child exited');
    expect(exits.map((l) => l.code ?? 'ok')).toEqual(['timeout', 'ok']);
    expect(isAlive(stuck)).toBe(false);
  });

  it('finishes a job on a throttled CPU: a slow host is not a stuck child', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1' });
    const { id } = await submitOk(s.url, SIX_PAGES.file, { fields: { ...SIX_PAGES.fields, pages: '1-3' } });
    // Every child runs a quarter of the time, as on a host with a quarter of a CPU.
    let running = true;
    const throttle = (async () => {
      while (running) {
        const children = workerPids(s.proc.pid);
        for (const pid of children) process.kill(pid, 'SIGSTOP');
        await sleep(300);
        for (const pid of children) process.kill(pid, 'SIGCONT');
        await sleep(100);
      }
    })();
    try {
      const done = await waitForJob(s.url, id, 300_000);
      expect(done.status).toBe('succeeded');
    } finally {
      running = false;
      await throttle;
    }
    const r = await result(s.url, id);
    expect(r.pages.every((p) => p.error === null && p.text.length > 100)).toBe(true);
    expect(logLines(s).filter((l) => l.msg === 'child exited').map((l) => l.code ?? 'ok')).toEqual(['ok']);
  });

  it('takes its children down with it when the parent is SIGKILLed', async () => {
    const s = await server({});
    await submitOk(s.url, SIX_PAGES.file, { fields: SIX_PAGES.fields });
    await submitOk(s.url, SIX_PAGES.file, { fields: SIX_PAGES.fields });
    while (workerPids(s.proc.pid).length < 2) await sleep(50);
    const children = workerPids(s.proc.pid);
    s.proc.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    const alive = () => children.filter(isAlive);
    while (alive().length > 0 && Date.now() < deadline) await sleep(100);
    expect(alive()).toEqual([]);
  });
});
