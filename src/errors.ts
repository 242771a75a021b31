import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
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

/** Any error as the JSON error response clients see; an unexpected one is logged and shown as 500 internal_error. */
export function errorResponse(err: Error, c: Context): Response {
  const apiError =
    err instanceof ApiError
      ? err
      : err instanceof HTTPException
        ? new ApiError(err.status as 400, err.status === 415 ? 'not_a_pdf' : 'invalid_request', err.message)
        : new ApiError(500, 'internal_error', 'something went wrong on our side');
  if (apiError.status === 500) console.error(err);
  const response = c.json(apiError.body(), apiError.status);
  for (const [name, value] of Object.entries(apiError.headers ?? {})) response.headers.set(name, value);
  response.headers.set('X-Content-Type-Options', 'nosniff');
  return response;
}
