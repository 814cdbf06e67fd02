"""Receiving one document as multipart/form-data, streamed: each chunk goes from the socket
through the multipart parser into the store's writer, so a 10 MB scan never sits in memory.

The file is the part named `file`; other parts are ignored. Its type is what its first bytes
prove (`domain.applications.documents.sniff_content_type`), never its name or the type the
sender claims, and it must be one the document kind accepts. Past the kind's size the upload
stops at once (413); past the upload class's body limit the edge stops it before this runs
(`mobile_api.request_body`)."""

from __future__ import annotations

from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from domain.applications.documents import (
    SNIFF_BYTES,
    BlobWriter,
    DocumentStore,
    StoredBlob,
    sniff_content_type,
)
from domain.errors import DomainError, InvalidInput

FILE_PART = b"file"


class _Refused(Exception):
    def __init__(self, error: DomainError) -> None:
        self.error = error


@dataclass(frozen=True)
class Upload:
    blob: StoredBlob
    content_type: str
    filename: str


class _Receiver:
    """The parser's callbacks: they see headers, then data, of each part in turn."""

    def __init__(self, store: DocumentStore, max_bytes: int, types: tuple[str, ...]) -> None:
        self.store, self.max_bytes, self.types = store, max_bytes, types
        self.header_name = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.in_file = False
        self.head = b""
        self.size = 0
        self.writer: BlobWriter | None = None
        self.content_type = ""
        self.filename = ""
        # The file part, read whole; kept in the store only once the whole body has parsed.
        self.done: BlobWriter | None = None

    def on_part_begin(self) -> None:
        self.headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_name.lower()] = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.in_file = options.get(b"name") == FILE_PART and self.done is None
        if self.in_file:
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self.in_file:
            return
        chunk = data[start:end]
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise _Refused(DomainError("document_too_large", status=413, limit=self.max_bytes))
        if self.writer is None:
            self.head += chunk
            if len(self.head) < SNIFF_BYTES:
                return
            self._start()
            return
        self.writer.write(chunk)

    def _start(self) -> None:
        kind = sniff_content_type(self.head)
        if kind is None or kind not in self.types:
            raise _Refused(
                InvalidInput(
                    "document_type_refused",
                    "not an accepted type",
                    field="file",
                    accepted=", ".join(self.types),
                )
            )
        self.content_type = kind
        self.writer = self.store.writer()
        self.writer.write(self.head)

    def on_part_end(self) -> None:
        if not self.in_file:
            return
        if self.writer is None:
            self._start()  # a file shorter than the sniffed prefix
        self.done, self.writer = self.writer, None
        self.in_file = False

    def abort(self) -> None:
        for writer in (self.writer, self.done):
            if writer is not None:
                writer.abort()


def _malformed() -> InvalidInput:
    return InvalidInput(
        "upload_malformed", "multipart/form-data with a part named file", field="file"
    )


async def receive_upload(
    request: Request, *, store: DocumentStore, max_bytes: int, types: tuple[str, ...]
) -> Upload:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise _malformed()
    receiver = _Receiver(store, max_bytes, types)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": receiver.on_part_begin,
            "on_header_field": receiver.on_header_field,
            "on_header_value": receiver.on_header_value,
            "on_header_end": receiver.on_header_end,
            "on_headers_finished": receiver.on_headers_finished,
            "on_part_data": receiver.on_part_data,
            "on_part_end": receiver.on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except _Refused as refused:
        receiver.abort()
        raise refused.error from None
    except MultipartParseError:
        receiver.abort()
        raise _malformed() from None
    except BaseException:
        receiver.abort()  # a caller who hung up, or a body over the edge's limit
        raise
    if receiver.done is None:
        receiver.abort()
        raise _malformed()
    return Upload(receiver.done.finish(), receiver.content_type, receiver.filename)
