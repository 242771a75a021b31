import { securityHeaders } from './secure-headers.js';

/**
 * A small, self-contained viewer of /openapi.json: no CDN, no external script or style (the
 * Content-Security-Policy it is served with forbids them).
 */
export const docsHeaders = securityHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], scriptSrc: ["'unsafe-inline'"], styleSrc: ["'unsafe-inline'"], connectSrc: ["'self'"] },
});

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pdf-ocr-service API</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1d1d1f; }
  h1 { font-size: 1.6rem; margin-bottom: 0; }
  .op { border: 1px solid #d0d0d7; border-radius: 6px; margin: 1rem 0; padding: .6rem 1rem; }
  .method { display: inline-block; min-width: 4.5rem; font-weight: 700; text-transform: uppercase; }
  .get { color: #0a6b2d; } .post { color: #0b4fa8; } .delete { color: #a4161a; }
  code, pre { font: 13px ui-monospace, monospace; }
  pre { background: #f5f5f7; padding: .6rem; overflow: auto; border-radius: 4px; }
  table { border-collapse: collapse; } td { padding: .1rem .8rem .1rem 0; vertical-align: top; }
  .muted { color: #6e6e73; }
</style>
</head>
<body>
<h1>pdf-ocr-service API</h1>
<p class="muted">Rendered from <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<main id="ops">Loading…</main>
<script>
(async () => {
  const main = document.getElementById('ops');
  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const c of children) node.append(c);
    return node;
  };
  const refName = (s) =>
    !s ? '' : s.$ref ? s.$ref.split('/').pop() : s.enum ? s.enum.join(' | ') : Array.isArray(s.type) ? s.type.join(' | ') : s.type || '';
  let doc;
  try {
    doc = await (await fetch('openapi.json')).json();
  } catch (err) {
    main.textContent = 'Could not load openapi.json: ' + err;
    return;
  }
  main.textContent = '';
  document.querySelector('h1').textContent = doc.info.title + ' ' + doc.info.version;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const box = el('section', { className: 'op' });
      box.append(el('div', {}, el('span', { className: 'method ' + method, textContent: method }), el('code', { textContent: path }), ' ', el('span', { className: 'muted', textContent: op.summary || '' })));
      if (op.description) box.append(el('p', { textContent: op.description }));
      if (op.security) box.append(el('p', { className: 'muted', textContent: 'Requires Authorization: Bearer <API key>' }));
      const params = op.parameters || [];
      if (params.length) {
        const table = el('table');
        for (const p of params) table.append(el('tr', {}, el('td', {}, el('code', { textContent: p.name })), el('td', { className: 'muted', textContent: p.in + (p.required ? ', required' : '') }), el('td', { textContent: refName(p.schema) })));
        box.append(el('h4', { textContent: 'Parameters' }), table);
      }
      if (op.requestBody) box.append(el('p', { textContent: 'Body: ' + Object.keys(op.requestBody.content).join(' or ') }));
      const responses = el('table');
      for (const [status, r] of Object.entries(op.responses)) {
        const types = Object.entries(r.content || {}).map(([t, c]) => t + (refName(c.schema) ? ' (' + refName(c.schema) + ')' : '')).join(', ');
        responses.append(el('tr', {}, el('td', {}, el('code', { textContent: status })), el('td', { textContent: r.description }), el('td', { className: 'muted', textContent: types })));
      }
      box.append(el('h4', { textContent: 'Responses' }), responses);
      main.append(box);
    }
  }
  const schemas = (doc.components && doc.components.schemas) || {};
  if (Object.keys(schemas).length) main.append(el('h2', { textContent: 'Schemas' }));
  for (const [name, schema] of Object.entries(schemas)) {
    main.append(el('details', {}, el('summary', {}, el('code', { textContent: name })), el('pre', { textContent: JSON.stringify(schema, null, 2) })));
  }
})();
</script>
</body>
</html>
`;
