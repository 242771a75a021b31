/**
 * Render's free plan spins a web service down after 15 minutes without inbound requests. While
 * the instance holds work it requests its own public URL (RENDER_EXTERNAL_URL: here a loopback
 * receiver standing in for Render's proxy), and it stops when it holds nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile, logLines, startServer, submitOk, until, waitForJob, type JobJson, type RunningServer } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

let own: Receiver;
let server: RunningServer;
beforeAll(async () => {
  own = await startReceiver();
  server = await startServer({ RENDER_EXTERNAL_URL: own.url, KEEP_AWAKE_INTERVAL_S: '0.2', LOG_LEVEL: 'debug', PDF_WORKER_THREADS: '1' });
});
afterAll(async () => {
  await server?.stop();
  await own?.close();
});

const keeperLines = (msg: string, held?: boolean) =>
  logLines(server).filter((l) => l.msg === msg && (held === undefined || l.held === held)).length;
const quietChecks = () => keeperLines('keep-awake: checked', false);
const stops = () => keeperLines('keep-awake: nothing held, stopped');
const getJob = async (id: string) => (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as JobJson;

/** Once the keeper says it stopped, two more of its checks find nothing held and no request comes in. */
async function expectStopped(stopsBefore: number): Promise<void> {
  await until('the keeper to stop', () => stops() > stopsBefore);
  const requests = own.received.length;
  const checked = quietChecks();
  await until('two more checks with nothing held', () => quietChecks() >= checked + 2);
  expect(own.received.length).toBe(requests);
}

describe('on Render (RENDER_EXTERNAL_URL set)', () => {
  it('an idle instance requests nothing, so it may sleep', async () => {
    await until('three checks with nothing held', () => quietChecks() >= 3);
    expect(own.received).toEqual([]);
    expect(logLines(server).find((l) => l.msg === 'keep-awake: on')).toMatchObject({ url: `${own.url}/healthz`, intervalS: 0.2 });
  });

  it('requests its own /healthz while a job runs, and stops once the job is deleted', async () => {
    // 55 pages forced through OCR on one child: running far longer than the requests below take.
    const job = await submitOk(server.url, corpusFile('text/pdkids.pdf'), { fields: { ocr: 'force' } });
    await until('the job to run', async () => (await getJob(job.id)).status === 'running', 60_000);
    const before = own.received.length;
    await own.waitFor(before + 3);
    expect((await getJob(job.id)).status, 'the requests came while the job ran').toBe('running');
    expect(new Set(own.received.map((r) => r.path))).toEqual(new Set(['/healthz']));

    const stopsBefore = stops();
    expect((await fetch(`${server.url}/api/jobs/${job.id}`, { method: 'DELETE' })).status).toBe(204);
    await expectStopped(stopsBefore);
  });

  it('keeps requesting while a finished result is kept, and stops once it is deleted', async () => {
    const job = await submitOk(server.url, corpusFile('text/tagged.pdf'));
    expect((await waitForJob(server.url, job.id)).status).toBe('succeeded');
    const before = own.received.length;
    await own.waitFor(before + 3);
    expect((await getJob(job.id)).status, 'the result is still kept').toBe('succeeded');

    const stopsBefore = stops();
    expect((await fetch(`${server.url}/api/jobs/${job.id}`, { method: 'DELETE' })).status).toBe(204);
    await expectStopped(stopsBefore);
  });
});
