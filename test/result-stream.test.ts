/**
 * Results are served as streams from the stored pages (issue 23): a result near MAX_RESULT_MB
 * of one-letter words, fetched by many clients at once, must not make the server hold it many
 * times over; and the number of result streams open at once is bounded (MAX_RESULT_STREAMS).
 * Measured on the real server, in one instance (memory repository) and in the scaled setup
 * (Redis repository).
 */
import { readFileSync } from 'node:fs';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../harness/redis.js';
import { sleep, startServer, submitOk, waitForJob, workerPids, type RunningServer } from './helpers.js';

const PAGES = 64;
const LINES = 90;
const WORDS_A_LINE = 100;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * 64 pages of 9,000 one-letter words that all draw one shared content stream: a PDF of a few kB
 * whose result (~15 MB of JSON) is near MAX_RESULT_MB, and whose words body is ~25 MB.
 */
async function textBomb(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const lines = Array.from({ length: LINES }, (_, l) => {
    const letters = Array.from({ length: WORDS_A_LINE }, (_, i) => LETTERS[(l * WORDS_A_LINE + i) % LETTERS.length]).join(' ');
    return `(${letters}) Tj T*`;
  });
  const content = doc.context.register(doc.context.flateStream(`BT /F1 5 Tf 8 TL 20 770 Td\n${lines.join('\n')}\nET`));
  for (let p = 0; p < PAGES; p++) {
    const page = doc.addPage([612, 792]);
    page.node.set(PDFName.of('Contents'), content);
    page.node.setFontDictionary(PDFName.of('F1'), font.ref);
  }
  return Buffer.from(await doc.save());
}

/** The server process's own resident memory (MB), from /proc. */
function rssMb(pid: number): number {
  return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** Samples `pid`'s RSS every 10 ms while `work` runs; returns its result and the highest sample. */
async function peakRssDuring<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  let peakMb = rssMb(pid);
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, rssMb(pid));
  }, 10);
  try {
    const value = await work();
    peakMb = Math.max(peakMb, rssMb(pid));
    return { value, peakMb };
  } finally {
    clearInterval(timer);
  }
}

let bomb: Buffer;
let redis: RunningRedis;
let servers: RunningServer[] = [];
beforeAll(async () => {
  bomb = await textBomb();
  redis = await startRedis();
});
afterAll(() => redis.stop());
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const s of servers) expect(workerPids(s.proc.pid)).toEqual([]);
  servers = [];
});

async function server(env: Record<string, string>, args: string[] = []): Promise<RunningServer> {
  const s = await startServer(env, args);
  servers.push(s);
  return s;
}

/** The bomb read to the end (ocr=off); the URL of its result. */
async function bombResult(s: RunningServer): Promise<string> {
  const job = await submitOk(s.url, bomb, { fields: { ocr: 'off' } });
  expect((await waitForJob(s.url, job.id)).status).toBe('succeeded');
  return `${s.url}/api/jobs/${job.id}/result`;
}

interface WordsBody {
  pages: { page: number; words: { text: string; bbox: number[] }[] }[];
}

const SETUPS = [
  { name: 'one instance (memory repository)', env: {}, args: [] as string[] },
  { name: 'scaled (Redis repository)', env: { scaled: 'yes' }, args: ['--role', 'all'] },
];

describe.each(SETUPS)('result streams, $name', ({ env, args }) => {
  const setupEnv = (): Record<string, string> => (env.scaled ? { REDIS_URL: redis.url } : {});

  it('serves 8 words and 8 Markdown GETs of a 576k-word result at once, complete, for a rise of the server RSS of at most 40 MB', async () => {
    const s = await server({ ...setupEnv(), MAX_RESULT_STREAMS: '16' }, args);
    const url = await bombResult(s);
    const pid = s.proc.pid!;
    const before = rssMb(pid);
    const get = async (format: string) => {
      const res = await fetch(`${url}?format=${format}`);
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    };
    const { value: bodies, peakMb } = await peakRssDuring(pid, () =>
      Promise.all([...Array.from({ length: 8 }, () => get('words')), ...Array.from({ length: 8 }, () => get('markdown'))]),
    );
    console.log(`result streams (${env.scaled ? 'redis' : 'memory'}): server RSS ${before.toFixed(1)} MB before, peak ${peakMb.toFixed(1)} MB (+${(peakMb - before).toFixed(1)})`);
    const words = bodies.slice(0, 8);
    const markdown = bodies.slice(8);
    for (const r of bodies) expect(r.status).toBe(200);
    for (const r of words) expect(r.type).toMatch(/^application\/json/);
    for (const r of markdown) expect(r.type).toBe('text/markdown; charset=utf-8');
    for (const r of [...words, ...markdown]) expect(r.body).toBe((r.type === markdown[0]!.type ? markdown : words)[0]!.body);
    const parsed = JSON.parse(words[0]!.body) as WordsBody;
    expect(parsed.pages.map((p) => p.page)).toEqual(Array.from({ length: PAGES }, (_, i) => i + 1));
    expect(parsed.pages.reduce((n, p) => n + p.words.length, 0)).toBe(PAGES * LINES * WORDS_A_LINE);
    expect(parsed.pages[0]!.words.slice(0, 3).map((w) => w.text)).toEqual(['a', 'b', 'c']);
    expect(markdown[0]!.body.match(/^<!-- page \d+ -->$/gm)).toHaveLength(PAGES);
    expect(markdown[0]!.body.match(/\b[a-z]\b/g)).toHaveLength(PAGES * LINES * WORDS_A_LINE);
    expect(peakMb - before).toBeLessThanOrEqual(40);
  });

  it('refuses a result past MAX_RESULT_STREAMS with 429 too_many_results and Retry-After; a client that goes away frees its slot', async () => {
    const s = await server({ ...setupEnv(), MAX_RESULT_STREAMS: '2' }, args);
    const url = await bombResult(s);
    // Two clients that take a chunk and then stop reading: their streams stay open.
    const held = await Promise.all(
      [0, 1].map(async () => {
        const controller = new AbortController();
        const res = await fetch(`${url}?format=words`, { signal: controller.signal });
        expect(res.status).toBe(200);
        await res.body!.getReader().read();
        return controller;
      }),
    );
    const refused = await fetch(`${url}?format=markdown`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_results');
    held[0]!.abort();
    // The server hears of the disconnect on its own time: poll, with a deadline.
    const deadline = Date.now() + 10_000;
    let status = 429;
    while (status === 429 && Date.now() < deadline) {
      const res = await fetch(`${url}?format=text`);
      status = res.status;
      await res.arrayBuffer();
      if (status === 429) await sleep(50);
    }
    expect(status).toBe(200);
    held[1]!.abort();
  });
});
