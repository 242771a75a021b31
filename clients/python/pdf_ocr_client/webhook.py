"""Standard Webhooks verification (https://www.standardwebhooks.com), as the service signs (src/webhook/sign.ts).

The same contract as the `standardwebhooks` package: `verify_webhook(secret, body, headers)` does
what `standardwebhooks.Webhook(secret).verify(body, headers)` does (returns the parsed event,
raises on a forged or stale message), so a receiver that can install that package swaps one line.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Iterable, Protocol, cast

from .types import WebhookEvent

TOLERANCE_S = 5 * 60
"""How far the signed timestamp may be from the receiver's clock, either way (the spec's default)."""

_PREFIX = "whsec_"


class Headers(Protocol):
    """A dict, or a framework's header collection (Flask's `request.headers`)."""

    def items(self) -> Iterable[tuple[str, str]]: ...


class WebhookVerificationError(Exception):
    """The message is not from the service, or not from now."""


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed by the secret's base64 after `whsec_`."""
    key = base64.b64decode(secret.removeprefix(_PREFIX))
    payload = body.encode() if isinstance(body, str) else body
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + payload, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_webhook(secret: str, body: bytes | str, headers: Headers, now: float | None = None) -> WebhookEvent:
    """The event if one of `webhook-signature`'s signatures matches and the timestamp is within 5 minutes.
    `body` must be the raw bytes as received (parsed and re-serialised JSON does not verify)."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id, stamp, signatures = (lower.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not msg_id or not stamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_S:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance")
    expected = sign(secret, msg_id, timestamp, body).split(",", 1)[1]
    # Several space-separated "v1,<sig>" (a secret being rotated); compare_digest keeps the time constant.
    for candidate in signatures.split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected.encode()):
            return cast(WebhookEvent, json.loads(body))
    raise WebhookVerificationError("no matching signature")
