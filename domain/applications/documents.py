"""Documents a citizen attaches: recognised by their first bytes, never by their name or the type
their sender claims, and kept in a store that names each file by its SHA-256.

The store is an interface (`DocumentStore`): the filesystem backend is the default
(`infra.document_store`), and the composition root hands one to the doors and the worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Protocol

# Enough leading bytes to tell every accepted type apart.
SNIFF_BYTES = 8
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(head: bytes) -> str | None:
    """The type a file's first bytes prove, or None for anything we do not accept."""
    return next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


class BlobWriter(Protocol):
    """One upload on its way in: bytes appended as they arrive, then kept or thrown away."""

    def write(self, chunk: bytes) -> None: ...

    def finish(self) -> StoredBlob: ...

    def abort(self) -> None: ...


class DocumentStore(Protocol):
    def writer(self) -> BlobWriter: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def delete(self, sha256: str) -> None: ...

    def exists(self, sha256: str) -> bool: ...
