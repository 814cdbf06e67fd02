"""A stored document sent back: to its owner or to an officer of the agency reviewing it, never
cached on the way (`no-store`), always as a download under the name the citizen gave it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import StreamingResponse

from domain.applications.documents import DocumentStore
from domain.errors import NotFound
from models import ApplicationDocument

CHUNK = 256 * 1024


def document_store(request: Request) -> DocumentStore:
    store: DocumentStore = request.app.state.document_store
    return store


def _ascii_name(name: str) -> str:
    return "".join(ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_" for ch in name)


def document_response(request: Request, document: ApplicationDocument) -> StreamingResponse:
    store = document_store(request)
    try:
        handle = store.open(document.sha256)
    except FileNotFoundError:
        raise NotFound("document_not_found", "the file is no longer stored") from None

    def chunks() -> Iterator[bytes]:
        with handle:
            while block := handle.read(CHUNK):
                yield block

    disposition = (
        f'attachment; filename="{_ascii_name(document.filename)}"; '
        f"filename*=UTF-8''{quote(document.filename)}"
    )
    return StreamingResponse(
        chunks(),
        media_type=document.content_type,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "no-store",
            "Content-Length": str(document.size),
            "X-Content-Type-Options": "nosniff",
        },
    )
