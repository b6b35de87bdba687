"""The audit chain: intact after normal use; any edit, deletion, insertion or reordering is detected,
also by `onconav audit verify` (exit 1); events map to valid FHIR R4 AuditEvent resources."""

from __future__ import annotations

import json
import stat
from pathlib import Path

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


def _truncate_to_three(engine: Engine) -> None:
    """The attack: delete the newest events and move the head back to the last one kept, so that the
    chain left in the database is consistent in itself."""
    with engine.begin() as connection:
        kept = connection.execute(text("SELECT hash FROM audit_event WHERE sequence = 3")).scalar_one()
        connection.execute(text("DELETE FROM audit_event WHERE sequence > 3"))
        connection.execute(
            text("UPDATE audit_head SET sequence = 3, hash = :hash WHERE id = 1"), {"hash": kept}
        )


def test_deleting_the_newest_events_and_moving_the_head_back_is_detected_by_the_checkpoint(
    factory: sessionmaker[Session],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    audit_checkpoint_file: Path,
) -> None:
    monkeypatch.setenv("ONCONAV_AUDIT_CHECKPOINT_EVERY", "2")
    get_settings.cache_clear()
    _record_five(factory)
    lines = audit_checkpoint_file.read_text().splitlines()
    assert [json.loads(line)["sequence"] for line in lines] == [2, 4]
    assert stat.S_IMODE(audit_checkpoint_file.stat().st_mode) == 0o600
    assert _verify(factory).intact
    _truncate_to_three(engine)
    report = _verify(factory)
    assert not report.intact
    assert any("truncated" in problem for problem in report.problems), report.problems


def test_the_checkpoint_written_at_shutdown_covers_the_last_events(
    factory: sessionmaker[Session],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    audit_checkpoint_file: Path,
) -> None:
    """Without a checkpoint past event 3 the truncation passes (the documented limit); the shutdown
    checkpoint of `onconav serve` closes that window."""
    monkeypatch.setenv("ONCONAV_AUDIT_CHECKPOINT_EVERY", "1000")
    get_settings.cache_clear()
    _record_five(factory)
    with unit_of_work(factory) as session:
        point = audit.checkpoint_head(session)
    assert point is not None and point.sequence == 5
    _truncate_to_three(engine)
    report = _verify(factory)
    assert report.checkpoint is not None and report.checkpoint.sequence == 5
    assert any("truncated" in problem for problem in report.problems), report.problems


def test_a_rolled_back_event_is_never_checkpointed_and_a_forged_line_is_reported(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, audit_checkpoint_file: Path
) -> None:
    monkeypatch.setenv("ONCONAV_AUDIT_CHECKPOINT_EVERY", "1")
    get_settings.cache_clear()
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        audit.record(session, event_type="case.read", action="read", actor_id="user1")
        raise RuntimeError("the request fails")
    assert not audit_checkpoint_file.exists()
    _record_five(factory)
    with audit_checkpoint_file.open("a") as checkpoints:
        forged = {
            "sequence": 9,
            "hash": "0" * 64,
            "written_at": "2030-01-01T00:00:00.000000Z",
            "mac": "0" * 64,
        }
        checkpoints.write(json.dumps(forged) + "\n")
    report = _verify(factory)
    assert report.checkpoint is not None and report.checkpoint.sequence == 5
    assert report.problems == ["checkpoint line 6 is damaged or not signed with this keyring"]


def test_audit_verify_reports_a_truncated_log_and_exits_1(
    factory: sessionmaker[Session], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ONCONAV_AUDIT_CHECKPOINT_EVERY", "5")
    get_settings.cache_clear()
    _record_five(factory)
    _truncate_to_three(engine)
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "truncated" in result.output


def test_serve_checkpoints_the_head_when_it_stops(
    factory: sessionmaker[Session],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    audit_checkpoint_file: Path,
) -> None:
    import uvicorn

    import onconav.cli

    monkeypatch.setattr(uvicorn, "run", lambda application, **options: None)  # serves, then stops
    monkeypatch.setattr(onconav.cli, "warm_up_reference_data", lambda: None)
    monkeypatch.setattr(onconav.cli, "load_demo_with_progress", lambda size, seed: None)
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.setenv("ONCONAV_AUDIT_CHECKPOINT_EVERY", "1000")
    get_settings.cache_clear()
    _record_five(factory)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert "checkpointed at event 5" in result.output
    assert json.loads(audit_checkpoint_file.read_text().splitlines()[-1])["sequence"] == 5
