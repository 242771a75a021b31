import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile, ROOT, startServer, workerPids, type RunningServer } from './helpers.js';

/** The published Standard Webhooks example secret: what the service signs with and the Flask example verifies. */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CLIENT_DIR = path.join(ROOT, 'clients/python');

interface Run {
  code: number | null;
  output: string;
}

/** Runs `python3` from PATH, as the Flask application's own interpreter would be, and collects its output. */
function python(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const proc = spawn('python3', args, { cwd: ROOT, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env } });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('error', (err) => resolve({ code: null, output: `python3 could not start: ${err.message}` }));
    proc.once('close', (code) => resolve({ code, output }));
  });
}

describe('the Python client and the Flask webhook receiver, against the real service', () => {
  let main: RunningServer;
  let full: RunningServer;
  beforeAll(async () => {
    // Loopback callback URLs are private targets: allowed here, as for every webhook test.
    main = await startServer({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SECRET: SECRET });
    // One child and no queue: a running job makes the next submit a 429 queue_full; one open event stream, the next 429 too_many_streams.
    full = await startServer({ PDF_WORKER_THREADS: '1', QUEUE_LIMIT: '0', MAX_EVENT_STREAMS: '1' });
  });
  afterAll(async () => {
    await Promise.all([main, full].filter(Boolean).map((s) => s.stop()));
    for (const s of [main, full]) expect(workerPids(s.proc.pid)).toEqual([]);
  });

  it('has Python 3.11+ and Flask (the tests fail, not skip, without them)', async () => {
    const run = await python(['-c', 'import sys, flask, werkzeug; assert sys.version_info >= (3, 11), sys.version']);
    expect(run.code, run.output).toBe(0);
  });

  it('passes its unittest suite: a scan end to end, every format, idempotency, typed errors, a 429 retried, webhooks', async () => {
    const run = await python(['-m', 'unittest', 'discover', '-v', '-s', path.join(CLIENT_DIR, 'tests'), '-t', CLIENT_DIR], {
      PDF_OCR_URL: main.url,
      PDF_OCR_FULL_URL: full.url,
      PDF_OCR_WEBHOOK_SECRET: SECRET,
      PDF_OCR_SCAN: corpusFile('scanned/linn.pdf'),
      PDF_OCR_TEXT_PDF: corpusFile('text/tagged.pdf'),
      PDF_OCR_SLOW_PDF: corpusFile('text/pdkids.pdf'),
      PDF_OCR_ENCRYPTED_PDF: corpusFile('bad/issue6010_1_pwabc.pdf'),
    });
    expect(run.code, run.output).toBe(0);
    // Every test ran: none was skipped for want of an environment variable or a module.
    expect(run.output, run.output).toMatch(/^Ran 7 tests in/m);
    expect(run.output, run.output).not.toMatch(/skipped/);
  }, 300_000);
});
