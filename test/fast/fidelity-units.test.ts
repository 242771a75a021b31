/**
 * The pure parts of document fidelity on made-up word boxes: layout, Markdown, result formats.
 * (test/fidelity.test.ts drives the same code through the real child on real PDFs.)
 */
import { describe, expect, it } from 'vitest';
import { pageFidelity, resultChunks, type ResultFormat, type StoredPages } from '../../src/api/formats.js';
import type { Job } from '../../src/jobs/job.js';
import { packWords, unpackWords, type PageResult, type Word } from '../../src/protocol.js';
import { layoutPage } from '../../workers/layout/layout.js';
import type { Token } from '../../workers/layout/types.js';
import { pageMarkdown, reflow } from '../../workers/output/markdown.js';
import { plainText } from '../../workers/output/plain-text.js';
import type { FontStyle, TextItem } from '../../workers/text/decode.js';
import { textWords } from '../../workers/text/text-words.js';

/** Words of a line of 10-pt text with its baseline at `y`, starting at `x`, each word 5 pt a character plus a 3-pt space. */
function line(text: string, x: number, y: number, size = 10): Token[] {
  const tokens: Token[] = [];
  for (const word of text.split(' ')) {
    tokens.push({ text: word, bbox: [x, y - 0.8 * size, x + word.length * 0.5 * size, y + 0.2 * size], size });
    x += word.length * 0.5 * size + 0.3 * size;
  }
  return tokens;
}

describe('reflow', () => {
  it('joins lines with spaces and a word hyphenated at a line end', () => {
    expect(reflow(['the condition of the inspec-', 'tion and', 'the rest'])).toBe('the condition of the inspection and the rest');
  });
  it('keeps a hyphen before a capital (a compound, not a broken word)', () => {
    expect(reflow(['trip to New-', 'York'])).toBe('trip to New- York');
  });
});

describe('layout', () => {
  it('reads two columns on the same baselines column by column, the header first', () => {
    const tokens = [...line('Header across the page', 200, 40)];
    for (let i = 0; i < 6; i++) {
      tokens.push(...line(`left line ${i} of prose here`, 50, 80 + 14 * i));
      tokens.push(...line(`right line ${i} of prose here`, 320, 80 + 14 * i));
    }
    const text = plainText(layoutPage(tokens, []));
    const left = text.indexOf('left line 0');
    expect(text.indexOf('Header')).toBeLessThan(left);
    expect(text.indexOf('left line 5')).toBeLessThan(text.indexOf('right line 0'));
    expect(text).not.toMatch(/left line \d of prose here right/);
  });

  it("reads a figure's labels far below one column's end after the columns, though labels under the other column come close", () => {
    // amt_handbook_sample.pdf's page: the left column ends mid-sentence above a figure, the right
    // column goes on with it and ends higher, and the right figure's labels step down the page to
    // the height of the left figure's first labels.
    const tokens: Token[] = [];
    for (let i = 0; i < 8; i++) tokens.push(...line(`left line ${i} of running prose`, 50, 80 + 14 * i));
    for (let i = 0; i < 5; i++) tokens.push(...line(`right line ${i} of running prose`, 320, 80 + 14 * i));
    tokens.push(...line('Nut case', 420, 160, 8), ...line('Locking shoulder', 420, 180, 8), ...line('Keyway', 420, 200, 8));
    tokens.push(...line('Boots aircraft nut', 60, 210, 8), ...line('Elastic anchor nut', 170, 210, 8));
    const text = plainText(layoutPage(tokens, []));
    expect(text.indexOf('left line 7')).toBeLessThan(text.indexOf('right line 0'));
    expect(text.indexOf('Boots aircraft nut')).toBeGreaterThan(text.indexOf('right line 4'));
  });

  it('makes a table of cells that line up over three rows or more, header row first', () => {
    const rows = [['Item', 'Cost', 'Due'], ['Roof', '4500', 'May'], ['Paint', '1200', 'June']];
    const tokens = rows.flatMap((cells, r) => cells.flatMap((cell, c) => line(cell, 50 + 150 * c, 100 + 18 * r)));
    const md = pageMarkdown(layoutPage(tokens, []), 'text').markdown;
    expect(md).toBe(['| Item | Cost | Due |', '| --- | --- | --- |', '| Roof | 4500 | May |', '| Paint | 1200 | June |'].join('\n'));
  });

  it('does not take two columns of prose for a two-column table', () => {
    const tokens: Token[] = [];
    for (let i = 0; i < 5; i++) {
      tokens.push(...line(`a long line of prose in the left column ${i}`, 50, 80 + 14 * i));
      tokens.push(...line(`a long line of prose in the right column ${i}`, 320, 80 + 14 * i));
    }
    expect(pageMarkdown(layoutPage(tokens, []), 'text').markdown).not.toContain('|');
  });

  it('lays out text that runs down the page (a quarter turn) in its own direction', () => {
    // The upright lines "first line here" / "second line below", turned a quarter clockwise on
    // the page: x on the page is the upright y mirrored, y on the page the upright x.
    const turn = (t: Token): Token => ({ ...t, bbox: [500 - t.bbox[3], t.bbox[0], 500 - t.bbox[1], t.bbox[2]], turns: 1 });
    const tokens = [...line('first line here', 50, 100), ...line('second line below', 50, 114)].map(turn);
    expect(plainText(layoutPage(tokens, []))).toBe('first line here\nsecond line below');
  });

  it('puts a checkbox on its label line and reads it as [x] in the text and - [x] label in Markdown', () => {
    const tokens = line('Roof leaks', 50, 100);
    const field = { name: 'roof', origin: 'acroform' as const, type: 'checkbox' as const, value: true, bbox: [150, 91, 160, 101] as [number, number, number, number] };
    const blocks = layoutPage(tokens, [field]);
    expect(plainText(blocks)).toBe('Roof leaks [x]');
    const { markdown, labels } = pageMarkdown(blocks, 'text');
    expect(markdown).toBe('- [x] Roof leaks');
    expect(labels.get(field)).toBe('Roof leaks');
  });
});

