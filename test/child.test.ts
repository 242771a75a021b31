/**
 * The supervisor and the child program on their own: real child processes, no HTTP server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childMessageSchema, type ChildMessage, type PageResult, type StartMessage } from '../src/protocol.js';
import { Supervisor, type ChildExit } from '../src/jobs/supervisor.js';
import { WORKER, childTask as task, corpusFile, wordAccuracy } from './helpers.js';

const listener = { onDocument: () => {}, onPage: () => {} };

describe('a child that cannot start', () => {
  it('fails promptly with worker_crashed when the program is missing', async () => {
    const supervisor = new Supervisor({ workerFile: '/nonexistent/pdf-worker.js', childMemoryMb: 200, pageTimeoutMs: 60_000 });
    const started = Date.now();
    const outcome = await supervisor.run(task(corpusFile('text/tagged.pdf')), listener, 'test').outcome;
    expect(outcome).toMatchObject({ ok: false, code: 'worker_crashed' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(supervisor.running).toBe(0);
  });

  it('fails promptly with worker_crashed when an import throws', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pdf-ocr-child-'));
    const broken = path.join(dir, 'broken-worker.mjs');
    writeFileSync(broken, "import 'no-such-package-anywhere';\n");
    const supervisor = new Supervisor({ workerFile: broken, childMemoryMb: 200, pageTimeoutMs: 60_000 });
    const started = Date.now();
    const outcome = await supervisor.run(task(corpusFile('text/tagged.pdf')), listener, 'test').outcome;
    expect(outcome).toMatchObject({ ok: false, code: 'worker_crashed' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('the child program', () => {
  it('OCRs a scan with no network at all (its own network namespace)', async () => {
    // unshare -n: a namespace with no interfaces; any fetch of a model or a CDN would fail.
    const child = spawn('unshare', ['-n', process.execPath, '--expose-gc', WORKER], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const messages: ChildMessage[] = [];
    child.on('message', (raw) => {
      const message = childMessageSchema.parse(raw);
      messages.push(message);
      if (message.type === 'ready') {
        child.send({ type: 'start', ...task(corpusFile('scanned/linn.pdf')) } satisfies StartMessage);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(messages.map((m) => m.type)).toEqual(['ready', 'document', 'page', 'done']);
    const page = messages.find((m) => m.type === 'page');
    expect(page?.type === 'page' && page.result.source).toBe('ocr');
    const text = page?.type === 'page' ? page.result.text : '';
    expect(wordAccuracy(text, readFileSync(corpusFile('scanned/linn.expected.txt'), 'utf8'))).toBeGreaterThan(0.85);
  });
});

describe('scans in every orientation', () => {
  it('reads pages turned by a quarter and upside down, and says where its CPU went', async () => {
    // cardinal.pdf: linn.png placed at 0, 90, 180 and 270 degrees. The engine reads sideways
    // lines itself; the upside-down ones need the half-turn probe and a second pass.
    const exits: ChildExit[] = [];
    const supervisor = new Supervisor({ workerFile: WORKER, childMemoryMb: 200, pageTimeoutMs: 120_000, onChildExit: (e) => exits.push(e) });
    const pages: PageResult[] = [];
    const outcome = await supervisor.run(task(corpusFile('scanned/cardinal.pdf')), { onDocument: () => {}, onPage: (p) => pages.push(p) }, 'test').outcome;
    expect(outcome.ok).toBe(true);
    const expected = readFileSync(corpusFile('scanned/linn.expected.txt'), 'utf8');
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4]);
    for (const page of pages) {
      expect(page.confidence, `page ${page.page}`).toBeGreaterThan(60);
      expect(wordAccuracy(page.text, expected), `page ${page.page}`).toBeGreaterThan(0.85);
    }
    const profile = exits[0]?.profile;
    expect(profile?.ocrPages).toBe(4);
    expect(profile?.retries).toBeGreaterThan(0);
    expect(profile?.cpuMs.ocr).toBeGreaterThan(0);
    expect(profile?.totalCpuMs).toBeGreaterThanOrEqual(Object.values(profile!.cpuMs).reduce((a, b) => a + b, 0));
  });
});
