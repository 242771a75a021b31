import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile, sleep, startServer, submitOk, waitForJob, type RunningServer } from './helpers.js';

const API_KEY = 'ops-test-key-3f9c1e';
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const auth = { authorization: `Bearer ${API_KEY}` };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (the subset prom-client writes). */
function parseMetrics(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`unparseable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** The JSON log lines the server wrote to stdout. */
function logLines(server: RunningServer): Record<string, unknown>[] {
  return server.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

let server: RunningServer;
let jobIds: string[] = [];
beforeAll(async () => {
  server = await startServer({ API_KEY, WEBHOOK_SECRET });
  // A text job that succeeds, one that fails (password required), one page OCRed.
  const ok = await submitOk(server.url, corpusFile('text/multi_page.pdf'), { headers: auth });
  const failed = await submitOk(server.url, corpusFile('bad/issue6010_1_pwabc.pdf'), { headers: auth });
  const ocr = await submitOk(server.url, corpusFile('text/tagged.pdf'), { headers: auth, fields: { ocr: 'force', pages: '1' } });
  jobIds = [ok.id, failed.id, ocr.id];
  for (const id of jobIds) await waitForJob(server.url, id, 60_000, auth);
});
afterAll(() => server.stop());

describe('GET /metrics', () => {
  it('serves Prometheus text without the API key (it is not under /api)', async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("has the series API.md lists, fed by real jobs, and the parent's process metrics", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const { samples, types } = parseMetrics(text);
    expect(types.get('jobs_finished_total')).toBe('counter');
    expect(types.get('job_duration_seconds')).toBe('histogram');
    expect(types.get('pages_processed_total')).toBe('counter');
    expect(types.get('queue_depth')).toBe('gauge');
    expect(types.get('running_children')).toBe('gauge');
    expect(types.get('child_peak_memory_bytes')).toBe('histogram');
    expect(types.get('webhook_deliveries_total')).toBe('counter');

    expect(value(samples, 'jobs_finished_total', { status: 'succeeded' })).toBe(2);
    expect(value(samples, 'jobs_finished_total', { status: 'failed' })).toBe(1);
    expect(value(samples, 'jobs_finished_total', { status: 'cancelled' })).toBe(0);
    expect(value(samples, 'job_duration_seconds_count', { status: 'succeeded' })).toBe(2);
    expect(value(samples, 'job_duration_seconds_sum', { status: 'succeeded' })).toBeGreaterThan(0);
    expect(value(samples, 'pages_processed_total', { source: 'text' })).toBe(5);
    expect(value(samples, 'pages_processed_total', { source: 'ocr' })).toBe(1);
    expect(value(samples, 'queue_depth')).toBe(0);
    expect(value(samples, 'running_children')).toBe(0);
    expect(value(samples, 'child_peak_memory_bytes_count')).toBe(3);
    // A child's peak RSS: tens of MB at least.
    expect(value(samples, 'child_peak_memory_bytes_sum')! / 3).toBeGreaterThan(20 * 1024 * 1024);
    expect(value(samples, 'children_exited_total', { outcome: 'ok' })).toBe(2);
    expect(value(samples, 'children_exited_total', { outcome: 'pdf_password_required' })).toBe(1);
    for (const outcome of ['delivered', 'failed', 'abandoned']) {
      expect(value(samples, 'webhook_deliveries_total', { outcome })).toBe(0);
    }
    expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(value(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('keeps label sets bounded: no job ids, only the known label names', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const id of jobIds) {
      expect(text).not.toContain(id);
      expect(text).not.toContain(id.slice(0, 8));
    }
    const { samples } = parseMetrics(text);
    const allowed = new Set(['status', 'source', 'outcome', 'le', 'kind', 'type', 'space', 'version', 'major', 'minor', 'patch']);
    for (const s of samples) {
      for (const label of Object.keys(s.labels)) expect(allowed, `${s.name}{${label}}`).toContain(label);
    }
  });
});

describe('logs', () => {
  it('start with one line carrying the effective configuration, secrets redacted', () => {
    const all = server.logs.join('\n');
    expect(all).not.toContain(API_KEY);
    expect(all).not.toContain(WEBHOOK_SECRET.slice(6));
    const start = logLines(server).filter((l) => l.msg === 'pdf-ocr-service listening');
    expect(start).toHaveLength(1);
    const line = start[0]!;
    expect(line.workers).toBe(2);
    expect(line.ocrModel).toEqual(expect.any(String));
    const config = line.config as Record<string, unknown>;
    expect(config.apiKey).toBe('[redacted]');
    expect(config.webhookSecret).toBe('[redacted]');
    expect(config.workerThreads).toBe(2);
    expect(config.childMemoryMb).toEqual(expect.any(Number));
  });

  it('have a line per job state change and per child, with short job ids only', () => {
    const lines = logLines(server);
    for (const id of jobIds) expect(server.logs.join('\n')).not.toContain(id);
    const [okId, failedId] = jobIds.map((id) => id.slice(0, 8));

    const states = (job: string) => lines.filter((l) => l.msg === 'job state' && l.job === job).map((l) => `${String(l.from)}>${String(l.status)}`);
    expect(states(okId!)).toEqual(['null>queued', 'queued>running', 'running>succeeded']);
    expect(states(failedId!).at(-1)).toBe('running>failed');
    const failedFinal = lines.find((l) => l.msg === 'job state' && l.job === failedId && l.status === 'failed')!;
    expect(failedFinal.code).toBe('pdf_password_required');

    const spawned = lines.filter((l) => l.msg === 'child spawned');
    const exited = lines.filter((l) => l.msg === 'child exited');
    expect(spawned.map((l) => l.job).sort()).toEqual(jobIds.map((id) => id.slice(0, 8)).sort());
    const okExit = exited.find((l) => l.job === okId)!;
    expect(okExit).toMatchObject({ exitCode: 0, pages: 5, pid: spawned.find((l) => l.job === okId)!.pid });
    expect(okExit.peakMemoryMb).toBeGreaterThan(20);
    expect(okExit.durationMs).toBeGreaterThan(0);
    expect(exited.find((l) => l.job === failedId)).toMatchObject({ code: 'pdf_password_required', pages: 0 });
  });
});

describe('purge', () => {
  it('logs how many expired jobs it removed', async () => {
    const short = await startServer({ RESULT_TTL_S: '1', PURGE_INTERVAL_S: '1' });
    try {
      const job = await submitOk(short.url, corpusFile('text/tagged.pdf'));
      await waitForJob(short.url, job.id, 60_000);
      const deadline = Date.now() + 10_000;
      let removed: unknown[] = [];
      while (Date.now() < deadline) {
        removed = logLines(short).filter((l) => l.msg === 'purged expired jobs').map((l) => l.removed);
        if (removed.some((n) => typeof n === 'number' && n >= 1)) break;
        await sleep(250);
      }
      expect(removed).toContain(1);
      expect((await fetch(`${short.url}/api/jobs/${job.id}`)).status).toBe(404);
    } finally {
      await short.stop();
    }
  });
});
