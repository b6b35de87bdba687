"""Follow-up care in a real browser (Debian Chromium via Playwright; no JavaScript for the journey): a
patient whose opinion was delivered makes a follow-up plan with dates, marks an item done, subscribes to
the calendar feed, receives a reminder through the SMTP test server, and shares the plan with a local
doctor, who then reads the PDF and the FHIR CarePlan. The plan page passes axe-core and fits a phone.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from onconav.accounts import service as accounts
from onconav.care import service as care
from onconav.config import get_settings
from onconav.db import make_session_factory, unit_of_work
from tests.care.conftest import deliver_case
from tests.support.accounts import PASSWORD
from tests.support.browser import (
    DESKTOP,
    PHONE,
    OpenPage,
    assert_accessible,
    assert_fits_the_screen,
    save_screenshot,
)
from tests.support.mailbox import Mailbox
from tests.support.web import LiveServer

pytestmark = pytest.mark.browser
PATIENT = "home-again@example.org"
DOCTOR = "local-doctor@example.org"


@pytest.fixture
def server(
    engine: Engine, accounts_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mailbox: Mailbox
) -> Iterator[tuple[LiveServer, str]]:
    """The app with a patient whose opinion was delivered (the case id) and a local doctor's account."""
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    with unit_of_work(make_session_factory(engine)) as session:
        patient = accounts.create_user(
            session, email=PATIENT, password=PASSWORD, role="patient", verified=True
        )
        accounts.create_user(session, email=DOCTOR, password=PASSWORD, role="caregiver", verified=True)
        case_id = deliver_case(
            session,
            patient_id=patient.id,
            specialist_id="specialist",
            diagnosis="Lung adenocarcinoma, stage IB",
        )
    with LiveServer(engine) as live:
        yield live, case_id
    get_settings.cache_clear()


def sign_in(page: Page, live: LiveServer, email: str, target: str) -> None:
    page.goto(live.url + target)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live.url + target)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_followup_plan_reminders_feed_and_handback(
    open_page: OpenPage, server: tuple[LiveServer, str], engine: Engine, mailbox: Mailbox
) -> None:
    from fhir.resources.R4B.bundle import Bundle
    from pypdf import PdfReader

    live, case_id = server
    page = open_page(viewport=DESKTOP, javascript=False)
    sign_in(page, live, PATIENT, f"/cases/{case_id}")
    page.get_by_role("link", name="Follow-up plan after treatment").click()
    page.get_by_label("End of treatment (YYYY-MM-DD)").fill("2026-02-15")
    page.get_by_label("Kind of treatment").select_option("surgery")
    page.get_by_label("Take it from the delivered second opinion").check()
    page.get_by_role("button", name="Make the plan").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("2026-08-15: Chest CT scan")
    expect(timeline).to_contain_text("Date to be set with your care team")
    expect(page.get_by_text("Not yet reviewed by a clinician")).to_be_visible()
    save_screenshot(page, "followup-plan", "desktop")

    page.get_by_role("button", name="Mark done").first.click()
    expect(page.locator(".followup-item.status-done")).to_have_count(1)

    page.get_by_role("button", name="Subscribe in my calendar").click()
    feed_url = page.get_by_label("Private calendar address").input_value()
    assert re.fullmatch(re.escape(live.url) + r"/followup/feed\.ics\?key=[\w-]{40,}", feed_url)
    calendar = icalendar.Calendar.from_ical(page.request.get(feed_url).body())
    starts = [event.decoded("dtstart") for event in calendar.walk("VEVENT")]
    assert dt.date(2026, 8, 15) not in starts and dt.date(2027, 2, 15) in starts  # done items leave the feed

    # The timer's reminder run, a week before the second scan: one mail, no medical words.
    with unit_of_work(make_session_factory(engine)) as session:
        assert care.send_reminders(session, today=dt.date(2027, 2, 10), days=7) == 1
    reminder = mailbox.wait_for(PATIENT)[-1]
    assert reminder["Subject"] == "You have an upcoming appointment in your onconav plan"
    assert "scan" not in mailbox.body(reminder).lower() and "cancer" not in mailbox.body(reminder).lower()

    # Shared with the local doctor through the consent rules.
    page.goto(live.url + f"/cases/{case_id}/followup")
    page.get_by_label("Your doctor's e-mail address").fill(DOCTOR)
    page.get_by_role("button", name="Share").click()
    page.wait_for_url(re.compile(r".*/account/consents.*"))
    expect(page.get_by_text(DOCTOR)).to_be_visible()

    doctor = open_page(viewport=DESKTOP, javascript=False)
    sign_in(doctor, live, DOCTOR, f"/cases/{case_id}/followup")
    expect(doctor.locator("#timeline")).to_contain_text("Chest CT scan")
    expect(doctor.get_by_role("button", name="Mark done")).to_have_count(0)
    pdf = doctor.request.get(live.url + f"/api/v1/cases/{case_id}/followup/pdf")
    assert pdf.status == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "Follow-up plan" in text and "2027-02-15" in text
    fhir = doctor.request.get(live.url + f"/api/v1/cases/{case_id}/followup/fhir")
    assert fhir.status == 200
    bundle = Bundle.model_validate(fhir.json())
    assert bundle.entry[0].resource.get_resource_type() == "CarePlan"

    # The plan page on a phone, with JavaScript: accessible, no sideways scrolling.
    phone = open_page(viewport=PHONE)
    sign_in(phone, live, PATIENT, f"/cases/{case_id}/followup")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    save_screenshot(phone, "followup-plan", "phone")
