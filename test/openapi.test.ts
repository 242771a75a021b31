import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractRoutes } from './contract.js';
import { corpusFile, startServer, submit, submitOk, until, waitForJob, type RunningServer } from './helpers.js';

/** `GET /a?format=words` is documented when `GET /a` is, with a query parameter `format` that takes `words`. */
function isDocumented(doc: Json, route: string): boolean {
  const [method, target] = route.split(' ') as [string, string];
  const [pathname, query] = target.split('?') as [string, string | undefined];
  const operation = ((doc.paths as Record<string, Json>)[pathname] ?? {})[method.toLowerCase()] as Json | undefined;
  if (!operation) return false;
  if (!query) return true;
  const [name, value] = query.split('=');
  const parameter = ((operation.parameters ?? []) as Json[]).find((p) => p.in === 'query' && p.name === name);
  return ((parameter?.schema as Json | undefined)?.enum as unknown[] | undefined)?.includes(value) ?? false;
}

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Resolves a local JSON pointer (`#/components/schemas/Job`). */
function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

/** Every `$ref` anywhere in the document, with where it sits. */
function collectRefs(node: unknown, at = '#', out: { at: string; ref: string }[] = []) {
  if (Array.isArray(node)) node.forEach((v, i) => collectRefs(v, `${at}/${i}`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push({ at, ref: v });
      else collectRefs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

/**
 * No OpenAPI validator is installed (and none is worth a dependency here), so this checks
 * the rules of the 3.1 specification that a generator can get wrong.
 */
function structuralProblems(doc: Json): string[] {
  const problems: string[] = [];
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) problems.push(`openapi is ${String(doc.openapi)}, not 3.1.x`);
  const info = doc.info as Json | undefined;
  if (typeof info?.title !== 'string' || typeof info?.version !== 'string') problems.push('info needs title and version');
  if (!doc.paths || typeof doc.paths !== 'object') problems.push('paths missing');
  const operationIds = new Set<string>();
  for (const [p, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    if (!p.startsWith('/')) problems.push(`path ${p} does not start with /`);
    const templated = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const operation = op as Json;
      const where = `${method.toUpperCase()} ${p}`;
      const responses = operation.responses as Record<string, Json> | undefined;
      if (!responses || Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries(responses ?? {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${where}: bad status key ${status}`);
        if (!('$ref' in response) && typeof response.description !== 'string') problems.push(`${where} ${status}: no description`);
      }
      const params = ((operation.parameters ?? []) as Json[]).map((x) => ('$ref' in x ? (resolvePointer(doc, x.$ref as string) as Json) : x));
      for (const param of params) {
        if (!param || typeof param.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(param.in as string)) {
          problems.push(`${where}: malformed parameter ${JSON.stringify(param)}`);
        } else if (param.in === 'path' && param.required !== true) {
          problems.push(`${where}: path parameter ${param.name} must be required`);
        }
      }
      for (const name of templated) {
        if (!params.some((x) => x?.in === 'path' && x.name === name)) problems.push(`${where}: path parameter {${name}} not declared`);
      }
      for (const param of params) {
        if (param?.in === 'path' && !templated.includes(param.name as string)) problems.push(`${where}: path parameter ${String(param.name)} not in the path`);
      }
      if (typeof operation.operationId === 'string') {
        if (operationIds.has(operation.operationId)) problems.push(`${where}: duplicate operationId ${operation.operationId}`);
        operationIds.add(operation.operationId);
      }
    }
  }
  for (const { at, ref } of collectRefs(doc)) {
    if (resolvePointer(doc, ref) === undefined) problems.push(`${at}: $ref ${ref} does not resolve`);
  }
  return problems;
}

/** Keywords that only describe: the checker reads past them. */
const ANNOTATIONS = new Set(['description', 'example', 'examples', 'default', 'format', 'title', 'deprecated']);
/** Keywords the checker enforces; any other in a response schema fails the test rather than pass unchecked. */
const CHECKED = new Set(['$ref', 'anyOf', 'type', 'enum', 'properties', 'required', 'items', 'prefixItems', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern']);

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * Where `value` departs from `schema` (a schema of `doc`), one `path: what` line each. Stricter
 * than JSON Schema in one way: a property or tuple item the schema does not declare is a
 * departure, since the document is the whole of what a client is promised.
 */
function mismatches(doc: Json, schema: Json, value: unknown, at = '$'): string[] {
  if (typeof schema.$ref === 'string') return mismatches(doc, resolvePointer(doc, schema.$ref) as Json, value, at);
  if (Array.isArray(schema.anyOf)) {
    const each = (schema.anyOf as Json[]).map((s) => mismatches(doc, s, value, at));
    return each.some((m) => m.length === 0) ? [] : [`${at}: matches no alternative (${each.map((m) => m[0]).join(' / ')})`];
  }
  const unchecked = Object.keys(schema).filter((k) => !CHECKED.has(k) && !ANNOTATIONS.has(k));
  if (unchecked.length > 0) return [`${at}: keyword(s) ${unchecked.join(', ')} not checked by this test`];
  const type = jsonType(value);
  const types = schema.type === undefined ? undefined : [schema.type as string | string[]].flat();
  if (types && !types.includes(type) && !(type === 'integer' && types.includes('number'))) return [`${at}: ${type}, not ${types.join(' | ')}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`];
  return [...boundMismatches(schema, value, at), ...objectMismatches(doc, schema, value, at), ...arrayMismatches(doc, schema, value, at)];
}

function boundMismatches(schema: Json, value: unknown, at: string): string[] {
  const out: string[] = [];
  const bound = (key: string, ok: (limit: number, v: number) => boolean, v: number | undefined) => {
    if (typeof schema[key] === 'number' && v !== undefined && !ok(schema[key], v)) out.push(`${at}: ${v} breaks ${key} ${schema[key]}`);
  };
  const n = typeof value === 'number' ? value : undefined;
  bound('minimum', (l, v) => v >= l, n);
  bound('maximum', (l, v) => v <= l, n);
  bound('exclusiveMinimum', (l, v) => v > l, n);
  bound('exclusiveMaximum', (l, v) => v < l, n);
  const length = typeof value === 'string' ? value.length : undefined;
  bound('minLength', (l, v) => v >= l, length);
  bound('maxLength', (l, v) => v <= l, length);
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern, 'u').test(value)) out.push(`${at}: does not match ${schema.pattern}`);
  return out;
}

function objectMismatches(doc: Json, schema: Json, value: unknown, at: string): string[] {
  if (!schema.properties || jsonType(value) !== 'object') return [];
  const properties = schema.properties as Record<string, Json>;
  const object = value as Json;
  const missing = ((schema.required ?? []) as string[]).filter((k) => !(k in object)).map((k) => `${at}.${k}: required, missing`);
  const undeclared = Object.keys(object).filter((k) => !(k in properties)).map((k) => `${at}.${k}: not in the document`);
  const wrong = Object.entries(object).flatMap(([k, v]) => (k in properties ? mismatches(doc, properties[k]!, v, `${at}.${k}`) : []));
  return [...missing, ...undeclared, ...wrong];
}

function arrayMismatches(doc: Json, schema: Json, value: unknown, at: string): string[] {
  if (!Array.isArray(value)) return [];
  if (Array.isArray(schema.prefixItems)) {
    const items = schema.prefixItems as Json[];
    if (value.length !== items.length) return [`${at}: ${value.length} items, the tuple has ${items.length}`];
    return value.flatMap((v, i) => mismatches(doc, items[i]!, v, `${at}[${i}]`));
  }
  return schema.items ? value.flatMap((v, i) => mismatches(doc, schema.items as Json, v, `${at}[${i}]`)) : [];
}

/** The schema the document gives for this response, or why there is none. */
function responseSchema(doc: Json, method: string, path: string, res: Response): Json | string {
  const operation = ((doc.paths as Record<string, Json>)[path] ?? {})[method] as Json | undefined;
  const response = (operation?.responses as Record<string, Json> | undefined)?.[String(res.status)];
  if (!response) return `${method.toUpperCase()} ${path} ${res.status} is not documented`;
  const media = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const schema = ((response.content ?? {}) as Record<string, Json>)[media]?.schema as Json | undefined;
  return schema ?? `${method.toUpperCase()} ${path} ${res.status} documents no ${media} body`;
}

/** Checks a real response against the document (documented status, media type and body shape); returns the body. */
async function expectDocumented(method: string, path: string, res: Response): Promise<unknown> {
  const schema = responseSchema(doc, method, path, res);
  const body: unknown = await res.json();
  expect(typeof schema === 'string' ? [schema] : mismatches(doc, schema, body), `${method} ${path} ${res.status}`).toEqual([]);
  return body;
}

/** Every property name anywhere in a JSON value. */
function collectKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(collectKeys);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...collectKeys(v)]);
  return [];
}

/** A loopback port nothing listens on: a webhook sent there fails at once. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let server: RunningServer;
let doc: Json;
beforeAll(async () => {
  // One webhook attempt, to a loopback port: a job's webhook state reaches `failed` at once.
  server = await startServer({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_MAX_ATTEMPTS: '1' });
  const res = await fetch(`${server.url}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = (await res.json()) as Json;
});
afterAll(() => server.stop());

describe('GET /openapi.json', () => {
  it('is a structurally valid OpenAPI 3.1 document', () => {
    expect(structuralProblems(doc)).toEqual([]);
  });

  it('documents every route of docs/api.md', () => {
    const wanted = contractRoutes();
    expect(wanted.length, 'no route headings found in docs/api.md').toBeGreaterThanOrEqual(5);
    const missing = wanted.filter((r) => !isDocumented(doc, r));
    expect(missing, `routes of docs/api.md missing from /openapi.json`).toEqual([]);
  });

  it('describes the jobs, results, words and health the routes really send', async () => {
    const forms = await submitOk(server.url, corpusFile('text/prefilled_f1040.pdf'), {
      fields: { pages: '1-2', callback_url: `http://127.0.0.1:${await closedPort()}/hook` },
    });
    const tagged = await submitOk(server.url, corpusFile('text/tagged.pdf'));
    // A scanned page: confidence on the page and on each word.
    const scanned = await submitOk(server.url, corpusFile('scanned/linn.pdf'), { fields: { pages: '1' } });
    const locked = await submit(server.url, corpusFile('bad/issue6010_1_pwabc.pdf'));
    await expectDocumented('post', '/api/jobs', locked.clone());
    const lockedId = ((await locked.json()) as { id: string }).id;
    for (const id of [forms.id, tagged.id, scanned.id, lockedId]) await waitForJob(server.url, id);
    const job = (id: string) => fetch(`${server.url}/api/jobs/${id}`);
    await until('the webhook has given up', async () => ((await (await job(forms.id)).json()) as { webhook: { state: string } }).webhook.state === 'failed');

    for (const id of [forms.id, tagged.id, scanned.id, lockedId]) await expectDocumented('get', '/api/jobs/{id}', await job(id));
    const shown: string[] = [];
    for (const id of [forms.id, tagged.id, scanned.id]) {
      const json = await expectDocumented('get', '/api/jobs/{id}/result', await fetch(`${server.url}/api/jobs/${id}/result`));
      const words = await expectDocumented('get', '/api/jobs/{id}/result', await fetch(`${server.url}/api/jobs/${id}/result?format=words`));
      shown.push(...collectKeys(json), ...collectKeys(words));
    }
    for (const id of [forms.id, lockedId]) shown.push(...collectKeys(await (await job(id)).json()));
    // The optional parts were there to be checked.
    for (const key of ['fields', 'label', 'confidence', 'webhook', 'error']) expect(shown, key).toContain(key);
    await expectDocumented('get', '/healthz', await fetch(`${server.url}/healthz`));

    // The event stream's last event carries the job, as the Job schema says.
    const events = await (await fetch(`${server.url}/api/jobs/${tagged.id}/events`)).text();
    const last = events.split('\n').filter((l) => l.startsWith('data: ')).at(-1)!;
    expect(mismatches(doc, { $ref: '#/components/schemas/Job' }, JSON.parse(last.slice(6)))).toEqual([]);
  });

  it('describes the errors the routes really send', async () => {
    await expectDocumented('get', '/api/jobs/{id}', await fetch(`${server.url}/api/jobs/00000000-0000-4000-8000-000000000000`));
    await expectDocumented('post', '/api/jobs', await submit(server.url, corpusFile('text/tagged.pdf'), { fields: { ocr: 'sometimes' } }));
    const locked = await submitOk(server.url, corpusFile('bad/issue6010_1_pwabc.pdf'));
    await waitForJob(server.url, locked.id);
    await expectDocumented('get', '/api/jobs/{id}/result', await fetch(`${server.url}/api/jobs/${locked.id}/result`));
  });

  it('tells a body the document does not describe', async () => {
    const job = await (await fetch(`${server.url}/api/jobs/${(await submitOk(server.url, corpusFile('text/tagged.pdf'))).id}`)).json() as Json;
    const { id: _id, ...noId } = job;
    const broken = { ...noId, status: 'done', progress: { pages_done: '1', pages_total: null }, extra: true };
    const problems = mismatches(doc, { $ref: '#/components/schemas/Job' }, broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        '$.id: required, missing',
        '$.extra: not in the document',
        expect.stringMatching(/^\$\.status: "done" is not one of queued/),
        '$.progress.pages_done: string, not number',
      ]),
    );
    expect(mismatches(doc, { $ref: '#/components/schemas/FormField' }, { name: 'n', type: 'text', value: '', bbox: [1, 2, 3], origin: 'acroform' })).toEqual(['$.bbox: 3 items, the tuple has 4']);
    expect(mismatches(doc, { type: 'integer', exclusiveMinimum: 0 }, 0)).toEqual(['$: 0 breaks exclusiveMinimum 0']);
    expect(mismatches(doc, { type: 'number', not: {} }, 1)).toEqual(['$: keyword(s) not not checked by this test']);
  });

  it('declares the Bearer token on /api/* when API_KEY is set, and only then', async () => {
    const operations = (d: Json) =>
      Object.entries(d.paths as Record<string, Json>).flatMap(([p, item]) =>
        Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([m, op]) => ({ p, m, security: (op as Json).security })),
      );
    expect(operations(doc).every((o) => o.security === undefined)).toBe(true);
    const locked = await startServer({ API_KEY: 'openapi-test-key' });
    try {
      const res = await fetch(`${locked.url}/openapi.json`);
      expect(res.status).toBe(200);
      const lockedDoc = (await res.json()) as Json;
      expect(structuralProblems(lockedDoc)).toEqual([]);
      expect(((lockedDoc.components as Json).securitySchemes as Json).apiKey).toEqual({ type: 'http', scheme: 'bearer' });
      for (const o of operations(lockedDoc)) {
        expect(o.security, `${o.m} ${o.p}`).toEqual(o.p.startsWith('/api/') ? [{ apiKey: [] }] : undefined);
      }
    } finally {
      await locked.stop();
    }
  });

  it('has a /docs page that loads nothing from elsewhere', async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    const html = await res.text();
    expect(html).toContain("fetch('openapi.json')");
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
  });

  it('catches what it claims to catch', () => {
    const broken = {
      openapi: '3.0.3',
      info: { title: 't' },
      paths: {
        '/a/{id}': { get: { responses: {} } },
        '/b': { get: { responses: { 200: { description: 'x', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } } } } },
      },
    };
    const problems = structuralProblems(broken);
    expect(problems.join('\n')).toMatch(/not 3\.1/);
    expect(problems.join('\n')).toMatch(/title and version/);
    expect(problems.join('\n')).toMatch(/GET \/a\/\{id\}: no responses/);
    expect(problems.join('\n')).toMatch(/\{id\} not declared/);
    expect(problems.join('\n')).toMatch(/Nope does not resolve/);
  });
});
