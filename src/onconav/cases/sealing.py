"""Encryption at rest of the cases' free-text fields (PHI), transparent for the rest of the domain.

A sealed field is a plain Python attribute on the model (`case.title`, `message.body`, `opinion.content`)
backed by a text column that holds only the ciphertext made by the accounts envelope encryption
(`crypto.encrypt_field`, AES-256-GCM under a data key wrapped by the master key outside the database). Each
ciphertext is bound to its table, field and row id ("case.title:<case id>"), so a value copied to another
row or field does not decrypt.

- Setting the attribute keeps the plaintext aside and marks the row changed; the ciphertext is made just
  before the flush (`before_flush`), when the session, and so the current data key, is known.
- Reading decrypts lazily, once per stored ciphertext (cached on the instance next to the ciphertext it
  came from, so a refresh that brings another ciphertext is decrypted again).
- A ciphertext that does not authenticate (changed, moved, truncated, unknown key) raises
  `CaseDataDamaged`, a 409 with a clear message, never a 500 or wrong text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, object_session

from onconav.db import new_id
from onconav.errors import OnconavError

log = logging.getLogger("onconav")

T = TypeVar("T")

PENDING = "sealing"  # what the column holds between setting the attribute and the flush (never PHI)
_STATE = "_onconav_sealed"
_BIND = "_onconav_sealed_bind"


class CaseDataDamaged(OnconavError):
    """A stored case field whose ciphertext failed its integrity check (or whose key is missing)."""

    status_code = 409


class Sealed(Generic[T]):
    """A model attribute stored encrypted in the mapped column attribute `column` (str or JSON value)."""

    def __init__(self, column: str, *, default: Callable[[], T], as_json: bool = False) -> None:
        self.column = column
        self.default = default
        self.as_json = as_json
        self.name = column

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Sealed[T]: ...

    @overload
    def __get__(self, instance: object, owner: type) -> T: ...

    def __get__(self, instance: object | None, owner: type) -> Sealed[T] | T:
        if instance is None:
            return self
        pending, plain = _state(instance)
        if self.name in pending:
            return pending[self.name]
        token = getattr(instance, self.column)
        if token is None or token == PENDING:
            return self.default()
        cached = plain.get(self.name)
        if cached is not None and cached[0] == token:
            return cached[1]
        value = self._open(instance, token)
        plain[self.name] = (token, value)
        return value

    def __set__(self, instance: object, value: T) -> None:
        pending, _plain = _state(instance)
        pending[self.name] = value
        setattr(instance, self.column, PENDING)

    def context(self, instance: Any) -> str:
        """What the ciphertext is bound to: table, field and row id."""
        return f"{instance.__tablename__}.{self.name}:{instance.id}"

    def seal(self, session: Session, instance: object) -> None:
        """Encrypt a value set since the last flush (or the default of a new row) into the column."""
        from onconav.accounts import crypto

        pending, plain = _state(instance)
        if self.name in pending:
            value = pending.pop(self.name)
        elif getattr(instance, self.column) is None:
            value = self.default()
        else:
            return
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":")) if self.as_json else str(value)
        token = crypto.encrypt_field(session, text, context=self.context(instance))
        setattr(instance, self.column, token)
        plain[self.name] = (token, value)

    def _open(self, instance: object, token: str) -> T:
        session = object_session(instance)
        if session is not None:
            return self._decrypt(session, instance, token)
        bind = instance.__dict__.get(_BIND)
        if bind is None:
            raise RuntimeError(f"{type(instance).__name__}.{self.name} was never loaded through a session")
        with Session(bind=bind) as detached:
            return self._decrypt(detached, instance, token)

    def _decrypt(self, session: Session, instance: object, token: str) -> T:
        from onconav.accounts import crypto

        try:
            text = crypto.decrypt_field(session, token, context=self.context(instance)).decode("utf-8")
        except crypto.DecryptionError as error:
            # Ids only: never the content.
            log.error(
                "Sealed field %s of %s %s failed its integrity check",
                self.name,
                type(instance).__name__,
                getattr(instance, "id", "?"),
            )
            raise CaseDataDamaged(
                "This case's stored data failed its integrity check and cannot be shown; "
                "the operators have been told."
            ) from error
        value: Any = json.loads(text) if self.as_json else text
        return value


def _state(instance: object) -> tuple[dict[str, Any], dict[str, tuple[str, Any]]]:
    """(values set but not yet sealed, {field: (ciphertext, plaintext)}) kept on the instance."""
    found = instance.__dict__.get(_STATE)
    if found is None:
        found = ({}, {})
        instance.__dict__[_STATE] = found
    return found


_FIELDS: dict[type, tuple[Sealed[Any], ...]] = {}


def sealed_fields(cls: type) -> tuple[Sealed[Any], ...]:
    """The sealed fields a model class declares (empty for other classes)."""
    found = _FIELDS.get(cls)
    if found is None:
        found = tuple(
            value for klass in cls.__mro__ for value in vars(klass).values() if isinstance(value, Sealed)
        )
        _FIELDS[cls] = found
    return found


@event.listens_for(Session, "before_flush")
def _seal_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Encrypt what was set since the last flush, so no plaintext ever reaches the database."""
    for instance in [*session.new, *session.dirty]:
        fields = sealed_fields(type(instance))
        if not fields:
            continue
        if getattr(instance, "id", None) is None:
            setattr(instance, "id", new_id())  # noqa: B010 - any sealed model
        for field in fields:
            field.seal(session, instance)


def remember_bind(cls: type) -> None:
    """Keep the engine a row was loaded with, so a field can still be decrypted after its session closed."""

    def on_load(instance: object, context: Any) -> None:
        bind: Engine | Connection = context.session.get_bind()
        instance.__dict__[_BIND] = bind

    event.listen(cls, "load", on_load)
