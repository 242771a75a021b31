"""The Flask example (examples/flask_app.py) on loopback: forged webhooks refused, the service's own accepted."""

from __future__ import annotations

import json
import queue
import threading
import time
import unittest
import urllib.error
import urllib.request

from werkzeug.serving import make_server

from examples.flask_app import create_app
from pdf_ocr_client import Client, WebhookEvent
from pdf_ocr_client.upload import multipart
from pdf_ocr_client.webhook import sign

from .env import need, words

DEADLINE_S = 150.0
# The published Standard Webhooks test vector (standard-webhooks' libraries, "sign function works").
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Signing(unittest.TestCase):
    def test_reproduces_the_specification_example(self) -> None:
        self.assertEqual(sign(SPEC_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}'),
                         "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")


class FlaskReceiver(unittest.TestCase):
    def setUp(self) -> None:
        self.secret = need("PDF_OCR_WEBHOOK_SECRET")
        self.ocr_url = need("PDF_OCR_URL")
        self.analysed: queue.Queue[tuple[WebhookEvent, str]] = queue.Queue()

        def analyse(event: WebhookEvent, ocr: Client) -> None:
            self.analysed.put((event, ocr.markdown(event["data"]["id"]) if event["type"] == "job.succeeded" else ""))

        app = create_app(self.ocr_url, self.secret, analyse)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def tearDown(self) -> None:
        self.server.shutdown()
        self.thread.join(10)
        self.server.server_close()

    def post_hook(self, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(f"{self.url}/webhooks/pdf-ocr", data=body, method="POST",
                                         headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=30) as res:
                return res.status
        except urllib.error.HTTPError as answer:
            return answer.code

    def test_forged_and_stale_webhooks_are_refused(self) -> None:
        body = json.dumps({"type": "job.cancelled", "timestamp": "2026-01-01T00:00:00Z", "data": {"id": "x"}}).encode()
        now = int(time.time())
        other_secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
        cases = {
            "signed with another secret": {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": sign(other_secret, "msg_1", now, body)},
            "body changed after signing": {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": sign(self.secret, "msg_1", now, body + b" ")},
            "another message's id": {"webhook-id": "msg_2", "webhook-timestamp": str(now), "webhook-signature": sign(self.secret, "msg_1", now, body)},
            "ten minutes old": {"webhook-id": "msg_1", "webhook-timestamp": str(now - 600), "webhook-signature": sign(self.secret, "msg_1", now - 600, body)},
            "unsigned": {"webhook-id": "msg_1", "webhook-timestamp": str(now)},
        }
        for name, headers in cases.items():
            with self.subTest(name):
                self.assertEqual(self.post_hook(body, headers), 401)
        self.assertTrue(self.analysed.empty())
        # The control: the same message signed with the right secret goes through (beside a stale signature, as in a rotation).
        signature = sign(self.secret, "msg_1", now, body)
        headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": f"v1,bm90IGl0 {signature}"}
        self.assertEqual(self.post_hook(body, headers), 204)
        self.assertEqual(self.analysed.get_nowait()[0]["data"], {"id": "x"})

    def test_the_services_webhook_is_accepted_and_analysed(self) -> None:
        upload = multipart(need("PDF_OCR_TEXT_PDF"), None, {})
        request = urllib.request.Request(f"{self.url}/disclosures", data=upload.chunks(), method="POST",
                                         headers={"Content-Type": upload.content_type, "Content-Length": str(upload.length)})
        with urllib.request.urlopen(request, timeout=30) as res:
            self.assertEqual(res.status, 202)
            job_id = json.loads(res.read())["job_id"]

        event, markdown = self.analysed.get(timeout=DEADLINE_S)
        self.assertEqual((event["type"], event["data"]["id"], event["data"]["status"]), ("job.succeeded", job_id, "succeeded"))
        self.assertTrue(event["data"]["result_url"].endswith(f"/api/jobs/{job_id}/result"))
        self.assertIn("heading", words(markdown))

        client = Client(self.ocr_url)
        deadline = time.monotonic() + DEADLINE_S
        while (job := client.job(job_id)).get("webhook", {}).get("state") == "pending" and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(job.get("webhook", {}).get("state"), "delivered", job.get("webhook"))
        self.assertEqual(job["webhook"]["url"], f"{self.url}/webhooks/pdf-ocr")  # type: ignore[typeddict-item]


if __name__ == "__main__":
    unittest.main()
