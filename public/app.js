// The upload page: upload with progress (XHR), follow the job's event stream (fetch, so the
// API key can travel in the Authorization header), fall back to polling, show the text, the
// Markdown and the form answers.
'use strict';

const JOB_FAILURES = {
  pdf_password_required: 'This PDF needs a password. Enter it under Options and try again.',
  pdf_password_incorrect: 'The password is not right.',
  pdf_invalid: 'This file is damaged or not a readable PDF.',
  too_many_pages: 'This PDF has more pages than this server reads at once. Choose fewer pages under Options.',
  memory_limit: 'This PDF needs more memory than the server allows for one file.',
  timeout: 'Reading this PDF took longer than the server allows.',
  worker_crashed: 'The reader stopped unexpectedly while working on this PDF.',
  ocr_failed: 'Text recognition failed on this PDF.',
  cancelled: 'The job was cancelled.',
};

const $ = (id) => document.getElementById(id);
const form = $('upload-form');
const fileInput = $('file');
const drop = $('drop');
const keyField = $('key-field');
const keyInput = $('api-key');
const submitButton = $('submit');
const errorBox = $('error');
const statusBox = $('status');
const bar = $('bar');
const resultBox = $('result');
const authRequired = document.body.dataset.authRequired === 'true';

let current = null; // AbortController of the job being followed
let downloadUrls = []; // object URLs of the current downloads, released with the result
const copyTexts = { text: '', markdown: '' };

keyField.hidden = !authRequired;

function authHeaders() {
  const key = keyInput.value.trim();
  return authRequired && key ? { Authorization: `Bearer ${key}` } : {};
}

// ---- choosing a file -------------------------------------------------------------------

function showFileName() {
  const file = fileInput.files[0];
  $('file-name').textContent = file ? `${file.name} (${formatBytes(file.size)})` : '';
  drop.classList.toggle('has-file', Boolean(file));
}

fileInput.addEventListener('change', () => {
  showFileName();
  hideError();
});

for (const type of ['dragenter', 'dragover']) {
  document.addEventListener(type, (e) => {
    if (!e.dataTransfer || !e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    drop.classList.add('dragging');
  });
}
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) drop.classList.remove('dragging');
});
document.addEventListener('drop', (e) => {
  drop.classList.remove('dragging');
  if (!e.dataTransfer || e.dataTransfer.files.length === 0) return;
  e.preventDefault();
  fileInput.files = e.dataTransfer.files;
  showFileName();
  hideError();
  submitButton.focus();
});

// ---- submitting --------------------------------------------------------------------------

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void run();
});

async function run() {
  const file = fileInput.files[0];
  if (!file) {
    showError('Choose a PDF first.');
    fileInput.focus();
    return;
  }
  if (authRequired && !keyInput.value.trim()) {
    showError('Enter the API key first.');
    keyInput.focus();
    return;
  }
  current?.abort();
  const controller = new AbortController();
  current = controller;
  hideError();
  clearResult();
  submitButton.disabled = true;
  try {
    const job = await upload(file);
    if (!job) return;
    statusBox.focus();
    const final = await follow(job, controller.signal);
    if (controller.signal.aborted) return;
    if (final.status === 'succeeded') await showResult(final, file.name);
    else showJobFailure(final);
  } catch (err) {
    if (controller.signal.aborted) return;
    statusBox.hidden = true;
    showError(err instanceof UserError ? err.message : 'Something went wrong on the way to the server.', err instanceof UserError ? err.detail : String(err));
  } finally {
    if (current === controller) submitButton.disabled = false;
  }
}

class UserError extends Error {
  constructor(message, detail = '') {
    super(message);
    this.detail = detail;
  }
}

function upload(file) {
  const body = new FormData();
  body.append('ocr', $('ocr').value);
  const pages = $('pages').value.trim();
  if (pages) body.append('pages', pages);
  const password = $('password').value;
  if (password) body.append('password', password);
  body.append('file', file, file.name);

  setStatus('Uploading', `Uploading ${file.name}…`, 0);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/jobs');
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      setStatus('Uploading', `Uploading ${file.name}: ${pct}%`, pct);
    });
    xhr.addEventListener('load', () => {
      const payload = parseJson(xhr.responseText);
      if (xhr.status === 202 && payload && payload.id) {
        resolve(payload);
        return;
      }
      reject(uploadError(xhr.status, payload, xhr.getResponseHeader('Retry-After')));
    });
    xhr.addEventListener('error', () =>
      reject(new UserError('The upload was interrupted.', 'The connection to the server was lost. If the file is very large, it may be over the size limit.')),
    );
    xhr.send(body);
  });
}

