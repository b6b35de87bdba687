"""The multidisciplinary review: each team member's recorded input (position, specialty, reasoning),
never edited; it stays with the team, the patient receives the opinion."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.cases.models import Case, ReviewInput
from onconav.cases.states import CaseState, InvalidTransition
from onconav.db import new_id, utcnow
from onconav.errors import InvalidInput

REVIEW_POSITIONS = ("agree", "partly_agree", "disagree", "abstain")


def add_review_input(
    session: Session,
    *,
    case: Case,
    author_id: str,
    author_name: str,
    specialty: str,
    position: str,
    body: str,
) -> ReviewInput:
    """One member's input to the multidisciplinary review (recorded, never edited)."""
    if CaseState(case.state) not in (CaseState.accepted, CaseState.in_review, CaseState.more_info_requested):
        raise InvalidTransition(
            "Review input is taken while the case is in review, not when it is %(state)s.", state=case.state
        )
    if position not in REVIEW_POSITIONS:
        raise InvalidInput(
            "The position must be one of: %(positions)s.", positions=", ".join(REVIEW_POSITIONS)
        )
    if not body.strip():
        raise InvalidInput("Review input cannot be empty.")
    review = ReviewInput(
        id=new_id(),
        case_id=case.id,
        author_id=author_id,
        author_name=author_name.strip()[:200] or "Reviewer",
        specialty=specialty.strip()[:120],
        position=position,
        body=body.strip()[:10_000],
        created_at=utcnow(),
    )
    session.add(review)
    session.flush()
    return review


def list_review_inputs(session: Session, *, case_id: str) -> list[ReviewInput]:
    """Every member's input to the review, oldest first."""
    query = select(ReviewInput).where(ReviewInput.case_id == case_id)
    return list(session.scalars(query.order_by(ReviewInput.created_at, ReviewInput.id)))
