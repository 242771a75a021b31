import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

/** Every header of Hono's secureHeaders off: each use names the ones it sends, and nothing else goes out. */
const NONE: SecureHeadersOptions = {
  crossOriginEmbedderPolicy: false,
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  strictTransportSecurity: false,
  xContentTypeOptions: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  removePoweredBy: false,
};

export function securityHeaders(on: SecureHeadersOptions): MiddlewareHandler {
  return secureHeaders({ ...NONE, ...on });
}

/** On every response: browsers take a body for the type it is sent as. */
export const noSniff = securityHeaders({ xContentTypeOptions: true });
