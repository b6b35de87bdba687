"""Follow-up tests: the keyring and cheap hashing of every accounts test, the practitioner specialists link
to, and a case whose second opinion was delivered (the starting point of a follow-up plan)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from onconav.config import get_settings
from onconav.db import unit_of_work
from onconav.directory.models import Practitioner
from tests.support.accounts import Account

RECOMMENDED = "Lobectomy with lymph node dissection, then four cycles of adjuvant chemotherapy."


@pytest.fixture(autouse=True)
def documents_dir(accounts_settings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "documents"
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


@pytest.fixture
def directory_links(factory: sessionmaker[Session]) -> dict[str, int]:
    with unit_of_work(factory) as session:
        session.add(Practitioner(id=1, given_name="Ana", family_name="Ruiz", languages=["en"], is_demo=True))
    return {"practitioner_id": 1}


@dataclass(frozen=True)
class Delivered:
    """A patient's case with a delivered opinion, its specialist and coordinator."""

    case_id: str
    patient: Account
    specialist: Account
    coordinator: Account


def deliver_case(session: Session, *, patient_id: str, specialist_id: str, diagnosis: str) -> str:
    """A case taken through the workflow to a delivered opinion; its id."""
    from onconav.cases import opinions
    from onconav.cases import service as cases
    from onconav.cases.schemas import CaseCreate, OpinionContent, Reviewer
    from onconav.cases.states import CaseRole

    case = cases.create(
        session, patient_id=patient_id, case_in=CaseCreate(title="My case", diagnosis=diagnosis)
    )
    cases.perform(session, case=case, action="submit", actor_id=patient_id, role=CaseRole.patient)
    cases.perform(session, case=case, action="triage", actor_id="c", role=CaseRole.coordinator)
    cases.add_member(session, case=case, user_id=specialist_id, role=CaseRole.specialist, added_by="c")
    for action in ("accept", "start_review"):
        cases.perform(session, case=case, action=action, actor_id=specialist_id, role=CaseRole.specialist)
    content = OpinionContent(
        diagnosis_agreement="agree",
        recommended_plan=RECOMMENDED,
        reviewers=[Reviewer(user_id=specialist_id, name="Dr. Ana Ruiz", credentials="MD")],
    )
    opinion = opinions.save_draft(session, case=case, content=content, author_id=specialist_id)
    opinions.sign(session, opinion=opinion, reviewer_id=specialist_id)
    opinions.deliver(session, case=case, opinion=opinion, actor_id=specialist_id, role=CaseRole.specialist)
    return case.id


@pytest.fixture
def delivered(
    factory: sessionmaker[Session],
    make_account: Callable[..., Account],
    directory_links: dict[str, int],
) -> Delivered:
    patient = make_account("patient")
    specialist = make_account("specialist", practitioner_id=directory_links["practitioner_id"])
    coordinator = make_account("coordinator")
    with unit_of_work(factory) as session:
        case_id = deliver_case(
            session,
            patient_id=patient.id,
            specialist_id=specialist.id,
            diagnosis="Non-small cell lung cancer, stage IB, operated",
        )
    return Delivered(case_id, patient, specialist, coordinator)
