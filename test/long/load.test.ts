/**
 * The long tests (`npm run test:long`; `npm test` skips this file): a burst against the queue
 * limit, a soak for slow leaks in the parent, and mutated PDFs against the whole service.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractFailureCodes } from '../contract.js';
import {
  CORPUS,
  corpusFile,
  expectNoLeftovers,
  median,
  result,
  sleep,
  serverPerTest,
  submit,
  submitOk,
  waitForJob,
  workerPids,
  type SubmitOptions,
} from '../helpers.js';

const TAGGED = corpusFile('text/tagged.pdf');
const BUDGET_MB = 512;

const server = serverPerTest();

function vmRssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // the process ended while we looked
  }
}

/** The server plus its children, as the 512 MB budget counts them. */
function treeRssMb(pid: number): number {
  const kb = [pid, ...workerPids(pid)].reduce((sum, p) => sum + vmRssKb(p), 0);
  return kb / 1024;
}

/** Samples the tree every 100 ms until stopped; returns the peak. */
function sampleTree(pid: number): { stop(): number; samples(): number } {
  let peak = 0;
  let count = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssMb(pid));
    count++;
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
    samples: () => count,
  };
}

/** The parent's resident memory once it has been idle a moment: the median of five reads. */
async function settledRssKb(pid: number): Promise<number> {
  await sleep(1000);
  const reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    reads.push(vmRssKb(pid));
    await sleep(100);
  }
  return median(reads);
}

interface Attempt {
  status?: number;
  code?: string;
  retryAfter?: string | null;
  id?: string;
  /** A network-level failure: no HTTP answer at all. */
  error?: string;
}

async function attempt(url: string, file: string | Buffer, options: SubmitOptions = {}): Promise<Attempt> {
  try {
    const res = await submit(url, file, options);
    const body = (await res.json()) as { id?: string; error?: { code: string } };
    return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after'), id: body.id };
  } catch (err) {
    return { error: String((err as Error).cause ?? err) };
  }
}

/** mulberry32: a small seeded PRNG, so every run mutates the same way. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (input: Buffer, other: Buffer, below: (n: number) => number) => Buffer;

/** Ways to damage a PDF: each keeps the result about as small as its inputs. */
const MUTATIONS: Record<string, Mutation> = {
  truncate: (a, _b, below) => a.subarray(0, below(a.length)),
  flipBytes: (a, _b, below) => {
    const out = Buffer.from(a);
    for (let n = 1 + below(32); n > 0; n--) out[below(out.length)] = below(256);
    return out;
  },
  splice: (a, b, below) => Buffer.concat([a.subarray(0, below(a.length)), b.subarray(below(b.length))]),
  insertPiece: (a, b, below) => {
    const at = below(a.length);
    const from = below(b.length);
    return Buffer.concat([a.subarray(0, at), b.subarray(from, from + 1 + below(4096)), a.subarray(at)]);
  },
  dropRange: (a, _b, below) => {
    const from = below(a.length);
    return Buffer.concat([a.subarray(0, from), a.subarray(from + 1 + below(8192))]);
  },
};

interface FuzzCase {
  bytes: Buffer;
  how: string;
}

/** `count` damaged PDFs from the small text and scanned corpus files, one to three mutations each. */
function fuzzCases(count: number, seed: number): FuzzCase[] {
  const sources = ['text', 'scanned']
    .flatMap((dir) => readdirSync(path.join(CORPUS, dir)).filter((f) => f.endsWith('.pdf')).map((f) => `${dir}/${f}`))
    .filter((f) => statSync(corpusFile(f)).size <= 100_000)
    .sort();
  const files = sources.map((f) => readFileSync(corpusFile(f)));
  const random = mulberry32(seed);
  const below = (n: number) => Math.floor(random() * Math.max(1, n));
  const names = Object.keys(MUTATIONS);
  return Array.from({ length: count }, () => {
    const first = below(files.length);
    let bytes: Buffer = files[first]!;
    const steps: string[] = [];
    for (let n = 1 + below(3); n > 0; n--) {
      const name = names[below(names.length)]!;
      const other = below(files.length);
      bytes = MUTATIONS[name]!(bytes, files[other]!, below);
      steps.push(name === 'splice' || name === 'insertPiece' ? `${name}(${sources[other]})` : name);
    }
    return { bytes, how: `${sources[first]}: ${steps.join(', ')}` };
  });
}

