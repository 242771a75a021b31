"""The multipart body of a submit, streamed from the file (a 50 MB PDF is never held in memory twice)."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import IO, Iterator, Mapping, Union

PdfSource = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]
"""A path, the PDF's bytes, or a binary file object open for reading (seekable, so a retry can resend it)."""

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Multipart:
    content_type: str
    length: int
    _head: bytes
    _tail: bytes
    _source: PdfSource
    _start: int

    def chunks(self) -> Iterator[bytes]:
        yield self._head
        if isinstance(self._source, (bytes, bytearray, memoryview)):
            yield bytes(self._source)
        elif isinstance(self._source, (str, os.PathLike)):
            with open(self._source, "rb") as f:
                yield from iter(lambda: f.read(CHUNK), b"")
        else:
            file = self._source
            file.seek(self._start)
            yield from iter(lambda: file.read(CHUNK), b"")
        yield self._tail


def multipart(source: PdfSource, filename: str | None, fields: Mapping[str, str]) -> Multipart:
    """Options as form fields, then the PDF in field `file` (API.md, POST /api/jobs)."""
    boundary = f"pdfocr{uuid.uuid4().hex}"
    name, size, start = _describe(source, filename)
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(k)}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{_quoted(name)}"\r\n'
             "Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return Multipart(f"multipart/form-data; boundary={boundary}", len(head) + size + len(tail), head, tail, source, start)


def _describe(source: PdfSource, filename: str | None) -> tuple[str, int, int]:
    """File name, byte count and start offset of the PDF."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return filename or "upload.pdf", len(source), 0
    if isinstance(source, (str, os.PathLike)):
        return filename or os.path.basename(os.fspath(source)), os.path.getsize(source), 0
    start = source.tell()
    size = source.seek(0, os.SEEK_END) - start
    source.seek(start)
    return filename or os.path.basename(str(getattr(source, "name", "upload.pdf"))), size, start


def _quoted(value: str) -> str:
    # As browsers do (WHATWG multipart/form-data): quotes and line breaks escaped, never raw.
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")
