"""The follow-up pages without JavaScript: the case page links to the plan; the patient makes it from the
form, sees the timeline with dates, marks an item done, gets the calendar address once; impossible dates
show the form again with a clear message (422), never a 500; the care team sets dates."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.db import unit_of_work
from tests.care.conftest import deliver_case
from tests.support.accounts import Account, signed_in_browser

Person = Callable[..., Account]


@pytest.fixture
def browsers(
    client: TestClient, person: Person, factory: sessionmaker[Session]
) -> tuple[str, tuple[TestClient, str], tuple[TestClient, str]]:
    patient, specialist = person("patient"), person("specialist")
    with unit_of_work(factory) as session:
        case_id = deliver_case(
            session,
            patient_id=patient.id,
            specialist_id=specialist.id,
            diagnosis="Lung adenocarcinoma stage IIA",
        )
    return (
        case_id,
        signed_in_browser(client, factory, patient),
        signed_in_browser(client, factory, specialist),
    )


def test_patient_makes_the_plan_and_marks_an_item(
    backend: str, browsers: tuple[str, tuple[TestClient, str], tuple[TestClient, str]]
) -> None:
    case_id, (browser, csrf), _team = browsers
    assert f'href="/cases/{case_id}/followup"' in browser.get(f"/cases/{case_id}").text
    empty = browser.get(f"/cases/{case_id}/followup")
    assert empty.status_code == 200 and "Make a follow-up plan" in empty.text
    made = browser.post(
        f"/cases/{case_id}/followup",
        data={
            "csrf_token": csrf,
            "treatment_end": "2026-02-01",
            "modality": "surgery",
            "from_opinion": "yes",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    page = browser.get(made.headers["location"]).text
    assert "2026-08-01" in page and "Chest CT scan" in page and "Not yet reviewed by a clinician" in page
    assert "Call your care team if you have" in page and "Lobectomy" in page
    item = re.search(r'action="/followup/items/(\w+)"', page)
    assert item
    done = browser.post(
        f"/followup/items/{item.group(1)}", data={"csrf_token": csrf, "status": "done"}, follow_redirects=True
    )
    assert done.status_code == 200 and "Done" in done.text
    feed = browser.post(f"/cases/{case_id}/followup/feed", data={"csrf_token": csrf})
    assert feed.status_code == 200
    url = re.search(r'value="(http://testserver/followup/feed\.ics\?key=[\w-]+)"', feed.text)
    assert url and browser.get(url.group(1)).status_code == 200
    assert url.group(1) not in browser.get(f"/cases/{case_id}/followup").text  # shown once


@pytest.mark.parametrize(
    ("end", "message"),
    [
        ("2026-02-30", "is not a date that exists"),
        ("1890-01-01", "between 1990 and 2100"),
        ("", "Give the date"),
    ],
)
def test_impossible_dates_show_the_form_again(
    backend: str, browsers: tuple[str, tuple[TestClient, str], tuple[TestClient, str]], end: str, message: str
) -> None:
    case_id, (browser, csrf), _team = browsers
    response = browser.post(
        f"/cases/{case_id}/followup",
        data={"csrf_token": csrf, "treatment_end": end, "treatment": "Surgery in Boston"},
    )
    assert response.status_code == 422
    assert message in response.text and "Surgery in Boston" in response.text


def test_the_care_team_sets_a_date_and_others_see_nothing(
    backend: str,
    client: TestClient,
    person: Person,
    factory: sessionmaker[Session],
    browsers: tuple[str, tuple[TestClient, str], tuple[TestClient, str]],
) -> None:
    case_id, (browser, csrf), (team, team_csrf) = browsers
    browser.post(f"/cases/{case_id}/followup", data={"csrf_token": csrf, "treatment_end": "2026-02-01"})
    page = team.get(f"/cases/{case_id}/followup").text
    undated = re.findall(r'id="due-(\w+)" name="due_on" value=""', page)
    assert undated and "Mark done" not in page
    moved = team.post(
        f"/followup/items/{undated[0]}",
        data={"csrf_token": team_csrf, "due_on": "2026-05-04"},
        follow_redirects=True,
    )
    assert moved.status_code == 200 and 'datetime="2026-05-04"' in moved.text
    bad = team.post(f"/followup/items/{undated[0]}", data={"csrf_token": team_csrf, "due_on": "2026-05-32"})
    assert bad.status_code == 422
    odd = team.post(
        f"/cases/{case_id}/followup/items", data={"csrf_token": team_csrf, "title": "Rehab", "kind": "bogus"}
    )
    assert odd.status_code == 422 and "This cannot be used as it is: kind" in odd.text
    stranger, stranger_csrf = signed_in_browser(client, factory, person("patient"))
    assert stranger.get(f"/cases/{case_id}/followup").status_code == 404
    refused = stranger.post(
        f"/cases/{case_id}/followup", data={"csrf_token": stranger_csrf, "treatment_end": "2026-02-01"}
    )
    assert refused.status_code == 404
