import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile, leftoverFiles, result, startServer, submit, submitOk, waitForJob, type RunningServer } from './helpers.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ MAX_UPLOAD_MB: '1' });
});
afterAll(() => server.stop());

describe('submit and fetch', () => {
  it('turns a text PDF into per-page text (multipart)', async () => {
    const job = await submitOk(server.url, corpusFile('text/multi_page.pdf'));
    expect(job.status).toMatch(/queued|running/);
    const done = await waitForJob(server.url, job.id);
    expect(done.status).toBe('succeeded');
    expect(done.progress).toEqual({ pages_done: 5, pages_total: 5 });
    const r = await result(server.url, job.id);
    expect(r.pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5]);
    expect(r.pages.every((p) => p.source === 'text' && p.error === null)).toBe(true);
    expect(r.text.split('\f')).toHaveLength(5);
    expect(r.text).toContain('word processor');
  });

  it('accepts a raw application/pdf body with options in the query', async () => {
    const job = await submitOk(server.url, corpusFile('text/multi_page.pdf'), { raw: true, fields: { pages: '2-3' } });
    const res = await fetch(`${server.url}/api/jobs/${job.id}`);
    expect(res.status).toBe(200);
    await waitForJob(server.url, job.id);
    const r = await result(server.url, job.id);
    expect(r.pages.map((p) => p.page)).toEqual([2, 3]);
  });

  it('answers with Location and serves plain text with form feeds', async () => {
    const res = await submit(server.url, corpusFile('text/tagged.pdf'));
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string };
    expect(res.headers.get('location')).toBe(`/api/jobs/${job.id}`);
    await waitForJob(server.url, job.id);
    const text = await fetch(`${server.url}/api/jobs/${job.id}/result?format=text`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await text.text();
    expect(body.split('\f')).toHaveLength(2);
    const viaAccept = await fetch(`${server.url}/api/jobs/${job.id}/result`, { headers: { accept: 'text/plain' } });
    expect(await viaAccept.text()).toBe(body);
  });
});

describe('encrypted PDFs', () => {
  const ENCRYPTED = corpusFile('bad/issue6010_1_pwabc.pdf');

  it('opens one with the password in the X-PDF-Password header, and still with the form field', async () => {
    const viaHeader = await submitOk(server.url, ENCRYPTED, { raw: true, headers: { 'x-pdf-password': 'abc' } });
    const viaField = await submitOk(server.url, ENCRYPTED, { fields: { password: 'abc' } });
    for (const job of [viaHeader, viaField]) expect((await waitForJob(server.url, job.id)).status).toBe('succeeded');
  });
});

describe('errors', () => {
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; details?: unknown } }).error;

  it('404 job_not_found for an unknown id', async () => {
    const res = await fetch(`${server.url}/api/jobs/00000000-0000-4000-8000-000000000000`);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('job_not_found');
  });

  it('415 not_a_pdf for a PNG, an ODT and an empty file', async () => {
    for (const f of ['bad/not_a_pdf_png.pdf', 'bad/not_a_pdf_odt.pdf', 'bad/empty_zero_bytes.pdf']) {
      const res = await submit(server.url, corpusFile(f));
      expect(res.status, f).toBe(415);
      expect((await errorOf(res)).code).toBe('not_a_pdf');
    }
    const raw = await submit(server.url, Buffer.from('hello, not a pdf'), { raw: true });
    expect(raw.status).toBe(415);
  });

  it('413 file_too_large past MAX_UPLOAD_MB, without reading the whole body', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(8 * 1024 * 1024, 0x20)]);
    for (const raw of [false, true]) {
      const res = await submit(server.url, big, { raw });
      expect(res.status).toBe(413);
      expect((await errorOf(res)).code).toBe('file_too_large');
    }
  });

  it('400 invalid_request with details for bad options', async () => {
    const cases: Record<string, string>[] = [{ ocr: 'sometimes' }, { pages: '3-1' }, { pages: 'abc' }, { lang: 'klingon' }, { lang: 'x' }, { callback_url: 'ftp://example.com/' }];
    for (const fields of cases) {
      for (const raw of [false, true]) {
        const res = await submit(server.url, corpusFile('text/tagged.pdf'), { fields, raw });
        expect(res.status, JSON.stringify(fields)).toBe(400);
        const error = await errorOf(res);
        expect(error.code).toBe('invalid_request');
        expect(error.details).toBeDefined();
      }
    }
  });

  it('409 job_not_finished while running, 404 after DELETE', async () => {
    const job = await submitOk(server.url, corpusFile('text/pdkids.pdf'));
    const early = await fetch(`${server.url}/api/jobs/${job.id}/result`);
    expect(early.status).toBe(409);
    expect((await errorOf(early)).code).toBe('job_not_finished');
    const del = await fetch(`${server.url}/api/jobs/${job.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await fetch(`${server.url}/api/jobs/${job.id}`)).status).toBe(404);
  });

  it('healthz reports the queue and memory; unknown routes are JSON 404s', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; queue: { limit: number }; memory: { rss_mb: number } };
    expect(body.status).toBe('ok');
    expect(body.queue.limit).toBe(2);
    expect(body.memory.rss_mb).toBeGreaterThan(10);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const missing = await fetch(`${server.url}/nope`);
    expect(missing.status).toBe(404);
  });

  it('leaves no temp file behind', async () => {
    const deadline = Date.now() + 10_000;
    while (leftoverFiles(server.tmpDir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(leftoverFiles(server.tmpDir)).toEqual([]);
  });
});
