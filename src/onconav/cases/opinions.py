"""Written opinions: drafted by the reviewing team, signed by every listed reviewer over the exact content
(SHA-256 of its canonical JSON), delivered once, and never changed after: an amendment is a new version
that names the one it supersedes and is signed and delivered again.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from onconav.cases.models import Case, Opinion
from onconav.cases.schemas import OpinionContent, OpinionRead, Signature
from onconav.cases.states import CaseRole, CaseState
from onconav.cases.workflow import change_state
from onconav.db import new_id, utcnow
from onconav.errors import Forbidden, InvalidInput, NotFound, OnconavError


class OpinionLocked(OnconavError):
    """A delivered opinion cannot change."""

    status_code = 409


def content_hash(content: OpinionContent) -> str:
    """SHA-256 of the content's canonical JSON (sorted keys, no spaces): what reviewers sign."""
    canonical = json.dumps(content.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _next_version(session: Session, case_id: str) -> int:
    current = session.scalar(select(func.max(Opinion.version)).where(Opinion.case_id == case_id))
    return int(current or 0) + 1


def latest(session: Session, *, case_id: str, delivered_only: bool = False) -> Opinion | None:
    """The newest opinion version of a case (only delivered ones when asked)."""
    query = select(Opinion).where(Opinion.case_id == case_id)
    if delivered_only:
        query = query.where(Opinion.status == "delivered")
    return session.scalars(query.order_by(Opinion.version.desc()).limit(1)).first()


def versions(session: Session, *, case_id: str) -> list[Opinion]:
    """Every opinion version of a case, oldest first."""
    return list(session.scalars(select(Opinion).where(Opinion.case_id == case_id).order_by(Opinion.version)))


def get(session: Session, *, opinion_id: str) -> Opinion | None:
    """The opinion version with this id, or None."""
    return session.get(Opinion, opinion_id)


def get_or_raise(session: Session, *, opinion_id: str) -> Opinion:
    """The opinion version with this id; NotFound otherwise."""
    opinion = get(session, opinion_id=opinion_id)
    if opinion is None:
        raise NotFound("There is no opinion with this id, or you may not see it.")
    return opinion


def save_draft(
    session: Session, *, case: Case, content: OpinionContent, author_id: str, amendment_reason: str = ""
) -> Opinion:
    """Write the draft: updates the open draft, or starts a new version (an amendment once one was
    delivered, which then needs a reason). Saving clears signatures, since the content changed."""
    if CaseState(case.state) not in (CaseState.in_review, CaseState.opinion_delivered, CaseState.closed):
        raise InvalidInput("An opinion can be written only while the case is in review.")
    current = latest(session, case_id=case.id)
    digest = content_hash(content)
    if current is not None and current.status == "draft":
        current.content = content.model_dump(mode="json")
        current.content_sha256 = digest
        current.signatures = []
        if amendment_reason:
            current.amendment_reason = amendment_reason.strip()
        session.flush()
        return current
    if current is not None and not amendment_reason.strip():
        raise InvalidInput("An amendment to a delivered opinion needs a reason.")
    if current is None and CaseState(case.state) != CaseState.in_review:
        raise InvalidInput("An opinion can be written only while the case is in review.")
    opinion = Opinion(
        id=new_id(),
        case_id=case.id,
        version=_next_version(session, case.id),
        status="draft",
        content=content.model_dump(mode="json"),
        content_sha256=digest,
        signatures=[],
        supersedes_id=current.id if current is not None else None,
        amendment_reason=amendment_reason.strip(),
        created_by=author_id,
        created_at=utcnow(),
    )
    session.add(opinion)
    session.flush()
    return opinion


def sign(session: Session, *, opinion: Opinion, reviewer_id: str, now: datetime | None = None) -> Opinion:
    """A listed reviewer signs the draft's exact content."""
    if opinion.status != "draft":
        raise OpinionLocked("This opinion was delivered and cannot change; write an amendment instead.")
    content = OpinionContent.model_validate(opinion.content)
    reviewer = next((r for r in content.reviewers if r.user_id == reviewer_id), None)
    if reviewer is None:
        raise Forbidden("Only the reviewers named on the opinion can sign it.")
    signatures = [s for s in opinion.signatures if s["user_id"] != reviewer_id]
    signatures.append(
        Signature(
            user_id=reviewer.user_id,
            name=reviewer.name,
            credentials=reviewer.credentials,
            signed_at=now or utcnow(),
            content_sha256=content_hash(content),
        ).model_dump(mode="json")
    )
    opinion.signatures = signatures
    session.flush()
    return opinion


def unsigned_reviewers(opinion: Opinion) -> list[str]:
    """Names of listed reviewers without a signature over the current content."""
    content = OpinionContent.model_validate(opinion.content)
    digest = content_hash(content)
    signed = {s["user_id"] for s in opinion.signatures if s["content_sha256"] == digest}
    return [r.name for r in content.reviewers if r.user_id not in signed]


def deliver(
    session: Session,
    *,
    case: Case,
    opinion: Opinion,
    actor_id: str,
    role: CaseRole,
    now: datetime | None = None,
) -> Opinion:
    """Deliver a fully signed draft; the first delivery moves the case to opinion_delivered."""
    if opinion.status != "draft":
        raise OpinionLocked("This opinion was already delivered.")
    if opinion.case_id != case.id:
        raise NotFound("There is no opinion with this id, or you may not see it.")
    missing = unsigned_reviewers(opinion)
    if missing:
        raise InvalidInput(
            "Every reviewer must sign before delivery; missing: %(names)s.", names=", ".join(missing)
        )
    now = now or utcnow()
    if CaseState(case.state) == CaseState.in_review:
        change_state(
            session, case=case, target=CaseState.opinion_delivered, actor_id=actor_id, role=role, now=now
        )
    elif CaseState(case.state) not in (CaseState.opinion_delivered, CaseState.closed):
        raise InvalidInput("An opinion can be delivered only while the case is in review.")
    opinion.status = "delivered"
    opinion.delivered_at = now
    session.flush()
    return opinion


def to_read(opinion: Opinion) -> OpinionRead:
    return OpinionRead(
        id=opinion.id,
        case_id=opinion.case_id,
        version=opinion.version,
        status=opinion.status,
        content=OpinionContent.model_validate(opinion.content),
        content_sha256=opinion.content_sha256,
        signatures=[Signature.model_validate(s) for s in opinion.signatures],
        supersedes_id=opinion.supersedes_id,
        amendment_reason=opinion.amendment_reason,
        created_at=opinion.created_at,
        delivered_at=opinion.delivered_at,
    )


@event.listens_for(Session, "before_flush")
def _delivered_opinions_are_immutable(session: Session, _context: Any, _instances: Any) -> None:
    """The last line of defence: no code path may change or delete a delivered opinion row."""
    for instance in list(session.dirty) + list(session.deleted):
        if not isinstance(instance, Opinion):
            continue
        history_status = _committed_status(instance)
        if history_status == "delivered" and (instance in session.deleted or session.is_modified(instance)):
            raise OpinionLocked("This opinion was delivered and cannot change; write an amendment instead.")


def _committed_status(opinion: Opinion) -> str | None:
    from sqlalchemy import inspect

    history = inspect(opinion).attrs.status.history
    if history.deleted:
        return str(history.deleted[0])
    return opinion.status if not history.added else None
