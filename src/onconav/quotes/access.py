"""Who may do what on treatment requests and offers: the quotes domain's rules in the accounts policy
(listed in `policy.RULE_MODULES`). Default deny.

The patient (or a caregiver with their consent) owns a request. Center staff see a request only when it
was addressed to their own organization, and only their own center's offers and messages: no center ever
sees another's offer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts.principal import READ_ACTIONS, Principal
from onconav.accounts.roles import Role
from onconav.quotes.models import Offer, TreatmentRequest

PATIENT_ACTIONS = frozenset({"create", "message", "withdraw", "accept"})
CENTER_ACTIONS = frozenset({"offer", "message"})


@dataclass(frozen=True)
class CenterInbox:
    """The requests addressed to one center (a resource of its own, so the policy decides who sees it)."""

    organization_id: int


def center_of(principal: Principal | None) -> int | None:
    """The organization a center staff member works for, or None for everyone else."""
    if principal is None or principal.role is not Role.center_staff:
        return None
    return principal.organization_id


def addressed_to_center(principal: Principal | None, request: TreatmentRequest) -> bool:
    organization_id = center_of(principal)
    return organization_id is not None and any(
        r.organization_id == organization_id for r in request.recipients
    )


@policy.rule(TreatmentRequest, entity_type="treatment_request", patient_of=lambda r: r.patient_id)
def request_rule(
    session: Session, principal: Principal | None, action: str, request: TreatmentRequest
) -> bool:
    if policy.patient_or_consented_caregiver(principal, request.patient_id, action):
        return action in READ_ACTIONS or action in PATIENT_ACTIONS
    if addressed_to_center(principal, request):
        return action in READ_ACTIONS or action in CENTER_ACTIONS
    return False


@policy.rule(Offer, entity_type="offer", patient_of=lambda offer: offer.request.patient_id)
def offer_rule(session: Session, principal: Principal | None, action: str, offer: Offer) -> bool:
    if policy.patient_or_consented_caregiver(principal, offer.request.patient_id, action):
        return action in READ_ACTIONS or action == "accept"
    return center_of(principal) == offer.organization_id and action in READ_ACTIONS


@policy.rule(
    CenterInbox,
    entity_type="center_inbox",
    patient_of=lambda _inbox: None,
    entity_id_of=lambda inbox: inbox.organization_id,
)
def inbox_rule(session: Session, principal: Principal | None, action: str, inbox: CenterInbox) -> bool:
    return action in READ_ACTIONS and center_of(principal) == inbox.organization_id
