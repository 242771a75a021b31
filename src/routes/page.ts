import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps, PageAssets } from './deps.js';

/** Nothing from elsewhere, no inline script or style: the page works offline and injected markup cannot run. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const pageRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'The upload page',
  responses: { 200: { description: 'the upload page', content: { 'text/html': { schema: z.string() } } } },
});

const assetRoute = createRoute({
  method: 'get',
  path: '/assets/{name}',
  summary: "The upload page's script and style",
  request: { params: z.object({ name: z.enum(['app.js', 'app.css']).openapi({ param: { name: 'name', in: 'path' } }) }) },
  responses: {
    200: {
      description: 'the file',
      content: { 'text/javascript': { schema: z.string() }, 'text/css': { schema: z.string() } },
    },
  },
});

/** GET / and its two assets. The page learns whether an API key is needed from `data-auth-required`. */
export function pageRoutes(deps: AppDeps & { page: PageAssets }) {
  const app = new OpenAPIHono();
  const html = deps.page.html.replaceAll('__AUTH_REQUIRED__', deps.apiKey ? 'true' : 'false');
  const assets = {
    'app.js': { body: deps.page.js, type: 'text/javascript; charset=utf-8' },
    'app.css': { body: deps.page.css, type: 'text/css; charset=utf-8' },
  } as const;

  const secure = (c: Context) => {
    c.header('Content-Security-Policy', PAGE_CSP);
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cache-Control', 'no-cache');
  };

  app.openapi(pageRoute, (c) => {
    secure(c);
    return c.html(html, 200);
  });

  app.openapi(assetRoute, (c) => {
    const asset = assets[c.req.valid('param').name];
    secure(c);
    return c.body(asset.body, 200, { 'Content-Type': asset.type });
  });

  return app;
}
