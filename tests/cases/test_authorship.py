"""Opinion authorship comes from accounts only (issue 15, item 4): the API no longer takes reviewers' names,
credentials or affiliations as free text, so a specialist cannot sign an opinion as someone they are not;
the opinion and the review inputs name each member as their account and its directory record say."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.cases import service
from onconav.cases.schemas import CaseCreate
from onconav.cases.states import CaseRole
from onconav.db import unit_of_work
from onconav.directory.models import Organization, Practitioner, PractitionerRole
from tests.support.accounts import Account, csrf_of, sign_in

FORGED = {
    "user_id": "",
    "name": "Dr. Gregory House",
    "credentials": "MD, Chief of Diagnostic Medicine, Mayo Clinic",
}
OPINION = {"diagnosis_agreement": "agree", "recommended_plan": "Surgery after two cycles."}


def _case_in_review(factory: sessionmaker[Session], patient: Account, *team: Account) -> str:
    with unit_of_work(factory) as session:
        practitioner = session.get(Practitioner, 1)
        assert practitioner is not None
        practitioner.credentials = "MD, PhD"
        center = Organization(name="Test Cancer Center", kind="cancer_center")
        session.add(center)
        session.flush()
        session.add(
            PractitionerRole(practitioner_id=1, organization_id=center.id, specialty="thoracic_surgery")
        )
        case = service.create(
            session, patient_id=patient.id, case_in=CaseCreate(title="Mesothelioma", diagnosis="mesothelioma")
        )
        for action, role in (
            ("submit", CaseRole.patient),
            ("triage", CaseRole.coordinator),
            ("accept", CaseRole.specialist),
            ("start_review", CaseRole.specialist),
        ):
            service.perform(session, case=case, action=action, actor_id="x", role=role)
        for member in team:
            service.add_member(session, case=case, user_id=member.id, role=CaseRole.specialist, added_by="x")
        return case.id


def test_a_specialist_cannot_sign_an_opinion_under_a_name_or_credentials_they_typed(
    api: TestClient, factory: sessionmaker[Session], person: Callable[..., Account]
) -> None:
    patient = person("patient")
    specialist = person("specialist", "Dr. Ana Ruiz")
    case_id = _case_in_review(factory, patient, specialist)
    forged = api.put(
        f"/api/v1/cases/{case_id}/opinion",
        headers=specialist.headers,
        json={"content": {**OPINION, "reviewers": [{**FORGED, "user_id": specialist.id}]}},
    )
    assert forged.status_code == 422, forged.text
    assert "come from their accounts" in forged.text
    assert "House" not in api.get(f"/api/v1/cases/{case_id}/opinions", headers=specialist.headers).text
    # Named by account id, the reviewer is described by the account and its directory record.
    draft = api.put(
        f"/api/v1/cases/{case_id}/opinion",
        headers=specialist.headers,
        json={"content": {**OPINION, "reviewers": [{"user_id": specialist.id}]}},
    )
    assert draft.status_code == 200, draft.text
    (reviewer,) = draft.json()["content"]["reviewers"]
    assert reviewer["name"] == "Dr. Ana Ruiz"
    assert reviewer["credentials"] == "MD, PhD · thoracic_surgery · Test Cancer Center"
    signed = api.post(f"/api/v1/opinions/{draft.json()['id']}/sign", headers=specialist.headers).json()
    assert [(s["name"], s["credentials"]) for s in signed["signatures"]] == [
        ("Dr. Ana Ruiz", "MD, PhD · thoracic_surgery · Test Cancer Center")
    ]
    # Someone off the team cannot be named at all.
    stranger = person("specialist")
    off_team = api.put(
        f"/api/v1/cases/{case_id}/opinion",
        headers=specialist.headers,
        json={"content": {**OPINION, "reviewers": [{"user_id": stranger.id}]}},
    )
    assert off_team.status_code == 422


def test_review_inputs_and_the_opinion_form_take_no_typed_names_or_specialties(
    api: TestClient, factory: sessionmaker[Session], person: Callable[..., Account]
) -> None:
    patient = person("patient")
    specialist = person("specialist", "Dr. Ana Ruiz")
    case_id = _case_in_review(factory, patient, specialist)
    typed = api.post(
        f"/api/v1/cases/{case_id}/reviews",
        headers=specialist.headers,
        json={"position": "agree", "specialty": "Chief of everything", "body": "Agree."},
    )
    assert typed.status_code == 422 and "come from your account" in typed.text
    review = api.post(
        f"/api/v1/cases/{case_id}/reviews",
        headers=specialist.headers,
        json={"position": "agree", "body": "Agree."},
    )
    assert review.status_code == 201, review.text
    assert (review.json()["author_name"], review.json()["specialty"]) == (
        "Dr. Ana Ruiz",
        "thoracic_surgery · Test Cancer Center",
    )
    browser = TestClient(api.app)
    sign_in(browser, specialist)
    form = {
        "diagnosis_agreement": "agree",
        "recommended_plan": "Surgery.",
        "reviewers": f"{specialist.email} | Chief of Diagnostic Medicine, Mayo Clinic",
        "csrf_token": csrf_of(browser, f"/cases/{case_id}"),
    }
    refused = browser.post(f"/cases/{case_id}/opinion", data=form, follow_redirects=False)
    assert refused.status_code == 422 and "e-mail only" in refused.text
    saved = browser.post(
        f"/cases/{case_id}/opinion", data={**form, "reviewers": specialist.email}, follow_redirects=False
    )
    assert saved.status_code == 303
    (opinion,) = api.get(f"/api/v1/cases/{case_id}/opinions", headers=specialist.headers).json()
    assert [r["credentials"] for r in opinion["content"]["reviewers"]] == [
        "MD, PhD · thoracic_surgery · Test Cancer Center"
    ]