/** Runs `task` over `items` with at most `width` in flight. */
async function pool<T, R>(items: T[], width: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

describe('under load', () => {
  it('burst: 200 uploads against QUEUE_LIMIT=20 are either run to success or refused with 429 and Retry-After, within 512 MB', async () => {
    const s = await server({ QUEUE_LIMIT: '20' });
    const memory = sampleTree(s.proc.pid!);
    const attempts: Attempt[] = [];
    for (let batch = 0; batch < 4; batch++) {
      attempts.push(...(await Promise.all(Array.from({ length: 50 }, () => attempt(s.url, TAGGED)))));
    }
    const accepted = attempts.filter((a) => a.status === 202);
    const refused = attempts.filter((a) => a.status === 429);
    const done = await Promise.all(accepted.map((a) => waitForJob(s.url, a.id!, 120_000)));
    const peakMb = memory.stop();
    console.log(`burst: ${accepted.length} accepted, ${refused.length} refused (429), peak RSS of server + children ${peakMb.toFixed(0)} MB over ${memory.samples()} samples`);

    expect(attempts.filter((a) => a.error !== undefined).map((a) => a.error)).toEqual([]);
    expect(attempts.filter((a) => a.status !== 202 && a.status !== 429).map((a) => `${a.status} ${a.code}`)).toEqual([]);
    expect(accepted.length).toBeGreaterThanOrEqual(22); // two running and twenty waiting, at least
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.code).toBe('queue_full');
      expect(r.retryAfter).toMatch(/^[1-9]\d*$/);
    }
    expect(done.filter((j) => j.status !== 'succeeded').map((j) => `${j.status} ${j.error?.code}`)).toEqual([]);
    expect(peakMb).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(BUDGET_MB);
    await expectNoLeftovers(s);
  }, 300_000);

  // Each job is forgotten once its result is read: a kept result stays for RESULT_TTL_S (2 h) by
  // design, and with all 300 kept the growth measured 8.4 and 9.3 MB against this bound; with each
  // deleted, 4.2 MB. What is kept by design is not what this looks for.
  it("soak: 300 small jobs one after another, each deleted once read; the parent's settled RSS grows by less than 10 MB from job 30 to job 300", async () => {
    const s = await server({});
    const pid = s.proc.pid!;
    const rssKb: number[] = [];
    const settled = new Map<number, number>();
    const started = Date.now();
    for (let i = 1; i <= 300; i++) {
      const job = await submitOk(s.url, TAGGED);
      const done = await waitForJob(s.url, job.id, 30_000, {}, 20);
      expect(done.status, `job ${i}`).toBe('succeeded');
      expect((await result(s.url, job.id)).pages).toHaveLength(2);
      expect((await fetch(`${s.url}/api/jobs/${job.id}`, { method: 'DELETE' })).status, `job ${i} deleted`).toBe(204);
      rssKb.push(vmRssKb(pid));
      if (i === 30 || i === 300) settled.set(i, await settledRssKb(pid));
    }
    const growthMb = (settled.get(300)! - settled.get(30)!) / 1024;
    // Single readings swing by ~30 MB with the parent's lazy GC, so the lowest reading of each
    // 30 jobs (the heap after a collection) is printed too: a leak shows as a rising floor.
    const floorsMb = Array.from({ length: 10 }, (_, w) => Math.min(...rssKb.slice(w * 30, w * 30 + 30)) / 1024);
    console.log(
      `soak: parent RSS settled after job 30: ${(settled.get(30)! / 1024).toFixed(1)} MB, after job 300: ${(settled.get(300)! / 1024).toFixed(1)} MB, ` +
        `growth ${growthMb.toFixed(1)} MB; floor per 30 jobs (MB): ${floorsMb.map((mb) => mb.toFixed(1)).join(', ')}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    expect(growthMb).toBeLessThan(10);
    await expectNoLeftovers(s);
  }, 600_000);

  it('fuzz: 240 mutated PDFs end in success, a contract failure code or a contract 4xx; never a 5xx, a hang or a dead service', async () => {
    const failureCodes = contractFailureCodes();
    expect(failureCodes.length).toBeGreaterThanOrEqual(5);
    const allowed = new Set(['succeeded', ...failureCodes.filter((c) => c !== 'cancelled').map((c) => `failed ${c}`), '415 not_a_pdf', '413 file_too_large']);
    const s = await server({ QUEUE_LIMIT: '500', PDF_WORKER_THREADS: '2', JOB_TIMEOUT_S: '30' });
    const cases = fuzzCases(240, 0x5eed);
    const started = Date.now();

    const outcomes = await pool(cases, 8, async ({ bytes }, i): Promise<string> => {
      const sent = await attempt(s.url, bytes, { fields: { ocr: 'off' }, raw: i % 2 === 1, name: `fuzz-${i}.pdf` });
      if (sent.error !== undefined) return `no answer: ${sent.error}`;
      if (sent.status !== 202) return `${sent.status} ${sent.code}`;
      try {
        const job = await waitForJob(s.url, sent.id!, 150_000, {}, 100);
        return job.status === 'succeeded' ? 'succeeded' : `${job.status} ${job.error?.code}`;
      } catch (err) {
        return `hang: ${(err as Error).message}`;
      }
    });

    const tally = new Map<string, number>();
    for (const o of outcomes) tally.set(o, (tally.get(o) ?? 0) + 1);
    console.log(`fuzz: ${cases.length} mutated PDFs in ${((Date.now() - started) / 1000).toFixed(0)} s: ${JSON.stringify(Object.fromEntries(tally))}`);
    const unexpected = outcomes.map((o, i) => ({ o, i })).filter(({ o }) => !allowed.has(o)).map(({ o, i }) => `#${i} ${cases[i]!.how} → ${o}`);
    expect(unexpected).toEqual([]);
    expect(tally.get('succeeded') ?? 0).toBeGreaterThan(0);

    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { queue: { running: number; queued: number } }).queue).toMatchObject({ running: 0, queued: 0 });
    expect(workerPids(s.proc.pid)).toEqual([]);
    await expectNoLeftovers(s);
  }, 360_000);
});
