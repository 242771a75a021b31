import type { Config } from '../config.js';
import { processRssMb } from '../metrics.js';
import { loadPageAssets } from '../page/assets.js';
import type { AppDeps, EventStreamLimits } from '../routes/deps.js';
import { createUploadReceiver } from '../upload/receiver.js';
import { createApp } from './app.js';

/** What the runtime hands over; the rest comes from the config. */
export type BackendDeps = Pick<AppDeps, 'jobs' | 'queue' | 'checkCallbackUrl' | 'draining' | 'metrics'> & Pick<EventStreamLimits, 'onStreams'>;

/** The HTTP app of an instance that answers the API. */
export function createHttpApp(config: Config, backend: BackendDeps) {
  const { onStreams, ...deps } = backend;
  return createApp({
    ...deps,
    // With SHARED_DIR, uploads land where every worker instance can read them.
    uploads: createUploadReceiver({ maxBytes: config.maxUploadBytes, timeoutMs: config.uploadTimeoutMs, dir: config.sharedDir ?? config.tmpDir }),
    languages: config.ocrModel.languages,
    apiKey: config.apiKey,
    rssMb: processRssMb,
    events: { maxStreams: config.maxEventStreams, heartbeatMs: config.sseHeartbeatMs, onStreams },
    maxResultStreams: config.maxResultStreams,
    page: loadPageAssets(),
  });
}
