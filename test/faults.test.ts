import { describe, expect, it } from 'vitest';
import { corpusFile, result, sleep, serverPerTest, submitOk, waitForJob, workerPids, type JobJson, type RunningServer } from './helpers.js';

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

  it('retries a page that killed two children at half resolution, then records it as a page error', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1' });
    const { id } = await submitOk(s.url, SIX_PAGES.file, { fields: SIX_PAGES.fields });
    const seen = new Set<number>();
    for (let kill = 0; kill < 3; kill++) {
      const pid = await nextWorker(s, id, seen, 2);
      seen.add(pid);
      // Still on page 3: pages 1-2 are done, page 3 takes ~2 s.
      expect((await job(s, id)).progress.pages_done).toBe(2);
      process.kill(pid, 'SIGKILL');
    }
    const done = await waitForJob(s.url, id);
    expect(done.status).toBe('succeeded');
    const r = await result(s.url, id);
    expect(r.pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.pages[2]!.error?.code).toBe('worker_crashed');
    expect(r.pages.filter((p) => p.error !== null), JSON.stringify(r.pages.map((p) => p.error))).toHaveLength(1);
  });

  it('fails the job with timeout when its child hangs (SIGSTOP)', async () => {
    const s = await server({ PDF_WORKER_THREADS: '1', JOB_TIMEOUT_S: '4' });
    const { id } = await submitOk(s.url, SIX_PAGES.file, { fields: SIX_PAGES.fields });
    const pid = await nextWorker(s, id, new Set(), 0);
    process.kill(pid, 'SIGSTOP');
    const done = await waitForJob(s.url, id);
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('timeout');
    expect(workerPids(s.proc.pid)).toEqual([]);
  });

  it('takes its children down with it when the parent is SIGKILLed', async () => {
    const s = await server({});
    await submitOk(s.url, SIX_PAGES.file, { fields: SIX_PAGES.fields });
    await submitOk(s.url, SIX_PAGES.file, { fields: SIX_PAGES.fields });
    while (workerPids(s.proc.pid).length < 2) await sleep(50);
    const children = workerPids(s.proc.pid);
    s.proc.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    const alive = () => children.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    while (alive().length > 0 && Date.now() < deadline) await sleep(100);
    expect(alive()).toEqual([]);
  });
});
