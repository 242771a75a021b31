import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractRoutes } from './contract.js';
import { corpusFile, startServer, submitOk, waitForJob, type RunningServer } from './helpers.js';

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

let server: RunningServer;
let doc: Json;
beforeAll(async () => {
  server = await startServer();
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

  it('describes the bodies the routes really send (same zod schemas)', async () => {
    const schemas = (doc.components as Json).schemas as Record<string, Json>;
    const jobProps = Object.keys(schemas.Job!.properties as Json);
    const job = await submitOk(server.url, corpusFile('text/tagged.pdf'));
    const done = await waitForJob(server.url, job.id);
    for (const key of Object.keys(done)) expect(jobProps, `Job.${key}`).toContain(key);
    const submit = ((doc.paths as Json)['/api/jobs'] as Json).post as Json;
    const accepted = (submit.responses as Json)['202'] as Json;
    expect(JSON.stringify(accepted)).toContain('#/components/schemas/Job');
    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(Object.keys(schemas.Health!.properties as Json).sort()).toEqual(Object.keys(health as Json).sort());
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
