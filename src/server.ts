import { serve } from '@hono/node-server';
import { ConfigError, parseConfig } from './config.js';
import { createLogger } from './log.js';
import { createService } from './service.js';

function loadConfig() {
  try {
    return parseConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

const config = loadConfig();
const log = createLogger(config.logLevel);
const service = createService(config, log);

const server = serve({ fetch: service.app.fetch, port: config.port, hostname: config.host }, (info) => {
  log.info(
    { port: info.port, workers: config.workerThreads, childMemoryMb: config.childMemoryMb, ocrModel: config.ocrModel.name, config: { ...config, apiKey: config.apiKey && '[redacted]', webhookSecret: config.webhookSecret && '[redacted]' } },
    'pdf-ocr-service listening',
  );
});

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal, graceMs: config.shutdownGraceMs }, 'draining');
  await service.shutdown(config.shutdownGraceMs);
  server.close();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
