"""Alembic migrations on both backends: they build exactly the models' schema, and go down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from onconav import migrate
from onconav.db import Base
from onconav.models import import_all_models


def test_upgrade_matches_models_then_downgrade_and_upgrade(empty_engine: Engine) -> None:
    import_all_models()
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision(empty_engine)
    with empty_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    migrate.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_engine)
    assert {"organization", "practitioner", "search_entry"} <= set(inspect(empty_engine).get_table_names())


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: object) -> None:
    from onconav.db import create_db_engine

    engine = create_db_engine(f"sqlite:///{tmp_path}/x.sqlite3")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
