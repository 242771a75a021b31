/**
 * The result formats of API.md "Document fidelity" through the real server: page size, form
 * fields and filled values in the JSON result, `?format=words`, `?format=markdown` and
 * `Accept: text/markdown`. What the child computes is tested in depth by test/fidelity.test.ts.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, corpusFile, startServer, submitOk, waitForJob, type RunningServer } from './helpers.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({});
});
afterAll(() => server.stop());

const FIXTURES = path.join(ROOT, 'test/fixtures/fidelity');

interface FidelityPage {
  page: number;
  text: string;
  width: number | null;
  height: number | null;
  fields?: { name: string; type: string; value: unknown; bbox: number[] }[];
}

async function finished(file: string, fields: Record<string, string> = {}): Promise<string> {
  const job = await submitOk(server.url, file, { fields });
  expect((await waitForJob(server.url, job.id)).status).toBe('succeeded');
  return `${server.url}/api/jobs/${job.id}/result`;
}

describe('document fidelity over HTTP', () => {
  it('shows a filled form: its answers in text, each widget in fields (prefilled_f1040.pdf)', async () => {
    const url = await finished(corpusFile('text/prefilled_f1040.pdf'));
    const result = (await (await fetch(url)).json()) as { pages: FidelityPage[]; text: string };
    const page2 = result.pages[1]!;
    expect(page2.text).toContain('foobar');
    expect(page2.text).toContain('[x]');
    expect(page2.width).toBeCloseTo(612, 0);
    expect(page2.height).toBeCloseTo(792, 0);
    const filled = page2.fields!.find((f) => f.value === 'foobar');
    expect(filled).toMatchObject({ type: 'text' });
    expect(filled!.bbox).toHaveLength(4);
    expect(page2.fields!.some((f) => f.type === 'checkbox' && f.value === true)).toBe(true);
  });

  it('serves every word with its box in points (format=words)', async () => {
    const url = await finished(path.join(FIXTURES, 'words.pdf'));
    const res = await fetch(`${url}?format=words`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { id: string; pages: { page: number; width: number; height: number; source: string; words: { text: string; bbox: number[] }[] }[] };
    const [page] = body.pages;
    expect(page!.source).toBe('text');
    expect(page!.words.length).toBeGreaterThan(10);
    for (const word of page!.words) {
      const [left, top, right, bottom] = word.bbox as [number, number, number, number];
      expect(left).toBeLessThan(right);
      expect(top).toBeLessThan(bottom);
      expect(right).toBeLessThanOrEqual(page!.width);
      expect(bottom).toBeLessThanOrEqual(page!.height);
    }
  });

  it('serves Markdown with a line before each page, for format=markdown and for Accept: text/markdown', async () => {
    const url = await finished(path.join(FIXTURES, 'structure.pdf'));
    const res = await fetch(`${url}?format=markdown`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const markdown = await res.text();
    expect(markdown.startsWith('<!-- page 1 -->\n')).toBe(true);
    expect(markdown).toMatch(/^# /m);
    expect(markdown).toMatch(/^\| .* \|$/m);
    const negotiated = await fetch(url, { headers: { accept: 'text/markdown' } });
    expect(await negotiated.text()).toBe(markdown);
  });
});