function uploadError(status, payload, retryAfter) {
  const error = (payload && payload.error) || {};
  switch (status) {
    case 401:
      return new UserError(keyInput.value ? 'The API key is not right.' : 'This server needs an API key.', 'Check the key and try again.');
    case 413: {
      const limit = /(\d+)\s*MB/.exec(error.message || '');
      return new UserError('This file is too large for this server.', limit ? `The limit is ${limit[1]} MB.` : '');
    }
    case 415:
      return new UserError('This file is not a PDF.', 'Whatever its name says, its contents are something else. Choose a PDF document.');
    case 429: {
      const seconds = Number(retryAfter);
      return new UserError(
        'The server is busy with other files right now.',
        Number.isFinite(seconds) && seconds > 0 ? `Try again in ${formatSeconds(seconds)}.` : 'Try again in a little while.',
      );
    }
    case 503:
      return new UserError('The service is restarting.', 'Try again in a moment.');
    case 400:
      return new UserError('The server did not accept these options.', error.message || '');
    default:
      return new UserError(`The server answered with an error (${status || 'no answer'}).`, error.message || '');
  }
}

// ---- following the job -------------------------------------------------------------------

async function follow(job, signal) {
  showProgress(job.progress);
  try {
    const final = await streamEvents(job.id, signal);
    if (final) return final;
  } catch (err) {
    if (signal.aborted) throw err;
  }
  if (signal.aborted) return job;
  $('status-note').textContent = 'Live updates were interrupted; checking every few seconds instead.';
  $('status-note').hidden = false;
  return poll(job.id, signal);
}

/** Reads the SSE stream; resolves with the final job, or null if the stream ended early. */
async function streamEvents(id, signal) {
  const res = await fetch(`/api/jobs/${encodeURIComponent(id)}/events`, {
    headers: { Accept: 'text/event-stream', ...authHeaders() },
    signal,
    cache: 'no-store',
  });
  if (!res.ok || !res.body) return null;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return null;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseEvent(block);
      if (!event) continue;
      if (event.name === 'progress') showProgress(event.data);
      else if (['succeeded', 'failed', 'cancelled'].includes(event.name)) {
        void reader.cancel();
        return event.data;
      }
    }
  }
}

function parseEvent(block) {
  let name = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  const parsed = parseJson(data.join('\n'));
  return parsed ? { name, data: parsed } : null;
}

async function poll(id, signal) {
  let failures = 0;
  for (;;) {
    await sleep(2000, signal);
    let res;
    try {
      res = await fetch(`/api/jobs/${encodeURIComponent(id)}`, { headers: authHeaders(), signal, cache: 'no-store' });
    } catch (err) {
      if (signal.aborted || ++failures >= 5) throw new UserError('The connection to the server was lost.', 'Check your network and try again.');
      continue;
    }
    if (res.status === 404) throw new UserError('This job is no longer on the server.', 'It may have expired. Upload the file again.');
    if (!res.ok) throw uploadError(res.status, parseJson(await res.text()), res.headers.get('Retry-After'));
    failures = 0;
    const job = await res.json();
    if (!['queued', 'running'].includes(job.status)) return job;
    showProgress(job.progress);
  }
}

function showProgress(progress) {
  const total = progress && progress.pages_total;
  const done = (progress && progress.pages_done) || 0;
  if (!total) {
    setStatus('Reading the PDF', 'Waiting for a free reader…', null);
    return;
  }
  const text = done < total ? `Page ${done + 1} of ${total}` : `All ${total} ${total === 1 ? 'page' : 'pages'} read`;
  setStatus('Reading the PDF', text, Math.round((done / total) * 100));
}

// ---- the outcome -------------------------------------------------------------------------

function showJobFailure(job) {
  statusBox.hidden = true;
  const code = job.error ? job.error.code : job.status;
  showError(JOB_FAILURES[code] || 'This PDF could not be read.', job.error && !JOB_FAILURES[code] ? job.error.message : '');
}

