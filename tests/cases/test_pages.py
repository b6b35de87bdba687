"""The case pages: a patient's journey in a real browser (Debian Chromium via Playwright, JavaScript off),
with an accessibility check, and the team's pages through forms with the CSRF token, on both backends."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from onconav.accounts import service as accounts
from onconav.db import make_session_factory, unit_of_work
from tests.cases.case_samples import dicom_file, make_pdf
from tests.support.accounts import PASSWORD, Account, signed_in_browser
from tests.support.browser import OpenPage, blocking_accessibility_violations
from tests.support.web import LiveServer


def browser_session(api: TestClient, engine: Engine, person: Account) -> tuple[TestClient, str]:
    """A signed-in browser for `person` (session cookie) and its CSRF form token."""
    browser, csrf = signed_in_browser(api, make_session_factory(engine), person)
    assert browser.get("/cases").status_code == 200
    return browser, csrf


def test_the_team_takes_a_case_to_a_delivered_opinion_through_page_forms(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient, coordinator, specialist = (
        person("patient"),
        person("coordinator"),
        person("specialist", "Dr. Ana Ruiz"),
    )
    browser, csrf = browser_session(api, engine, patient)
    created = browser.post(
        "/cases",
        data={
            "csrf_token": csrf,
            "title": "My lungs",
            "diagnosis": "stage IV pleural mesothelioma",
            "urgency": "soon",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    case_path = created.headers["location"]
    uploaded = browser.post(
        f"{case_path}/documents",
        data={"csrf_token": csrf},
        files={"file": ("ct.dcm", dicom_file(), "application/dicom")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    without_token = browser.post(
        f"{case_path}/transitions", data={"action": "submit"}, follow_redirects=False
    )
    assert without_token.status_code == 403  # CSRF
    asked = browser.post(f"{case_path}/transitions", data={"csrf_token": csrf, "action": "submit"})
    assert "Send this case to the review team?" in asked.text  # a step that cannot be undone: confirm
    assert "Not sent yet" in browser.get(case_path).text
    browser.post(
        f"{case_path}/transitions", data={"csrf_token": csrf, "action": "submit", "confirmed": "yes"}
    )
    page = browser.get(case_path).text
    assert "Sent, waiting for a coordinator" in page and "ct.dcm" in page

    desk, desk_csrf = browser_session(api, engine, coordinator)
    queue = desk.get("/cases/queue").text
    assert "My lungs" in queue
    desk.post(f"{case_path}/transitions", data={"csrf_token": desk_csrf, "action": "triage"})
    desk.post(
        f"{case_path}/members",
        data={"csrf_token": desk_csrf, "email": specialist.email, "role": "specialist"},
    )

    work, work_csrf = browser_session(api, engine, specialist)
    assert "My lungs" in work.get("/cases/workspace").text
    for action in ("accept", "start_review"):
        work.post(f"{case_path}/transitions", data={"csrf_token": work_csrf, "action": action})
    document_link = re.search(r'href="(/documents/\w+)"', work.get(case_path).text)
    assert document_link
    record = work.get(document_link.group(1)).text
    assert "CT" in record and "Studies and series" in record
    assert "CompressedSamples" not in record  # identifying tags: the patient's side only
    assert "CompressedSamples" in browser.get(document_link.group(1)).text
    saved = work.post(
        f"{case_path}/opinion",
        data={
            "csrf_token": work_csrf,
            "diagnosis_agreement": "agree",
            "recommended_plan": "Chemotherapy then reassessment.",
            "alternatives": "Immunotherapy\nClinical trial",
            "trials": "NCT00000002 | A trial | fits",
            "reviewers": specialist.email,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    opinion_link = re.search(r'href="(/opinions/\w+)"', work.get(case_path).text)
    assert opinion_link
    opinion_id = opinion_link.group(1).rsplit("/", 1)[1]
    work.post(f"/opinions/{opinion_id}/sign", data={"csrf_token": work_csrf})
    work.post(f"/opinions/{opinion_id}/deliver", data={"csrf_token": work_csrf})
    shown = browser.get(f"/opinions/{opinion_id}").text
    assert "Chemotherapy then reassessment." in shown and "Dr. Ana Ruiz" in shown and "NCT00000002" in shown
    spanish = browser.get(f"/opinions/{opinion_id}?lang=es").text
    assert "Segunda opinión" in spanish and "Los revisores están de acuerdo con el diagnóstico." in spanish


def test_coordinator_sees_open_cases_in_the_page_list_as_in_the_api(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient, coordinator = person("patient"), person("coordinator")
    case_ids = {}
    for title in ("Submitted lungs", "Still a draft"):
        created = api.post("/api/v1/cases", headers=patient.headers, json={"title": title, "diagnosis": "x"})
        assert created.status_code == 201, created.text
        case_ids[title] = created.json()["id"]
    submitted = api.post(
        f"/api/v1/cases/{case_ids['Submitted lungs']}/transitions",
        headers=patient.headers,
        json={"action": "submit"},
    )
    assert submitted.status_code == 200, submitted.text

    desk, _ = browser_session(api, engine, coordinator)
    listing = desk.get("/cases").text
    assert f'href="/cases/{case_ids["Submitted lungs"]}"' in listing and "Submitted lungs" in listing
    assert "Still a draft" not in listing  # coordinators see a case once it is submitted
    api_listing = api.get("/api/v1/cases", headers=coordinator.headers).json()
    assert [c["id"] for c in api_listing] == [case_ids["Submitted lungs"]]


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_patient_starts_and_submits_a_case_on_accessible_pages_without_javascript(
    open_page: OpenPage, engine: Engine
) -> None:
    from playwright.sync_api import expect

    with unit_of_work(make_session_factory(engine)) as session:
        accounts.create_user(
            session, email="pat@example.org", password=PASSWORD, role="patient", verified=True
        )
    with LiveServer(engine) as server:
        page = open_page(javascript=False)
        page.goto(server.url + "/sign-in?next=/cases")
        page.get_by_label("E-mail address").fill("pat@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(server.url + "/cases")  # the sign-in goes on to `next`
        page.get_by_label("A short name for the case").fill("Second look at my scan")
        page.get_by_label("Your diagnosis, in your words").fill("epithelioid pleural mesothelioma, stage III")
        page.get_by_label("Your questions (one per line)").fill("Is surgery possible?\nWhich trials fit me?")
        page.get_by_role("button", name="Start the case").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Second look at my scan")
        page.get_by_label(re.compile("Add a record")).set_input_files(
            files=[{"name": "pathology.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}]
        )
        page.get_by_role("button", name="Upload").click()
        page.get_by_role("link", name="pathology.pdf").click()
        expect(page.locator("pre")).to_contain_text("epithelioid pleural mesothelioma")
        page.get_by_role("link", name="Back to the case").click()
        page.get_by_role("button", name="Send to the review team").click()
        page.get_by_role("button", name="Yes, send it").click()
        expect(page.locator(".case-state-line")).to_contain_text("Sent, waiting for a coordinator")
        case_url = page.url
        # axe-core runs as a script: check the same pages in a context with JavaScript, same session.
        axe_page = open_page()
        axe_page.context.add_cookies(page.context.cookies())
        for url in (case_url, server.url + "/cases"):
            axe_page.goto(url)
            violations = blocking_accessibility_violations(axe_page)
            assert not violations, (url, [v["id"] for v in violations])
