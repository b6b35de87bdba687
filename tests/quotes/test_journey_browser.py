"""The quotes journey in a real browser (Debian Chromium via Playwright, axe-core), without JavaScript: a
patient sends one request to two centers picked from their directory pages, each center's staff sends an
offer from the form, the patient compares them side by side (desktop and phone) and accepts one.
Screenshots are written to test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from onconav.db import utcnow
from onconav.web.dependencies import SESSION_COOKIE
from tests.quotes.conftest import Center, World
from tests.support.accounts import Account, session_cookie
from tests.support.browser import (
    DESKTOP,
    PHONE,
    OpenPage,
    assert_accessible,
    assert_fits_the_screen,
    save_screenshot,
)
from tests.support.web import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def server(engine: Engine, world: World) -> Iterator[LiveServer]:
    with LiveServer(engine) as live:
        yield live


def signed_in(
    open_page: OpenPage,
    server: LiveServer,
    factory: sessionmaker[Session],
    account: Account,
    **options: object,
) -> Page:
    page = open_page(**options)
    page.set_default_timeout(20_000)
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": session_cookie(factory, account), "url": server.url}]
    )
    return page


def send_offer(
    page: Page, server: LiveServer, request_url: str, center: Center, price: str, procedure: str
) -> None:
    page.goto(request_url)
    expect(page.get_by_role("heading", name="Send an offer")).to_be_visible()
    page.get_by_label("Surgery").check()
    page.get_by_label("Chemotherapy").check()
    page.get_by_label("Procedures (from the catalogue)").select_option(procedure)
    page.get_by_label(f"Test Surgeon {center.name.split()[0]}").check()
    page.get_by_label("Nights at or near the center").fill("10")
    page.get_by_label("Length of the whole treatment, in weeks").fill("12")
    page.get_by_label("What happens if the plan changes on arrival").fill(
        "We agree any change with you first."
    )
    page.get_by_label("Price items, one per line").fill(
        f"Operation and stay | {price} | theatre, 10 nights | flights"
    )
    page.get_by_label("Valid until").fill((utcnow().date() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Send the offer").click()
    expect(page.get_by_role("heading", name=f"{center.name} · version 1 · sent")).to_be_visible()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_patient_compares_two_offers_and_accepts_one(
    open_page: OpenPage, server: LiveServer, world: World, factory: sessionmaker[Session]
) -> None:
    first, second = world.centers
    patient = signed_in(open_page, server, factory, world.patient, viewport=DESKTOP)
    patient.goto(f"{server.url}/quotes?center={first.id}&center={second.id}")
    assert_accessible(patient)
    patient.locator("#diagnosis").fill("stage 4 pleural mesothelioma")
    patient.get_by_label("Someone travels with me").check()
    patient.get_by_label("Home city").fill("Paris")
    patient.get_by_label("Home country").fill("France")
    patient.get_by_role("button", name="Send the request").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text(
        "Treatment request: Pleural mesothelioma, stage IV"
    )
    request_url = patient.url

    for center, price, procedure in (
        (first, "18000.00", "Pleurectomy/decortication"),
        (second, "26000.50", "Extrapleural pneumonectomy"),
    ):
        staff = signed_in(open_page, server, factory, center.staff, viewport=DESKTOP, javascript=False)
        staff.goto(f"{server.url}/quotes")
        staff.get_by_role("link", name="Pleural mesothelioma · stage IV").click()
        send_offer(staff, server, request_url, center, price, procedure)  # the forms work without JavaScript

    patient.goto(request_url)
    patient.get_by_role("link", name="Compare the offers side by side").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Compare the offers")
    expect(patient.get_by_text("(not in every offer)").first).to_be_visible()
    assert_accessible(patient)
    assert_fits_the_screen(patient)
    save_screenshot(patient, "quotes-comparison", "desktop")
    phone = signed_in(open_page, server, factory, world.patient, viewport=PHONE)
    phone.goto(patient.url)
    assert_fits_the_screen(phone)
    save_screenshot(phone, "quotes-comparison", "phone")

    patient.goto(request_url)
    patient.get_by_role("button", name=f"Accept this offer from {second.name}").click()
    expect(patient.get_by_text("Where it stands:")).to_contain_text("accepted")
    expect(patient.get_by_role("button", name=f"Accept this offer from {first.name}")).to_have_count(0)
    assert_fits_the_screen(patient)
    save_screenshot(patient, "quotes-accepted", "desktop")
