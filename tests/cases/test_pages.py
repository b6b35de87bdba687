"""The case pages: a patient's journey in a real browser (Debian Chromium via Playwright, JavaScript off),
with an accessibility check, and the team's pages through forms with the CSRF token, on both backends."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from onconav.accounts import service as accounts
from onconav.cases import labels, read_models
from onconav.cases.schemas import QueueItem
from onconav.cases.states import CaseState, Urgency
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
    asked = work.post(f"/opinions/{opinion_id}/deliver", data={"csrf_token": work_csrf})
    assert "Deliver this opinion to the patient?" in asked.text  # asked first, not delivered yet
    assert "No opinion yet." in browser.get(case_path).text  # the patient sees delivered opinions only
    work.post(f"/opinions/{opinion_id}/deliver", data={"csrf_token": work_csrf, "confirmed": "yes"})
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


# Plain words, confirmation, limits, prefill and the timeline ---------------------------------------------


# Internal words people should not meet (issue 16): workflow jargon, machine names with underscores.
JARGON = re.compile(
    r"_|\b(draft|submit|submitted|triage|triaged|in review|request info|provide info)\b", re.I
)


def test_every_state_and_action_has_plain_words_not_its_machine_name() -> None:
    for state in CaseState:
        words = labels.state_words(state)
        assert words.label and words.explanation and not JARGON.search(words.label), state
    for action in labels.every_action():
        words = labels.action_words(action)
        assert words.label and words.explanation and not JARGON.search(words.label), action
    assert {"withdraw", "decline", "close"} <= labels.NEEDS_CONFIRMATION
    assert labels.DESTRUCTIVE <= labels.NEEDS_CONFIRMATION


def test_the_opinion_due_date_is_the_opinion_deadline_and_the_triage_deadline_is_named_apart() -> None:
    submitted = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    item = QueueItem(
        id="c1",
        title="t",
        condition=None,
        urgency=Urgency.routine,
        state=CaseState.submitted,
        submitted_at=submitted,
        due_at=submitted + timedelta(days=3),  # the queue's "due" while submitted is the triage deadline
        overdue=False,
        # as the workflow sets them at submission (states.due_dates)
        triage_due_at=submitted + timedelta(days=3),
        opinion_due_at=submitted + timedelta(days=14),
    )
    line = read_models.case_line(item)
    assert line.opinion_due_at == submitted + timedelta(days=14)
    assert line.triage_due_at == submitted + timedelta(days=3)
    reviewed = read_models.case_line(item.model_copy(update={"state": CaseState.in_review}))
    assert reviewed.opinion_due_at == submitted + timedelta(days=14) and reviewed.triage_due_at is None
    draft = read_models.case_line(
        item.model_copy(
            update={
                "state": CaseState.draft,
                "submitted_at": None,
                "triage_due_at": None,
                "opinion_due_at": None,
            }
        )
    )
    assert draft.opinion_due_at is None


def test_a_patient_sees_states_and_actions_in_plain_words_and_the_opinion_due_date_in_the_list(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient = person("patient")
    browser, csrf = browser_session(api, engine, patient)
    created = browser.post(
        "/cases", data={"csrf_token": csrf, "title": "My scan", "diagnosis": "mesothelioma"}
    )
    case_page = created.text
    assert "Not sent yet" in case_page and "Send to the review team" in case_page
    assert "Withdraw the request" in case_page and 'class="button-danger"' in case_page
    for machine in (">draft<", ">submit<", ">withdraw<", "triage"):
        assert machine not in case_page
    case_path = str(created.url.path)
    submit = {"csrf_token": csrf, "action": "submit", "confirmed": "yes"}
    browser.post(f"{case_path}/transitions", data=submit)
    detail = api.get(f"/api/v1{case_path}", headers=patient.headers).json()
    assert detail["state"] == "submitted"  # the API keeps the machine names
    listing = browser.get("/cases").text
    opinion_due = detail["opinion_due_at"][:10]
    assert "Sent, waiting for a coordinator" in listing and opinion_due in listing
    assert detail["triage_due_at"][:10] not in listing or detail["triage_due_at"][:10] == opinion_due


def test_withdrawing_asks_first_and_only_the_confirming_button_withdraws(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient = person("patient")
    browser, csrf = browser_session(api, engine, patient)
    case_path = str(
        browser.post("/cases", data={"csrf_token": csrf, "title": "T", "diagnosis": "D"}).url.path
    )
    asked = browser.post(f"{case_path}/transitions", data={"csrf_token": csrf, "action": "withdraw"})
    assert asked.status_code == 200
    assert "Withdraw this request for a second opinion?" in asked.text
    assert "cannot be undone" in asked.text and "Yes, withdraw the request" in asked.text
    assert api.get(f"/api/v1{case_path}", headers=patient.headers).json()["state"] == "draft"
    too_long = browser.post(
        f"{case_path}/transitions",
        data={"csrf_token": csrf, "action": "withdraw", "confirmed": "yes", "note": "n" * 2001},
    )
    assert too_long.status_code == 422
    assert "The note is too long: 2001 characters, at most 2000" in too_long.text
    assert api.get(f"/api/v1{case_path}", headers=patient.headers).json()["state"] == "draft"
    done = browser.post(
        f"{case_path}/transitions",
        data={"csrf_token": csrf, "action": "withdraw", "confirmed": "yes", "note": "Changed my mind"},
    )
    assert "Withdrawn" in done.text and "Changed my mind" in done.text  # in the timeline
    assert 'id="file"' not in done.text  # a withdrawn case takes no more records: no upload form
    assert api.get(f"/api/v1{case_path}", headers=patient.headers).json()["state"] == "withdrawn"
    again = browser.post(f"{case_path}/transitions", data={"csrf_token": csrf, "action": "withdraw"})
    assert again.status_code == 409  # a withdrawn case has nothing left to withdraw (no undo)


def test_fields_too_long_or_missing_show_a_message_on_the_page_with_the_text_kept(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient = person("patient")
    browser, csrf = browser_session(api, engine, patient)
    refused = browser.post(
        "/cases",
        data={"csrf_token": csrf, "title": "t" * 201, "diagnosis": "", "questions": "q\n" * 21},
    )
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("text/html")
    assert "The short name is too long: 201 characters, at most 200" in refused.text
    assert "The diagnosis is needed." in refused.text
    assert "Ask at most 20 questions: you wrote 21 lines." in refused.text
    assert 'value="' + "t" * 201 + '"' in refused.text  # what was typed is kept
    assert api.get("/api/v1/cases", headers=patient.headers).json() == []
    case_path = str(
        browser.post("/cases", data={"csrf_token": csrf, "title": "T", "diagnosis": "D"}).url.path
    )
    empty = browser.post(f"{case_path}/messages", data={"csrf_token": csrf, "body": "  "})
    assert empty.status_code == 422 and "The message is needed." in empty.text
    long_message = "m" * 10_001
    too_long = browser.post(f"{case_path}/messages", data={"csrf_token": csrf, "body": long_message})
    assert too_long.status_code == 422
    assert "The message is too long: 10001 characters, at most 10000" in too_long.text
    assert long_message in too_long.text
    assert api.get(f"/api/v1{case_path}/messages", headers=patient.headers).json() == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"condition": "pleural-mesothelioma", "stage": "iv"}, "Pleural mesothelioma, stage IV"),
        ({"condition": "pleural-mesothelioma", "stage": "ix"}, "Pleural mesothelioma"),
        ({"condition": "no-such-cancer", "stage": "iv"}, ""),
        ({"condition": "<script>alert(1)</script>", "stage": "iv"}, ""),
        ({"condition": 'pleural-mesothelioma"><b>x</b>', "stage": "iv"}, ""),
        ({"condition": "pleural-mesothelioma" * 300, "stage": "iv" * 3000}, ""),
    ],
)
def test_the_new_case_form_is_prefilled_from_known_codes_only(
    api: TestClient,
    person: Callable[..., Account],
    engine: Engine,
    query: dict[str, str],
    expected: str,
) -> None:
    browser, _ = browser_session(api, engine, person("patient"))
    page = browser.get("/cases", params=query)
    assert page.status_code == 200
    assert 'id="new-case"' in page.text
    title = re.search(r'<input id="title" name="title"[^>]*value="([^"]*)"', page.text)
    assert title and title.group(1) == expected
    assert "<script>alert(1)</script>" not in page.text and "<b>x</b>" not in page.text


def test_a_visitor_is_sent_to_sign_in_with_the_whole_prefill_address_as_next(api: TestClient) -> None:
    visitor = TestClient(api.app)
    answer = visitor.get(
        "/cases", params={"condition": "pleural-mesothelioma", "stage": "iv"}, follow_redirects=False
    )
    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert location.path == "/sign-in"
    assert parse_qs(location.query)["next"] == ["/cases?condition=pleural-mesothelioma&stage=iv"]


def test_the_timeline_shows_each_viewer_only_what_they_may_see(
    api: TestClient, person: Callable[..., Account], engine: Engine
) -> None:
    patient, coordinator = person("patient"), person("coordinator")
    specialist, colleague = person("specialist", "Dr. Ana Ruiz"), person("specialist", "Dr. Bo Lee")
    created = api.post("/api/v1/cases", headers=patient.headers, json={"title": "Lungs", "diagnosis": "x"})
    case_id = created.json()["id"]
    base = f"/api/v1/cases/{case_id}"
    steps = (
        (patient, "transitions", {"action": "submit"}),
        (coordinator, "transitions", {"action": "triage"}),
        (coordinator, "members", {"email": specialist.email, "role": "specialist"}),
        (specialist, "transitions", {"action": "accept"}),
    )
    for who, path, body in steps:
        assert api.post(f"{base}/{path}", headers=who.headers, json=body).status_code in (200, 201)
    invited = api.post(
        f"{base}/members", headers=specialist.headers, json={"email": colleague.email, "role": "colleague"}
    )
    assert invited.status_code == 201, invited.text
    sent = api.post(
        f"{base}/messages",
        headers=patient.headers,
        data={"body": "My private worry"},
        files={"files": ("worry-letter.pdf", make_pdf(), "application/pdf")},
    )
    assert sent.status_code == 201, sent.text

    own, _ = browser_session(api, engine, patient)
    mine = own.get(f"/cases/{case_id}").text
    their, _ = browser_session(api, engine, colleague)
    colleagues = their.get(f"/cases/{case_id}").text
    mine_timeline = mine[mine.index('id="timeline"') :]
    colleague_timeline = colleagues[colleagues.index('id="timeline"') :]
    assert "Message from: Patient." in mine_timeline
    assert "Accepted by a specialist" in mine_timeline and "Accepted by a specialist" in colleague_timeline
    assert "Message from" not in colleague_timeline  # colleagues never read the patient's messages
    assert "worry-letter.pdf" not in colleagues and "My private worry" not in colleagues
