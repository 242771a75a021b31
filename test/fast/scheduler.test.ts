/**
 * The scheduler and the supervisor, for real, driving the fake child (test/fake/child.mjs)
 * instead of OCR: resume, split, crash counting, the half-resolution retry, stalls, cancel and
 * the limits, each decided by what the fake child is told to do, not by how long a page takes.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/jobs/job.js';
import { MemoryJobRepository } from '../../src/jobs/memory-repository.js';
import { Scheduler, type SchedulerOptions } from '../../src/jobs/scheduler.js';
import { Supervisor, type ChildExit } from '../../src/jobs/supervisor.js';
import type { PageResult, StartMessage } from '../../src/protocol.js';
import { ROOT, running, until } from '../helpers.js';

const FAKE_CHILD = path.join(ROOT, 'test/fake/child.mjs');

interface Script {
  pages: number;
  source?: 'text' | 'ocr';
  text?: string;
  start?: 'ok' | 'exit' | 'hang' | 'fail';
  failure?: { code: string; message: string };
  steps?: Record<number, ('ok' | 'crash' | 'hang' | 'memory' | 'memory-below' | 'garbage' | 'narrow')[]>;
}

interface LogEntry {
  pid: number;
  event: 'start' | 'page' | 'descendant';
  task?: StartMessage;
  env?: Record<string, string>;
  page?: number;
}

interface Setup {
  slots?: number;
  splitDocuments?: boolean;
  pageTimeoutMs?: number;
  jobTimeoutMs?: number;
  maxResultBytes?: number;
  childMemoryMb?: number;
}

const dirs: string[] = [];
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pdf-ocr-fast-'));
  dirs.push(dir);
  return dir;
}

/** A repository, a supervisor running the fake child, and the scheduler between them. */
function setup(options: Setup = {}) {
  const repository = new MemoryJobRepository({ ttlMs: 60_000, purgeIntervalMs: 60_000, maxBytes: 64 << 20 });
  closers.push(() => repository.close());
  const exits: ChildExit[] = [];
  const supervisor = new Supervisor({
    workerFile: FAKE_CHILD,
    childMemoryMb: options.childMemoryMb ?? 150,
    pageTimeoutMs: options.pageTimeoutMs ?? 60_000,
    onChildExit: (exit) => exits.push(exit),
  });
  const schedulerOptions: SchedulerOptions = {
    slots: options.slots ?? 2,
    maxPages: 500,
    ocrDpi: 200,
    maxPagePixels: 12_000_000,
    model: { dir: '/nonexistent', gzip: false, name: 'none', languages: ['eng'] },
    engine: { kind: 'wasm' },
    jobTimeoutMs: options.jobTimeoutMs ?? 60_000,
    maxResultBytes: options.maxResultBytes ?? 16 << 20,
    splitDocuments: options.splitDocuments ?? true,
  };
  const scheduler = new Scheduler(repository, supervisor, schedulerOptions);
  const logDir = tempDir();

  /** Creates a job whose "PDF" is `script` and hands it to the scheduler. */
  async function submit(script: Script, pages: string | null = null, password?: string) {
    const id = randomUUID();
    const uploadDir = tempDir();
    const file = path.join(uploadDir, 'upload.pdf');
    const log = path.join(logDir, `${id}.jsonl`);
    writeFileSync(file, JSON.stringify({ ...script, log }));
    await repository.create({
      id,
      createdAt: new Date(),
      file: { name: 'script.json', bytes: 1 },
      upload: { kind: 'local', path: file },
      options: { ocr: 'auto', pages, lang: 'eng' },
      password,
      origin: 'http://localhost',
    });
    const departure = scheduler.submit({ id, file });
    const entries = (): LogEntry[] =>
      existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogEntry) : [];
    return {
      id,
      departure,
      uploadDir,
      starts: () => entries().filter((e) => e.event === 'start'),
      descendants: () => entries().filter((e) => e.event === 'descendant').map((e) => e.pid),
      pagesSent: () => entries().filter((e) => e.event === 'page').map((e) => e.page!),
      job: async () => (await repository.get(id))!,
      pages: async () => Promise.all((await repository.pageNumbers(id)).map(async (n) => JSON.parse((await repository.pageJson(id, n))!) as PageResult)),
    };
  }

  /** Resolves when job `id` has kept `count` pages (the repository's own event, no polling). */
  function pagesKept(id: string, count: number): Promise<void> {
    return new Promise((resolve) => {
      let kept = 0;
      const listener = (pageOf: string) => {
        if (pageOf === id && ++kept >= count) {
          repository.events.off('page', listener);
          resolve();
        }
      };
      repository.events.on('page', listener);
    });
  }

  return { repository, supervisor, scheduler, exits, submit, pagesKept };
}

