"""Database engine, sessions, the declarative base and the basics every table shares.

SQLite (default) gets WAL, foreign keys and math functions on every connection; PostgreSQL is used as is.
`new_id` (random 128-bit ids), `utcnow` and `UtcDateTime` (timestamps read back timezone-aware on SQLite
too) are used by the tables of every domain.
"""

from __future__ import annotations

import contextlib
import math
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from onconav.config import get_settings
from onconav.errors import NotSaved, SaveConflict
from onconav.private_paths import create_private_file

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


ID_LENGTH = 32  # characters of a `new_id`
# Ids per `IN (...)` lookup: below the 999 bound parameters of SQLite builds before 3.32, and a size
# PostgreSQL plans well.
IN_LIST_CHUNK = 900


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


T = TypeVar("T")


def in_list_chunks(items: Sequence[T], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size`, one per `IN (...)` lookup."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def new_id() -> str:
    """A random identifier with 128 bits of entropy: 32 hex digits (URL-safe, also a valid FHIR id)."""
    return secrets.token_hex(16)


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _sqlite_math_fallbacks(dbapi_connection: sqlite3.Connection) -> None:
    """Register the math functions the ranking SQL uses when this SQLite build lacks them."""
    try:
        dbapi_connection.execute("SELECT asin(0.5), sqrt(4), ln(2), radians(1)").fetchone()
    except sqlite3.OperationalError:
        for name, arity, function in (
            ("asin", 1, math.asin),
            ("sin", 1, math.sin),
            ("cos", 1, math.cos),
            ("sqrt", 1, math.sqrt),
            ("ln", 1, math.log),
            ("radians", 1, math.radians),
            ("pow", 2, math.pow),
        ):
            dbapi_connection.create_function(name, arity, function, deterministic=True)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    with contextlib.suppress(sqlite3.OperationalError):  # in-memory databases have no WAL
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    _sqlite_math_fallbacks(dbapi_connection)


def create_db_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: the configured one), with SQLite tuned and its folder created."""
    from sqlalchemy import create_engine

    settings = get_settings()
    url = url or settings.effective_database_url
    parsed = make_url(url)
    # hide_parameters: errors and logs show the SQL, never the values bound to it (they may be PHI).
    kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
    # One connection per request thread, and a short wait: a request that cannot get a connection within
    # the pool timeout is answered 503 with Retry-After (onconav.web.errors) instead of stalling.
    pool_options = {
        "pool_size": settings.effective_database_pool_size,
        "max_overflow": settings.database_pool_overflow,
        "pool_timeout": settings.database_pool_timeout_seconds,
    }
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            # Created 0600 before SQLite opens it: SQLite gives its WAL and shared-memory files the
            # database file's mode, so they are private too, whatever the umask.
            create_private_file(Path(database))
        kwargs["connect_args"] = {"check_same_thread": False}
        if not database or database == ":memory:":
            kwargs["poolclass"] = StaticPool
        else:
            kwargs.update(pool_options)
    else:
        kwargs.update(pool_options, pool_pre_ping=True)
        # An unreachable server fails fast instead of waiting for the operating system's TCP timeout.
        kwargs["connect_args"] = {"connect_timeout": settings.database_connect_timeout_seconds}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def is_sqlite(engine: Engine) -> bool:
    """True when the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_session_factory(engine: Engine | Connection) -> sessionmaker[Session]:
    """A session factory bound to `engine` (or one connection); sessions never expire objects on commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commits when the block succeeds, rolls back when it raises.

    A commit that fails raises `NotSaved` (503, the database failed) or `SaveConflict` (409, a constraint
    broken by a change made at the same time), so callers report it instead of claiming success.
    """
    session = factory()
    try:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        commit(session)
    finally:
        session.close()


def commit(session: Session) -> None:
    """Commit `session`; a failure rolls it back and raises NotSaved or SaveConflict (the cause chained)."""
    try:
        session.commit()
    except IntegrityError as error:
        _rollback_quietly(session)
        raise SaveConflict(
            "This change conflicts with another one made at the same time, so nothing was saved. "
            "Reload and try again."
        ) from error
    except SQLAlchemyError as error:
        _rollback_quietly(session)
        raise NotSaved(
            "Your change could not be saved, and nothing of it was kept. Please try again in a moment."
        ) from error


def _rollback_quietly(session: Session) -> None:
    """Roll back after a failed commit; a lost connection may fail this too, which changes nothing."""
    with contextlib.suppress(SQLAlchemyError):
        session.rollback()
