"""Encrypted document storage on disk, for every domain that keeps people's files (cases today; treatment
requests and care plans later): uploads are staged in a private folder, encrypted chunk by chunk, made
durable and renamed into place (fsync, rename, fsync of the folder) before the database row that points at
them is committed; reading decrypts and checks the bytes against the hash recorded at upload.

A crash leaves at most a staged file or an object without a row: neither is ever visible, and
`DocumentStore.sweep()` removes both. Objects are addressed by the document's random id, never by a user's
file name; the caller names the encryption context, which binds each object to its row.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlalchemy.orm import Session

from onconav.accounts import crypto
from onconav.config import get_settings
from onconav.errors import RETRY_AFTER_SECONDS, InvalidInput, OnconavError
from onconav.private_paths import open_new_private, private_folder

CHUNK_BYTES = 1024 * 1024
# A disk that is full (or over quota, or failing) is an outage of the store, not a bug of the request.
_STORE_UNAVAILABLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})


class StoreUnavailable(OnconavError):
    """The document store cannot write now (disk full, read-only or failing): nothing was kept."""

    status_code = 503

    def __init__(self, template: str) -> None:
        super().__init__(template)
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


@contextlib.contextmanager
def _store_writes() -> Iterator[None]:
    """Disk-full and failing-disk errors while writing become StoreUnavailable (503 with Retry-After)."""
    try:
        yield
    except OSError as error:
        if error.errno in _STORE_UNAVAILABLE:
            raise StoreUnavailable(
                "The document store cannot take files right now; nothing was kept. Try again later."
            ) from error
        raise


class TooLarge(InvalidInput):
    """An upload over the size limit."""

    status_code = 413


class DocumentDamaged(OnconavError):
    """A stored document whose bytes no longer match the hash recorded at upload."""

    status_code = 500


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
            private_folder(folder)

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
            with _store_writes(), open_new_private(path) as target:
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
            with _store_writes(), open_new_private(path) as sink:
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
        try:
            with _store_writes(), open_new_private(path) as target:
                target.write(data)
                target.flush()
                os.fsync(target.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def commit(self, staged: Path, document_id: str) -> Path:
        """Move a durable staged file to its final place, atomically; the rename is made durable too."""
        final = self.object_path(document_id)
        with _store_writes():
            private_folder(final.parent)
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

    def object_paths(self) -> list[Path]:
        """Every committed object on disk, in a stable order."""
        if not self.objects.is_dir():
            return []
        return sorted(path for path in self.objects.glob("*/*") if path.is_file())

    def object_ids(self) -> set[str]:
        """Ids of every committed object on disk."""
        return {path.name for path in self.object_paths()}

    def sweep(self, known_ids: set[str], *, min_age_seconds: float = 0) -> int:
        """Remove staged leftovers and objects no row points at (after a crash); returns files removed.

        Only files older than `min_age_seconds`: on a store shared by several machines, a younger file may
        be another machine's upload in flight, whose row is not committed yet."""
        removed = 0
        cutoff = time.time() - min_age_seconds
        if self.staging.is_dir():
            for path in self.staging.iterdir():
                if _older_than(path, cutoff):
                    path.unlink(missing_ok=True)
                    removed += 1
        for orphan in self.object_ids() - known_ids:
            path = self.object_path(orphan)
            if _older_than(path, cutoff):
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def _older_than(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime <= cutoff
    except FileNotFoundError:
        return False  # removed meanwhile (by the request that owned it)


def document_store() -> DocumentStore:
    """The store under the configured documents folder (`ONCONAV_DOCUMENTS_DIR`)."""
    return DocumentStore(get_settings().effective_documents_dir)


def put_encrypted(
    session: Session, store: DocumentStore, plaintext: Path, *, document_id: str, context: str
) -> None:
    """Encrypt the staged file `plaintext` into a durable staged file and rename it into place as
    `document_id`; the object is removed again if `session` rolls back (its row will never exist)."""
    with open(plaintext, "rb") as source:
        sealed_path = store.stage_stream(
            lambda sink: crypto.encrypt_stream(session, source, sink, context=context)
        )
    store.commit(sealed_path, document_id)
    _discard_on_rollback_before_commit(session, store, document_id)


def _discard_on_rollback_before_commit(session: Session, store: DocumentStore, document_id: str) -> None:
    """Remove the object if `session` rolls back before it tries to commit: then its row never exists.

    Once a commit has been tried, a later rollback says nothing about the row: the request may go on after
    its commit (and fail there), or the COMMIT may have reached the database although its answer was lost
    (the database killed at that moment). Deleting the object then could leave a committed row without its
    file; an object whose row really is missing is removed by the sweep (`sweep`) instead."""
    commit_tried = False

    def on_commit_tried(_session: Session) -> None:
        nonlocal commit_tried
        commit_tried = True

    def on_rollback(_session: Session) -> None:
        if not commit_tried:
            store.discard(document_id)

    event.listen(session, "before_commit", on_commit_tried, once=True)
    event.listen(session, "after_rollback", on_rollback, once=True)


def decrypted_chunks(
    session: Session, store: DocumentStore, document_id: str, *, context: str
) -> Iterator[bytes]:
    """The decrypted bytes of a stored object, in chunks (authenticated chunk by chunk)."""
    with store.open(document_id) as sealed:
        yield from crypto.decrypt_stream(session, sealed, context=context)


def read_verified(
    session: Session, store: DocumentStore, document_id: str, *, context: str, sha256: str
) -> bytes:
    """The decrypted bytes of a stored object; DocumentDamaged when they are missing, fail decryption or
    do not match `sha256`."""
    digest = hashlib.sha256()
    parts = []
    try:
        for chunk in decrypted_chunks(session, store, document_id, context=context):
            digest.update(chunk)
            parts.append(chunk)
    except (crypto.DecryptionError, FileNotFoundError) as error:
        raise DocumentDamaged("This document is damaged in storage; the operators have been told.") from error
    if digest.hexdigest() != sha256:
        raise DocumentDamaged("This document is damaged in storage; the operators have been told.")
    return b"".join(parts)


def is_intact(session: Session, store: DocumentStore, document_id: str, *, context: str, sha256: str) -> bool:
    """Whether a stored object is there, decrypts and matches `sha256` (read in chunks, never whole)."""
    digest = hashlib.sha256()
    try:
        for chunk in decrypted_chunks(session, store, document_id, context=context):
            digest.update(chunk)
    except (crypto.DecryptionError, FileNotFoundError):
        return False
    return digest.hexdigest() == sha256
