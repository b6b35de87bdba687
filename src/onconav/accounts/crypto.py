"""Envelope encryption of sensitive fields and uploaded files (AES-256-GCM via `cryptography`).

Data keys encrypt the data; they are stored in the database only wrapped (AES-GCM) by a master key that
lives in the keyring file, outside the database and the repository (`ONCONAV_KEY_FILE`, default
`<data_dir>/keys/keyring.json`). The keyring also holds a secret from which HMAC keys are derived (CSRF
tokens, the audit chain).

The keyring is created once, atomically (`create_keyring`: `onconav keys init`; `ensure_keyring`:
`onconav serve` and, with a warning, the first use anywhere else): it is written complete under a
temporary name, then hard-linked to its final name, which fails when a keyring is already there. So an
existing keyring is never overwritten, nobody reads a half-written one, and of processes racing to create
it exactly one wins while the others read the winner's.

Public surface:
- `encrypt_field(session, value, context=...)` / `decrypt_field(session, token, context=...)`: a string
  column's ciphertext, bound to its `context` (e.g. "user.totp_secret:<user id>") so it cannot be moved.
- `encrypt_stream(session, source, sink, context=...)` / `decrypt_stream(session, source, context=...)`:
  files in 64 KiB chunks (STREAM construction: a chunk counter and a last-chunk flag in each nonce, so
  chunks cannot be dropped, reordered or truncated without detection).
- `rotate_master_key(session)` then `prune_master_keys(session)` after the commit (`onconav keys rotate`).
- `create_keyring()` / `ensure_keyring()`: a new keyring, never over an existing one.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import secrets
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.accounts.models import DataKey
from onconav.config import get_settings
from onconav.db import new_id, utcnow
from onconav.errors import OnconavError
from onconav.private_paths import private_folder

log = logging.getLogger("onconav")

FIELD_PREFIX = "e1"
STREAM_MAGIC = b"ONCNAVE1"
CHUNK_SIZE = 64 * 1024
NONCE_PREFIX_LENGTH = 7
_KEY_CACHE: dict[str, bytes] = {}


class DecryptionError(OnconavError):
    """Ciphertext that does not authenticate: changed, truncated, moved, or under an unknown key."""

    status_code = 500


@dataclass(frozen=True)
class Keyring:
    """Master keys by id, the current one, and the HMAC secret."""

    path: Path
    current: str
    master_keys: dict[str, bytes]
    secret: bytes


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


def _new_master_key_id() -> str:
    return "mk-" + secrets.token_hex(6)


class KeyringExists(FileExistsError):
    """A keyring file is already there; it was left as it is. (Not an OnconavError: only operators see
    it, through `onconav keys init`.)"""


def _write_temporary(path: Path, current: str, master_keys: dict[str, bytes], secret: bytes) -> Path:
    """The keyring written complete and flushed to disk under a unique temporary name beside `path`,
    readable by its owner only (a fixed name would let two writers truncate each other's file)."""
    private_folder(path.parent)
    document = {
        "format": "onconav-keyring-1",
        "current": current,
        "master_keys": {key_id: _b64(key) for key_id, key in master_keys.items()},
        "secret": _b64(secret),
    }
    # mkstemp creates the file with mode 0600 under a name no other writer uses.
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _sync_folder(folder: Path) -> None:
    """Make a new name in `folder` survive a power cut (POSIX: fsync the directory)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_keyring(path: Path, current: str, master_keys: dict[str, bytes], secret: bytes) -> None:
    """Replace the keyring atomically (rotation): readers see the old file or the new one, never a part."""
    os.replace(_write_temporary(path, current, master_keys, secret), path)
    _sync_folder(path.parent)


def create_keyring(path: Path | None = None) -> Path:
    """A new keyring (one master key, one HMAC secret) at `path` (default: the configured file), mode 0600.

    It appears at once and complete: written under a temporary name, then hard-linked to `path`, which
    fails with KeyringExists when a keyring is there (an existing one is never touched).
    """
    path = path or get_settings().effective_key_file
    first = _new_master_key_id()
    temporary = _write_temporary(path, first, {first: AESGCM.generate_key(256)}, secrets.token_bytes(32))
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise KeyringExists(f"A keyring already exists at {path}.") from None
    finally:
        temporary.unlink()
    _sync_folder(path.parent)
    return path


def ensure_keyring() -> bool:
    """Create the configured keyring when there is none; True when this call created it. When another
    process creates it at the same moment, one of the two wins and both use the winner's."""
    path = get_settings().effective_key_file
    if path.exists():
        return False
    try:
        create_keyring(path)
    except KeyringExists:
        return False
    return True


_KEYRING_CACHE: dict[tuple[str, int, int], Keyring] = {}


def load_keyring() -> Keyring:
    """The keyring from the configured file; one is created (atomically, with a warning) when none exists,
    for development: production creates it ahead with `onconav keys init`."""
    path = get_settings().effective_key_file
    if ensure_keyring():
        log.warning(
            "No keyring at %s: created one. In production, create it with `onconav keys init` and keep "
            "ONCONAV_KEY_FILE outside the database and its backups.",
            path,
        )
    try:
        status = path.stat()
        # An absolute path names one file already: resolving it (a system call per part) on every request
        # that checks a CSRF token would cost more than the check.
        cache_key = (str(path if path.is_absolute() else path.resolve()), status.st_mtime_ns, status.st_size)
        cached = _KEYRING_CACHE.get(cache_key)
        if cached is not None:
            return cached
        document = json.loads(path.read_text(encoding="utf-8"))
        master_keys = {key_id: _unb64(value) for key_id, value in document["master_keys"].items()}
        keyring = Keyring(path, document["current"], master_keys, _unb64(document["secret"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise OnconavError("The keyring file %(path)s cannot be read.", path=str(path)) from error
    if keyring.current not in keyring.master_keys:
        raise OnconavError("The keyring file %(path)s has no current master key.", path=str(path))
    _KEYRING_CACHE[cache_key] = keyring
    return keyring


def derive_secret(purpose: str) -> bytes:
    """A 32-byte key for one purpose (e.g. "csrf", "audit"), derived from the keyring's secret."""
    return _derived(load_keyring().secret, purpose)


@functools.lru_cache(maxsize=64)
def _derived(secret: bytes, purpose: str) -> bytes:
    """HKDF of the keyring's secret for one purpose: a pure function of both, kept (every request without
    a CSRF cookie derives the CSRF key; a new keyring is a new secret, so a new entry)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"onconav:" + purpose.encode())
    return hkdf.derive(secret)


def _wrap(master_key: bytes, data_key_id: str, key: bytes) -> str:
    nonce = secrets.token_bytes(12)
    return _b64(nonce + AESGCM(master_key).encrypt(nonce, key, b"onconav-data-key:" + data_key_id.encode()))


def _unwrap(master_key: bytes, data_key_id: str, wrapped: str) -> bytes:
    raw = _unb64(wrapped)
    return AESGCM(master_key).decrypt(raw[:12], raw[12:], b"onconav-data-key:" + data_key_id.encode())


def _data_key(session: Session, data_key_id: str) -> bytes:
    cached = _KEY_CACHE.get(data_key_id)
    if cached is not None:
        return cached
    row = session.get(DataKey, data_key_id)
    keyring = load_keyring()
    if row is None or row.master_key_id not in keyring.master_keys:
        raise DecryptionError("Encrypted data refers to a key that is not available.")
    try:
        key = _unwrap(keyring.master_keys[row.master_key_id], row.id, row.wrapped_key)
    except InvalidTag as error:
        raise DecryptionError("A data key does not match its master key.") from error
    _KEY_CACHE[data_key_id] = key
    return key


def current_data_key(session: Session) -> tuple[str, bytes]:
    """The id and value of the data key for new encryptions (created on first use); looked up once per
    transaction, so sealing many fields in one unit of work costs one query."""
    transaction = session.get_transaction()
    remembered = session.info.get(_CURRENT_KEY_INFO)
    if remembered is not None and transaction is not None and remembered[0] is transaction:
        key = _KEY_CACHE.get(remembered[1])
        if key is not None:
            return remembered[1], key
    key_id, key = _find_or_make_data_key(session)
    session.info[_CURRENT_KEY_INFO] = (session.get_transaction(), key_id)
    return key_id, key


_CURRENT_KEY_INFO = "onconav_current_data_key"


def _find_or_make_data_key(session: Session) -> tuple[str, bytes]:
    row = session.scalars(
        select(DataKey).where(DataKey.retired_at.is_(None)).order_by(DataKey.created_at.desc()).limit(1)
    ).first()
    if row is not None:
        return row.id, _data_key(session, row.id)
    for pending in session.new:  # made earlier in this flush (fields are sealed from `before_flush`)
        if isinstance(pending, DataKey) and pending.retired_at is None and pending.id in _KEY_CACHE:
            return pending.id, _KEY_CACHE[pending.id]
    keyring = load_keyring()
    key = AESGCM.generate_key(256)
    key_id = new_id()
    row = DataKey(
        id=key_id,
        master_key_id=keyring.current,
        wrapped_key=_wrap(keyring.master_keys[keyring.current], key_id, key),
        created_at=utcnow(),
    )
    session.add(row)
    _KEY_CACHE[key_id] = key
    if not _flushing(session):
        session.flush()
    return key_id, key


def _flushing(session: Session) -> bool:
    """Whether `session` is in the middle of a flush (a row added now is written by that flush)."""
    return bool(getattr(session, "_flushing", False))


def _field_aad(context: str, data_key_id: str) -> bytes:
    return b"onconav-field\x00" + context.encode() + b"\x00" + data_key_id.encode()


def encrypt_field(session: Session, value: str | bytes, *, context: str) -> str:
    """The ciphertext of `value` as text, bound to `context` (the table, column and row it belongs to)."""
    plaintext = value.encode("utf-8") if isinstance(value, str) else value
    key_id, key = current_data_key(session)
    nonce = secrets.token_bytes(12)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _field_aad(context, key_id))
    return f"{FIELD_PREFIX}:{key_id}:{_b64(nonce + ciphertext)}"


def decrypt_field(session: Session, token: str, *, context: str) -> bytes:
    """The plaintext of a value made by `encrypt_field` with the same `context`."""
    try:
        prefix, key_id, body = token.split(":", 2)
        raw = _unb64(body)
    except ValueError as error:
        raise DecryptionError("An encrypted value is malformed.") from error
    if prefix != FIELD_PREFIX or len(raw) < 28:
        raise DecryptionError("An encrypted value is malformed.")
    key = _data_key(session, key_id)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], _field_aad(context, key_id))
    except InvalidTag as error:
        raise DecryptionError("An encrypted value failed its integrity check.") from error


def _chunk_nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


def encrypt_stream(
    session: Session, source: BinaryIO, sink: BinaryIO, *, context: str, chunk_size: int = CHUNK_SIZE
) -> int:
    """Encrypt `source` into `sink` chunk by chunk (never the whole file in memory); returns bytes read."""
    key_id, key = current_data_key(session)
    aead = AESGCM(key)
    prefix = secrets.token_bytes(NONCE_PREFIX_LENGTH)
    encoded_id = key_id.encode()
    header = STREAM_MAGIC + bytes([len(encoded_id)]) + encoded_id + prefix
    aad = header + context.encode()
    sink.write(header)
    total = 0
    counter = 0
    current = source.read(chunk_size)
    while True:
        following = source.read(chunk_size) if current else b""
        last = not following
        sealed = aead.encrypt(_chunk_nonce(prefix, counter, last), current, aad)
        sink.write(struct.pack(">I", len(sealed)) + sealed)
        total += len(current)
        if last:
            return total
        counter += 1
        current = following


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise DecryptionError("An encrypted file is truncated.")
    return data


def decrypt_stream(session: Session, source: BinaryIO, *, context: str) -> Iterator[bytes]:
    """The plaintext chunks of a file made by `encrypt_stream` with the same `context`."""
    if source.read(len(STREAM_MAGIC)) != STREAM_MAGIC:
        raise DecryptionError("This is not an onconav encrypted file.")
    id_length = _read_exactly(source, 1)[0]
    encoded_id = _read_exactly(source, id_length)
    prefix = _read_exactly(source, NONCE_PREFIX_LENGTH)
    header = STREAM_MAGIC + bytes([id_length]) + encoded_id + prefix
    aead = AESGCM(_data_key(session, encoded_id.decode()))
    aad = header + context.encode()
    counter = 0
    while True:
        length_bytes = source.read(4)
        if not length_bytes:
            raise DecryptionError("An encrypted file is truncated.")
        sealed = _read_exactly(source, struct.unpack(">I", _pad4(length_bytes))[0])
        try:
            yield aead.decrypt(_chunk_nonce(prefix, counter, False), sealed, aad)
        except InvalidTag:
            try:
                yield aead.decrypt(_chunk_nonce(prefix, counter, True), sealed, aad)
            except InvalidTag as error:
                raise DecryptionError("An encrypted file failed its integrity check.") from error
            if source.read(1):
                raise DecryptionError("An encrypted file has data after its last chunk.") from None
            return
        counter += 1


def _pad4(data: bytes) -> bytes:
    if len(data) != 4:
        raise DecryptionError("An encrypted file is truncated.")
    return data


@dataclass(frozen=True)
class RotationReport:
    """What `rotate_master_key` did."""

    new_master_key_id: str
    rewrapped_data_keys: int
    new_data_key_id: str


def rotate_master_key(session: Session) -> RotationReport:
    """Add a new master key to the keyring, re-wrap every data key with it and start a new data key.

    The keyring file is written before the database changes, so a failure leaves both usable; call
    `prune_master_keys` after the commit to remove master keys no data key uses any more.
    """
    keyring = load_keyring()
    new_id = _new_master_key_id()
    master_keys = {**keyring.master_keys, new_id: AESGCM.generate_key(256)}
    _write_keyring(keyring.path, new_id, master_keys, keyring.secret)
    rows = session.scalars(select(DataKey)).all()
    for row in rows:
        key = _data_key(session, row.id)
        row.wrapped_key = _wrap(master_keys[new_id], row.id, key)
        row.master_key_id = new_id
        if row.retired_at is None:
            row.retired_at = utcnow()
    session.flush()
    session.info.pop(_CURRENT_KEY_INFO, None)
    new_key_id, _key = current_data_key(session)
    return RotationReport(new_id, len(rows), new_key_id)


def prune_master_keys(session: Session) -> list[str]:
    """Remove from the keyring the master keys that no data key is wrapped with; returns their ids."""
    keyring = load_keyring()
    used = set(session.scalars(select(DataKey.master_key_id).distinct()))
    used.add(keyring.current)
    removed = [key_id for key_id in keyring.master_keys if key_id not in used]
    if removed:
        kept = {key_id: key for key_id, key in keyring.master_keys.items() if key_id in used}
        _write_keyring(keyring.path, keyring.current, kept, keyring.secret)
    return removed


def forget_cached_keys() -> None:
    """Drop unwrapped data keys from memory (tests; after a rotation in another process)."""
    _KEY_CACHE.clear()
