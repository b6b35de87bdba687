"""The case page links its patient to support services for the condition the diagnosis was understood as."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.config import get_settings
from tests.support.accounts import Account, bearer, signed_in_browser


@pytest.fixture(autouse=True)
def documents_dir(accounts_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(folder))
    get_settings.cache_clear()
    return folder


def test_the_case_page_links_to_support_for_its_condition(
    client: TestClient, factory: sessionmaker[Session], patient: Account
) -> None:
    bearer(client, patient)
    created = client.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={"title": "Second look", "diagnosis": "epithelioid pleural mesothelioma"},
    )
    assert created.status_code == 201, created.text
    browser, _csrf = signed_in_browser(client, factory, patient)
    page = browser.get(f"/cases/{created.json()['id']}")
    assert page.status_code == 200
    assert "Support for people with Pleural mesothelioma" in page.text
    assert '<input type="hidden" name="condition" value="pleural-mesothelioma">' in page.text
    unknown = client.post(
        "/api/v1/cases", headers=patient.headers, json={"title": "Other", "diagnosis": "something unclear"}
    )
    assert unknown.status_code == 201, unknown.text
    page = browser.get(f"/cases/{unknown.json()['id']}")
    assert page.status_code == 200 and "support-links" not in page.text
