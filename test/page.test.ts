// The upload page in a real browser: Debian's Chromium driven by playwright-core.
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, corpusFile, startServer, submitOk, waitForJob, type RunningServer } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps trying to reach Google's services.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = path.join(ROOT, 'test-output');
const DESKTOP = { width: 1100, height: 900 };
const PHONE = { width: 390, height: 844 };

/** One browser per describe block, with its own throw-away profile; records what each page asks for. */
function useBrowser(serverUrl: () => string) {
  let context: BrowserContext;
  let profile: string;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    profile = mkdtempSync(path.join(os.tmpdir(), 'pdf-ocr-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: DESKTOP,
    });
    context.on('request', (r) => requests.push(r.url()));
    // Reported to the page as events; console messages catch what the page never sees.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
  });

  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  afterEach(() => {
    // Every request went to the service itself (nothing from a CDN, no fonts, no beacons).
    const origin = new URL(serverUrl()).origin;
    const foreign = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    requests.length = 0;
    problems.length = 0;
  });

  return {
    requests,
    async open(viewport = DESKTOP): Promise<{ page: Page; statusTexts: string[] }> {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      page.on('console', (m) => {
        // A 4xx answer is logged by Chromium as "Failed to load resource"; those are the errors under test.
        if (/Failed to load resource/.test(m.text())) return;
        if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      // Every text the status line shows, to see the upload and processing progress go by.
      await page.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { statusTexts: string[] }).statusTexts = seen;
        document.addEventListener('DOMContentLoaded', () => {
          const target = document.getElementById('status-text')!;
          new MutationObserver(() => {
            if (target.textContent && seen.at(-1) !== target.textContent) seen.push(target.textContent);
          }).observe(target, { childList: true, characterData: true, subtree: true });
        });
      });
      const response = await page.goto(serverUrl() + '/');
      expect(response!.status()).toBe(200);
      const headers = response!.headers();
      expect(headers['content-security-policy']).toContain("default-src 'none'");
      expect(headers['content-security-policy']).toContain("script-src 'self'");
      expect(headers['x-content-type-options']).toBe('nosniff');
      return { page, statusTexts: [] };
    },
    statusTexts: (page: Page) => page.evaluate(() => (window as unknown as { statusTexts: string[] }).statusTexts),
  };
}

async function upload(page: Page, file: string, options: { key?: string } = {}) {
  if (options.key !== undefined) await page.getByLabel('API key').fill(options.key);
  await page.locator('#file').setInputFiles(file);
  await page.getByRole('button', { name: 'Extract text' }).click();
}

/** Waits for the text or an error, and fails with the error's words if that came. */
async function finished(page: Page, timeout: number) {
  await page.locator('#result:not([hidden]), #error:not([hidden])').first().waitFor({ timeout });
  if (await page.locator('#error').isVisible()) throw new Error(`the page shows an error: ${await page.locator('#error').innerText()}`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const fixture = (name: string) => path.join(ROOT, 'test/fixtures/fidelity', name);

interface FixtureField {
  name: string;
  type: 'text' | 'checkbox' | 'radio' | 'choice' | 'signature' | 'button';
  value: string | string[] | boolean | null;
  export?: string;
  label?: string;
}

/**
 * The rows a person should see for a form drawn with known values (form.json): each field by the
 * question drawn beside it and its name, each answer in words, a radio group by its name as its
 * chosen option, the fields left blank apart; buttons hold no answer.
 */
function expectedAnswers(fields: FixtureField[]): { filled: string[][]; blank: string[][] } {
  const filled: string[][] = [];
  const blank: string[][] = [];
  const radios = new Set<string>();
  const heading = (f: FixtureField) => (f.label ? `${f.label.replace(/:\s*$/, '')} ${f.name}` : f.name);
  for (const f of fields) {
    if (f.type === 'radio') {
      if (radios.has(f.name)) continue;
      radios.add(f.name);
      const chosen = fields.find((g) => g.name === f.name && g.value === true);
      (chosen ? filled : blank).push([f.name, chosen ? chosen.export! : 'Nothing chosen']);
    } else if (f.type === 'text') (f.value ? filled : blank).push([heading(f), f.value ? String(f.value) : 'Empty']);
    else if (f.type === 'checkbox') (f.value ? filled : blank).push([heading(f), f.value ? 'Checked' : 'Not checked']);
    else if (f.type === 'choice') {
      const chosen = ([] as unknown[]).concat(f.value).filter(Boolean).join(', ');
      (chosen ? filled : blank).push([heading(f), chosen || 'Nothing chosen']);
    } else if (f.type === 'signature') blank.push([f.name, 'A signature field; whether it is signed is not read']);
  }
  return { filled, blank };
}

/** The [field, answer] rows of a table, as the page shows them (a field's label and name read as two words). */
const tableRows = (table: Locator) =>
  table
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => [[...r.querySelector('th')!.children].map((e) => e.textContent).join(' '), r.querySelector('td')!.textContent!]));

