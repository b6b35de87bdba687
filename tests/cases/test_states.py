"""The workflow table: each role may make only its own transitions, everything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onconav.cases.states import (
    TERMINAL_STATES,
    TRANSITIONS,
    CaseRole,
    CaseState,
    InvalidTransition,
    Urgency,
    allowed_targets,
    check_transition,
    due_dates,
    target_of_action,
)


def test_each_role_moves_a_case_along_the_happy_path() -> None:
    path = [
        (CaseState.draft, CaseState.submitted, CaseRole.patient),
        (CaseState.submitted, CaseState.triaged, CaseRole.coordinator),
        (CaseState.triaged, CaseState.accepted, CaseRole.specialist),
        (CaseState.accepted, CaseState.in_review, CaseRole.specialist),
        (CaseState.in_review, CaseState.more_info_requested, CaseRole.specialist),
        (CaseState.more_info_requested, CaseState.in_review, CaseRole.patient),
        (CaseState.in_review, CaseState.opinion_delivered, CaseRole.specialist),
        (CaseState.opinion_delivered, CaseState.closed, CaseRole.patient),
    ]
    for source, target, role in path:
        assert check_transition(source, target, role).target == target


def test_wrong_role_and_impossible_jumps_are_refused_with_a_reason() -> None:
    with pytest.raises(InvalidTransition, match="A patient cannot move a case from submitted to triaged"):
        check_transition(CaseState.submitted, CaseState.triaged, CaseRole.patient)
    with pytest.raises(InvalidTransition, match="cannot go from draft to opinion_delivered"):
        check_transition(CaseState.draft, CaseState.opinion_delivered, CaseRole.specialist)
    with pytest.raises(InvalidTransition, match="does not apply"):
        target_of_action(CaseState.closed, "submit")
    # Only the patient's side withdraws, and never after the opinion.
    with pytest.raises(InvalidTransition):
        check_transition(CaseState.in_review, CaseState.withdrawn, CaseRole.specialist)
    with pytest.raises(InvalidTransition):
        check_transition(CaseState.opinion_delivered, CaseState.withdrawn, CaseRole.patient)


def test_terminal_states_lead_nowhere() -> None:
    for state in TERMINAL_STATES:
        for role in CaseRole:
            assert allowed_targets(state, role) == []


def test_every_state_is_reachable_from_draft() -> None:
    reached = {CaseState.draft}
    frontier = [CaseState.draft]
    while frontier:
        state = frontier.pop()
        for transition in TRANSITIONS:
            if transition.source == state and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(CaseState)


@given(st.sampled_from(list(CaseState)), st.sampled_from(list(CaseState)), st.sampled_from(list(CaseRole)))
def test_a_transition_is_allowed_exactly_when_the_table_lists_it_for_the_role(
    source: CaseState, target: CaseState, role: CaseRole
) -> None:
    allowed = any(t.source == source and t.target == target and role in t.roles for t in TRANSITIONS)
    if allowed:
        assert check_transition(source, target, role).target == target
    else:
        with pytest.raises(InvalidTransition):
            check_transition(source, target, role)


def test_due_dates_follow_urgency() -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    triage, opinion = due_dates(Urgency.urgent, now)
    assert triage == now + timedelta(hours=24) and opinion == now + timedelta(days=3)
    assert due_dates(Urgency.routine, now)[1] > due_dates(Urgency.soon, now)[1] > opinion
