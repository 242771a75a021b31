/**
 * Runs the real service for one measurement: a fresh server process per case (so one
 * case's heap, caches and children cannot colour the next), its process tree sampled
 * every 100 ms, documents submitted over HTTP, their end seen on the job's event stream.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { result, startServer, submit, waitForEnd, type JobJson, type ResultJson, type RunningServer } from '../harness/service.js';
import { MemorySampler, type MemoryPeak, type MemorySample } from '../harness/memory.js';
import { startRedis } from '../harness/redis.js';
import { cpuSince, processCpu, type ProcessCpu } from './cpu.js';
import { childRecords, type ChildRecord } from './profile.js';

const SAMPLE_MS = 100;

/** What the server said about itself when it started. */
export interface ServerInfo {
  ocrModel: string;
  /** The OCR engine its children drove, and why (OCR_ENGINE). */
  ocrEngine: string;
  workers: number;
  childMemoryMb: number;
  jobTimeoutS: number;
}

export interface ServiceRun<T> {
  value: T;
  memory: MemoryPeak;
  timeline: MemorySample[];
  server: ServerInfo;
  /** CPU of the server (self) and of its children that ended (children), while `body` ran. */
  cpu: ProcessCpu;
  /** Each child's `child exited` log line: owned peak and CPU profile. */
  children: ChildRecord[];
}

/**
 * Starts a fresh server, samples its whole process tree while `body` runs, then stops it.
 * Sampling starts once the server listens, so `body` may still time the start itself
 * through `server.spawnedAt`.
 */
export async function withService<T>(body: (server: RunningServer) => Promise<T>, env: Record<string, string> = {}): Promise<ServiceRun<T>> {
  // A short grace: the bench waits for its jobs itself, and a stuck job should not hold the next case up.
  const server = await startServer({ SHUTDOWN_GRACE_S: '2', ...env });
  // Every log line read, not just the process gone: the last `child exited` lines may still be in the pipe at exit.
  const closed = new Promise((resolve) => server.proc.once('close', resolve));
  const sampler = new MemorySampler(server.proc.pid!, SAMPLE_MS).start();
  let run: Omit<ServiceRun<T>, 'children'>;
  try {
    const before = processCpu(server.proc.pid!);
    const value = await body(server);
    const cpu = cpuSince(server.proc.pid!, before);
    run = { value, memory: sampler.stop(), timeline: sampler.timeline, server: serverInfo(server.startLog), cpu };
  } finally {
    sampler.stop();
    await server.stop();
    rmSync(server.tmpDir, { recursive: true, force: true });
  }
  await closed;
  return { ...run, children: childRecords(server.logs) };
}

/**
 * The scaled setup on this machine: a redis-server, one API and one worker instance. The
 * worker's process tree is what one 512 MB worker instance must hold; the API is sampled apart.
 */
export async function withScaledService<T>(body: (api: RunningServer) => Promise<T>): Promise<Omit<ServiceRun<T>, 'cpu' | 'children'> & { apiMemory: MemoryPeak }> {
  const redis = await startRedis();
  const env = { REDIS_URL: redis.url, SHUTDOWN_GRACE_S: '2' };
  const servers = [await startServer(env, ['--role', 'api']), await startServer(env, ['--role', 'worker'])];
  const [api, worker] = servers as [RunningServer, RunningServer];
  const workerSampler = new MemorySampler(worker.proc.pid!, SAMPLE_MS).start();
  const apiSampler = new MemorySampler(api.proc.pid!, SAMPLE_MS).start();
  try {
    const value = await body(api);
    const memory = workerSampler.stop();
    return { value, memory, timeline: workerSampler.timeline, server: serverInfo(worker.startLog), apiMemory: apiSampler.stop() };
  } finally {
    workerSampler.stop();
    apiSampler.stop();
    for (const server of servers) {
      await server.stop();
      rmSync(server.tmpDir, { recursive: true, force: true });
    }
    await redis.stop();
  }
}

function serverInfo(log: Record<string, unknown>): ServerInfo {
  return {
    ocrModel: String(log.ocrModel ?? 'unknown (not logged)'),
    ocrEngine: `${String(log.ocrEngine ?? 'unknown (not logged)')} (${String(log.ocrEngineReason ?? '')})`,
    workers: Number(log.workers),
    childMemoryMb: Number(log.childMemoryMb),
    jobTimeoutS: Number((log.config as { jobTimeoutMs?: number } | undefined)?.jobTimeoutMs) / 1000,
  };
}

export interface JobOutcome {
  file: string;
  /** The job's final status, `rejected` when the upload was not accepted, `bench_timeout` when the bench gave up. */
  status: string;
  code?: string;
  message?: string;
  job?: JobJson;
  result?: ResultJson;
}

export interface DocumentsRun {
  /** From the first upload's start to the last result fetched. */
  seconds: number;
  jobs: JobOutcome[];
}

/** Uploads all files at once, waits for every job to end and fetches the results of those that succeeded. */
export async function runDocuments(url: string, files: string[], timeoutMs: number): Promise<DocumentsRun> {
  const started = performance.now();
  const jobs = await Promise.all(files.map((file) => runDocument(url, file, timeoutMs)));
  return { seconds: (performance.now() - started) / 1000, jobs };
}

async function runDocument(url: string, file: string, timeoutMs: number): Promise<JobOutcome> {
  const res = await submit(url, file, { raw: true });
  const body = (await res.json()) as JobJson & { error?: { code: string; message: string } };
  if (res.status !== 202) return { file, status: 'rejected', code: body.error?.code ?? `http_${res.status}`, message: body.error?.message };
  let job: JobJson;
  try {
    job = await waitForEnd(url, body.id, timeoutMs);
  } catch (err) {
    return { file, status: 'bench_timeout', code: 'bench_timeout', message: (err as Error).message };
  }
  if (job.status !== 'succeeded') return { file, status: job.status, code: job.error?.code, message: job.error?.message, job };
  return { file, status: job.status, job, result: await result(url, job.id) };
}

/** "4/4 succeeded" or "2/4 failed: memory_limit×2", plus pages that came back with an error. */
export function outcomeSummary(jobs: JobOutcome[]): { ok: boolean; text: string } {
  const failed = jobs.filter((j) => j.status !== 'succeeded');
  const pageErrors = jobs.flatMap((j) => j.result?.pages.filter((p) => p.error) ?? []);
  const parts = [failed.length === 0 ? `${jobs.length}/${jobs.length} jobs succeeded` : `${failed.length}/${jobs.length} jobs failed: ${countCodes(failed.map((j) => j.code ?? j.status))}`];
  if (pageErrors.length > 0) parts.push(`${pageErrors.length} page errors: ${countCodes(pageErrors.map((p) => p.error!.code))}`);
  return { ok: failed.length === 0 && pageErrors.length === 0, text: parts.join('; ') };
}

function countCodes(codes: string[]): string {
  const counts = new Map<string, number>();
  for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([c, n]) => `${c}×${n}`).join(', ');
}

/** Per-job timings the service reported, for the JSON details. */
export function jobTimings(jobs: JobOutcome[]): Record<string, unknown>[] {
  return jobs.map((j) => ({
    file: j.file,
    status: j.status,
    code: j.code,
    message: j.message,
    created_at: j.job?.created_at,
    started_at: j.job?.started_at,
    finished_at: j.job?.finished_at,
    pages: j.result?.pages.length,
  }));
}
