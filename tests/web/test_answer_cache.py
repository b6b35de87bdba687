"""The server's answer cache (onconav.web.answer_cache): anonymous public reads are answered again from
memory, per locale, query and htmx; never for or from a signed-in request; emptied by a successful write;
expiring with the public lifetime; bounded; each browser gets its own CSRF token in a kept page.

The suite runs with the cache off (tests/conftest.py); these tests turn it on.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.config import get_settings
from onconav.web.answer_cache import CACHED_ROUTES, AnswerCache, Entry
from onconav.web.csrf import CSRF_COOKIE, token_for
from tests.support.accounts import Account, bearer, sign_in

SEARCH = "/api/v1/search?q=lobectomy&near=Chicago, IL"
TOPIC_PAGE = "/procedures/lobectomy/near/chicago-il"
TOPIC_ROUTE = "/{topic_path}/{code}/near/{place_slug}"
LIFETIME = 300
CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
NOTE = "A 62-year-old woman with stage IV non-small cell lung cancer, ECOG 1."


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cache_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ONCONAV_ANSWER_CACHE_ENTRIES", "100")
    monkeypatch.setenv("ONCONAV_PUBLIC_CACHE_SECONDS", str(LIFETIME))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def demo_app(cache_on: None, accounts_settings: Path, sqlite_demo_engine: Engine, clock: Clock) -> FastAPI:
    app = create_app(sqlite_demo_engine)
    app.state.answer_cache.clock = clock
    return app


@pytest.fixture
def browser(demo_app: FastAPI) -> Iterator[TestClient]:
    """A browser that already holds its CSRF cookie (a first answer sets it, and is then private)."""
    with TestClient(demo_app) as client:
        client.get("/healthz")
        yield client


def cache_of(app: FastAPI) -> AnswerCache:
    cache = app.state.answer_cache
    assert isinstance(cache, AnswerCache)
    return cache


@pytest.mark.parametrize("path", [SEARCH, TOPIC_PAGE, "/conditions", "/conditions/lung-cancer"])
def test_a_repeated_anonymous_read_is_answered_from_the_cache(browser: TestClient, path: str) -> None:
    first = browser.get(path)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    again = browser.get(path)
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"
    assert again.content == first.content
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Content-Language"] == "en"
    # HTTP caching, outside, still sees a public read: the same ETag, and 304 for a client that holds it.
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    unchanged = browser.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.headers["X-Cache"] == "hit"


def test_locale_query_and_htmx_are_answers_of_their_own(demo_app: FastAPI, browser: TestClient) -> None:
    english = browser.get(SEARCH)
    spanish = browser.get(SEARCH, headers={"Accept-Language": "es"})
    assert spanish.headers["X-Cache"] == "miss" and spanish.headers["Content-Language"] == "es"
    assert spanish.content != english.content
    assert browser.get(SEARCH, headers={"Accept-Language": "es"}).content == spanish.content
    assert browser.get(SEARCH).content == english.content
    elsewhere = browser.get("/api/v1/search?q=lobectomy&near=Boston, MA")
    assert elsewhere.headers["X-Cache"] == "miss" and elsewhere.content != english.content

    # /search moves a plain request to the readable URL (a 303, never kept) but answers htmx in place.
    form = "/search?q=lobectomy&near=Chicago, IL"
    moved = browser.get(form, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["X-Cache"] == "miss"
    assert browser.get(form, follow_redirects=False).status_code == 303
    swapped = browser.get(form, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and swapped.headers["HX-Push-Url"].startswith(TOPIC_PAGE)
    again = browser.get(form, headers={"HX-Request": "true"})
    assert again.headers["X-Cache"] == "hit" and again.content == swapped.content
    assert again.headers["HX-Push-Url"] == swapped.headers["HX-Push-Url"]
    page = browser.get(TOPIC_PAGE)
    assert page.headers["X-Cache"] == "miss"
    assert browser.get(TOPIC_PAGE, headers={"HX-Request": "true"}).headers["X-Cache"] == "miss"
    assert len(cache_of(demo_app)) == 6


def test_hits_are_counted_and_logged_under_their_route(
    browser: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def counted(result: str | None = None) -> float:
        if result is None:
            labels = {"method": "GET", "route": TOPIC_ROUTE, "status": "200"}
            return REGISTRY.get_sample_value("onconav_http_requests_total", labels) or 0.0
        labels = {"route": TOPIC_ROUTE, "result": result}
        return REGISTRY.get_sample_value("onconav_answer_cache_lookups_total", labels) or 0.0

    before, hits_before, misses_before = counted(), counted("hit"), counted("miss")
    browser.get(TOPIC_PAGE)
    with caplog.at_level(logging.INFO, logger="onconav.access"):
        assert browser.get(TOPIC_PAGE).headers["X-Cache"] == "hit"
    assert counted() == before + 2
    assert (counted("hit"), counted("miss")) == (hits_before + 1, misses_before + 1)
    logged = [json.loads(record.getMessage()) for record in caplog.records if record.name == "onconav.access"]
    assert [line["route"] for line in logged] == [TOPIC_ROUTE]


def test_signed_in_requests_are_never_kept_nor_served_from_the_cache(
    cache_on: None,
    engine: Engine,
    accounts_settings: Path,
    patient: Account,
    directory_links: dict[str, int],
) -> None:
    app = create_app(engine)
    path = f"/api/v1/organizations/{directory_links['organization_id']}"
    with TestClient(app) as signed_in, TestClient(app) as anonymous:
        headers = bearer(signed_in, patient)
        answer = signed_in.get(path, headers=headers)
        assert answer.status_code == 200 and "X-Cache" not in answer.headers
        sign_in(signed_in, patient)
        assert "X-Cache" not in signed_in.get("/conditions").headers
        assert len(cache_of(app)) == 0
        anonymous.get(path)
        anonymous.get("/conditions")
        assert anonymous.get(path).headers["X-Cache"] == "hit"
        assert anonymous.get("/conditions").headers["X-Cache"] == "hit"
        # Kept now, and still computed afresh for whoever is signed in.
        assert "X-Cache" not in signed_in.get(path, headers=headers).headers
        page = signed_in.get("/conditions")
        assert "X-Cache" not in page.headers and 'href="/account"' in page.text


def test_a_successful_write_empties_the_cache_but_a_refused_one_or_a_trial_match_does_not(
    cache_on: None,
    engine: Engine,
    accounts_settings: Path,
    patient: Account,
    directory_links: dict[str, int],
) -> None:
    app = create_app(engine)
    cache = cache_of(app)
    with TestClient(app) as client:
        client.get(f"/api/v1/organizations/{directory_links['organization_id']}")
        client.get("/conditions")
        assert len(cache) == 2
        refused = client.post("/api/v1/cases", json={"title": "mine", "diagnosis": "colon cancer"})
        assert refused.status_code == 401
        matched = client.post("/api/v1/trials/match", json={"patient": {"condition": "lung cancer"}})
        assert matched.status_code == 200, matched.text
        assert len(cache) == 2
        bearer(client, patient)  # POST /api/v1/auth/token: a new session, a write
        assert len(cache) == 0 and cache.bytes == 0
        assert client.get("/conditions").headers["X-Cache"] == "miss"


def test_answers_expire_after_the_public_lifetime(browser: TestClient, clock: Clock) -> None:
    browser.get(SEARCH)
    clock.now += LIFETIME - 1
    kept = browser.get(SEARCH)
    assert kept.headers["X-Cache"] == "hit" and kept.headers["Age"] == str(LIFETIME - 1)
    clock.now += 1
    assert browser.get(SEARCH).headers["X-Cache"] == "miss"
    assert browser.get(SEARCH).headers["Age"] == "0"


def test_the_least_recently_used_answer_goes_first(demo_app: FastAPI, browser: TestClient) -> None:
    cache_of(demo_app).max_entries = 2
    first, second, third = "/conditions", "/conditions/lung-cancer", "/conditions/breast-cancer"
    browser.get(first)
    browser.get(second)
    assert browser.get(first).headers["X-Cache"] == "hit"  # now the most recent
    browser.get(third)  # pushes out the second
    assert len(cache_of(demo_app)) == 2
    assert browser.get(first).headers["X-Cache"] == "hit"
    assert browser.get(second).headers["X-Cache"] == "miss"


def _entry(size: int) -> Entry:
    return Entry(headers=[], body=b"x", has_token=False, route=None, path_params={}, stored_at=0.0, size=size)


def test_the_byte_budget_bounds_the_cache() -> None:
    cache = AnswerCache(max_entries=100, max_bytes=1600, lifetime_seconds=60, clock=lambda: 0.0)
    for number in range(17):
        cache.put((f"/{number}", b"", "en", None), _entry(100), cache.generation)
    assert len(cache) == 16 and cache.bytes == 1600
    assert cache.get(("/0", b"", "en", None)) is None and cache.get(("/16", b"", "en", None)) is not None
    cache.put(("big", b"", "en", None), _entry(101), cache.generation)  # over 1/16 of the budget
    assert cache.get(("big", b"", "en", None)) is None
    stale = cache.generation
    cache.clear()
    cache.put(("late", b"", "en", None), _entry(10), stale)  # computed before the write that cleared it
    assert len(cache) == 0


def test_each_browser_gets_its_own_csrf_token_in_a_kept_page(demo_app: FastAPI) -> None:
    cache = cache_of(demo_app)
    cache.routes = CACHED_ROUTES | {"/trials"}  # a public page with a POST form
    with TestClient(demo_app) as first, TestClient(demo_app) as second:
        one = first.get("/trials")
        two = second.get("/trials")
        assert (one.headers["X-Cache"], two.headers["X-Cache"]) == ("miss", "hit")
        assert len(cache) == 1
        tokens = [CSRF_FIELD.findall(page.text) for page in (one, two)]
        assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])
        assert set(tokens[0]) == {token_for(first.cookies[CSRF_COOKIE])}
        assert set(tokens[1]) == {token_for(second.cookies[CSRF_COOKIE])}
        assert one.text.replace(tokens[0][0], "") == two.text.replace(tokens[1][0], "")
        assert first.get("/trials").text == one.text  # the first browser's own token again, on a hit

        form = {"note": NOTE, "near": "Chicago, IL"}
        assert first.post("/trials", data={**form, "csrf_token": tokens[1][0]}).status_code == 403
        assert len(cache) == 1  # refused outside: not a write
        posted = second.post("/trials", data={**form, "csrf_token": tokens[1][0]})
        assert posted.status_code == 200 and 'role="alert"' not in posted.text
        assert len(cache) == 1  # a trial match only reads


def test_a_disabled_cache_keeps_nothing(accounts_settings: Path, sqlite_demo_engine: Engine) -> None:
    app = create_app(sqlite_demo_engine)  # the suite's settings: the cache is off
    assert not cache_of(app).enabled
    with TestClient(app) as client:
        for _ in range(2):
            answer = client.get(SEARCH)
            assert answer.status_code == 200 and "X-Cache" not in answer.headers
    assert len(cache_of(app)) == 0
