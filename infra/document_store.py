"""The filesystem document store: one file per distinct content, at `<root>/ab/cd/<sha256>`.

An upload is written to `<root>/incoming/` while it is hashed, then renamed into place, so a
half-written file is never visible under a hash. Identical files share one copy; the database
rows say who gave which, and the purge deletes a copy only when no row names it any longer.
Production points `MGOV_DOCUMENT_DIR` at a shared volume so every web process sees the same
files."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path
from typing import BinaryIO

from domain.applications.documents import StoredBlob

_HEX = re.compile(r"^[0-9a-f]{64}$")


class FilesystemWriter:
    def __init__(self, root: Path) -> None:
        self._root = root
        self._temporary = root / "incoming" / uuid.uuid4().hex
        self._file: BinaryIO = open(self._temporary, "wb")  # noqa: SIM115 - closed in finish/abort
        self._hash = hashlib.sha256()
        self._size = 0

    def write(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self._file.write(chunk)
        self._size += len(chunk)

    def finish(self) -> StoredBlob:
        self._file.close()
        digest = self._hash.hexdigest()
        target = _path(self._root, digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._temporary, target)
        return StoredBlob(sha256=digest, size=self._size)

    def abort(self) -> None:
        self._file.close()
        self._temporary.unlink(missing_ok=True)


def _path(root: Path, sha256: str) -> Path:
    if not _HEX.match(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return root / sha256[:2] / sha256[2:4] / sha256


class FilesystemStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "incoming").mkdir(parents=True, exist_ok=True)

    def writer(self) -> FilesystemWriter:
        return FilesystemWriter(self.root)

    def open(self, sha256: str) -> BinaryIO:
        return open(_path(self.root, sha256), "rb")  # noqa: SIM115 - the caller closes it

    def delete(self, sha256: str) -> None:
        _path(self.root, sha256).unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return _path(self.root, sha256).is_file()
