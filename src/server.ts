import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { ConfigError, parseConfig } from './config.js';
import { createLogger } from './log.js';
import { containerMemoryMb } from './memory-limit.js';
import { createRuntime } from './wiring/runtime.js';

/** Node's own request timeout is checked this often (30 s by default): too coarse for UPLOAD_TIMEOUT_S alone. */
const CONNECTION_CHECK_MS = 1000;
/** Beyond UPLOAD_TIMEOUT_S, the margin before Node itself drops a request the service has not answered. */
const REQUEST_TIMEOUT_MARGIN_MS = 10_000;

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
const service = await createRuntime(config, log);
const memoryLimitMb = containerMemoryMb();
if (memoryLimitMb !== undefined && memoryLimitMb < config.memoryBudgetMb) {
  // The watchdog would stop children at their share of a budget the kernel does not grant: it kills first.
  log.warn({ memoryLimitMb, memoryBudgetMb: config.memoryBudgetMb }, 'MEMORY_BUDGET_MB is above the container memory limit; set it at or below the limit');
}
const startInfo = {
  role: config.role,
  redis: config.redisUrl ? 'on' : 'off',
  workers: config.role === 'api' ? 0 : config.workerThreads,
  cpus: config.cpus,
  memoryLimitMb: memoryLimitMb ?? null,
  childMemoryMb: config.childMemoryMb,
  ocrModel: config.ocrModel.name,
  ocrEngine: config.ocrEngine.kind,
  ocrEngineReason: config.ocrEngine.reason,
  config: { ...config, apiKey: config.apiKey && '[redacted]', webhookSecret: config.webhookSecret && '[redacted]', redisUrl: config.redisUrl && '[redacted]' },
};

const server = serve(
  {
    fetch: service.app.fetch,
    port: config.port,
    hostname: config.host,
    // The service cuts slow uploads itself (408 upload_timeout); this is the backstop for any request.
    serverOptions: { requestTimeout: config.uploadTimeoutMs + REQUEST_TIMEOUT_MARGIN_MS, connectionsCheckingInterval: CONNECTION_CHECK_MS },
  },
  (info) => log.info({ port: info.port, ...startInfo }, 'pdf-ocr-service listening'),
) as Server;

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