describe('the upload page', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ MAX_UPLOAD_MB: '2' });
  });
  afterAll(() => server.stop());
  const browser = useBrowser(() => server.url);

  it('loads only its own files, under a strict CSP, with no key field', async () => {
    const { page } = await browser.open();
    await expect.poll(() => page.evaluate(() => document.readyState)).toBe('complete');
    expect(await page.getByLabel('API key').isVisible()).toBe(false);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('PDF to text');
    const paths = browser.requests.map((u) => new URL(u).pathname);
    expect(paths).toEqual(expect.arrayContaining(['/', '/assets/app.css', '/assets/app.js']));
    await shot(page, 'page-empty');
    await page.close();
  });

  it('reads a scanned PDF: upload progress, page progress, then the text with its source', async () => {
    const { page } = await browser.open();
    await page.getByText('Options').click();
    await page.getByLabel('OCR').selectOption('force');
    await upload(page, corpusFile('scanned/linn.pdf'));
    await page.getByText(/^Page 1 of 1$/).waitFor({ timeout: 60_000 });
    await shot(page, 'page-progress');
    await finished(page, 150_000);

    const seen = await browser.statusTexts(page);
    expect(seen.some((t) => /^Uploading linn\.pdf/.test(t))).toBe(true);
    expect(seen.some((t) => /^Page 1 of 1$/.test(t))).toBe(true);

    const text = await page.locator('.page-text').first().textContent();
    expect(text).toMatch(/LinnSequencer/);
    expect(await page.locator('.source').first().textContent()).toMatch(/^OCR · \d+% confidence$/);
    expect(await page.getByRole('heading', { level: 2, name: 'linn.pdf' }).isVisible()).toBe(true);
    // Focus moved to the result, and the download is named after the file.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('result-title');
    expect(await page.locator('#download').getAttribute('download')).toBe('linn.txt');
    await shot(page, 'page-result-scanned');
    await page.close();
  });

  it('says in words that a non-PDF is not a PDF (415)', async () => {
    const { page } = await browser.open();
    await upload(page, corpusFile('bad/not_a_pdf_png.pdf'));
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toContain('This file is not a PDF.');
    expect(await page.locator('#result').isVisible()).toBe(false);
    await shot(page, 'page-error-not-a-pdf');
    await page.close();
  });

  it('says in words that a file is too large (413), with the limit', async () => {
    const { page } = await browser.open();
    await page.locator('#file').setInputFiles({
      name: 'big.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3 * 1024 * 1024, 0x20)]),
    });
    await page.getByRole('button', { name: 'Extract text' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.innerText()).toMatch(/This file is too large for this server\.\s+The limit is 2 MB\./);
    await page.close();
  });

  it('says in words why a job failed (a PDF that needs a password)', async () => {
    const { page } = await browser.open();
    await upload(page, corpusFile('bad/skew-encrypted.pdf'));
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible', timeout: 60_000 });
    expect(await alert.textContent()).toContain('This PDF needs a password.');
    await page.close();
  });

  it('falls back to polling when the event stream is lost, and shows the text of a text PDF even without its Markdown', async () => {
    const { page } = await browser.open();
    await page.route('**/api/jobs/*/events', (route) => route.abort('connectionreset'));
    await page.route(/\/result\?format=markdown$/, (route) => route.abort('connectionreset'));
    await upload(page, corpusFile('text/multi_page.pdf'));
    await finished(page, 60_000);
    expect(await page.locator('.page').count()).toBe(5);
    expect(await page.locator('.source').first().textContent()).toBe('Text layer');
    expect(await page.locator('#result-summary').textContent()).toBe('5 pages.');
    await page.getByRole('tab', { name: 'Markdown' }).click();
    expect(await page.locator('#markdown-error').textContent()).toBe('The Markdown could not be loaded. The connection to the server was lost.');
    expect(await page.getByRole('button', { name: 'Copy Markdown' }).isVisible()).toBe(false);
    await page.close();
  });

  it('works from the keyboard alone, and takes a PDF dropped on the page', async () => {
    const { page } = await browser.open();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('file');
    const chooserOpened = page.waitForEvent('filechooser');
    // Waiting for the chooser turns on its interception by a message of its own, not awaited: in a
    // fresh-clone CI run the key got there first and the chooser opened unseen. A round trip on the
    // same page after that message makes sure the browser has it before the key opens the chooser.
    await page.evaluate(() => 0);
    await page.keyboard.press('Space');
    const chooser = await chooserOpened;
    await chooser.setFiles(corpusFile('text/tagged.pdf'));
    await page.keyboard.press('Tab'); // Options
    await page.keyboard.press('Enter'); // opens them
    await page.keyboard.press('Tab'); // OCR mode
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('ocr');
    await page.locator('#submit').focus();
    await page.keyboard.press('Enter');
    await finished(page, 60_000);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('result-title');

    // A drop anywhere on the page chooses the file; the button then starts it.
    const pdf = readFileSync(corpusFile('text/multi_page.pdf')).toString('base64');
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'dropped.pdf', { type: 'application/pdf' }));
      document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, pdf);
    expect(await page.locator('#file-name').textContent()).toMatch(/^dropped\.pdf/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('submit');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'dropped.pdf' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('.page').count()).toBe(5);
    await page.close();
  });

  it('shows the answers filled into a form, and the fields left blank behind a disclosure', async () => {
    const { page } = await browser.open();
    await upload(page, fixture('form.pdf'));
    await finished(page, 60_000);
    const { fields } = JSON.parse(readFileSync(fixture('form.json'), 'utf8')) as { fields: FixtureField[] };
    const expected = expectedAnswers(fields);

    const answers = page.getByRole('region', { name: 'Form answers' });
    expect(await answers.isVisible()).toBe(true);
    const page1 = answers.getByRole('region', { name: 'Page 1' });
    const filled = page1.getByRole('table', { name: 'Answers on page 1' });
    expect(await tableRows(filled)).toEqual(expected.filled);
    expect(await filled.getByRole('columnheader').allTextContents()).toEqual(['Field', 'Answer']);
    expect(await filled.getByRole('rowheader', { name: 'Roof leaks roof.leaks' }).isVisible()).toBe(true);

    // The blank ones wait behind a disclosure that opens from the keyboard.
    const blank = page1.getByRole('table', { name: 'Fields without an answer on page 1' });
    expect(await blank.isVisible()).toBe(false);
    const disclosure = page1.getByText(`${expected.blank.length} fields without an answer`);
    await disclosure.focus();
    await page.keyboard.press('Enter');
    await blank.waitFor({ state: 'visible' });
    expect(await tableRows(blank)).toEqual(expected.blank);
    expect(await page.locator('#xfa-note').isVisible()).toBe(false);
    // The answers are in the text too, where they sit on the page.
    expect(await page.locator('.page-text').first().textContent()).toMatch(/Roof leaks \[x\]/);
    await shot(page, 'page-form-answers');
    await page.close();
  });

  it('shows the answers of a real filled form (prefilled_f1040: a text and a box on page 2), on a phone', async () => {
    const { page } = await browser.open(PHONE);
    await upload(page, corpusFile('text/prefilled_f1040.pdf'));
    await finished(page, 60_000);
    const answers = page.getByRole('region', { name: 'Form answers' });
    const page1 = answers.getByRole('region', { name: 'Page 1' });
    expect(await page1.getByText('Nothing was filled in on this page.').isVisible()).toBe(true);
    const rows = await tableRows(answers.getByRole('region', { name: 'Page 2' }).getByRole('table', { name: 'Answers on page 2' }));
    expect(rows).toEqual([
      [expect.stringMatching(/\.c1_01_0_\[0\]$/), 'Checked'],
      [expect.stringMatching(/\.p2-t124\[0\]$/), 'foobar'],
    ]);
    // The text field is found by the words the form prints before it.
    expect(rows[1]![0]).toMatch(/^Firm’s address/);
    await answers.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'phone-form-answers.png') }); // the screen as the phone shows it
    // Long field names wrap instead of widening the page.
    await page1.locator('summary').click();
    await page1.getByRole('table', { name: 'Fields without an answer on page 1' }).waitFor({ state: 'visible' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it('shows the answers of a form drawn on the page (no widgets): by the question printed beside the boxes, from where they were found', async () => {
    const { page } = await browser.open();
    await upload(page, path.join(ROOT, 'test/forms/disclosure-a.vector.pdf'));
    await finished(page, 60_000);
    const answers = page.getByRole('region', { name: 'Form answers' });
    const rows = await tableRows(answers.getByRole('region', { name: 'Page 1' }).getByRole('table', { name: 'Answers on page 1' }));
    expect(rows).toContainEqual(['Property address drawn on the page', '1234 Elm Street, Springfield']);
    expect(rows).toContainEqual(['Roof replaced in the last 10 years? drawn on the page', 'No']);
    expect(rows).toContainEqual(['Water source drawn on the page', 'Public']);
    // A question left unanswered waits with the blank fields.
    const page1 = answers.getByRole('region', { name: 'Page 1' });
    await page1.locator('summary').click();
    expect(await tableRows(page1.getByRole('table', { name: 'Fields without an answer on page 1' }))).toContainEqual(['Known roof leaks? drawn on the page', 'Nothing chosen']);
    expect(await page.locator('.page-text').first().textContent()).toMatch(/Roof replaced in the last 10 years\? \[ \] Yes \[x\] No/);
    await shot(page, 'page-drawn-form-answers');
    await page.close();
  });

  it('says in words that an XFA form\'s fields could not be read', async () => {
    const { page } = await browser.open();
    await upload(page, fixture('xfa.pdf'));
    await finished(page, 60_000);
    const answers = page.getByRole('region', { name: 'Form answers' });
    expect(await answers.isVisible()).toBe(true);
    expect(await answers.locator('#xfa-note').textContent()).toMatch(/^This PDF is an XFA form, and its fields could not be read/);
    expect(await answers.getByRole('table').count()).toBe(0);
    expect(await page.locator('#form-answers-hint').isVisible()).toBe(false); // no field names to speak of
    await shot(page, 'page-xfa');
    await page.close();
  });

  it('switches to the Markdown (from the keyboard too), and copies and downloads it as .md', async () => {
    const { page } = await browser.open();
    await upload(page, fixture('structure.pdf'));
    await finished(page, 60_000);
    expect(await page.locator('#form-answers').isVisible()).toBe(false); // no form in this PDF
    const textTab = page.getByRole('tab', { name: 'Text' });
    const markdownTab = page.getByRole('tab', { name: 'Markdown' });
    expect(await textTab.getAttribute('aria-selected')).toBe('true');
    const markdownPanel = page.getByRole('tabpanel', { name: 'Markdown' });
    expect(await markdownPanel.isVisible()).toBe(false);

    await textTab.focus();
    await page.keyboard.press('ArrowRight');
    expect(await markdownTab.getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-markdown');
    expect(await markdownPanel.isVisible()).toBe(true);
    expect(await page.getByRole('tabpanel', { name: 'Text' }).isVisible()).toBe(false);

    const markdown = (await markdownPanel.locator('pre').textContent())!;
    expect(markdown.startsWith('<!-- page 1 -->\n')).toBe(true);
    expect(markdown).toMatch(/^# Home Inspection Report$/m);
    expect(markdown).toMatch(/^## Findings$/m);
    expect(markdown).toMatch(/^- Roof shingles are worn$/m);
    expect(markdown).toMatch(/^\| Item \| Cost \| Priority \|\n\| --- \| --- \| --- \|\n\| Roof \| 4500 \| High \|$/m);
    await shot(page, 'page-markdown');

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await markdownPanel.getByRole('button', { name: 'Copy Markdown' }).click();
    await expect.poll(() => page.locator('#copy-status').textContent()).toBe('The Markdown is on the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(markdown);

    const [download] = await Promise.all([page.waitForEvent('download'), markdownPanel.getByRole('link', { name: 'Download .md' }).click()]);
    expect(download.suggestedFilename()).toBe('structure.md');
    expect(readFileSync((await download.path())!, 'utf8')).toBe(markdown);

    // Back to the text, page by page, with its own .txt download.
    await textTab.click();
    expect(await page.locator('.page-text').first().isVisible()).toBe(true);
    expect(await page.locator('#download').getAttribute('download')).toBe('structure.txt');
    expect(await markdownPanel.isVisible()).toBe(false);
    await page.close();
  });

  it('fits a phone-width screen', async () => {
    const { page } = await browser.open(PHONE);
    await shot(page, 'phone-empty');
    await upload(page, corpusFile('text/multi_page.pdf'));
    await finished(page, 60_000);
    expect(await page.locator('.page-text').first().textContent()).toMatch(/word processor/i);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, 'phone-result.png') }); // the screen as the phone shows it
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SHOTS, 'phone-result-dark.png') });
    await page.close();
  });
});

