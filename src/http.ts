import { createApp } from './app.js';
import type { Config } from './config.js';
import { processRssMb } from './metrics.js';
import { loadPageAssets } from './page/assets.js';
import type { AppDeps } from './routes/deps.js';
import { createUploadReceiver } from './upload.js';

/** What differs between the embedded and the scaled service; the rest comes from the config. */
export type BackendDeps = Pick<AppDeps, 'store' | 'queue' | 'watch' | 'checkCallbackUrl' | 'draining' | 'metrics' | 'sseHeartbeatMs'>;

/** The HTTP app of an instance that answers the API. */
export function createHttpApp(config: Config, backend: BackendDeps) {
  return createApp({
    ...backend,
    // With SHARED_DIR, uploads land where every worker instance can read them.
    uploads: createUploadReceiver({ maxBytes: config.maxUploadBytes, tmpDir: config.sharedDir ?? config.tmpDir }),
    languages: config.ocrModel.languages,
    apiKey: config.apiKey,
    rssMb: processRssMb,
    page: loadPageAssets(),
  });
}
