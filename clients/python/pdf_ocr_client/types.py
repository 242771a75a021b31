"""The API's JSON shapes (API.md), as typed dictionaries: what the server sends, unchanged."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
FINAL_STATUSES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


class ErrorInfo(TypedDict):
    code: str
    message: str


class Progress(TypedDict):
    pages_done: int
    pages_total: int | None


class FileInfo(TypedDict):
    name: str
    bytes: int


class WebhookState(TypedDict):
    url: str
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status: NotRequired[int | None]
    last_error: NotRequired[str | None]


class Job(TypedDict):
    id: str
    status: JobStatus
    created_at: str
    started_at: str | None
    finished_at: str | None
    progress: Progress
    file: FileInfo
    error: NotRequired[ErrorInfo]
    webhook: NotRequired[WebhookState]


class Field(TypedDict):
    name: str | None
    type: str
    value: Any
    bbox: list[float]
    origin: NotRequired[str]
    label: NotRequired[str]
    question: NotRequired[str]
    export: NotRequired[str]
    confidence: NotRequired[float]


class Page(TypedDict):
    page: int
    text: str
    source: Literal["text", "ocr"]
    error: ErrorInfo | None
    confidence: NotRequired[float]
    width: NotRequired[float]
    height: NotRequired[float]
    fields: NotRequired[list[Field]]
    notes: NotRequired[list[str]]


class Result(TypedDict):
    id: str
    pages_total: int
    pages: list[Page]
    text: str


class Word(TypedDict):
    text: str
    bbox: list[float]
    confidence: NotRequired[float]


class WordsPage(TypedDict):
    page: int
    width: float
    height: float
    source: Literal["text", "ocr"]
    words: list[Word]


class Words(TypedDict):
    id: str
    pages: list[WordsPage]


class WebhookEvent(TypedDict):
    """The body of a webhook: `data` is the job plus its absolute `result_url`."""

    type: Literal["job.succeeded", "job.failed", "job.cancelled"]
    timestamp: str
    data: dict[str, Any]
