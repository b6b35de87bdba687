"""Debian's Chromium driven by Playwright: one browser per test process (`chromium`), pages in fresh
contexts with a locale, a viewport and JavaScript on or off (`open_page`, `page`, `page_without_js`),
the axe-core accessibility problems that block a reader (`blocking_accessibility_violations`) and full-page
screenshots of where a journey ended (`save_screenshot`, in test-artifacts/screenshots/).

Chromium is /usr/bin/chromium (`apt-get install chromium`); Playwright's own browser downloads are never
used. Without it the browser tests skip, except with CI=true, where they fail. One browser serves every test
folder: a second sync Playwright in the same process cannot start. Every test that uses Chromium is marked
`browser`, so `-m "not browser"` means what it says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.ci import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
# Where journeys leave a picture of where they ended, for people to look at (not compared by any test).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses Chromium `browser`, whatever fixture brought it."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """A headless Debian Chromium, shared by the browser tests of a run."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        unavailable(skip=reason, fail=f"CI=true requires the browser tests to run, but {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


OpenPage = Callable[..., "Page"]


@pytest.fixture
def open_page(chromium: Browser) -> Iterator[OpenPage]:
    """`open_page(locale="es-ES", viewport=PHONE, javascript=False)`: a page in a fresh context (no cookies;
    English and JavaScript on by default). Every context opened is closed after the test."""
    contexts: list[BrowserContext] = []

    def open_(
        *, locale: str = "en-US", viewport: dict[str, int] | None = None, javascript: bool = True
    ) -> Page:
        options: dict[str, Any] = {"locale": locale}
        if viewport is not None:
            options["viewport"] = viewport
        if not javascript:
            options["java_script_enabled"] = False
        context = chromium.new_context(**options)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    """A page in a fresh context (no cookies) with JavaScript on, in English."""
    return open_page()


@pytest.fixture
def page_without_js(open_page: OpenPage) -> Page:
    """A page in a fresh context with JavaScript disabled: the pages must work without it."""
    return open_page(javascript=False)


def blocking_accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds on the page that is serious or critical for a reader."""
    from axe_playwright_python.sync_playwright import Axe

    violations: list[dict[str, Any]] = Axe().run(page).response["violations"]
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core finding on the page, each named with the elements it concerns."""
    violations = blocking_accessibility_violations(page)
    found = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations
    )
    assert not violations, f"axe found serious problems on {page.url}:\n{found}"


def assert_fits_the_screen(page: Page) -> None:
    """The page does not scroll sideways at its viewport's width."""
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], f"the page scrolls sideways: {widths}"


def save_screenshot(page: Page, journey: str, viewport: str) -> Path:
    """A full-page PNG of the page a journey ended on: test-artifacts/screenshots/<journey>-<viewport>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{journey}-{viewport}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
