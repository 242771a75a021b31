import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { QueueFull, QueueUnavailable } from '../jobs/errors.js';
import { NotAPdf, UnreadableUpload, UploadTimedOut, UploadTooLarge } from '../upload/errors.js';
import { ForbiddenTargetError } from '../webhook/guard.js';

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

/** The one place where what the core refuses becomes HTTP. */
export function toApiError(err: Error): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof UploadTooLarge) return new ApiError(413, 'file_too_large', err.message);
  if (err instanceof NotAPdf) return new ApiError(415, 'not_a_pdf', err.message);
  if (err instanceof UploadTimedOut) return new ApiError(408, 'upload_timeout', err.message);
  if (err instanceof UnreadableUpload) return new ApiError(400, 'invalid_request', err.message);
  if (err instanceof QueueFull) return new ApiError(429, 'queue_full', err.message, undefined, { 'Retry-After': String(err.retryAfterS) });
  if (err instanceof QueueUnavailable) {
    return new ApiError(503, 'queue_unavailable', err.message, undefined, { 'Retry-After': String(err.retryAfterS) });
  }
  if (err instanceof ForbiddenTargetError) return new ApiError(400, 'callback_url_forbidden', err.message);
  if (err instanceof HTTPException) return new ApiError(err.status as 400, err.status === 415 ? 'not_a_pdf' : 'invalid_request', err.message);
  return new ApiError(500, 'internal_error', 'something went wrong on our side');
}

/**
 * Any error as the JSON error response clients see; an unexpected one is logged and shown as 500
 * internal_error. A middleware's refusal that carries its response (bearerAuth's 401) is sent as it is.
 */
export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof HTTPException && err.res) return err.getResponse();
  const apiError = toApiError(err);
  if (apiError.status === 500) console.error(err);
  const response = c.json(apiError.body(), apiError.status);
  for (const [name, value] of Object.entries(apiError.headers ?? {})) response.headers.set(name, value);
  return response;
}
