import { serve } from '@hono/node-server';
import { ConfigError, parseConfig } from './config.js';
import { createLogger } from './log.js';
import { createService } from './service.js';

function loadConfig() {
  try {
    return parseConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

const config = loadConfig();
const log = createLogger(config.logLevel);
const service = await createService(config, log);
const startInfo = {
  role: config.role,
  redis: config.redisUrl ? 'on' : 'off',
  workers: config.role === 'api' ? 0 : config.workerThreads,
  childMemoryMb: config.childMemoryMb,
  ocrModel: config.ocrModel.name,
  config: { ...config, apiKey: config.apiKey && '[redacted]', webhookSecret: config.webhookSecret && '[redacted]', redisUrl: config.redisUrl && '[redacted]' },
};

const server = serve({ fetch: service.app.fetch, port: config.port, hostname: config.host }, (info) => {
  log.info({ port: info.port, ...startInfo }, 'pdf-ocr-service listening');
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
