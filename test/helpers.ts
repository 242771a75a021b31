import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { CORPUS, sleep, startServer, type RunningServer } from '../harness/service.js';

// Starting the server or a lone child, the API client, word accuracy and medians live in harness/ so the benchmark shares them.
export * from '../harness/service.js';
export * from '../harness/child.js';
export * from '../src/stats.js';

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

/** Whether a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is a process that has not ended (a zombie has: it only waits to be reaped). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Files left in a server's temp dir (uploads that were not cleaned up). */
export function leftoverFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}

/** Polls until `check` holds, or fails after `ms`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
}

/** Waits up to 10 s for a server's temp dir to empty, then expects it empty. */
export async function expectNoLeftovers(s: RunningServer): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (leftoverFiles(s.tmpDir).length > 0 && Date.now() < deadline) await sleep(100);
  expect(leftoverFiles(s.tmpDir)).toEqual([]);
}

/** The JSON log lines a server wrote to stdout (stderr chunks and other text are skipped). */
export function logLines(server: { logs: string[] }): Record<string, unknown>[] {
  return server.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
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

/**
 * For a test file whose tests each start their own servers: returns the function that starts
 * one, and stops them all after each test, checking that no child outlived its server.
 */
export function serverPerTest(): (env?: Record<string, string>) => Promise<RunningServer> {
  let servers: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const s of servers) expect(workerPids(s.proc.pid)).toEqual([]);
    servers = [];
  });
  return async (env = {}) => {
    const s = await startServer(env);
    servers.push(s);
    return s;
  };
}