async function showResult(job, fileName) {
  const id = encodeURIComponent(job.id);
  // The Markdown is asked for alongside the JSON, so its view and download are ready with the
  // text, even if the job expires before the reader looks at them.
  const [res, markdown] = await Promise.all([
    fetch(`/api/jobs/${id}/result`, { headers: authHeaders(), cache: 'no-store' }),
    fetchMarkdown(id),
  ]);
  if (!res.ok) throw uploadError(res.status, parseJson(await res.text()), null);
  const result = await res.json();
  statusBox.hidden = true;

  const list = $('page-list');
  list.replaceChildren();
  let ocrPages = 0;
  for (const page of result.pages) {
    if (page.source === 'ocr') ocrPages++;
    const item = document.createElement('li');
    item.className = 'page';
    const head = document.createElement('div');
    head.className = 'page-head';
    const title = document.createElement('h3');
    title.textContent = `Page ${page.page}`;
    const source = document.createElement('span');
    source.className = `source source-${page.source}`;
    source.textContent = sourceLabel(page);
    head.append(title, source);
    item.append(head);
    if (page.error) {
      const note = document.createElement('p');
      note.className = 'page-error';
      note.textContent = `This page could not be read: ${page.error.message}`;
      item.append(note);
    } else {
      const text = document.createElement('pre');
      text.className = 'page-text';
      text.textContent = page.text.trim() || '(no text on this page)';
      if (!page.text.trim()) text.classList.add('empty');
      item.append(text);
    }
    list.append(item);
  }

  const count = result.pages.length;
  const base = fileName.replace(/\.pdf$/i, '') || 'text';
  $('result-title').textContent = fileName;
  $('result-summary').textContent =
    `${count} ${count === 1 ? 'page' : 'pages'}` + (ocrPages ? `, ${ocrPages} read with OCR` : '') + '.';
  copyTexts.text = result.pages.map((p) => p.text.trim()).join('\n\n');
  offerDownload($('download'), result.text, 'text/plain', `${base}.txt`);
  showFormAnswers(result.pages);
  showMarkdown(markdown, base);
  resultBox.hidden = false;
  $('result-title').focus();
}

function sourceLabel(page) {
  if (page.source !== 'ocr') return 'Text layer';
  return typeof page.confidence === 'number' ? `OCR · ${Math.round(page.confidence)}% confidence` : 'OCR';
}

/** The document as Markdown: `{ text }`, or `{ error }` in words; never throws, the text view stands without it. */
async function fetchMarkdown(id) {
  try {
    const res = await fetch(`/api/jobs/${id}/result?format=markdown`, {
      headers: { Accept: 'text/markdown', ...authHeaders() },
      cache: 'no-store',
    });
    if (!res.ok) return { error: uploadError(res.status, parseJson(await res.text()), null).message };
    return { text: await res.text() };
  } catch {
    return { error: 'The connection to the server was lost.' };
  }
}

function showMarkdown(markdown, base) {
  const failed = markdown.error !== undefined;
  $('markdown-error').textContent = failed ? `The Markdown could not be loaded. ${markdown.error}` : '';
  $('markdown-error').hidden = !failed;
  $('markdown-actions').hidden = failed;
  $('markdown').hidden = failed;
  // textContent, never innerHTML: the source is shown as it is, and markup in a PDF cannot run here.
  $('markdown').textContent = failed ? '' : markdown.text;
  copyTexts.markdown = failed ? '' : markdown.text;
  if (!failed) offerDownload($('download-markdown'), markdown.text, 'text/markdown', `${base}.md`);
}

function offerDownload(link, text, type, name) {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  downloadUrls.push(url);
  link.href = url;
  link.download = name;
}

// ---- form answers ------------------------------------------------------------------------

/** What a field without an answer says, by type (the API gives a signature field no value). */
const BLANK_WORDS = {
  text: 'Empty',
  checkbox: 'Not checked',
  radio: 'Nothing chosen',
  choice: 'Nothing chosen',
  signature: 'A signature field; whether it is signed is not read',
};