describe('the upload page when the queue is full', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ PDF_WORKER_THREADS: '1', QUEUE_LIMIT: '0' });
  });
  afterAll(() => server.stop());
  const browser = useBrowser(() => server.url);

  it('says the server is busy and when to try again (429 with Retry-After)', async () => {
    const { page } = await browser.open();
    const blocker = await submitOk(server.url, corpusFile('text/pdkids.pdf'));
    await upload(page, corpusFile('text/tagged.pdf'));
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.innerText()).toMatch(/The server is busy with other files right now\.\s+Try again in \d+ (seconds|minutes)\./);
    await shot(page, 'page-error-busy');
    await page.close();
    await waitForJob(server.url, blocker.id);
  });
});

describe('the upload page when the server requires an API key', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ API_KEY: 'correct-horse-battery' });
  });
  afterAll(() => server.stop());
  const browser = useBrowser(() => server.url);

  it('shows the key field; a wrong key is refused in words, the right one works', async () => {
    const { page } = await browser.open();
    expect(await page.getByLabel('API key').isVisible()).toBe(true);

    await upload(page, corpusFile('text/tagged.pdf'), { key: 'wrong-key' });
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toContain('The API key is not right.');
    await shot(page, 'page-error-wrong-key');

    await page.getByLabel('API key').fill('correct-horse-battery');
    await page.getByRole('button', { name: 'Extract text' }).click();
    await finished(page, 60_000);
    expect(await alert.isVisible()).toBe(false);
    expect(await page.locator('.page').count()).toBeGreaterThan(0);
    // The Markdown was fetched with the key too.
    await page.getByRole('tab', { name: 'Markdown' }).click();
    expect(await page.locator('#markdown-error').isVisible()).toBe(false);
    expect(await page.locator('#markdown').textContent()).toMatch(/^<!-- page 1 -->\n/);
    await page.close();
  });
});
