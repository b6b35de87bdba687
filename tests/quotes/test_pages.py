"""The quotes pages without JavaScript, on SQLite and PostgreSQL: a patient picks two centers from their
directory pages and sends the form, each center's staff answers from its inbox with the offer form, the
patient asks a question, compares and accepts; a form that does not fit is a 422 that says why. The
ranking's suggestions are read from the demo directory."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.db import make_session_factory
from onconav.quotes import actions
from tests.quotes.access_kinds import OFFER_FORM
from tests.quotes.conftest import World
from tests.support.accounts import signed_in_browser


def test_the_whole_journey_through_forms(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    patient, csrf = signed_in_browser(client, factory, world.patient)
    first, second = world.centers
    form = patient.get(f"/quotes?center={first.id}&center={second.id}")
    assert form.status_code == 200
    for center in (first, second):
        assert re.search(rf'value="{center.id}" checked', form.text), center.name
        assert center.name in form.text
    sent = patient.post(
        "/quotes",
        data={
            "csrf_token": csrf,
            "diagnosis": "stage 4 pleural mesothelioma",
            "organization_ids": [str(first.id), str(second.id)],
            "companion": "yes",
            "currency": "EUR",
            "home_city": "Paris",
            "home_country": "France",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    request_path = sent.headers["location"]
    request_id = request_path.rsplit("/", 1)[1]
    shown = patient.get(request_path)
    assert "Pleural mesothelioma" in shown.text and "You chose this center from the directory." in shown.text

    for center, price in ((first, "18000.00"), (second, "26000.50")):
        staff, staff_csrf = signed_in_browser(client, factory, center.staff)
        inbox = staff.get("/quotes")
        assert request_id in inbox.text and "Requests to your center" in inbox.text
        assert 'id="offer-form"' in staff.get(request_path).text
        refused = staff.post(
            f"{request_path}/offers", data={"csrf_token": staff_csrf, **OFFER_FORM, "modality": []}
        )
        assert refused.status_code == 422 and "steps" in refused.text
        offered = staff.post(
            f"{request_path}/offers",
            data={"csrf_token": staff_csrf, **OFFER_FORM, "items": f"Operation | {price} | theatre | travel"},
            follow_redirects=False,
        )
        assert offered.status_code == 303, offered.text
        assert world.patient.email not in staff.get(request_path).text

    asked = patient.post(
        f"{request_path}/messages",
        data={"csrf_token": csrf, "body": "Can my husband stay with me?", "organization_id": str(second.id)},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    compared = patient.get(f"{request_path}/comparison")
    assert compared.status_code == 200
    assert compared.text.index(first.name) < compared.text.index(second.name)  # the order the patient chose
    assert "€18,000.00" in compared.text and "€26,000.50" in compared.text
    assert "unknown" in compared.text and "No exchange rates are loaded" in compared.text
    page = patient.get(request_path).text
    accept = re.findall(r'action="/offers/(\w+)/accept"', page)
    assert len(accept) == 2
    done = patient.post(f"/offers/{accept[1]}/accept", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    after = patient.get(request_path).text
    assert "accepted" in after and 'action="/offers/' not in after  # nothing more to accept
    assert patient.get("/quotes").status_code == 200


def test_the_ranking_suggests_centers_for_the_condition_with_its_reasons(sqlite_demo_engine: Engine) -> None:
    # Read only: the shared demo directory is not changed (no audit event is written for a suggestion).
    principal = Principal(user_id="reader", role=Role.patient)
    with make_session_factory(sqlite_demo_engine)() as session:
        found = actions.suggest_centers(
            session, principal, diagnosis="stage 4 pleural mesothelioma", near="Boston, MA", locale="en"
        )
    assert 1 <= len(found) <= 5
    assert len({s.organization_id for s in found}) == len(found)
    assert all(s.reasons for s in found)
    assert any("Pleural mesothelioma" in reason for s in found for reason in s.reasons)