const errorsOf = (pages: PageResult[]) => Object.fromEntries(pages.filter((p) => p.error).map((p) => [p.page, p.error!.code]));

interface Case {
  name: string;
  script: Script;
  pages?: string;
  setup?: Setup;
  status: Job['status'];
  code?: string;
  children: number;
  /** Page errors by page. */
  pageErrors?: Record<number, string>;
  /** `skip` of each child's start, in order. */
  skips?: number[][];
  /** `reduced` of the last child's start. */
  reducedLast?: number[];
  /** Words of the job's error message or of a child's exit. */
  message?: RegExp;
}

const STALL = { pageTimeoutMs: 1500 };

const cases: Case[] = [
  { name: 'a clean document', script: { pages: 4 }, status: 'succeeded', children: 1, skips: [[]] },
  {
    name: 'resumes at the page a crashed child was on, and redoes nothing',
    script: { pages: 6, steps: { 3: ['crash', 'ok'] } },
    status: 'succeeded',
    children: 2,
    skips: [[], [1, 2]],
  },
  {
    name: 'a page that crashed two children gets a third try at half resolution',
    script: { pages: 6, steps: { 3: ['crash', 'crash', 'ok'] } },
    status: 'succeeded',
    children: 3,
    skips: [[], [1, 2], [1, 2]],
    reducedLast: [3],
  },
  {
    name: 'a page that crashes three children becomes a page error and the job goes on',
    script: { pages: 6, steps: { 3: ['crash', 'crash', 'crash', 'ok'] } },
    status: 'succeeded',
    children: 4,
    pageErrors: { 3: 'worker_crashed' },
    skips: [[], [1, 2], [1, 2], [1, 2, 3]],
  },
  {
    name: 'a page over the memory cap is retried in a fresh child',
    script: { pages: 3, steps: { 2: ['memory', 'ok'] } },
    setup: { childMemoryMb: 96 },
    status: 'succeeded',
    children: 2,
    message: /more than 96 MB/,
  },
  {
    name: 'a page whose descendant (a native OCR engine) takes the memory over the cap is retried in a fresh child',
    script: { pages: 3, steps: { 2: ['memory-below', 'ok'] } },
    setup: { childMemoryMb: 96 },
    status: 'succeeded',
    children: 2,
    message: /more than 96 MB/,
  },
  {
    name: 'a malformed message is a protocol error that says what was wrong',
    script: { pages: 3, steps: { 2: ['garbage', 'ok'] } },
    status: 'succeeded',
    children: 2,
    message: /broke the protocol \(result\.page/,
  },
  {
    name: 'an unknown failure code is a protocol error, not a silent worker_crashed',
    script: { pages: 3, start: 'fail', failure: { code: 'disk_on_fire', message: 'x' } },
    status: 'failed',
    code: 'worker_crashed',
    children: 3,
    message: /broke the protocol \(code:/,
  },
  {
    name: 'a known failure ends the job with its code at once',
    script: { pages: 3, start: 'fail', failure: { code: 'pdf_password_required', message: 'this PDF needs a password' } },
    status: 'failed',
    code: 'pdf_password_required',
    children: 1,
  },
  {
    name: 'a child that dies before opening the document is restarted twice, then the job fails',
    script: { pages: 3, start: 'exit' },
    status: 'failed',
    code: 'worker_crashed',
    children: 3,
  },
  {
    name: 'a document that stalls its child while opening fails once with timeout: a fresh child would stall again',
    script: { pages: 3, start: 'hang' },
    setup: STALL,
    status: 'failed',
    code: 'timeout',
    children: 1,
    message: /did not open within 1.5 s/,
  },
  {
    name: 'MAX_PAGES counts the selected pages: 600 pages are too many',
    script: { pages: 600 },
    status: 'failed',
    code: 'too_many_pages',
    children: 1,
  },
  {
    name: 'MAX_PAGES counts the selected pages: 1-5 of 600 is a small job',
    script: { pages: 600 },
    pages: '1-5',
    status: 'succeeded',
    children: 1,
  },
  {
    name: 'a child that stops reporting pages is replaced at that page',
    script: { pages: 3, steps: { 2: ['hang', 'ok'] } },
    setup: STALL,
    status: 'succeeded',
    children: 2,
    skips: [[], [1]],
    message: /no page for 1.5 s/,
  },
  {
    name: 'a page that stalls two children becomes a timeout page error and the job goes on',
    script: { pages: 3, steps: { 2: ['hang', 'hang', 'ok'] } },
    setup: STALL,
    status: 'succeeded',
    children: 3,
    pageErrors: { 2: 'timeout' },
  },
  {
    name: 'JOB_TIMEOUT_S ends a job that is still running, however its children do',
    script: { pages: 3, steps: { 2: ['hang'] } },
    setup: { jobTimeoutMs: 1000 },
    status: 'failed',
    code: 'timeout',
    children: 1,
    message: /longer than 1 s/,
  },
  {
    name: 'a job whose pages pass MAX_RESULT_MB fails with result_too_large and keeps no pages',
    script: { pages: 20, text: 'x'.repeat(400) },
    setup: { maxResultBytes: 2000 },
    status: 'failed',
    code: 'result_too_large',
    children: 1,
  },
];

describe('scheduler and supervisor with the fake child', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { submit, exits } = setup({ slots: 1, ...c.setup });
      const job = await submit(c.script, c.pages ?? null);
      expect(await job.departure).toBe('ended');
      const ended = await job.job();
      expect(ended.status, JSON.stringify(ended.error)).toBe(c.status);
      expect(ended.error?.code).toBe(c.code);
      expect(exits).toHaveLength(c.children);
      const pages = await job.pages();
      if (c.status === 'succeeded') {
        const wanted = c.pages === undefined ? c.script.pages : 5;
        expect(pages.map((p) => p.page)).toEqual(Array.from({ length: wanted }, (_, i) => i + 1));
        expect(errorsOf(pages)).toEqual(c.pageErrors ?? {});
      } else {
        expect(pages).toEqual([]);
      }
      const starts = job.starts();
      if (c.skips) expect(starts.map((s) => s.task!.skip)).toEqual(c.skips);
      if (c.reducedLast) expect(starts.at(-1)!.task!.reduced).toEqual(c.reducedLast);
      if (c.message) {
        const said = [ended.error?.message, ...exits.map((e) => (e.outcome.ok ? '' : e.outcome.message))].join(' | ');
        expect(said).toMatch(c.message);
      }
      // Its upload went with it, and no child is left, nor what a child started.
      expect(existsSync(job.uploadDir)).toBe(false);
      for (const pid of job.descendants()) await until(`descendant ${pid} gone`, () => !running(pid));
    });
  }
});

