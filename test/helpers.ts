import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const CORPUS = path.resolve(ROOT, '../shared/corpus');
const SERVER = path.join(ROOT, 'dist/src/server.js');

export const corpusFile = (rel: string) => path.join(CORPUS, rel);

export interface RunningServer {
  url: string;
  proc: ChildProcess;
  tmpDir: string;
  logs: string[];
  stop(): Promise<void>;
}

/** Starts the compiled service as its own process on a free loopback port. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const tmpDir = execFileSync('mktemp', ['-d', path.join(os.tmpdir(), 'pdf-ocr-test-XXXXXX')]).toString().trim();
  const proc = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TMP_DIR: tmpDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  proc.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      logs.push(line);
      const port = /"port":(\d+)/.exec(line)?.[1];
      if (line.includes('listening') && port) resolve(Number(port));
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${logs.join('\n')}`)));
  });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return { url: `http://127.0.0.1:${port}`, proc, tmpDir, logs, stop };
}

export interface SubmitOptions {
  fields?: Record<string, string>;
  raw?: boolean;
  headers?: Record<string, string>;
  name?: string;
}

/** Uploads a file as multipart (default) or as a raw application/pdf body. */
export async function submit(url: string, file: string | Buffer, options: SubmitOptions = {}): Promise<Response> {
  const bytes = typeof file === 'string' ? readFileSync(file) : file;
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

/** Submits and returns the accepted job; fails the test on anything but 202. */
export async function submitOk(url: string, file: string | Buffer, options: SubmitOptions = {}): Promise<JobJson> {
  const res = await submit(url, file, options);
  const body = await res.text();
  if (res.status !== 202) throw new Error(`expected 202, got ${res.status}: ${body}`);
  return JSON.parse(body) as JobJson;
}

/** Polls until the job is final. */
export async function waitForJob(url: string, id: string, timeoutMs = 170_000, headers: Record<string, string> = {}): Promise<JobJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/api/jobs/${id}`, { headers });
    const job = (await res.json()) as JobJson;
    if (!['queued', 'running'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await sleep(200);
  }
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

/** Share of the expected words found in the actual text (multiset intersection). */
export function wordAccuracy(actual: string, expected: string): number {
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
  return want.length === 0 ? 1 : hit / want.length;
}

/** Pids of the live processes whose command line runs the PDF worker, children of `parent`. */
export function workerPids(parent?: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmd.includes('pdf-worker.js')) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === undefined || ppid === parent) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Files left in a server's temp dir (uploads that were not cleaned up). */
export function leftoverFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}

export function manifest(): Map<string, Record<string, string>> {
  const [head, ...rows] = readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const cols = head!.split('\t');
  return new Map(rows.map((r) => {
    const cells = r.split('\t');
    const rec = Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
    return [rec.file!, rec];
  }));
}
