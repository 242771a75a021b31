"""A Flask application that sends PDFs to pdf-ocr-service and takes the webhook when each is read.

    PDF_OCR_URL=http://ocr:3000 WEBHOOK_SECRET=whsec_... flask --app 'examples.flask_app:app_from_env()' run

The service must run with the same WEBHOOK_SECRET, and reach this app's /webhooks/pdf-ocr.
"""

from __future__ import annotations

import os
from typing import Callable

from flask import Flask, abort, request, url_for

from pdf_ocr_client import Client, WebhookEvent, WebhookVerificationError, verify_webhook

Analyse = Callable[[WebhookEvent, Client], None]


def create_app(ocr_url: str, webhook_secret: str, analyse: Analyse, api_key: str | None = None) -> Flask:
    app = Flask(__name__)
    ocr = Client(ocr_url, api_key=api_key)
    handled: set[str] = set()  # webhook-ids done: a delivery may come again (keep them in your database)

    @app.post("/disclosures")
    def upload():
        upload = request.files["file"]
        job = ocr.submit(upload.stream, filename=upload.filename, callback_url=url_for("ocr_done", _external=True),
                         idempotency_key=request.headers.get("Idempotency-Key"))
        return {"job_id": job["id"]}, 202

    @app.post("/webhooks/pdf-ocr")
    def ocr_done():
        try:
            event = verify_webhook(webhook_secret, request.get_data(), request.headers)
            # With the `standardwebhooks` package installed, this one line does the same:
            # event = standardwebhooks.Webhook(webhook_secret).verify(request.get_data(), request.headers)
        except WebhookVerificationError:
            abort(401)
        if request.headers["webhook-id"] not in handled:
            # The service waits WEBHOOK_TIMEOUT_S for the answer, then retries: hand long work to a queue.
            analyse(event, ocr)
            handled.add(request.headers["webhook-id"])
        return "", 204

    return app


def print_markdown(event: WebhookEvent, ocr: Client) -> None:
    """The analysis step's stand-in: a succeeded job's Markdown, else the job's error code."""
    job = event["data"]
    print(ocr.markdown(job["id"]) if event["type"] == "job.succeeded" else f"{job['id']}: {job['error']['code']}")


def app_from_env() -> Flask:
    return create_app(os.environ["PDF_OCR_URL"], os.environ["WEBHOOK_SECRET"], print_markdown, os.environ.get("PDF_OCR_API_KEY"))


if __name__ == "__main__":
    app_from_env().run()
