"""HTTP for the client on the standard library: one request, the API's errors made typed, 429 retried."""

from __future__ import annotations

import email.utils
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from .errors import ApiError, TransportError, api_error

BodyFactory = Callable[[], Iterable[bytes]]
"""Makes the request body afresh for every attempt (a 429 is answered before the body is used)."""

RetryHook = Callable[[ApiError, float], None]
"""Called before the client sleeps on a 429: the error and the seconds it is about to wait."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Transport:
    base_url: str
    api_key: str | None = None
    timeout: float = 30.0
    max_429_retries: int = 5
    max_retry_after: float = 300.0
    on_retry: RetryHook | None = None
    user_agent: str = "pdf-ocr-client-python/0.1"
    _opener: urllib.request.OpenerDirector = field(default_factory=urllib.request.build_opener, repr=False)

    def url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        q = urllib.parse.urlencode({k: v for k, v in (query or {}).items()})
        return f"{self.base_url.rstrip('/')}{path}{'?' + q if q else ''}"

    def open(self, method: str, path: str, *, query: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
             body: BodyFactory | None = None, timeout: float | None = None, retry_429: bool = True) -> Any:
        """Sends one request, retrying 429 after its Retry-After; returns the open 2xx response (a file object)."""
        retries = 0
        while True:
            request = urllib.request.Request(self.url(path, query), method=method, headers=self._headers(headers),
                                             data=body() if body else None)
            try:
                return self._opener.open(request, timeout=self.timeout if timeout is None else timeout)
            except urllib.error.HTTPError as answer:
                error = self._error(answer)
            except (urllib.error.URLError, socket.timeout, ConnectionError) as err:
                raise TransportError(f"{method} {path}: {err}") from err
            wait = self._retry_wait(error, retries) if retry_429 else None
            if wait is None:
                raise error
            if self.on_retry:
                self.on_retry(error, wait)
            time.sleep(wait)
            retries += 1

    def request(self, method: str, path: str, **kwargs: Any) -> Response:
        with self.open(method, path, **kwargs) as res:
            try:
                return Response(res.status, dict(res.headers.items()), res.read())
            except (socket.timeout, ConnectionError) as err:
                raise TransportError(f"{method} {path}: {err}") from err

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, **(extra or {})}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _error(self, answer: urllib.error.HTTPError) -> ApiError:
        with answer:
            raw = answer.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        return api_error(answer.code, body, retry_after_seconds(answer.headers.get("Retry-After")))

    def _retry_wait(self, error: ApiError, retries: int) -> float | None:
        """Seconds to wait before retrying, or None when the error is final."""
        if error.status != 429 or retries >= self.max_429_retries:
            return None
        # Without Retry-After: 1, 2, 4… s, jittered so that many clients do not come back together.
        wait = error.retry_after if error.retry_after is not None else (2 ** retries) * random.uniform(0.8, 1.2)
        if wait > self.max_retry_after:
            return None
        return wait


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (delay-seconds or an HTTP date) in seconds from now; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
