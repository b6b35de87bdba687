"""The case workflow: states, who may move a case from one state to another, and service-level targets.

One table (`TRANSITIONS`) is the whole workflow; everything else asks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from onconav.errors import OnconavError


class CaseState(StrEnum):
    draft = "draft"
    submitted = "submitted"
    triaged = "triaged"
    accepted = "accepted"
    declined = "declined"
    in_review = "in_review"
    more_info_requested = "more_info_requested"
    opinion_delivered = "opinion_delivered"
    closed = "closed"
    withdrawn = "withdrawn"


class CaseRole(StrEnum):
    """The part a person plays on one case (not their account role)."""

    patient = "patient"
    caregiver = "caregiver"
    coordinator = "coordinator"
    specialist = "specialist"  # assigned to review the case
    colleague = "colleague"  # invited by the specialist to the multidisciplinary review


class Urgency(StrEnum):
    routine = "routine"
    soon = "soon"
    urgent = "urgent"


class InvalidTransition(OnconavError):
    """A state change the workflow does not allow (for this role, or at all)."""

    status_code = 409


@dataclass(frozen=True)
class Transition:
    source: CaseState
    target: CaseState
    roles: frozenset[CaseRole]
    action: str


_OWNER = frozenset({CaseRole.patient, CaseRole.caregiver})
_COORDINATOR = frozenset({CaseRole.coordinator})
_REVIEW = frozenset({CaseRole.coordinator, CaseRole.specialist})
S = CaseState

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.draft, S.submitted, _OWNER, "submit"),
    Transition(S.submitted, S.triaged, _COORDINATOR, "triage"),
    Transition(S.triaged, S.accepted, _REVIEW, "accept"),
    Transition(S.triaged, S.declined, _REVIEW, "decline"),
    Transition(S.accepted, S.in_review, _REVIEW, "start_review"),
    Transition(S.in_review, S.more_info_requested, _REVIEW, "request_info"),
    Transition(S.more_info_requested, S.in_review, _OWNER | _REVIEW, "provide_info"),
    Transition(S.in_review, S.opinion_delivered, _REVIEW, "deliver_opinion"),
    Transition(S.opinion_delivered, S.closed, _OWNER | _COORDINATOR, "close"),
    Transition(S.declined, S.closed, _OWNER | _COORDINATOR, "close"),
    # The patient may withdraw at any point before the opinion is delivered.
    *(
        Transition(source, S.withdrawn, _OWNER, "withdraw")
        for source in (S.draft, S.submitted, S.triaged, S.accepted, S.in_review, S.more_info_requested)
    ),
)

TERMINAL_STATES = frozenset({S.closed, S.withdrawn})
# States in which the owner may still add records (the team asked, or nobody has started yet).
OPEN_FOR_RECORDS = frozenset(
    {S.draft, S.submitted, S.triaged, S.accepted, S.in_review, S.more_info_requested}
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}
_BY_ACTION = {(t.source, t.action): t for t in TRANSITIONS}

# Service-level target from submission to delivered opinion, per urgency (coordinator queue due dates).
SERVICE_LEVEL = {
    Urgency.urgent: timedelta(days=3),
    Urgency.soon: timedelta(days=7),
    Urgency.routine: timedelta(days=14),
}
# Triage target from submission to triage, per urgency.
TRIAGE_LEVEL = {
    Urgency.urgent: timedelta(hours=24),
    Urgency.soon: timedelta(days=2),
    Urgency.routine: timedelta(days=3),
}


def allowed_targets(source: CaseState, role: CaseRole) -> list[CaseState]:
    """The states `role` may move a case in `source` to, in workflow order."""
    return [t.target for t in TRANSITIONS if t.source == source and role in t.roles]


def next_actions(source: CaseState, roles: set[CaseRole]) -> list[str]:
    """Workflow actions someone playing `roles` may take on a case in `source`, in workflow order, each once
    (delivering the opinion is left out: it goes through the opinion, never a bare transition)."""
    actions: list[str] = []
    for transition in TRANSITIONS:
        if (
            transition.source == source
            and roles & transition.roles
            and transition.action not in ("deliver_opinion", *actions)
        ):
            actions.append(transition.action)
    return actions


def check_transition(source: CaseState, target: CaseState, role: CaseRole) -> Transition:
    """The transition from `source` to `target` if `role` may make it; raises InvalidTransition otherwise."""
    transition = _BY_PAIR.get((source, target))
    if transition is None:
        raise InvalidTransition(
            "A case cannot go from %(source)s to %(target)s.", source=source.value, target=target.value
        )
    if role not in transition.roles:
        raise InvalidTransition(
            "A %(role)s cannot move a case from %(source)s to %(target)s.",
            role=role.value,
            source=source.value,
            target=target.value,
        )
    return transition


def target_of_action(source: CaseState, action: str) -> CaseState:
    """The state an action ('submit', 'accept' ...) leads to from `source`; raises when it does not apply."""
    transition = _BY_ACTION.get((source, action))
    if transition is None:
        raise InvalidTransition(
            "The action %(action)s does not apply to a case that is %(source)s.",
            action=action,
            source=source.value,
        )
    return transition.target


def due_dates(urgency: Urgency, submitted_at: datetime) -> tuple[datetime, datetime]:
    """(triage due, opinion due) for a case submitted at `submitted_at` with `urgency`."""
    return submitted_at + TRIAGE_LEVEL[urgency], submitted_at + SERVICE_LEVEL[urgency]
