"""Python client for pdf-ocr-service (standard library only)."""

from .client import Client
from .errors import (ApiError, FileTooLarge, IdempotencyKeyReused, InvalidRequest, JobFailed, JobNotFinished, JobNotFound,
                     NotAPdf, PdfOcrError, RateLimited, TransportError, Unauthorized, Unavailable, UploadTimeout, WaitTimeout)
from .types import Job, Page, Result, WebhookEvent, Word, Words
from .webhook import WebhookVerificationError, verify_webhook

__all__ = [
    "ApiError", "Client", "FileTooLarge", "IdempotencyKeyReused", "InvalidRequest", "Job", "JobFailed", "JobNotFinished",
    "JobNotFound", "NotAPdf", "Page", "PdfOcrError", "RateLimited", "Result", "TransportError", "Unauthorized",
    "Unavailable", "UploadTimeout", "WaitTimeout", "WebhookEvent", "WebhookVerificationError", "Word", "Words",
    "verify_webhook",
]
