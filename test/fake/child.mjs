/**
 * A stand-in for workers/pdf-worker.js that speaks the real protocol (src/protocol.ts, from
 * dist/) and does what a script tells it, so the real supervisor and scheduler can be driven
 * through crashes, stalls, garbage and splits without OCR. The job's "PDF" is the script, JSON:
 *
 *   pages     pages in the document (the task's `pages` selection applies)
 *   source    'text' | 'ocr' (ocr pages make the scheduler split a lone document)
 *   text      the text of each page, `{page}` replaced (default "page {page}")
 *   log       a file: one JSON line per child start ({pid, task, env}) and per page sent
 *   start     'ok' | 'exit' (dies before it opened the document) | 'hang' (never opens it)
 *             | 'fail' (sends `failed` with `failure`)
 *   failure   {code, message} for start 'fail' (an unknown code tests the parent's check)
 *   steps     {"<page>": ["crash", "ok", …]}: what each attempt at that page does
 *             ok | crash (exit 1) | hang (no page ever) | memory (allocate until killed)
 *             | memory-below (a process it starts holds 256 MB, as a native OCR engine might,
 *             while the child itself stays small: only counting the tree stops it)
 *             | garbage (a malformed message) | narrow (wait for the parent's `narrow`, then ok)
 * Attempts are counted in files beside the script, so they carry over to the next child.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { childMessageSchema, parentMessageSchema, profileStageSchema } from '../../dist/src/protocol.js';
import { selectPages } from '../../dist/src/pages.js';

const send = (message) =>
  new Promise((resolve, reject) => process.send(childMessageSchema.parse(message), undefined, {}, (err) => (err ? reject(err) : resolve())));
const sendRaw = (message) => new Promise((resolve) => process.send(message, undefined, {}, () => resolve()));
const forever = () => new Promise(() => setInterval(() => {}, 1 << 30));

let allowed = null;
let narrowed = () => {};
const narrowing = new Promise((resolve) => (narrowed = resolve));

function attempt(file, page) {
  const counter = `${file}.attempts.${page}`;
  let n = 0;
  try {
    n = Number(readFileSync(counter, 'utf8'));
  } catch {}
  writeFileSync(counter, String(n + 1));
  return n;
}

async function run(task) {
  const script = JSON.parse(readFileSync(task.file, 'utf8'));
  const log = (entry) => script.log && appendFileSync(script.log, `${JSON.stringify({ pid: process.pid, ...entry })}\n`);
  log({ event: 'start', task, env: process.env });
  if (task.only) allowed = new Set(task.only);
  // Sent unchecked: an unknown code is how the parent's own check is tested.
  if (script.start === 'fail') return sendRaw({ type: 'failed', ...script.failure });
  if (script.start === 'hang') await forever();
  const selected = selectPages(task.pages, script.pages);
  if (selected.length > task.maxPages) return send({ type: 'failed', code: 'too_many_pages', message: `${selected.length} pages` });
  await send({ type: 'document', pagesTotal: script.pages, pages: selected });
  const skip = new Set(task.skip);
  for (const page of selected) {
    if (skip.has(page) || (allowed && !allowed.has(page))) continue;
    const steps = script.steps?.[page] ?? [];
    const step = steps[Math.min(attempt(task.file, page), steps.length - 1)] ?? 'ok';
    if (step === 'crash') process.exit(1);
    if (step === 'hang') await forever();
    if (step === 'memory') {
      const hog = [];
      for (;;) {
        hog.push(Buffer.alloc(16 << 20, 1));
        await new Promise((r) => setImmediate(r));
      }
    }
    if (step === 'memory-below') {
      const hog = 'const hog = []; for (let i = 0; i < 16; i++) hog.push(Buffer.alloc(16 << 20, 1)); setInterval(() => {}, 1 << 30);';
      const below = spawn(process.execPath, ['-e', hog], { stdio: 'ignore' });
      log({ event: 'descendant', pid: below.pid });
      await forever();
    }
    if (step === 'garbage') {
      await sendRaw({ type: 'page', result: { page: 'not a number' } });
      await forever();
    }
    if (step === 'narrow') await narrowing;
    if (allowed && !allowed.has(page)) continue;
    const text = (script.text ?? 'page {page}').replaceAll('{page}', String(page));
    await send({ type: 'page', result: { page, text, source: script.source ?? 'text', error: null } });
    log({ event: 'page', page });
  }
  // A profile of nothing: this child does no work worth measuring.
  const cpuMs = Object.fromEntries(profileStageSchema.options.map((stage) => [stage, 0]));
  await send({ type: 'done', profile: { cpuMs, totalCpuMs: 0, ocrPages: 0, ocrPixels: 0, retries: 0 } });
}

process.on('disconnect', () => process.exit(0));
process.on('message', (raw) => {
  const message = parentMessageSchema.parse(raw);
  if (message.type === 'narrow') {
    allowed = new Set(message.pages);
    narrowed();
    return;
  }
  if (JSON.parse(readFileSync(message.file, 'utf8')).start === 'exit') process.exit(3);
  void run(message).then(() => process.disconnect());
});
void send({ type: 'ready' });
