"""The client against the real service: a scan end to end, every format, idempotency, typed errors, 429."""

from __future__ import annotations

import time
import unittest
import urllib.request
import uuid

from pdf_ocr_client import (ApiError, Client, IdempotencyKeyReused, InvalidRequest, JobFailed, JobNotFinished, JobNotFound,
                            NotAPdf)

from .env import LINN_WORDS, need, words

DEADLINE_S = 150.0


class ScanEndToEnd(unittest.TestCase):
    def test_a_scanned_pdf_in_every_format(self) -> None:
        client = Client(need("PDF_OCR_URL"))
        scan = need("PDF_OCR_SCAN")
        key = f"disclosure-{uuid.uuid4()}"
        job = client.submit(scan, ocr="auto", idempotency_key=key)
        self.assertIn(job["status"], ("queued", "running"))
        self.assertEqual(job["file"]["name"], "linn.pdf")

        progress: list[tuple[int, int | None]] = []
        done = client.wait_events(job["id"], timeout=DEADLINE_S, on_progress=lambda d, t: progress.append((d, t)))
        self.assertEqual(done["status"], "succeeded")
        self.assertEqual(client.wait(job["id"], timeout=DEADLINE_S)["status"], "succeeded")

        result = client.result(job["id"])
        self.assertEqual(result["pages_total"], 1)
        self.assertEqual(result["pages"][0]["source"], "ocr")
        self.assertLessEqual(LINN_WORDS, words(result["text"]))
        self.assertLessEqual(LINN_WORDS, words(client.text(job["id"])))
        page_words = client.words(job["id"])["pages"][0]["words"]
        self.assertLessEqual(LINN_WORDS, {w["text"].lower().strip(".,:;!") for w in page_words})
        self.assertTrue(all(len(w["bbox"]) == 4 and "confidence" in w for w in page_words))
        markdown = client.markdown(job["id"])
        self.assertTrue(markdown.startswith("<!-- page 1 -->"), markdown[:80])
        self.assertLessEqual(LINN_WORDS, words(markdown))

        # The same key and body (here as bytes) is the same job; the same key with another body is refused.
        with open(scan, "rb") as f:
            self.assertEqual(client.submit(f.read(), filename="linn.pdf", ocr="auto", idempotency_key=key)["id"], job["id"])
        with self.assertRaises(IdempotencyKeyReused) as reused:
            client.submit(need("PDF_OCR_TEXT_PDF"), idempotency_key=key)
        self.assertEqual((reused.exception.status, reused.exception.code), (422, "idempotency_key_reused"))


class TypedErrors(unittest.TestCase):
    def setUp(self) -> None:
        self.client = Client(need("PDF_OCR_URL"))

    def test_answers_become_errors_with_the_api_code(self) -> None:
        cases: list[tuple[type[ApiError], int, str, object]] = [
            (NotAPdf, 415, "not_a_pdf", lambda: self.client.submit(b"hello, not a pdf")),
            (InvalidRequest, 400, "invalid_request", lambda: self.client.submit(need("PDF_OCR_TEXT_PDF"), ocr="sometimes")),  # type: ignore[arg-type]
            (InvalidRequest, 400, "invalid_request", lambda: self.client.submit(need("PDF_OCR_TEXT_PDF"), callback_url="ftp://example.com/")),
            (JobNotFound, 404, "job_not_found", lambda: self.client.job(str(uuid.uuid4()))),
        ]
        for cls, status, code, call in cases:
            with self.subTest(code=code), self.assertRaises(cls) as raised:
                call()  # type: ignore[operator]
            self.assertEqual((raised.exception.status, raised.exception.code), (status, code))
            self.assertTrue(raised.exception.message)

    def test_a_failed_job_raises_its_own_code(self) -> None:
        job = self.client.submit(need("PDF_OCR_ENCRYPTED_PDF"))
        with self.assertRaises(JobFailed) as waited:
            self.client.wait_events(job["id"], timeout=DEADLINE_S)
        self.assertEqual(waited.exception.code, "pdf_password_required")
        self.assertEqual(waited.exception.job["status"], "failed")  # type: ignore[index]
        with self.assertRaises(JobFailed) as fetched:
            self.client.markdown(job["id"])
        self.assertEqual((fetched.exception.status, fetched.exception.code), (409, "pdf_password_required"))


class QueueFull(unittest.TestCase):
    """On a service with one child, no queue and one event stream (PDF_WORKER_THREADS=1, QUEUE_LIMIT=0,
    MAX_EVENT_STREAMS=1) a busy child means 429 queue_full, an open stream 429 too_many_streams."""

    def test_a_429_is_retried_after_its_retry_after(self) -> None:
        url = need("PDF_OCR_FULL_URL")
        other = Client(url)
        blocker = other.submit(need("PDF_OCR_SLOW_PDF"), ocr="force")
        with self.assertRaises(JobNotFinished) as early:
            other.result(blocker["id"])
        self.assertEqual(early.exception.code, "job_not_finished")

        retries: list[tuple[str, float | None, float]] = []

        def on_retry(error: ApiError, wait: float) -> None:
            retries.append((error.code, error.retry_after, wait))
            if len(retries) == 1:
                other.cancel(blocker["id"])  # room frees while the client waits out Retry-After

        client = Client(url, on_retry=on_retry)
        started = time.monotonic()
        job = client.submit(need("PDF_OCR_SCAN"))
        waited = time.monotonic() - started
        self.assertEqual(len(retries), 1, retries)
        code, retry_after, wait = retries[0]
        self.assertEqual(code, "queue_full")
        self.assertIsNotNone(retry_after)
        self.assertGreater(wait, 0)
        self.assertEqual(wait, retry_after)
        self.assertGreaterEqual(waited, wait)

        # The service's one event stream (MAX_EVENT_STREAMS=1) taken: wait_events polls at once, no 429 waited out.
        with urllib.request.urlopen(f"{url}/api/jobs/{job['id']}/events", timeout=DEADLINE_S):
            self.assertEqual(client.wait_events(job["id"], timeout=DEADLINE_S)["status"], "succeeded")
        self.assertEqual(len(retries), 1, retries)


if __name__ == "__main__":
    unittest.main()
