"""The audit chain: intact after normal use; any edit, deletion, insertion or reordering is detected,
also by `onconav audit verify` (exit 1); events map to valid FHIR R4 AuditEvent resources."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from onconav.accounts import audit
from onconav.cli import app
from onconav.config import get_settings
from onconav.db import unit_of_work


def _record_five(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        for number in range(5):
            audit.record(
                session,
                event_type="case.read",
                action="read",
                actor_id=f"user{number}",
                actor_role="specialist",
                patient_id="patientA",
                entity_type="case",
                entity_id=f"case{number}",
                source_ip="203.0.113.9",
            )


def _verify(factory: sessionmaker[Session]) -> audit.VerifyReport:
    with factory() as session:
        return audit.verify(session)


def test_the_chain_is_intact_empty_and_after_recorded_events(factory: sessionmaker[Session]) -> None:
    assert _verify(factory).intact and _verify(factory).events == 0
    _record_five(factory)
    report = _verify(factory)
    assert report.intact, report.problems
    assert report.events == 5


def test_rolled_back_events_leave_no_gap(factory: sessionmaker[Session]) -> None:
    _record_five(factory)
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        audit.record(session, event_type="case.read", action="R")
        raise RuntimeError("the request failed")
    _record_five(factory)
    report = _verify(factory)
    assert report.intact and report.events == 10


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_event SET actor_id = 'someone-else' WHERE sequence = 3",
        "UPDATE audit_event SET outcome = 'denied' WHERE sequence = 2",
        "DELETE FROM audit_event WHERE sequence = 3",
        "DELETE FROM audit_event WHERE sequence = 5",
        "DELETE FROM audit_event WHERE sequence >= 4; UPDATE audit_head SET sequence = 3",
        # Reordering: swap the contents of events 2 and 3 by renumbering them.
        "UPDATE audit_event SET sequence = 100 WHERE sequence = 2; "
        "UPDATE audit_event SET sequence = 2 WHERE sequence = 3; "
        "UPDATE audit_event SET sequence = 3 WHERE sequence = 100",
    ],
)
def test_any_edit_deletion_insertion_or_reordering_breaks_the_chain(
    factory: sessionmaker[Session], engine: Engine, tamper: str
) -> None:
    _record_five(factory)
    with engine.begin() as connection:
        for statement in tamper.split("; "):
            connection.execute(text(statement))
    report = _verify(factory)
    assert not report.intact
    assert report.problems


def test_audit_verify_exits_0_when_intact_and_1_naming_a_changed_event(
    factory: sessionmaker[Session], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    _record_five(factory)
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "5 events" in result.output
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET source_ip = '198.51.100.1' WHERE sequence = 4"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "event 4 was changed" in result.output


def test_events_map_to_valid_fhir_audit_events(factory: sessionmaker[Session]) -> None:
    from fhir.resources.R4B.auditevent import AuditEvent as FhirAuditEvent

    with unit_of_work(factory) as session:
        login = audit.record(
            session, event_type="auth.login", actor_id="u1", actor_role="patient", source_ip="::1"
        )
        read = audit.record(
            session,
            event_type="case.read",
            action="read",
            outcome="denied",
            actor_id="u2",
            actor_role="caregiver",
            patient_id="p1",
            entity_type="case",
            entity_id="c1",
        )
        login_resource = FhirAuditEvent.model_validate(audit.to_fhir(login))
        read_resource = FhirAuditEvent.model_validate(audit.to_fhir(read))
    assert login_resource.type.code == "110114"
    assert login_resource.subtype[0].code == "110122"
    assert read_resource.action == "R"
    assert read_resource.outcome == "4"
    assert read_resource.entity[0].what.identifier.value == "p1"