/** What was filled in, page by page: the answers in a table, the fields without one behind a disclosure. */
function showFormAnswers(pages) {
  const container = $('form-pages');
  container.replaceChildren();
  for (const page of pages) {
    const rows = formRows(page.fields || []);
    if (rows.length > 0) container.append(formPage(page.page, rows));
  }
  const xfa = pages.filter((p) => (p.notes || []).includes('xfa_form')).map((p) => p.page);
  const note = $('xfa-note');
  note.hidden = xfa.length === 0;
  note.textContent = xfa.length === 0 ? '' :
    'This PDF is an XFA form, and its fields could not be read: XFA keeps them in a format this service does not read, so what was filled in them is missing here and in the text' +
    (xfa.length < pages.length ? ` (${xfa.length === 1 ? 'page' : 'pages'} ${xfa.join(', ')}).` : '.');
  $('form-answers-hint').hidden = container.childElementCount === 0;
  $('form-answers').hidden = container.childElementCount === 0 && xfa.length === 0;
}

/**
 * A page's fields as rows `{ name, label, source, answer, filled }`, in the page's reading order.
 * A radio group is one row, answered by the export value of its chosen button (its buttons' labels
 * are the options, not the question); buttons hold no answer and are left out. The boxes of a form
 * drawn on the page or read from a scan have no name: the options of one question are one row,
 * answered by the words of the options ticked.
 */
function formRows(fields) {
  const rows = [];
  const groups = new Map();
  for (const field of fields) {
    if (field.type === 'button') continue;
    const key = groupKey(field);
    if (key) {
      let row = groups.get(key);
      if (!row) {
        row = { name: field.name, label: field.name === null ? field.question : undefined, source: source(field), type: 'radio', chosen: [], sure: [] };
        groups.set(key, row);
        rows.push(row);
      }
      if (field.value === true) row.chosen.push(field.name === null ? field.label || 'Ticked (no words beside it)' : field.export || 'Chosen (its button has no export value)');
      if (typeof field.confidence === 'number') row.sure.push(field.confidence);
      continue;
    }
    rows.push({ name: field.name, label: field.label, source: source(field), type: field.type, answer: fieldAnswer(field) });
  }
  return rows.map((row) => {
    const answer = row.chosen ? row.chosen.join(', ') : row.answer;
    const filled = answer.trim() !== '';
    const sourceWords = row.sure && row.sure.length > 0 ? `${row.source}, ${Math.min(...row.sure)} % sure` : row.source;
    return { name: row.name, label: row.label, source: sourceWords, filled, answer: filled ? answer : BLANK_WORDS[row.type] };
  });
}

/** The row a box shares with the other options of its group: a radio group's name, or a nameless box's question. */
function groupKey(field) {
  if (field.type === 'radio' && field.name !== null) return `name:${field.name}`;
  if ((field.type === 'radio' || field.type === 'checkbox') && field.name === null && field.question) return `question:${field.question}`;
  return null;
}

/** Where a field without a name was found, in words (a live widget is told by its name). */
function source(field) {
  if (field.origin === 'scan') return typeof field.confidence === 'number' && field.type === 'text' ? `read from the scan, ${field.confidence} % sure` : 'read from the scan';
  if (field.origin === 'drawn') return 'drawn on the page';
  return '';
}

/** A field's answer in words, or '' when nothing was filled in. */
function fieldAnswer(field) {
  switch (field.type) {
    case 'text':
      return typeof field.value === 'string' ? field.value : '';
    case 'checkbox':
      return field.value === true ? 'Checked' : '';
    case 'choice':
      return (Array.isArray(field.value) ? field.value : [field.value]).filter((v) => typeof v === 'string' && v !== '').join(', ');
    default:
      return '';
  }
}

function formPage(number, rows) {
  const section = document.createElement('section');
  section.className = 'form-page';
  const title = document.createElement('h4');
  title.id = `form-page-${number}`;
  title.textContent = `Page ${number}`;
  section.setAttribute('aria-labelledby', title.id);
  section.append(title);

  const filled = rows.filter((r) => r.filled);
  const blank = rows.filter((r) => !r.filled);
  if (filled.length > 0) section.append(answerTable(filled, `Answers on page ${number}`));
  else {
    const none = document.createElement('p');
    none.className = 'hint';
    none.textContent = 'Nothing was filled in on this page.';
    section.append(none);
  }
  if (blank.length > 0) {
    const more = document.createElement('details');
    more.className = 'blank-fields';
    const summary = document.createElement('summary');
    summary.textContent = `${blank.length} ${blank.length === 1 ? 'field' : 'fields'} without an answer`;
    more.append(summary, answerTable(blank, `Fields without an answer on page ${number}`));
    section.append(more);
  }
  return section;
}

