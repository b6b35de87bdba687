"""SQL statements of the search read path, compiled once per shape and dialect and run on the driver.

SQLAlchemy walks a statement to compute its cache key on every execution; for the dozen statements of a
search that walk cost more than the SQL itself. Here each shape is built and compiled once, then executed
with `exec_driver_sql` and plain parameters (no per-call walk, no coercion, rows as tuples).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

StatementBuilder = Callable[[], ClauseElement]


class CompiledStatement:
    """One statement compiled for one dialect: its SQL text and how named values become driver params."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        # The constants of the statement itself (values of bind parameters built with one).
        self._defaults = dict(compiled.construct_params(_check=False) or {})
        self._order: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if compiled.positional else None
        )
        # The positional values in one C call (itemgetter of one name gives the value, not a tuple).
        order = self._order or ()
        self._positional: Callable[[Mapping[str, Any]], Any] = (
            itemgetter(*order) if len(order) > 1 else (lambda merged: tuple(merged[name] for name in order))
        )

    def parameters(self, values: Mapping[str, Any]) -> Any:
        merged = {**self._defaults, **values}
        if self._order is None:
            return merged
        return self._positional(merged)

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> Sequence[Any]:
        """The rows of the statement run with `values` (by bind parameter name)."""
        return connection.exec_driver_sql(self.sql, self.parameters(values)).all()


_COMPILED: dict[tuple[str, Hashable], CompiledStatement] = {}


def compiled(connection: Connection, shape: Hashable, build: StatementBuilder) -> CompiledStatement:
    """The statement of `shape` (a key naming everything its SQL text depends on) for this connection's
    dialect, built and compiled on first use."""
    key = (connection.dialect.name, shape)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = CompiledStatement(build(), connection.dialect)
    return found


def in_names(prefix: str, count: int) -> list[str]:
    """Names of `count` bind parameters of an IN list (its length is part of the statement's shape)."""
    return [f"{prefix}{index}" for index in range(count)]


def in_list(prefix: str, count: int) -> list[Any]:
    """Bind parameters of an IN list of `count` values named `prefix0`, `prefix1`, ..."""
    return [bindparam(name) for name in in_names(prefix, count)]


def in_values(prefix: str, values: Sequence[Any]) -> dict[str, Any]:
    """The values of an IN list built by `in_list(prefix, len(values))`."""
    return {f"{prefix}{index}": value for index, value in enumerate(values)}


def padded(values: Sequence[Any]) -> list[Any]:
    """`values` lengthened to the next power of two by repeating the last one, so that IN lists of any
    length share a few statement shapes (a repeated value changes nothing in an IN list)."""
    items = list(values)
    if not items:
        return items
    size = 1
    while size < len(items):
        size *= 2
    return items + [items[-1]] * (size - len(items))


@contextmanager
def without_parallel_workers(connection: Connection) -> Iterator[None]:
    """On PostgreSQL, statements run here plan no parallel workers (restored afterwards, for this
    transaction only). A search's unions of a few dozen small index ranges cost the planner more than its
    parallel setup threshold, and starting the workers took 30 ms where the ranges take 1."""
    if connection.dialect.name != "postgresql":
        yield
        return
    setting = "max_parallel_workers_per_gather"
    prior = connection.exec_driver_sql(
        f"SELECT current_setting('{setting}'), set_config('{setting}', '0', true)"
    ).scalar_one()
    try:
        yield
    finally:
        connection.exec_driver_sql(f"SELECT set_config('{setting}', %(prior)s, true)", {"prior": prior})
