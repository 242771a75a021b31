import { OpenAPIHono } from '@hono/zod-openapi';
import { bearerAuth } from 'hono/bearer-auth';
import type { Context } from 'hono';
import type { AppDeps } from '../routes/deps.js';
import { DOCS_HTML, docsHeaders } from '../routes/docs-page.js';
import { ApiError, errorResponse } from '../routes/errors.js';
import { eventRoutes } from '../routes/events.js';
import { jobRoutes } from '../routes/jobs.js';
import { opsRoutes } from '../routes/ops.js';
import { pageRoutes } from '../routes/page.js';
import { noSniff } from '../routes/secure-headers.js';

export type { AppDeps } from '../routes/deps.js';

/** Version of the HTTP contract shown in /openapi.json. */
const OPENAPI_VERSION = '0.1.0';

/** Builds the HTTP app from its parts. Web-standard only: testable with `app.request()`. */
export function createApp(deps: AppDeps) {
  const app = baseApp();
  if (deps.apiKey) app.use('/api/*', requireBearer(deps.apiKey));

  app.route('/', jobRoutes(deps));
  app.route('/', opsRoutes(deps));
  app.route('/', eventRoutes(deps));
  if (deps.page) app.route('/', pageRoutes({ ...deps, page: deps.page }));

  // Generated from the same zod schemas and route definitions the handlers validate with.
  app.get('/openapi.json', (c) => {
    const doc = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'pdf-ocr-service',
        version: OPENAPI_VERSION,
        description: 'Turns uploaded PDFs into per-page text, with OCR for scanned pages.',
      },
      servers: [{ url: new URL(c.req.url).origin }],
    });
    if (deps.apiKey) requireBearerInDoc(doc);
    return c.json(doc);
  });
  // A viewer of /openapi.json for people; not an API operation, so not in the document.
  app.get('/docs', docsHeaders, (c) => c.html(DOCS_HTML, 200));
  return app;
}

/** Validation errors as 400 invalid_request, JSON errors everywhere, nosniff on every response. */
function baseApp() {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw new ApiError(400, 'invalid_request', 'invalid request', result.error.issues);
    },
  });
  app.use('*', noSniff);
  app.notFound((c) => c.json(new ApiError(404, 'not_found', 'no such route').body(), 404));
  app.onError((err, c) => errorResponse(err, c));
  return app;
}

/** When API_KEY is set, every /api/* operation requires the Bearer token: say so in the document. */
function requireBearerInDoc(doc: ReturnType<OpenAPIHono['getOpenAPI31Document']>): void {
  doc.components = { ...doc.components, securitySchemes: { ...doc.components?.securitySchemes, apiKey: { type: 'http', scheme: 'bearer' } } };
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith('/api/')) continue;
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (operation) operation.security = [{ apiKey: [] }];
    }
  }
}

/**
 * The Bearer token, compared in constant time (Hono's timingSafeEqual). The contract answers a
 * missing, malformed or wrong key alike, 401 `unauthorized` as JSON; bearerAuth's defaults are
 * plain-text bodies and 400 for a malformed header.
 */
function requireBearer(key: string) {
  const refuse = { message: unauthorized, wwwAuthenticateHeader: 'Bearer' };
  return bearerAuth({ token: key, noAuthenticationHeader: refuse, invalidAuthenticationHeader: refuse, invalidToken: refuse });
}

function unauthorized(c: Context): Response {
  return c.json(new ApiError(401, 'unauthorized', 'a valid API key is required (Authorization: Bearer <key>)').body(), 401);
}
