/**
 * The result formats of API.md "Document fidelity" through the real server: page size, form
 * fields and filled values in the JSON result, `?format=words`, `?format=markdown` and
 * `Accept: text/markdown`. What the child computes is tested in depth by test/fidelity.test.ts.
 */
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
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

async function finished(file: string | Buffer, fields: Record<string, string> = {}): Promise<string> {
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

/** Lines a page of PDF text may say that would be HTML, a live link or a page marker in Markdown. */
const HOSTILE = [
  ['<img src=x onerror=alert(1)>'],
  ['[x](javascript:alert(1))', '![y](javascript:alert(2))'],
  ['<!-- page 9 -->'],
  ['<script>alert(3)</script> and <b>bold</b>'],
  ['• <a href=javascript:alert(4)>list</a>', '• [z](https://example.com)'],
  ['&lt;img&gt; as entities, a C:\\temp\\[dir] path and `<code>`'],
];

/** Two pages, each line of HOSTILE its own paragraph (far apart), a heading that is raw HTML on the second. */
async function hostilePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const [n, lines] of [HOSTILE.slice(0, 3), HOSTILE.slice(3)].entries()) {
    const page = doc.addPage([612, 792]);
    let y = 720;
    if (n === 1) {
      page.drawText('<h1>Title</h1> <!-- page 1 -->', { x: 72, y, size: 24, font });
      y -= 60;
    }
    for (const block of lines) {
      for (const line of block) {
        page.drawText(line, { x: 72, y, size: 11, font });
        y -= 14;
      }
      y -= 40;
    }
  }
  return Buffer.from(await doc.save());
}

describe('Markdown of hostile PDF text', () => {
  it('escapes what would be raw HTML, a live link or a page marker, and keeps the words; text keeps them as they are', async () => {
    const url = await finished(await hostilePdf());
    const markdown = await (await fetch(`${url}?format=markdown`)).text();
    const lines = markdown.split('\n');
    // One marker per real page, and no other line a reader would take for one.
    expect(lines.filter((l) => /<!--\s*page/.test(l) && !l.includes('\\<'))).toEqual(['<!-- page 1 -->', '<!-- page 2 -->']);
    // Every other '<' is escaped: no tag, comment or autolink is left to a renderer.
    const body = lines.filter((l) => !/^<!-- page \d+ -->$/.test(l)).join('\n');
    expect(body).not.toMatch(/(^|[^\\])</m);
    expect(markdown).not.toMatch(/(^|[^\\])<(img|script)/m);
    expect(markdown).not.toContain('](');
    expect(markdown).not.toMatch(/(^|[^\\])&lt;/m);
    // Headings and list items are still what they are.
    expect(lines).toContain('# \\<h1>Title\\</h1> \\<!-- page 1 -->');
    expect(lines.filter((l) => l.startsWith('- '))).toHaveLength(2);
    // Unescaped as CommonMark does, the Markdown says every word the PDF says.
    const unescaped = body.replace(/\\([!-/:-@[-`{-~])/g, '$1');
    for (const line of HOSTILE.flat()) expect(unescaped).toContain(line.replace(/^• /, ''));

    const { text } = (await (await fetch(url)).json()) as { text: string };
    for (const line of HOSTILE.flat()) expect(text).toContain(line);
  });
});
