"""`onconav followup` over a real database: the timer's reminder run mails once (SMTP test server), bad
input ends with code 2 and a message; the templates are listed with their review state."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from onconav.care import service
from onconav.care.schemas import PlanCreate
from onconav.cli import app
from onconav.config import get_settings
from onconav.db import unit_of_work
from tests.care.conftest import Delivered
from tests.support.mailbox import Mailbox

runner = CliRunner()


def test_send_reminders_once(
    backend: str,
    engine: Engine,
    factory: sessionmaker[Session],
    delivered: Delivered,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ONCONAV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    with unit_of_work(factory) as session:
        service.save_plan(
            session,
            case_id=delivered.case_id,
            patient_id=delivered.patient.id,
            condition="non-small-cell-lung-cancer",
            stage="IB",
            plan_in=PlanCreate(treatment="Lobectomy", treatment_end=dt.date(2026, 3, 10), modality="surgery"),
            actor_id=delivered.patient.id,
        )
    args = ["followup", "send-reminders", "--today", "2026-09-05", "--days", "7"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "for 1 item(s)" in first.output
    assert len(mailbox.wait_for(delivered.patient.email)) == 1
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "for 0 item(s)" in again.output
    bad = runner.invoke(app, ["followup", "send-reminders", "--today", "2026-02-30"])
    assert bad.exit_code == 2 and "is not a date" in bad.output
    too_far = runner.invoke(app, ["followup", "send-reminders", "--days", "400"])
    assert too_far.exit_code == 2 and "from 0 to 60 days" in too_far.output


def test_templates_are_listed_with_their_review_state() -> None:
    result = runner.invoke(app, ["followup", "templates"])
    assert result.exit_code == 0
    assert "after-lung-resection" in result.output and "not yet reviewed by a clinician" in result.output
