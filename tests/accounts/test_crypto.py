"""Envelope encryption: fields and files round-trip, any change is detected, keys stay outside the
database, and a master-key rotation keeps every old ciphertext readable."""

from __future__ import annotations

import io
import json
import os
import struct
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import crypto
from onconav.accounts.models import DataKey
from onconav.db import unit_of_work


def test_a_field_decrypts_only_unchanged_in_its_context_and_keys_stay_outside_the_db(
    factory: sessionmaker[Session], accounts_settings: Path
) -> None:
    with unit_of_work(factory) as session:
        token = crypto.encrypt_field(session, "JBSWY3DPEHPK3PXP", context="user.totp_secret:abc")
        assert "JBSWY3DPEHPK3PXP" not in token
        assert crypto.decrypt_field(session, token, context="user.totp_secret:abc") == b"JBSWY3DPEHPK3PXP"
        # Moved to another row: refused.
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt_field(session, token, context="user.totp_secret:other")
        prefix, key_id, body = token.split(":")
        tampered = f"{prefix}:{key_id}:{body[:-4]}{'A' if body[-4] != 'A' else 'B'}{body[-3:]}"
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt_field(session, tampered, context="user.totp_secret:abc")
    # The master key is in the keyring file, readable by its owner only, and not in the database.
    keyring = json.loads(accounts_settings.read_text())
    assert oct(accounts_settings.stat().st_mode & 0o777) == "0o600"
    with factory() as session:
        wrapped = session.scalars(select(DataKey.wrapped_key)).one()
        for master in keyring["master_keys"].values():
            assert master not in wrapped


def _encrypt(session: Session, data: bytes, chunk: int = 1000) -> bytes:
    sink = io.BytesIO()
    assert crypto.encrypt_stream(session, io.BytesIO(data), sink, context="doc:1", chunk_size=chunk) == len(
        data
    )
    return sink.getvalue()


def _chunks(blob: bytes) -> tuple[bytes, list[bytes]]:
    id_length = blob[len(crypto.STREAM_MAGIC)]
    header_length = len(crypto.STREAM_MAGIC) + 1 + id_length + crypto.NONCE_PREFIX_LENGTH
    header, rest, chunks = blob[:header_length], blob[header_length:], []
    while rest:
        (length,) = struct.unpack(">I", rest[:4])
        chunks.append(rest[: 4 + length])
        rest = rest[4 + length :]
    return header, chunks


@pytest.mark.parametrize("size", [0, 999, 1000, 4321])
def test_streams_of_any_size_decrypt_to_the_same_bytes(factory: sessionmaker[Session], size: int) -> None:
    data = os.urandom(size)
    with unit_of_work(factory) as session:
        blob = _encrypt(session, data)
        assert b"".join(crypto.decrypt_stream(session, io.BytesIO(blob), context="doc:1")) == data


def test_stream_tampering_is_detected(factory: sessionmaker[Session]) -> None:
    data = os.urandom(3500)
    with unit_of_work(factory) as session:
        blob = _encrypt(session, data)
        header, chunks = _chunks(blob)
        assert len(chunks) == 4
        variants = {
            "truncated": header + b"".join(chunks[:-1]),
            "reordered": header + chunks[1] + chunks[0] + b"".join(chunks[2:]),
            "dropped": header + chunks[0] + b"".join(chunks[2:]),
            "extended": blob + chunks[-1],
            "flipped": blob[:-5] + bytes([blob[-5] ^ 1]) + blob[-4:],
        }
        for name, variant in variants.items():
            with pytest.raises(crypto.DecryptionError):
                b"".join(crypto.decrypt_stream(session, io.BytesIO(variant), context="doc:1"))
            assert name
        with pytest.raises(crypto.DecryptionError):
            b"".join(crypto.decrypt_stream(session, io.BytesIO(blob), context="doc:2"))


def test_rotation_rewraps_and_keeps_data_readable(
    factory: sessionmaker[Session], accounts_settings: Path
) -> None:
    with unit_of_work(factory) as session:
        field = crypto.encrypt_field(session, "secret value", context="c")
        blob = _encrypt(session, b"file contents" * 100)
    old_master = json.loads(accounts_settings.read_text())["current"]
    with unit_of_work(factory) as session:
        report = crypto.rotate_master_key(session)
    with unit_of_work(factory) as session:
        removed = crypto.prune_master_keys(session)
    assert removed == [old_master]
    keyring = json.loads(accounts_settings.read_text())
    assert list(keyring["master_keys"]) == [report.new_master_key_id]
    crypto.forget_cached_keys()
    with unit_of_work(factory) as session:
        assert crypto.decrypt_field(session, field, context="c") == b"secret value"
        assert (
            b"".join(crypto.decrypt_stream(session, io.BytesIO(blob), context="doc:1"))
            == b"file contents" * 100
        )
        masters = set(session.scalars(select(DataKey.master_key_id)))
        assert masters == {report.new_master_key_id}
        # New data goes under the new data key.
        assert crypto.encrypt_field(session, "x", context="c").split(":")[1] == report.new_data_key_id
        assert session.execute(text("SELECT count(*) FROM data_key")).scalar() == 2
