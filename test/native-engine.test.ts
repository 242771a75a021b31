/**
 * The native OCR engine (the system's tesseract program, one process per pass under the child)
 * against the WebAssembly one, and its process's life: killed and retried with its child (counted
 * against the child's memory cap: test/fast/scheduler.test.ts, a fake child's descendant).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { Supervisor, type ChildExit, type RunOutcome, type Task } from '../src/jobs/supervisor.js';
import { ocrEngineSchema, type PageResult } from '../src/protocol.js';
import { WORKER, childTask, corpusFile, logLines, result, running, serverPerTest, submitOk, until, waitForJob, wordAccuracy, workerPids, type RunningServer } from './helpers.js';

const NATIVE = ocrEngineSchema.parse(parseConfig({ OCR_ENGINE: 'native' }).ocrEngine);
const WASM = ocrEngineSchema.parse(parseConfig({ OCR_ENGINE: 'wasm' }).ocrEngine);

const server = serverPerTest();
/** Between the child's own peak and its tree's on the page below, 50 and 37 MB from each. */

interface Read {
  outcome: RunOutcome;
  pages: PageResult[];
  exit: ChildExit;
}

/** One child reads `file` with this task, under a cap of `childMemoryMb`. */
async function read(file: string, extra: Partial<Task>, childMemoryMb = parseConfig({}).childMemoryMb): Promise<Read> {
  const pages: PageResult[] = [];
  let exit: ChildExit | undefined;
  const supervisor = new Supervisor({ workerFile: WORKER, childMemoryMb, pageTimeoutMs: 120_000, onChildExit: (e) => (exit = e) });
  const outcome = await supervisor.run(childTask(file, extra), { onDocument: () => {}, onPage: (p) => pages.push(p) }, path.basename(file)).outcome;
  return { outcome, pages: pages.sort((a, b) => a.page - b.page), exit: exit! };
}

/** Pids of the processes below `pid`, through /proc's children lists of each main thread. */
function descendants(pid: number): number[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** The first tesseract process a worker of `s` starts. */
async function engineProcess(s: RunningServer): Promise<number> {
  let found: number | undefined;
  const isTesseract = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'tesseract';
  await until('a tesseract process under a worker', () => {
    found = workerPids(s.proc.pid).flatMap(descendants).find((pid) => {
      try {
        return isTesseract(pid);
      } catch {
        return false;
      }
    });
    return found !== undefined;
  }, 60_000);
  return found!;
}

describe('the native engine reads what the WebAssembly engine reads', () => {
  it('gives the same words on scans upright, sideways and upside down (recall within 1 % of the WebAssembly engine)', async () => {
    const expected = readFileSync(corpusFile('scanned/linn.expected.txt'), 'utf8');
    for (const file of ['scanned/linn.pdf', 'scanned/cardinal.pdf']) {
      const [native, wasm] = [await read(corpusFile(file), { engine: NATIVE }), await read(corpusFile(file), { engine: WASM })];
      expect(native.outcome.ok && wasm.outcome.ok, file).toBe(true);
      expect(native.pages.map((p) => [p.page, p.source, p.error]), file).toEqual(wasm.pages.map((p) => [p.page, p.source, p.error]));
      for (const [i, page] of native.pages.entries()) {
        const other = wasm.pages[i]!;
        const where = `${file} page ${page.page}`;
        expect(wordAccuracy(page.text, expected), where).toBeGreaterThanOrEqual(0.99 * wordAccuracy(other.text, expected));
        // The engines agree with each other word for word (measured: see the commit), and on how sure they are.
        expect(wordAccuracy(page.text, other.text), where).toBeGreaterThanOrEqual(0.97);
        expect(Math.abs(page.confidence! - other.confidence!), where).toBeLessThanOrEqual(5);
      }
      // No WebAssembly was loaded (~100 ms), yet the engine's CPU is in the child's profile, though it ran in processes of its own.
      expect(native.exit.profile!.cpuMs.engine, file).toBeLessThan(10);
      expect(wasm.exit.profile!.cpuMs.engine, file).toBeGreaterThan(50);
      expect(native.exit.profile!.cpuMs.ocr, file).toBeGreaterThan(0.5 * wasm.exit.profile!.cpuMs.ocr);
    }
  });
});

describe("the native engine's process", () => {
  it('dies with its child: a job cancelled while its engine is stopped leaves no tesseract behind', async () => {
    const s = await server({ OCR_ENGINE: 'native', PDF_WORKER_THREADS: '1' });
    const job = await submitOk(s.url, corpusFile('scanned/cardinal.pdf'));
    const engine = await engineProcess(s);
    // Stopped, it cannot finish its page and end by itself: only a kill ends it.
    process.kill(engine, 'SIGSTOP');
    try {
      expect((await fetch(`${s.url}/api/jobs/${job.id}`, { method: 'DELETE' })).status).toBe(204);
      await until('the stopped tesseract is gone', () => !running(engine), 10_000);
    } finally {
      if (running(engine)) process.kill(engine, 'SIGKILL');
    }
  });

  it('is retried as a page that crashed its child: a page whose tesseract is killed is read again, nothing lost', async () => {
    const s = await server({ OCR_ENGINE: 'native', PDF_WORKER_THREADS: '1' });
    const job = await submitOk(s.url, corpusFile('scanned/linn.pdf'));
    process.kill(await engineProcess(s), 'SIGKILL');
    expect((await waitForJob(s.url, job.id)).status).toBe('succeeded');
    const r = await result(s.url, job.id);
    expect(r.pages.map((p) => [p.page, p.error])).toEqual([[1, null]]);
    expect(wordAccuracy(r.pages[0]!.text, readFileSync(corpusFile('scanned/linn.expected.txt'), 'utf8'))).toBeGreaterThan(0.85);
    const exits = logLines(s).filter((l) => l.msg === 'child exited');
    expect(exits.map((l) => l.code ?? 'ok')).toEqual(['worker_crashed', 'ok']);
    // The child's own account, logged: its engine was killed.
    expect(exits[0]!.detail).toMatch(/^tesseract: signal SIGKILL/);
  });

  it('is the one the service names at start, with why', async () => {
    const auto = await server({});
    expect(auto.startLog).toMatchObject({ ocrEngine: 'native', ocrEngineReason: expect.stringMatching(/^auto: \/usr\/bin\/tesseract reads the model/) });
    const wasm = await server({ OCR_ENGINE: 'wasm' });
    expect(wasm.startLog).toMatchObject({ ocrEngine: 'wasm', ocrEngineReason: 'OCR_ENGINE=wasm' });
  });
});
