"""Plain words for the case workflow: every state and action as a label and a one-line explanation, the
parts people play and the urgencies, for the pages (the API keeps the machine names).
"""

from __future__ import annotations

from dataclasses import dataclass

from onconav.cases.states import TRANSITIONS, CaseRole, CaseState, Urgency
from onconav.i18n import N_


@dataclass(frozen=True)
class Wording:
    """A label and a one-line explanation, both gettext message ids (translated when shown)."""

    label: str
    explanation: str


STATE_WORDS: dict[CaseState, Wording] = {
    CaseState.draft: Wording(
        N_("Not sent yet"),
        N_("Only you and the people you act for can see it. Add records, then send it to the review team."),
    ),
    CaseState.submitted: Wording(
        N_("Sent, waiting for a coordinator"),
        N_("A coordinator will check the case and look for the right specialist."),
    ),
    CaseState.triaged: Wording(
        N_("Checked by a coordinator"),
        N_("The case is complete and waits for a specialist to take it."),
    ),
    CaseState.accepted: Wording(
        N_("Accepted by a specialist"),
        N_("A specialist agreed to review the case and will start soon."),
    ),
    CaseState.declined: Wording(
        N_("Not taken on"),
        N_("The review team cannot review this case; the messages say why and what else you can do."),
    ),
    CaseState.in_review: Wording(
        N_("Being reviewed"),
        N_("Specialists are reading the records and preparing the written opinion."),
    ),
    CaseState.more_info_requested: Wording(
        N_("More information needed"),
        N_("The review team needs something more: read the messages, add it, then tell them it is ready."),
    ),
    CaseState.opinion_delivered: Wording(
        N_("Opinion ready"),
        N_("The written second opinion is ready to read on this page."),
    ),
    CaseState.closed: Wording(
        N_("Closed"),
        N_("This case is finished. Everything in it stays readable."),
    ),
    CaseState.withdrawn: Wording(
        N_("Withdrawn"),
        N_("This request was withdrawn and will not be reviewed."),
    ),
}

ACTION_WORDS: dict[str, Wording] = {
    "submit": Wording(
        N_("Send to the review team"),
        N_("A coordinator checks the case first. You can still add records and messages afterwards."),
    ),
    "triage": Wording(
        N_("Mark as checked"),
        N_("The case is complete and ready for a specialist."),
    ),
    "accept": Wording(N_("Take on the case"), N_("You will review it and write the opinion.")),
    "decline": Wording(
        N_("Decline the case"),
        N_("The team will not review it; tell the patient why in a message."),
    ),
    "start_review": Wording(N_("Start the review"), N_("The patient sees that the review has started.")),
    "request_info": Wording(
        N_("Ask for more information"),
        N_("Say in a message what is missing; the patient is asked to add it."),
    ),
    "provide_info": Wording(
        N_("Tell the team the information is ready"),
        N_("The review goes on with what you added."),
    ),
    "deliver_opinion": Wording(N_("Deliver the opinion"), N_("The patient can read the signed opinion.")),
    "close": Wording(N_("Close the case"), N_("Nothing more happens on the case; it stays readable.")),
    "withdraw": Wording(
        N_("Withdraw the request"),
        N_("The case will not be reviewed. This cannot be undone: to ask again, start a new case."),
    ),
}

# Steps that cannot be taken back: each asks for a second, explicit confirmation (a page, no script).
NEEDS_CONFIRMATION = frozenset({"submit", "decline", "close", "withdraw"})
# Steps that end or refuse the review: styled apart from the primary action.
DESTRUCTIVE = frozenset({"decline", "withdraw"})

CONFIRM_QUESTIONS = {
    "submit": N_("Send this case to the review team?"),
    "decline": N_("Decline this case?"),
    "close": N_("Close this case?"),
    "withdraw": N_("Withdraw this request for a second opinion?"),
}
CONFIRM_BUTTONS = {
    "submit": N_("Yes, send it"),
    "decline": N_("Yes, decline the case"),
    "close": N_("Yes, close the case"),
    "withdraw": N_("Yes, withdraw the request"),
}

ROLE_LABELS: dict[str, str] = {
    CaseRole.patient: N_("Patient"),
    CaseRole.caregiver: N_("Caregiver"),
    CaseRole.coordinator: N_("Coordinator"),
    CaseRole.specialist: N_("Specialist"),
    CaseRole.colleague: N_("Invited colleague"),
}

URGENCY_LABELS: dict[str, str] = {
    Urgency.routine: N_("Routine"),
    Urgency.soon: N_("Soon"),
    Urgency.urgent: N_("Urgent"),
}

OPINION_STATUS_LABELS = {"draft": N_("Not delivered yet"), "delivered": N_("Delivered")}


def state_words(state: CaseState | str) -> Wording:
    """The label and explanation of a state (every state has one)."""
    return STATE_WORDS[CaseState(state)]


def action_words(action: str) -> Wording:
    """The label and explanation of a workflow action; an unknown action keeps its name, spaced."""
    return ACTION_WORDS.get(action, Wording(action.replace("_", " "), ""))


def every_action() -> frozenset[str]:
    """Every action the workflow knows (for checking that each has words)."""
    return frozenset(t.action for t in TRANSITIONS)
