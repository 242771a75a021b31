import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps, PageAssets } from './deps.js';
import { securityHeaders } from './secure-headers.js';

/** Nothing from elsewhere, no inline script or style: the page works offline and injected markup cannot run. */
const pageHeaders = securityHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
});

const pageRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'The upload page',
  responses: { 200: { description: 'the upload page', content: { 'text/html': { schema: z.string() } } } },
});

const assetNameSchema = z.enum(['app.js', 'app.css']);

const assetRoute = createRoute({
  method: 'get',
  path: '/assets/{name}',
  summary: "The upload page's script and style",
  request: { params: z.object({ name: assetNameSchema.openapi({ param: { name: 'name', in: 'path' } }) }) },
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

  // Per file, not `use('*')`: mounted at '/', a sub-app's '*' middleware would cover every route of the service.
  app.use(pageRoute.path, pageHeaders);
  for (const name of assetNameSchema.options) app.use(`/assets/${name}`, pageHeaders);

  app.openapi(pageRoute, (c) => c.html(html, 200, { 'Cache-Control': 'no-cache' }));

  app.openapi(assetRoute, (c) => {
    const asset = assets[c.req.valid('param').name];
    return c.body(asset.body, 200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache' });
  });

  return app;
}
