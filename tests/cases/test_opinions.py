"""Opinions: signed by every listed reviewer over the exact content, immutable once delivered, amended as
new versions; rendered as a real PDF and as a FHIR R4 Composition that fhir.resources validates."""

from __future__ import annotations

import io

import pytest
from sqlalchemy.orm import Session

from onconav.cases import opinions, rendering, service
from onconav.cases.models import Case
from onconav.cases.schemas import CaseCreate, OpinionContent, Reviewer, TrialSuggestion
from onconav.cases.states import CaseRole, CaseState
from onconav.errors import Forbidden, InvalidInput

TEAM = [
    Reviewer(user_id="dr-a", name="Dr. Ana Ruiz", credentials="MD, thoracic surgery"),
    Reviewer(user_id="dr-b", name="Dr. Ben Okafor", credentials="MD, medical oncology"),
]


def content(
    plan: str = "Extended pleurectomy/decortication after two cycles of chemotherapy.",
) -> OpinionContent:
    return OpinionContent(
        diagnosis_agreement="agree",
        diagnosis_comment="Epithelioid histology confirmed on the pathology report (ñ, é, ü kept).",
        staging="cT2 N0 M0 (stage IB) on the CT of 2026-10-02",
        recommended_plan=plan,
        alternatives=["Nivolumab plus ipilimumab"],
        trials=[
            TrialSuggestion(identifier="NCT00000000", title="An example perioperative trial", why="fits")
        ],
        questions_for_team=["Was a PET-CT done?"],
        reviewers=TEAM,
    )


def case_in_review(session: Session) -> Case:
    case = service.create(
        session, patient_id="p", case_in=CaseCreate(title="Mesothelioma", diagnosis="pleural mesothelioma")
    )
    for action, role in (
        ("submit", CaseRole.patient),
        ("triage", CaseRole.coordinator),
        ("accept", CaseRole.specialist),
        ("start_review", CaseRole.specialist),
    ):
        service.perform(session, case=case, action=action, actor_id="x", role=role)
    return case


def test_a_delivered_opinion_needs_every_signature_then_is_locked_and_amended_as_a_new_version(
    session: Session,
) -> None:
    case = case_in_review(session)
    draft = opinions.save_draft(session, case=case, content=content(), author_id="dr-a")
    with pytest.raises(InvalidInput, match=r"Dr\. Ben Okafor"):
        opinions.sign(session, opinion=draft, reviewer_id="dr-a")
        opinions.deliver(session, case=case, opinion=draft, actor_id="dr-a", role=CaseRole.specialist)
    with pytest.raises(Forbidden):
        opinions.sign(session, opinion=draft, reviewer_id="stranger")
    opinions.sign(session, opinion=draft, reviewer_id="dr-b")
    opinions.deliver(session, case=case, opinion=draft, actor_id="dr-a", role=CaseRole.specialist)
    session.commit()
    assert case.state == CaseState.opinion_delivered
    assert draft.status == "delivered" and len(draft.signatures) == 2
    assert {s["content_sha256"] for s in draft.signatures} == {opinions.content_hash(content())}

    with pytest.raises(opinions.OpinionLocked):
        opinions.sign(session, opinion=draft, reviewer_id="dr-a")
    draft.content = {**draft.content, "recommended_plan": "changed behind the reviewers' backs"}
    with pytest.raises(opinions.OpinionLocked):
        session.flush()
    session.rollback()
    assert service.get_or_raise(session, case_id=case.id)
    stored = opinions.latest(session, case_id=case.id)
    assert stored is not None and stored.content["recommended_plan"].startswith("Extended")

    with pytest.raises(InvalidInput, match="needs a reason"):
        opinions.save_draft(session, case=case, content=content("New plan"), author_id="dr-a")
    amendment = opinions.save_draft(
        session, case=case, content=content("New plan"), author_id="dr-a", amendment_reason="PET-CT arrived"
    )
    assert amendment.version == 2 and amendment.supersedes_id == draft.id
    for reviewer in ("dr-a", "dr-b"):
        opinions.sign(session, opinion=amendment, reviewer_id=reviewer)
    opinions.deliver(session, case=case, opinion=amendment, actor_id="dr-b", role=CaseRole.specialist)
    session.commit()
    assert [o.version for o in opinions.versions(session, case_id=case.id)] == [1, 2]
    assert opinions.latest(session, case_id=case.id, delivered_only=True).id == amendment.id  # type: ignore[union-attr]


def test_editing_a_draft_clears_signatures(session: Session) -> None:
    case = case_in_review(session)
    draft = opinions.save_draft(session, case=case, content=content(), author_id="dr-a")
    opinions.sign(session, opinion=draft, reviewer_id="dr-a")
    draft = opinions.save_draft(session, case=case, content=content("Other"), author_id="dr-a")
    assert draft.signatures == [] and draft.version == 1
    assert opinions.unsigned_reviewers(draft) == ["Dr. Ana Ruiz", "Dr. Ben Okafor"]


def test_a_delivered_opinion_renders_as_a_pdf_and_a_valid_fhir_composition(session: Session) -> None:
    from fhir.resources.R4B.composition import Composition
    from pypdf import PdfReader

    case = case_in_review(session)
    draft = opinions.save_draft(session, case=case, content=content(), author_id="dr-a")
    for reviewer in ("dr-a", "dr-b"):
        opinions.sign(session, opinion=draft, reviewer_id=reviewer)
    opinions.deliver(session, case=case, opinion=draft, actor_id="dr-a", role=CaseRole.specialist)
    pdf = rendering.opinion_pdf(case, draft)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "Second opinion",
        "Extended pleurectomy",
        "Dr. Ben Okafor",
        "NCT00000000",
        draft.content_sha256,
    ):
        assert expected in text.replace("\n", " ") or expected in text
    resource = rendering.opinion_composition(case, draft, base_url="https://onconav.example")
    composition = Composition.model_validate(resource)
    assert composition.status == "final"
    assert len(composition.attester or []) == 2
    assert {s.title for s in composition.section or []} >= {"Diagnosis", "Staging", "Recommended plan"}