function answerTable(rows, caption) {
  const table = document.createElement('table');
  table.className = 'answers';
  const cap = document.createElement('caption');
  cap.className = 'visually-hidden';
  cap.textContent = caption;
  const head = document.createElement('thead');
  head.append(tableRow([cell('th', 'Field', 'col'), cell('th', 'Answer', 'col')]));
  const body = document.createElement('tbody');
  for (const row of rows) {
    // The question as the page words it, when the service found it, above the form's own name for the field.
    const name = cell('th', '', 'row');
    if (row.label) {
      const label = document.createElement('span');
      label.className = 'field-label';
      label.textContent = row.label;
      name.append(label);
    }
    if (row.name !== null) {
      const code = document.createElement('code');
      code.textContent = row.name || '(no name)';
      name.append(code);
    } else {
      const from = document.createElement('span');
      from.className = 'field-source';
      from.textContent = row.source;
      name.append(from);
    }
    const answer = cell('td', row.answer);
    if (!row.filled) answer.className = 'blank';
    body.append(tableRow([name, answer]));
  }
  table.append(cap, head, body);
  return table;
}

function cell(tag, text, scope) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (scope) el.scope = scope;
  return el;
}

function tableRow(cells) {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
}

// ---- the views: text or Markdown ---------------------------------------------------------

const VIEWS = ['text', 'markdown'];

/** Shows one view; the tabs follow the ARIA tabs pattern (one tab stop, arrows move between them). */
function selectView(name, focus) {
  for (const view of VIEWS) {
    const tab = $(`tab-${view}`);
    const selected = view === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`panel-${view}`).hidden = !selected;
    if (selected && focus) tab.focus();
  }
}

for (const view of VIEWS) $(`tab-${view}`).addEventListener('click', () => selectView(view, false));

document.querySelector('[role="tablist"]').addEventListener('keydown', (e) => {
  const at = VIEWS.findIndex((v) => $(`tab-${v}`) === document.activeElement);
  if (at < 0) return;
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: VIEWS.length - 1 }[e.key];
  if (next === undefined) return;
  e.preventDefault();
  selectView(VIEWS[(next + VIEWS.length) % VIEWS.length], true);
});

// ---- copying -----------------------------------------------------------------------------

for (const [id, view, label, what] of [
  ['copy', 'text', 'Copy text', 'The text'],
  ['copy-markdown', 'markdown', 'Copy Markdown', 'The Markdown'],
]) {
  const button = $(id);
  button.addEventListener('click', async () => {
    const text = copyTexts[view];
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      ok = copyWithSelection(text);
    }
    button.textContent = ok ? 'Copied' : 'Copy failed';
    $('copy-status').textContent = ok ? `${what} is on the clipboard.` : 'Copying did not work; select the text instead.';
    setTimeout(() => (button.textContent = label), 2000);
  });
}

function copyWithSelection(text) {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

// ---- small helpers -----------------------------------------------------------------------

function setStatus(title, text, percent) {
  statusBox.hidden = false;
  $('status-title').textContent = title;
  $('status-text').textContent = text;
  if (percent === null) bar.removeAttribute('value');
  else bar.value = percent;
}

function showError(message, detail = '') {
  $('error-text').textContent = message;
  $('error-detail').textContent = detail;
  $('error-detail').hidden = !detail;
  errorBox.hidden = false;
  errorBox.focus();
}

function hideError() {
  errorBox.hidden = true;
}

function clearResult() {
  resultBox.hidden = true;
  $('page-list').replaceChildren();
  $('form-pages').replaceChildren();
  $('markdown').textContent = '';
  $('status-note').hidden = true;
  copyTexts.text = '';
  copyTexts.markdown = '';
  for (const url of downloadUrls) URL.revokeObjectURL(url);
  downloadUrls = [];
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    }, { once: true });
  });
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1048576) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

function formatSeconds(seconds) {
  if (seconds < 90) return `${Math.ceil(seconds)} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
