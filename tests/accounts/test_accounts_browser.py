"""A real browser (Debian Chromium via Playwright, JavaScript off: the pages need none) signs up, reads the
confirmation e-mail from a real SMTP server, confirms, signs in, turns on the authenticator app, signs out
and signs in again with a code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import totp
from onconav.config import get_settings
from tests.support.accounts import PASSWORD, Account, session_cookie
from tests.support.browser import OpenPage, blocking_accessibility_violations
from tests.support.mailbox import Mailbox
from tests.support.web import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def server_url(engine: Engine) -> Iterator[str]:
    """The app over this test's database, served by uvicorn on a free port of 127.0.0.1."""
    with LiveServer(engine) as server:
        yield server.url


PUBLIC_PAGES = ["/sign-in", "/sign-up", "/password-reset", "/about/privacy", "/verify-email?token=x"]
ACCOUNT_PAGES = [
    "/account",
    "/account/password",
    "/account/second-factor",
    "/account/sessions",
    "/account/tokens",
    "/account/consents",
    "/account/access-log",
    "/account/delete",
]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_account_pages_have_no_serious_accessibility_problems(
    server_url: str, open_page: OpenPage, patient: Account, factory: sessionmaker[Session], locale: str
) -> None:
    cookie = session_cookie(factory, patient, second_factor_done=False)
    page = open_page(locale=locale)
    problems: list[str] = []
    for path in PUBLIC_PAGES + ACCOUNT_PAGES:
        if path == ACCOUNT_PAGES[0]:
            page.context.add_cookies([{"name": "onconav_session", "value": cookie, "url": server_url}])
        page.goto(f"{server_url}{path}{'&' if '?' in path else '?'}lang={locale}")
        assert page.url.split("?")[0] == server_url + path.split("?")[0], page.url  # not sent to sign in
        problems += [
            f"{path}: {v['id']} ({v['impact']}): {v['help']}" for v in blocking_accessibility_violations(page)
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_browser_without_javascript_signs_up_confirms_signs_in_and_enrols_a_second_factor(
    server_url: str, page_without_js: Page, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("ONCONAV_PUBLIC_URL", server_url)
    get_settings.cache_clear()
    page = page_without_js
    email = "browser.patient@example.org"

    page.goto(server_url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Your name (optional)").fill("Marta")
    page.get_by_label("a patient", exact=True).check()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    (message,) = mailbox.wait_for(email)
    page.goto(mailbox.link(message))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text("Your e-mail address is confirmed")

    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # A patient lands on their cases; the header leads to the account.
    expect(page.get_by_role("heading", name="Second opinions")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator("dd").first).to_have_text(email)

    page.get_by_role("link", name="Set up an authenticator app").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    step = totp.current_step()
    page.get_by_label("Six-digit code").fill(totp.code_at(secret, step))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("dd").nth(2)).to_have_text("On")
    assert (
        mailbox.wait_for(email, count=2)[-1]["Subject"]
        == "A second factor was turned on for your onconav account"
    )

    page.get_by_role("button", name="Sign out").click()
    page.goto(server_url + "/account")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
    # A code is accepted once: the next step's code while still in the enrolment's step (allowed drift),
    # else the current one (a loaded machine may take longer than a step to get here).
    page.get_by_label("Six-digit code").fill(totp.code_at(secret, max(totp.current_step(), step + 1)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["onconav_session"]["httpOnly"] and cookies["onconav_session"]["sameSite"] == "Lax"
