"""Database engine, sessions and the declarative base.

SQLite (default) gets WAL, foreign keys and math functions on every connection; PostgreSQL is used as is.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool

from onconav.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every ORM model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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

    url = url or get_settings().effective_database_url
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False}
        if not database or database == ":memory:":
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def is_sqlite(engine: Engine) -> bool:
    """True when the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to `engine`; sessions never expire objects on commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commits when the block succeeds, rolls back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
