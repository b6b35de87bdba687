"""HTTP caching: public reads (directory, conditions, FHIR) carry an ETag and Cache-Control and answer a
matching If-None-Match with 304; anything behind sign-in or carrying patient data is `no-store`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.accounts import Account, bearer, sign_in

SEARCH = "/api/v1/search?q=lobectomy&near=Chicago, IL"
PUBLIC_READS = [
    SEARCH,
    "/search?q=lobectomy&near=Chicago, IL",
    "/conditions",
    "/fhir/R4/Organization?_count=2",
]


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_reads_are_answered_304_when_unchanged(sqlite_client: TestClient, path: str) -> None:
    first = sqlite_client.get(path)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert "no-store" not in first.headers["Cache-Control"]
    again = sqlite_client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == tag
    stale = sqlite_client.get(path, headers={"If-None-Match": '"an-older-version"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_api_reads_may_be_shared_but_pages_only_kept_by_the_browser(sqlite_client: TestClient) -> None:
    sqlite_client.get("/conditions")  # the first answer sets the CSRF cookie: never shared
    api = sqlite_client.get(SEARCH)
    assert api.headers["Cache-Control"].startswith("public, max-age=")
    page = sqlite_client.get("/conditions")
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert {"Accept-Language", "Cookie"} <= {part.strip() for part in page.headers["Vary"].split(",")}


def test_a_different_answer_has_a_different_etag(sqlite_client: TestClient) -> None:
    lobectomy = sqlite_client.get(SEARCH).headers["ETag"]
    elsewhere = sqlite_client.get("/api/v1/search?q=lobectomy&near=Boston, MA").headers["ETag"]
    assert lobectomy != elsewhere
    in_spanish = sqlite_client.get(SEARCH, headers={"Accept-Language": "es"}).headers["ETag"]
    assert in_spanish != lobectomy


def test_signed_in_answers_are_never_stored(
    client: TestClient, patient: Account, accounts_settings: Path
) -> None:
    headers = bearer(client, patient)
    case = client.post("/api/v1/cases", json={"title": "mine", "diagnosis": "colon cancer"}, headers=headers)
    assert case.status_code == 201, case.text
    for path in (
        "/api/v1/cases",
        f"/api/v1/cases/{case.json()['id']}",
        "/api/v1/search?q=lobectomy&near=Boston",
    ):
        answer = client.get(path, headers=headers)
        assert answer.headers["Cache-Control"] == "no-store", path
        assert "ETag" not in answer.headers, path
    sign_in(client, patient)
    for path in ("/account", "/cases", "/conditions"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Cache-Control"] == "no-store", path


def test_errors_and_writes_are_never_stored(sqlite_client: TestClient) -> None:
    assert sqlite_client.get("/api/v1/organizations/999999999").headers["Cache-Control"] == "no-store"
    assert sqlite_client.post("/api/v1/trials/match", json={}).headers["Cache-Control"] == "no-store"
