import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Why a job failed: stable strings clients switch on. */
export const FAILURE_CODES = [
  'pdf_password_required',
  'pdf_password_incorrect',
  'pdf_invalid',
  'too_many_pages',
  'memory_limit',
  'timeout',
  'worker_crashed',
  'ocr_failed',
  'cancelled',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

export function isFailureCode(code: string): code is FailureCode {
  return (FAILURE_CODES as readonly string[]).includes(code);
}

export interface ErrorInfo {
  code: string;
  message: string;
}

/** An error that becomes an HTTP response: status plus a stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): { error: ErrorInfo & { details?: unknown } } {
    const error: ErrorInfo & { details?: unknown } = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}
