"""What the test run (test/python-client.test.ts) hands the Python tests: servers it started and corpus files."""

from __future__ import annotations

import os
import re


def need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run these tests through test/python-client.test.ts")
    return value


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


# Words of the LinnSequencer leaflet (scanned/linn.pdf) that the OCR reads on every run.
LINN_WORDS = {"linnsequencer", "midi", "sequence", "polyphonic", "tracks"}
