import { rmdir } from 'node:fs/promises';
/**
 * Drives the real, compiled service from outside: start it as its own process, submit
 * PDFs, wait for jobs, fetch results, score text. Shared by the tests (test/helpers.ts)
 * and the benchmark (bench/), so it must not import vitest.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

/** The repository root: found by walking up, as this file runs both from source (tests) and from dist/ (bench). */
export const ROOT = findRoot(import.meta.dirname);
/** The real-world PDFs of the tests and the bench, with their MANIFEST.tsv and licences (test/corpus/README.md). */
export const CORPUS = path.join(ROOT, 'test/corpus');
export const SERVER = path.join(ROOT, 'dist/src/server.js');
/** Node's flags for the server, as `npm start` (and so the Dockerfile) gives them. */
const START_FLAGS = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(/\s+/)
  .filter((arg) => arg.startsWith('--'));

export const corpusFile = (rel: string) => path.join(CORPUS, rel);

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export interface RunningServer {
  url: string;
  proc: ChildProcess;
  tmpDir: string;
  logs: string[];
  /** The parsed "listening" log line (port, ocrModel, config…). */
  startLog: Record<string, unknown>;
  /** performance.now() just before the server process was spawned. */
  spawnedAt: number;
  stop(): Promise<void>;
}

/**
 * Starts the compiled service as its own process on a free loopback port; `args` as after
 * `npm start --` (`--role worker`).
 */
export async function startServer(env: Record<string, string> = {}, args: string[] = []): Promise<RunningServer> {
  const tmpDir = execFileSync('mktemp', ['-d', path.join(os.tmpdir(), 'pdf-ocr-test-XXXXXX')]).toString().trim();
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, [...START_FLAGS, SERVER, ...args], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TMP_DIR: tmpDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  proc.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
  const startLog = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      logs.push(line);
      if (line.includes('listening') && /"port":\d+/.test(line)) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${logs.join('\n')}`)));
  });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    // Only an empty temp dir goes: files a server left behind stay there to be looked at.
    await rmdir(tmpDir).catch(() => {});
  };
  return { url: `http://127.0.0.1:${startLog.port as number}`, proc, tmpDir, logs, startLog, spawnedAt, stop };
}

export interface SubmitOptions {
  fields?: Record<string, string>;
  raw?: boolean;
  headers?: Record<string, string>;
  name?: string;
}

/** Uploads a file as multipart (default) or as a raw application/pdf body. */
export async function submit(url: string, file: string | Buffer, options: SubmitOptions = {}): Promise<Response> {
  // A copy typed as plain ArrayBuffer-backed bytes, which fetch and Blob accept (a Buffer may be shared-memory backed).
  const bytes = new Uint8Array(typeof file === 'string' ? readFileSync(file) : file);
  const name = options.name ?? (typeof file === 'string' ? path.basename(file) : 'upload.pdf');
  if (options.raw) {
    const query = new URLSearchParams(options.fields ?? {}).toString();
    return fetch(`${url}/api/jobs${query ? `?${query}` : ''}`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/pdf', ...options.headers },
    });
  }
  const form = new FormData();
  for (const [k, v] of Object.entries(options.fields ?? {})) form.append(k, v);
  form.append('file', new Blob([bytes], { type: 'application/pdf' }), name);
  return fetch(`${url}/api/jobs`, { method: 'POST', body: form, headers: options.headers });
}

export interface JobJson {
  id: string;
  status: string;
  progress: { pages_done: number; pages_total: number | null };
  error?: { code: string; message: string };
  webhook?: { state: string; attempts: number };
  [key: string]: unknown;
}

/** Submits and returns the accepted job; throws on anything but 202. */
export async function submitOk(url: string, file: string | Buffer, options: SubmitOptions = {}): Promise<JobJson> {
  const res = await submit(url, file, options);
  const body = await res.text();
  if (res.status !== 202) throw new Error(`expected 202, got ${res.status}: ${body}`);
  return JSON.parse(body) as JobJson;
}

/** Polls until the job is final. */
export async function waitForJob(
  url: string,
  id: string,
  timeoutMs = 170_000,
  headers: Record<string, string> = {},
  intervalMs = 200,
): Promise<JobJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/api/jobs/${id}`, { headers });
    const job = (await res.json()) as JobJson;
    if (!['queued', 'running'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/**
 * Waits for the job's final event on its event stream, as a client that does not poll would:
 * the moment a job ends is seen when it happens, not at the next poll.
 */
export async function waitForEnd(url: string, id: string, timeoutMs = 170_000): Promise<JobJson> {
  const res = await fetch(`${url}/api/jobs/${id}/events`, { signal: AbortSignal.timeout(timeoutMs) });
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    if (/^event: (succeeded|failed|cancelled)$/m.test(buffered)) break;
  }
  return (await (await fetch(`${url}/api/jobs/${id}`)).json()) as JobJson;
}

export interface ResultJson {
  pages_total: number;
  pages: { page: number; text: string; source: 'text' | 'ocr'; confidence?: number; error: { code: string } | null }[];
  text: string;
}

export async function result(url: string, id: string): Promise<ResultJson> {
  const res = await fetch(`${url}/api/jobs/${id}/result`);
  if (res.status !== 200) throw new Error(`result: ${res.status} ${await res.text()}`);
  return (await res.json()) as ResultJson;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lowercase alphanumeric words. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** How many of the expected words the actual text has (multiset intersection), out of how many. */
export function wordMatches(actual: string, expected: string): { hit: number; total: number } {
  const counts = new Map<string, number>();
  for (const w of words(actual)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const want = words(expected);
  let hit = 0;
  for (const w of want) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      hit++;
      counts.set(w, n - 1);
    }
  }
  return { hit, total: want.length };
}

/** Share of the expected words found in the actual text (multiset intersection). */
export function wordAccuracy(actual: string, expected: string): number {
  const { hit, total } = wordMatches(actual, expected);
  return total === 0 ? 1 : hit / total;
}
