import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; secrets never reach a log line. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'pdf-ocr-service' },
    redact: { paths: ['apiKey', 'webhookSecret', '*.apiKey', '*.webhookSecret', 'password', '*.password'], censor: redacted },
  });
}

/** Job ids grant access to results: logs carry only a prefix. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Hides a secret's value but keeps "not set" visible, so the start line tells which ones are set. */
function redacted(value: unknown): unknown {
  return value === undefined || value === null || value === '' ? value : '[redacted]';
}
