"""Typed errors: each carries the API's stable `code` (API.md, Errors), the one thing to switch on."""

from __future__ import annotations

from typing import Any, Mapping, cast


class PdfOcrError(Exception):
    """Base of every error this client raises."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ApiError(PdfOcrError):
    """An error answer of the API: HTTP status, `code`, `message`, and `details` where given."""

    def __init__(
        self,
        status: int | None,
        code: str,
        message: str,
        details: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(code, message)
        self.status = status
        self.details = details
        self.retry_after = retry_after


class InvalidRequest(ApiError):
    """400: a bad option (`invalid_request`, `details` lists the issues) or `callback_url_forbidden`."""


class Unauthorized(ApiError):
    """401 `unauthorized`: API_KEY is set on the service and the key is missing or wrong."""


class JobNotFound(ApiError):
    """404 `job_not_found`: unknown or expired id."""


class UploadTimeout(ApiError):
    """408 `upload_timeout`."""


class JobNotFinished(ApiError):
    """409 `job_not_finished`: the result was asked for while the job is queued or running."""


class FileTooLarge(ApiError):
    """413 `file_too_large`."""


class NotAPdf(ApiError):
    """415 `not_a_pdf`."""


class IdempotencyKeyReused(ApiError):
    """422 `idempotency_key_reused`: the same key came with a different body."""


class RateLimited(ApiError):
    """429 (`queue_full`, `too_many_streams`), raised once the client's retries are used up."""


class Unavailable(ApiError):
    """503 (`shutting_down`, `queue_unavailable`)."""


class JobFailed(ApiError):
    """The job ended `failed` or `cancelled`; `code` is the job's own (`pdf_invalid`, `timeout`, `cancelled`…)."""

    def __init__(self, code: str, message: str, job: Mapping[str, Any] | None = None, status: int | None = None) -> None:
        super().__init__(status, code, message)
        self.job = job


class WaitTimeout(PdfOcrError):
    """The job was not final by the caller's deadline (`code` is `wait_timeout`; the job keeps running)."""

    def __init__(self, job_id: str, seconds: float) -> None:
        super().__init__("wait_timeout", f"job {job_id} not final after {seconds:g} s")
        self.job_id = job_id


class TransportError(PdfOcrError):
    """The service could not be reached or answered something that is not the API (`code` `transport_error`)."""

    def __init__(self, message: str) -> None:
        super().__init__("transport_error", message)


_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequest,
    401: Unauthorized,
    404: JobNotFound,
    408: UploadTimeout,
    409: JobNotFinished,
    413: FileTooLarge,
    415: NotAPdf,
    422: IdempotencyKeyReused,
    429: RateLimited,
    503: Unavailable,
}


def api_error(status: int, body: Any, retry_after: float | None) -> ApiError:
    """The typed error for an error answer (`body` as parsed, whatever it is). A 409 with a code
    other than `job_not_finished` is the job's own failure."""
    error = cast(dict[str, Any], body).get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ApiError(status, "http_error", f"HTTP {status} without an API error body", retry_after=retry_after)
    fields = cast(dict[str, Any], error)
    code, message = str(fields.get("code", "http_error")), str(fields.get("message", ""))
    if status == 409 and code != "job_not_finished":
        return JobFailed(code, message, status=status)
    return _BY_STATUS.get(status, ApiError)(status, code, message, fields.get("details"), retry_after)
