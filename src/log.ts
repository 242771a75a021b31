import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; secrets never reach a log line. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'pdf-ocr-service' },
    redact: { paths: ['apiKey', 'webhookSecret', '*.apiKey', '*.webhookSecret', 'password', '*.password'], censor: '[redacted]' },
  });
}

/** Job ids grant access to results: logs carry only a prefix. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
