"""Revision 0013 keeps every case's rows both ways: adding and dropping `case.clinical_facts` happens
in place (a batch copy of "case" on SQLite would delete the rows that reference it), on both backends."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from onconav import migrate

REVISION = "0013"


def _before(engine: Engine) -> str:
    """The revision this one follows (whatever the chain it was merged into)."""
    down = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        cases = connection.execute(text('SELECT count(*) FROM "case"')).scalar()
        events = connection.execute(text("SELECT count(*) FROM case_event")).scalar()
    return int(cases or 0), int(events or 0)


def test_clinical_facts_come_and_go_without_touching_the_cases(empty_engine: Engine) -> None:
    before = _before(empty_engine)
    migrate.upgrade(empty_engine, before)
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                'INSERT INTO "case" (id, patient_id, created_by, title, diagnosis_text, treatment_plan, '
                "questions, urgency, language, requested_providers, state, created_at, updated_at) VALUES "
                "('c1', 'p1', 'p1', 't', 'd', 'x', 'q', 'routine', 'en', '[]', 'draft', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO case_event (id, case_id, sequence, to_state, actor_id, actor_role, at, note) "
                "VALUES ('e1', 'c1', 1, 'draft', 'p1', 'patient', '2026-01-01 00:00:00', '')"
            )
        )
    migrate.upgrade(empty_engine)
    assert "clinical_facts" in {c["name"] for c in inspect(empty_engine).get_columns("case")}
    assert _counts(empty_engine) == (1, 1)
    migrate.downgrade(empty_engine, before)
    assert "clinical_facts" not in {c["name"] for c in inspect(empty_engine).get_columns("case")}
    assert _counts(empty_engine) == (1, 1)