describe('text-layer words: emphasis and size', () => {
  const times: FontStyle = { fontFamily: 'serif', ascent: 0.911, descent: -0.224, vertical: false };
  const other: FontStyle = { fontFamily: 'serif', ascent: 0.85, descent: -0.25, vertical: false };
  /** One item a line of 10-pt text in `font`, baselines 14 pt apart from the top (PDF y up, on a 792-pt page). */
  const items = (lines: [string, string][]): TextItem[] =>
    lines.map(([fontName, str], i) => ({ str, fontName, width: 4.4 * str.length, height: 10, transform: [10, 0, 0, 10, 72, 720 - 14 * i], hasEOL: true }));
  const view = { width: 612, height: 792, transform: [1, 0, 0, -1, 0, 792] };
  const body = 'the quick brown fox jumps over the lazy dog and runs far away';
  const page = (headingStyle: FontStyle) => ({
    items: items([['F2', 'Boots Self-Locking Nut'], ...Array.from({ length: 8 }, (): [string, string] => ['F1', body])]),
    styles: { F1: times, F2: headingStyle },
  });

  it("takes a face of the body's family setting little of the page (an italic) as emphasis, and its line alone as a heading", () => {
    const words = textWords(page(times), view, new Map());
    expect(words.filter((w) => w.emphasis).map((w) => w.text)).toEqual(['Boots', 'Self-Locking', 'Nut']);
    expect(pageMarkdown(layoutPage(words, []), 'text').markdown).toMatch(/^# Boots Self-Locking Nut\n\nthe quick brown fox/);
  });

  it('does not take a font of another design (other vertical metrics) as emphasis', () => {
    const words = textWords(page(other), view, new Map());
    expect(words.some((w) => w.emphasis)).toBe(false);
    expect(pageMarkdown(layoutPage(words, []), 'text').markdown).toMatch(/^Boots Self-Locking Nut the quick brown fox/);
  });

  it('takes no face as an emphasis by its share where no font dominates the page', () => {
    const lines: [string, string][] = [['F2', 'Boots Self-Locking Nut'], ...Array.from({ length: 8 }, (_, i): [string, string] => [i % 2 ? 'F1' : 'F3', body])];
    const words = textWords({ items: items(lines), styles: { F1: times, F2: times, F3: times } }, view, new Map());
    expect(words.some((w) => w.emphasis)).toBe(false);
  });

  it('sizes the words of an item set larger than its first glyph (a subscript digit, then 10-pt text) by its width', () => {
    const lines: [string, string][] = Array.from({ length: 8 }, (): [string, string] => ['F1', body]);
    const mixed: TextItem = { str: '4 inch, the', fontName: 'F1', width: 4.4 * 11, height: 5.5, transform: [5.5, 0, 0, 5.5, 72, 500], hasEOL: true };
    const words = textWords({ items: [...items(lines), mixed], styles: { F1: times } }, view, new Map());
    const inch = words.find((w) => w.text === 'inch,')!;
    expect(inch.size).toBeCloseTo(10, 0);
    expect(inch.bbox[3] - inch.bbox[1]).toBeCloseTo(10 * (times.ascent - times.descent), 0);
  });

  it('keeps a heading run into its paragraph on its line, read before the paragraph', () => {
    const tokens = [...line('Categories and Subject', 50, 80).map((t) => ({ ...t, emphasis: true })), ...line('D.3.4 [Programming Languages]: compilers', 170, 80)];
    for (let i = 1; i < 4; i++) tokens.push(...line(`the paragraph goes on here, line ${i}`, 50, 80 + 14 * i));
    const md = pageMarkdown(layoutPage(tokens, []), 'text').markdown;
    // The brackets are the PDF's, so escaped (see 'Markdown of PDF text' below).
    expect(md).toMatch(/^Categories and Subject D\.3\.4 \\\[Programming Languages\\\]: compilers the paragraph goes on/);
  });
});

describe('Markdown of PDF text', () => {
  const box = (x: number, y: number): [number, number, number, number] => [x, y - 9, x + 10, y + 1];

  it('escapes HTML, links and entities in form labels, field values and table cells; text and labels keep them', () => {
    const tokens = [...line('<b>Roof</b> leaks', 50, 100), ...line('[Owner](javascript:x):', 50, 140)];
    const rows = [['<i>Item</i>', 'a|b'], ['&amp;', 'C:\\tmp\\[1]'], ['<!--', '-->']];
    tokens.push(...rows.flatMap((cells, r) => cells.flatMap((cell, c) => line(cell, 50 + 150 * c, 300 + 18 * r))));
    const check = { name: 'roof', origin: 'acroform' as const, type: 'checkbox' as const, value: true, bbox: box(200, 100) };
    const owner = { name: 'owner', origin: 'acroform' as const, type: 'text' as const, value: '<img src=x onerror=alert(1)>', bbox: box(250, 140) };
    const blocks = layoutPage(tokens, [check, owner]);
    const { markdown, labels } = pageMarkdown(blocks, 'text');
    expect(markdown.split('\n')).toEqual([
      '- [x] \\<b>Roof\\</b> leaks',
      '',
      '\\[Owner\\]\\(javascript:x): \\<img src=x onerror=alert(1)>',
      '',
      '| \\<i>Item\\</i> | a\\|b |',
      '| --- | --- |',
      '| \\&amp; | C:\\tmp\\\\\\[1\\] |',
      '| \\<!-- | --> |',
    ]);
    expect(labels.get(check)).toBe('<b>Roof</b> leaks');
    expect(labels.get(owner)).toBe('[Owner](javascript:x)');
    expect(plainText(blocks)).toContain('<b>Roof</b> leaks [x]');
  });

  it('escapes a paragraph that would open a block where the escape works: 1\\. not \\1.', () => {
    const md = (text: string) => pageMarkdown(layoutPage(line(text, 50, 100), []), 'text').markdown;
    expect(md('2024. was a year')).toBe('2024\\. was a year');
    expect(md('# not a heading')).toBe('\\# not a heading');
    expect(md('~~~ not a fence')).toBe('\\~~~ not a fence');
    expect(md('_ _ _')).toBe('\\_ _ _');
    expect(md('<!-- page 3 -->')).toBe('\\<!-- page 3 -->');
    // A '<' that opens no tag stays as it is.
    expect(md('for i < 100 or a <> b')).toBe('for i < 100 or a <> b');
  });
});

describe('packed words', () => {
  it('round-trip to tenths of a point, with confidences when OCR read them', () => {
    const words = [
      { text: 'Roof', bbox: [72.04, 80.5, 96.4, 92.1] as [number, number, number, number], confidence: 93 },
      { text: 'leaks', bbox: [100, 80.5, 128.7, 92.1] as [number, number, number, number], confidence: 88 },
    ];
    const packed = packWords(words);
    expect(packed).toEqual({ text: 'Roof leaks', boxes: [720, 805, 964, 921, 1000, 805, 1287, 921], confidence: [93, 88] });
    expect(unpackWords(packed)).toEqual([{ ...words[0], bbox: [72, 80.5, 96.4, 92.1] }, words[1]]);
    expect(unpackWords(packWords([]))).toEqual([]);
  });
});

/** Pages kept in memory, read as the result routes read a repository's. */
function stored(pages: PageResult[]): StoredPages {
  return { numbers: pages.map((p) => p.page), read: async (n) => pages.find((p) => p.page === n)! };
}

/** The whole body the result route streams for `format`. */
type JobHead = Pick<Job, 'id' | 'selected' | 'documentPages'>;
async function body(format: ResultFormat, pages: PageResult[], job: JobHead): Promise<string> {
  let text = '';
  for await (const chunk of resultChunks(format, job as Job, stored(pages))) text += chunk;
  return text;
}

describe('result formats', () => {
  const pages: PageResult[] = [
    { page: 1, text: 'Hello', source: 'text', error: null, width: 612, height: 792, words: packWords([{ text: 'Hello', bbox: [72, 80, 100.5, 92] }]), markdown: '# Hello' },
    { page: 2, text: '', source: 'ocr', error: { code: 'worker_crashed', message: 'x' } },
  ];
  const job: JobHead = { id: 'j1', selected: [1, 2], documentPages: 3 };

  it('builds the words body, with an unknown size and no words for a page the parent recorded', async () => {
    expect(JSON.parse(await body('words', pages, job))).toEqual({
      id: 'j1',
      pages: [
        { page: 1, width: 612, height: 792, source: 'text', words: [{ text: 'Hello', bbox: [72, 80, 100.5, 92] }] },
        { page: 2, width: null, height: null, source: 'ocr', words: [] },
      ],
    });
  });

  it('builds the Markdown document with a page comment before each page', async () => {
    expect(await body('markdown', pages, job)).toBe('<!-- page 1 -->\n\n# Hello\n\n<!-- page 2 -->\n');
  });

  // What JSON.stringify gives for the whole body, as the route sent it before it streamed.
  describe('streams the bytes of the whole body', () => {
    const odd = ['quo"te', 'back\\slash', 'tab\there', '\u0001ctl', 'é', '😀', '\ud800lone', 'lone\udc00', '\u2028', ''];
    const many: Word[] = Array.from({ length: 2345 }, (_, i) => ({
      text: odd[i % odd.length]! || String(i),
      bbox: [-i / 7, i / 3, i + 0.05, i * 1.25],
      confidence: i % 101,
    }));
    const tricky: PageResult[] = [
      { page: 2, text: 'a "b"\n\\c\u0007 😀 \ud83d', source: 'ocr', confidence: 71.5, error: null, width: 595.3, height: 841.9, words: packWords(many), markdown: '## H\n\n| a |' },
      { page: 5, text: '', source: 'text', error: { code: 'text_truncated', message: 'cut "here"' }, width: null, height: null },
      { page: 7, text: '\udc00tail\f', source: 'text', error: null, width: 100, height: 200, fields: [{ name: 'f', origin: 'acroform', type: 'checkbox', value: true, bbox: [1, 2, 3, 4] }], notes: ['xfa_form'], words: packWords([{ text: 'x', bbox: [0, 0, 1, 1] }]) },
    ];
    const wordsOf = (p: PageResult) => (p.words ? unpackWords(p.words) : []);
    const whole: Record<ResultFormat, (j: JobHead, ps: PageResult[]) => string> = {
      text: (_, ps) => ps.map((p) => p.text).join('\f'),
      markdown: (_, ps) => ps.map((p) => (p.markdown ? `<!-- page ${p.page} -->\n\n${p.markdown}\n` : `<!-- page ${p.page} -->\n`)).join('\n'),
      words: (j, ps) => JSON.stringify({ id: j.id, pages: ps.map((p) => ({ page: p.page, width: p.width ?? null, height: p.height ?? null, source: p.source, words: wordsOf(p) })) }),
      json: (j, ps) =>
        JSON.stringify({
          id: j.id,
          pages_total: j.selected?.length ?? ps.length,
          document_pages: j.documentPages,
          pages: ps.map((p) => ({ page: p.page, text: p.text, source: p.source, ...(p.confidence !== undefined ? { confidence: p.confidence } : {}), error: p.error, ...pageFidelity(p) })),
          text: ps.map((p) => p.text).join('\f'),
        }),
    };
    for (const format of ['json', 'text', 'words', 'markdown'] as const) {
      it(format, async () => {
        const cases: [JobHead, PageResult[]][] = [[job, tricky], [{ id: 'j"2', selected: null, documentPages: null }, tricky.slice(1)], [job, []]];
        for (const [j, ps] of cases) {
          expect(await body(format, ps, j)).toBe(whole[format](j, ps));
        }
      });
    }
  });

  it('adds width, height and, when present, fields and notes to a page entry', () => {
    expect(pageFidelity(pages[0]!)).toEqual({ width: 612, height: 792 });
    expect(pageFidelity({ ...pages[0]!, notes: ['xfa_form'] })).toEqual({ width: 612, height: 792, notes: ['xfa_form'] });
  });
});
