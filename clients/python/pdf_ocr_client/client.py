"""A small client for the pdf-ocr-service API (API.md): submit, wait, fetch the result."""

from __future__ import annotations

import json
import socket
import time
from typing import Callable, Literal, cast

from .errors import JobFailed, RateLimited, TransportError, WaitTimeout
from .transport import RetryHook, Transport
from .types import FINAL_STATUSES, Job, Result, Words
from .upload import PdfSource, multipart

ProgressHook = Callable[[int, "int | None"], None]
"""Called with (pages_done, pages_total) on each progress event."""

# Above the service's 15 s SSE heartbeat: a read that waits longer means the stream is gone.
_STREAM_READ_TIMEOUT_S = 30.0


class Client:
    """One service. `api_key` when the service sets API_KEY; a 429 is retried after its Retry-After
    (at most `max_429_retries` times, never waiting longer than `max_retry_after` seconds at once)."""

    def __init__(self, base_url: str, *, api_key: str | None = None, timeout: float = 30.0, max_429_retries: int = 5,
                 max_retry_after: float = 300.0, on_retry: RetryHook | None = None) -> None:
        self._http = Transport(base_url, api_key, timeout, max_429_retries, max_retry_after, on_retry)

    def submit(self, pdf: PdfSource, *, filename: str | None = None, ocr: Literal["auto", "force", "off"] | None = None,
               pages: str | None = None, lang: str | None = None, password: str | None = None,
               callback_url: str | None = None, idempotency_key: str | None = None) -> Job:
        """Uploads a PDF (path, bytes or binary file). With `idempotency_key`, a repeated submit returns the first job."""
        options = {"ocr": ocr, "pages": pages, "lang": lang, "password": password, "callback_url": callback_url}
        body = multipart(pdf, filename, {k: v for k, v in options.items() if v is not None})
        headers = {"Content-Type": body.content_type, "Content-Length": str(body.length), "Accept": "application/json"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return cast(Job, self._http.request("POST", "/api/jobs", headers=headers, body=body.chunks).json())

    def job(self, job_id: str) -> Job:
        return cast(Job, self._http.request("GET", f"/api/jobs/{job_id}").json())

    def cancel(self, job_id: str) -> None:
        """Stops the job if it runs and forgets it and its result."""
        self._http.request("DELETE", f"/api/jobs/{job_id}")

    def wait(self, job_id: str, *, timeout: float = 600.0, interval: float = 0.25, max_interval: float = 5.0) -> Job:
        """Polls until the job is final, the interval growing 1.5x per poll up to `max_interval`.
        Returns the succeeded job; raises JobFailed (the job's `code`) or WaitTimeout."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job["status"] in FINAL_STATUSES:
                return _succeeded(job)
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout(job_id, timeout)
            time.sleep(min(interval, left))
            interval = min(interval * 1.5, max_interval)

    def wait_events(self, job_id: str, *, timeout: float = 600.0, on_progress: ProgressHook | None = None) -> Job:
        """Follows `/events` until the final event: the end is seen when it happens, without polling.
        A dropped stream is reopened (the service sends the current state first); when the service
        has no stream to spare (429 too_many_streams) this polls at once instead of waiting for one."""
        deadline = time.monotonic() + timeout
        pause = 0.25
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout(job_id, timeout)
            try:
                job = self._follow(job_id, min(left, _STREAM_READ_TIMEOUT_S), deadline, on_progress)
            except RateLimited:
                return self.wait(job_id, timeout=max(0.0, deadline - time.monotonic()))
            except TransportError:
                job = None
            if job is not None:
                return _succeeded(job)
            # Unreachable, or the stream ended early (a restart, say): reconnect backing off, not in a tight loop.
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 5.0)

    def _follow(self, job_id: str, read_timeout: float, deadline: float, on_progress: ProgressHook | None) -> Job | None:
        """Reads one event stream; the final event's job, or None if the stream ended or stalled first."""
        event, data = "message", ""
        with self._http.open("GET", f"/api/jobs/{job_id}/events", headers={"Accept": "text/event-stream"},
                             timeout=read_timeout, retry_429=False) as stream:
            while time.monotonic() < deadline:
                try:
                    raw = stream.readline()
                except (socket.timeout, ConnectionError):
                    return None
                if not raw:
                    return None
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].removeprefix(" ") + "\n"
                elif line == "" and data:
                    payload = json.loads(data)
                    if event in FINAL_STATUSES:
                        return cast(Job, payload)
                    if event == "progress" and on_progress:
                        on_progress(payload["pages_done"], payload.get("pages_total"))
                    event, data = "message", ""
        return None

    def result(self, job_id: str) -> Result:
        """The JSON result: pages with their text, source, fields."""
        return cast(Result, self._http.request("GET", f"/api/jobs/{job_id}/result").json())

    def text(self, job_id: str) -> str:
        """The plain text, pages separated by form feed."""
        return self._format(job_id, "text")

    def markdown(self, job_id: str) -> str:
        return self._format(job_id, "markdown")

    def words(self, job_id: str) -> Words:
        """Every word with its box (PDF points from the page's top-left), in reading order."""
        return cast(Words, json.loads(self._format(job_id, "words")))

    def _format(self, job_id: str, fmt: str) -> str:
        return self._http.request("GET", f"/api/jobs/{job_id}/result", query={"format": fmt}).body.decode("utf-8")


def _succeeded(job: Job) -> Job:
    if job["status"] == "succeeded":
        return job
    error = job.get("error") or {"code": "cancelled", "message": "the job was cancelled"}
    raise JobFailed(error["code"], error["message"], job=job)
