"""Document storage on disk: uploads are staged in a private folder, then made durable and renamed into
place (fsync, rename, fsync of the folder) before the database row that points at them is committed.

A crash leaves at most a staged file or an object without a row: neither is ever visible, and
`sweep()` removes both. Objects are addressed by the document's random id, never by a user's file name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from onconav.errors import InvalidInput

CHUNK_BYTES = 1024 * 1024


class TooLarge(InvalidInput):
    """An upload over the size limit."""

    status_code = 413


@dataclass
class StagedFile:
    """A complete upload in the staging folder, with its size and SHA-256."""

    path: Path
    size: int
    sha256: str


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DocumentStore:
    """Documents under `root`: `objects/` holds committed files, `staging/` uploads in progress."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.staging = root / "staging"

    def ensure(self) -> None:
        """Create the folders, readable by this user only."""
        for folder in (self.root, self.objects, self.staging):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    def object_path(self, document_id: str) -> Path:
        """Where the object of `document_id` lives (two-character fan-out keeps folders small)."""
        if not document_id or not all(c.isalnum() or c in "-_" for c in document_id):
            raise InvalidInput("This is not a document id.")
        return self.objects / document_id[:2] / document_id

    @contextlib.contextmanager
    def receive(self, source: BinaryIO, *, max_bytes: int) -> Iterator[StagedFile]:
        """Copy `source` to a staged file in chunks, hashing as it goes; the staged file is removed when
        the block ends, whether or not it was committed (commit moves it away first)."""
        self.ensure()
        path = self.staging / f"{secrets.token_hex(16)}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            with open(path, "xb") as target:
                os.chmod(path, 0o600)
                while chunk := source.read(CHUNK_BYTES):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(
                            "This file is larger than the limit of %(limit)s MB.",
                            limit=max_bytes // (1024 * 1024),
                        )
                    digest.update(chunk)
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            if size == 0:
                raise InvalidInput("The file is empty.")
            yield StagedFile(path=path, size=size, sha256=digest.hexdigest())
        finally:
            path.unlink(missing_ok=True)

    def stage_stream(self, write: Callable[[BinaryIO], object]) -> Path:
        """A durable staged file filled by `write(sink)` (e.g. an encrypted copy); removed if it fails."""
        self.ensure()
        path = self.staging / f"{secrets.token_hex(16)}.sealed"
        try:
            with open(path, "xb") as sink:
                os.chmod(path, 0o600)
                write(sink)
                sink.flush()
                os.fsync(sink.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def open(self, document_id: str) -> BinaryIO:
        """The stored (encrypted) object for reading."""
        return open(self.object_path(document_id), "rb")

    def stage_bytes(self, data: bytes) -> Path:
        """Write derived content (an encrypted or de-identified copy) to a durable staged file."""
        self.ensure()
        path = self.staging / f"{secrets.token_hex(16)}.part"
        with open(path, "xb") as target:
            os.chmod(path, 0o600)
            target.write(data)
            target.flush()
            os.fsync(target.fileno())
        return path

    def commit(self, staged: Path, document_id: str) -> Path:
        """Move a durable staged file to its final place, atomically; the rename is made durable too."""
        final = self.object_path(document_id)
        final.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(staged, final)
        _fsync_dir(final.parent)
        return final

    def discard(self, document_id: str) -> None:
        """Remove an object whose row was never committed (rollback after rename)."""
        with contextlib.suppress(InvalidInput):
            self.object_path(document_id).unlink(missing_ok=True)

    def read_chunks(self, document_id: str) -> Iterator[bytes]:
        """The stored bytes of a document, in chunks."""
        with open(self.object_path(document_id), "rb") as source:
            while chunk := source.read(CHUNK_BYTES):
                yield chunk

    def read(self, document_id: str) -> bytes:
        """The stored bytes of a document."""
        return self.object_path(document_id).read_bytes()

    def object_ids(self) -> set[str]:
        """Ids of every committed object on disk."""
        if not self.objects.is_dir():
            return set()
        return {path.name for path in self.objects.glob("*/*") if path.is_file()}

    def sweep(self, known_ids: set[str]) -> int:
        """Remove staged leftovers and objects no row points at (after a crash); returns files removed."""
        removed = 0
        if self.staging.is_dir():
            for path in self.staging.iterdir():
                path.unlink(missing_ok=True)
                removed += 1
        for orphan in self.object_ids() - known_ids:
            self.object_path(orphan).unlink(missing_ok=True)
            removed += 1
        return removed