describe('the scheduler around jobs', () => {
  it('splits a lone OCR document over both slots, each page done once', async () => {
    const { submit, exits } = setup({ slots: 2 });
    // Page 2 waits until the parent narrows the first child: the split is certain, not a race.
    const job = await submit({ pages: 8, source: 'ocr', steps: { 2: ['narrow'] } });
    expect(await job.departure).toBe('ended');
    expect((await job.job()).status).toBe('succeeded');
    expect(exits).toHaveLength(2);
    const [first, second] = job.starts();
    expect(first!.task!.only).toBeNull();
    expect(second!.task!.only).toEqual([6, 7, 8]);
    expect(job.pagesSent().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await job.pages()).map((p) => p.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('does not split a lone document on a host with under two CPUs: a second child would only cost its start', async () => {
    const { submit, exits } = setup({ slots: 2, splitDocuments: false });
    const job = await submit({ pages: 8, source: 'ocr' });
    expect(await job.departure).toBe('ended');
    expect((await job.job()).status).toBe('succeeded');
    expect(exits).toHaveLength(1);
  });

  it('does not split text pages: a second child would cost more than it saves', async () => {
    const { submit, exits } = setup({ slots: 2 });
    const job = await submit({ pages: 8, source: 'text' });
    expect(await job.departure).toBe('ended');
    expect(exits).toHaveLength(1);
  });

  it('never runs more children than slots, in submission order', async () => {
    const { submit, supervisor, repository } = setup({ slots: 2 });
    let most = 0;
    repository.events.on('started', () => (most = Math.max(most, supervisor.running)));
    const jobs = await Promise.all(Array.from({ length: 6 }, () => submit({ pages: 2 })));
    const order: string[] = [];
    repository.events.on('final', (j) => order.push(j.id));
    expect(await Promise.all(jobs.map((j) => j.departure))).toEqual(Array(6).fill('ended'));
    expect(most).toBeLessThanOrEqual(2);
    expect(new Set(order)).toEqual(new Set(jobs.map((j) => j.id)));
  });

  it('cancels a running job (its child killed) and a queued one (never started)', async () => {
    const { submit, scheduler, supervisor, pagesKept } = setup({ slots: 1 });
    const running = await submit({ pages: 4, steps: { 2: ['hang'] } });
    const queued = await submit({ pages: 2 });
    await pagesKept(running.id, 1);
    expect(await scheduler.cancel(queued.id)).toBe(true);
    expect(await scheduler.cancel(running.id)).toBe(true);
    expect(await running.departure).toBe('ended');
    expect(await queued.departure).toBe('ended');
    expect((await running.job()).status).toBe('cancelled');
    expect((await queued.job()).status).toBe('cancelled');
    expect(queued.starts()).toEqual([]);
    expect(supervisor.running).toBe(0);
    expect(await scheduler.cancel(running.id)).toBe(false);
  });

  it('stops a job deleted while it runs, and skips one deleted while it waited', async () => {
    const { submit, repository, pagesKept } = setup({ slots: 1, ...STALL });
    // The first child stalls at page 2; its replacement's page 2 finds the job gone.
    const first = await submit({ pages: 3, steps: { 2: ['hang', 'ok'] } });
    const second = await submit({ pages: 2 });
    await pagesKept(first.id, 1);
    await repository.delete(second.id);
    await repository.delete(first.id);
    expect(await first.departure).toBe('ended');
    expect(first.starts()).toHaveLength(2);
    expect(await repository.get(first.id)).toBeUndefined();
    expect(await second.departure).toBe('gone');
    expect(second.starts()).toEqual([]);
  });

  it('releases running and queued jobs without ending them (scaled hand-back)', async () => {
    const { submit, scheduler, repository, pagesKept } = setup({ slots: 1 });
    const finals: string[] = [];
    repository.events.on('final', (j) => finals.push(j.id));
    const running = await submit({ pages: 3, steps: { 2: ['hang'] } });
    const queued = await submit({ pages: 2 });
    await pagesKept(running.id, 1);
    await scheduler.releaseAll();
    expect(await running.departure).toBe('released');
    expect(await queued.departure).toBe('released');
    expect((await running.job()).status).toBe('running');
    expect((await queued.job()).status).toBe('queued');
    expect((await running.pages()).map((p) => p.page)).toEqual([1]);
    expect(finals).toEqual([]);
    expect(await scheduler.idle(0)).toBe(true);
  });

  it('keeps the password out of the repository once a child opened the PDF, and gives it to a restarted child', async () => {
    const { submit, pagesKept } = setup({ slots: 1 });
    const job = await submit({ pages: 3, steps: { 2: ['crash', 'ok'] } }, null, 'open sesame');
    expect((await job.job()).password).toBe('open sesame');
    await pagesKept(job.id, 1);
    expect((await job.job()).password).toBeUndefined();
    expect(await job.departure).toBe('ended');
    expect((await job.job()).status).toBe('succeeded');
    expect(job.starts().map((s) => s.task!.password)).toEqual(['open sesame', 'open sesame']);
  });

  it('gives a child no secret of the parent: only an allow-list of its environment', async () => {
    const secrets = { API_KEY: 'k-secret', WEBHOOK_SECRET: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0', REDIS_URL: 'redis://:pw@127.0.0.1:1' };
    Object.assign(process.env, secrets);
    try {
      const { submit } = setup();
      const job = await submit({ pages: 1 });
      await job.departure;
      const env = job.starts()[0]!.env!;
      for (const name of Object.keys(secrets)) expect(env[name], name).toBeUndefined();
      expect(Object.values(env).join('\n')).not.toMatch(/k-secret|whsec_|redis:/);
      expect(Object.keys(env).sort()).toEqual(expect.arrayContaining(['MALLOC_ARENA_MAX', 'PATH']));
    } finally {
      for (const name of Object.keys(secrets)) delete process.env[name];
    }
  });
});
