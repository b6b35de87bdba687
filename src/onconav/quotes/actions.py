"""The quotes domain's use cases, one function each: ask the accounts policy (which audits), change through
the service, notify, and build the read model. The JSON API and the pages both call these.

Loading by id: one answer for "missing" and "not yours" (a miss is audited like a denial).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.cases import service as cases
from onconav.db import utcnow
from onconav.directory import service as directory
from onconav.directory.schemas import SearchResponse
from onconav.errors import Forbidden, InvalidInput, NotFound, OnconavError
from onconav.i18n import get_translations
from onconav.quotes import access, notify, read_models, service
from onconav.quotes.models import Offer, TreatmentRequest
from onconav.quotes.schemas import (
    MAX_CENTERS,
    CenterSuggestion,
    Comparison,
    InboxItem,
    MessageCreate,
    MessageRead,
    OfferCreate,
    OfferRead,
    RequestCreate,
    RequestLine,
    RequestRead,
    TeamMember,
)


def today() -> date:
    return utcnow().date()


def _request(session: Session, principal: Principal, request_id: str) -> TreatmentRequest:
    request = service.get_request(session, request_id=request_id)
    if request is None:
        raise policy.missing(session, principal, entity_type="treatment_request", entity_id=request_id)
    return request


def _offer(session: Session, principal: Principal, offer_id: str) -> Offer:
    offer = service.get_offer(session, offer_id=offer_id)
    if offer is None:
        raise policy.missing(session, principal, entity_type="offer", entity_id=offer_id)
    return offer


# Choosing centers ----------------------------------------------------------------------------------------


def suggest_centers(
    session: Session, principal: Principal, *, diagnosis: str, near: str, locale: str
) -> list[CenterSuggestion]:
    """Up to five centers the ranking suggests for the condition in `diagnosis` near `near`, each with the
    reasons of its ranking (the same score as every search; nothing here is paid for)."""
    condition, _stage = service.understand_diagnosis(diagnosis)
    name = service.condition_name(condition)
    if name is None:
        raise InvalidInput("Describe the diagnosis in a few words, for example 'stage 4 mesothelioma'.")
    outcome = directory.search_providers(session, query=name, near=near, limit=20)
    found = SearchResponse.from_outcome(
        outcome, query=name, translations=get_translations(locale), locale=locale
    )
    suggestions: list[CenterSuggestion] = []
    for result in found.results:
        if result.kind != "organization" or any(s.organization_id == result.id for s in suggestions):
            continue
        reasons = [reason.detail for reason in result.why]
        suggestions.append(
            CenterSuggestion(organization_id=result.id, name=result.name, city=result.city, reasons=reasons)
        )
        if len(suggestions) == MAX_CENTERS:
            break
    return suggestions


def chosen_centers(session: Session, *, organization_ids: list[int], locale: str) -> list[CenterSuggestion]:
    """The centers a patient picked on their directory pages (public directory facts only)."""
    reason = get_translations(locale).gettext("You chose this center from the directory.")
    found = []
    for organization_id in dict.fromkeys(organization_ids):
        try:
            center = directory.get_organization_or_raise(session, organization_id=organization_id)
        except NotFound:
            continue
        city = center.locations[0].city if center.locations else ""
        found.append(
            CenterSuggestion(organization_id=center.id, name=center.name, city=city, reasons=[reason])
        )
    return found


def _addressees(
    session: Session, organization_ids: list[int], suggested: dict[int, list[str]], locale: str
) -> list[service.Addressee]:
    chosen = get_translations(locale).gettext("You chose this center from the directory.")
    addressees = []
    for organization_id in organization_ids:
        try:
            center = directory.get_organization_or_raise(session, organization_id=organization_id)
        except NotFound:
            raise InvalidInput("There is no center %(id)s in the directory.", id=organization_id) from None
        reasons = suggested.get(organization_id) or [chosen]
        addressees.append(service.Addressee(organization_id=center.id, name=center.name, reasons=reasons))
    return addressees


def _records_of_case(
    session: Session, principal: Principal, request_in: RequestCreate, patient_id: str
) -> None:
    """The case the records come from is the patient's and readable by the caller; each record is on it."""
    if request_in.case_id is None:
        if request_in.document_ids:
            raise InvalidInput("Choose the case the records come from.")
        return
    case = cases.get(session, case_id=request_in.case_id)
    if case is None or case.patient_id != patient_id:
        raise InvalidInput("Choose one of the patient's own cases.")
    policy.authorize(session, principal, "read", case, detail="treatment request records")
    on_case = {document.id for document in cases.list_documents(session, case_id=case.id)}
    if not set(request_in.document_ids) <= on_case:
        raise InvalidInput("Choose records of that case only.")


@dataclass(frozen=True)
class CaseChoice:
    """One of the caller's own cases, whose records a request may carry."""

    id: str
    title: str


def cases_of_caller(session: Session, principal: Principal) -> list[CaseChoice]:
    """The caller's own cases (each listed is audited), to choose records from."""
    choices = []
    for case in cases.list_for_user(session, user_id=principal.user_id, patient_ids=[]):
        if case.patient_id == principal.user_id:
            policy.authorize(session, principal, "list", case)
            choices.append(CaseChoice(id=case.id, title=case.title))
    return choices


# Requests ------------------------------------------------------------------------------------------------


def create_request(
    session: Session, principal: Principal, *, request_in: RequestCreate, locale: str
) -> RequestRead:
    """Send a treatment request once to one to five centers, for the caller or the patient they act for."""
    patient_id = request_in.patient_id or principal.user_id
    policy.authorize(session, principal, "create", policy.PatientData(patient_id))
    own = principal.is_self(patient_id) and principal.role is Role.patient
    if not own and not principal.may_act_for(patient_id, "create"):
        raise InvalidInput("Only a patient, or a caregiver acting for one, can send a treatment request.")
    _records_of_case(session, principal, request_in, patient_id)
    condition, stage = service.understand_diagnosis(request_in.diagnosis)
    suggested: dict[int, list[str]] = {}
    wishes = request_in.wishes
    if wishes.home_city and condition:
        near = f"{wishes.home_city}, {wishes.home_country}" if wishes.home_country else wishes.home_city
        try:
            for s in suggest_centers(
                session, principal, diagnosis=request_in.diagnosis, near=near, locale=locale
            ):
                suggested[s.organization_id] = s.reasons
        except OnconavError:  # an unknown place: the centers are the patient's own choice
            suggested = {}
    request = service.create_request(
        session,
        patient_id=patient_id,
        created_by=principal.user_id,
        diagnosis_text=request_in.diagnosis,
        condition=condition,
        stage=stage,
        case_id=request_in.case_id,
        document_ids=request_in.document_ids,
        wishes=wishes,
        addressees=_addressees(session, request_in.organization_ids, suggested, locale),
    )
    policy.authorize(session, principal, "create", request)
    notify.request_sent(session, request=request)
    return read_models.request_read(session, principal, request, today=today())


def list_requests(session: Session, principal: Principal) -> list[RequestLine]:
    """The caller's requests and those of patients they act for (each one listed is audited)."""
    patients = [principal.user_id] + [p for p in principal.acting_for if principal.may_act_for(p, "list")]
    lines = []
    for request in service.requests_of(session, patient_ids=patients):
        policy.authorize(session, principal, "list", request)
        lines.append(
            read_models.request_line(request, len(service.offers_of(session, request_id=request.id)))
        )
    return lines


def get_request(session: Session, principal: Principal, *, request_id: str) -> RequestRead:
    """One request as the caller may see it (records de-identified for a center)."""
    request = _request(session, principal, request_id)
    policy.authorize(session, principal, "read", request)
    return read_models.request_read(session, principal, request, today=today())


def withdraw_request(session: Session, principal: Principal, *, request_id: str) -> RequestRead:
    """The patient's side withdraws the request; every center is told."""
    request = _request(session, principal, request_id)
    policy.authorize(session, principal, "withdraw", request)
    service.withdraw_request(session, request=request)
    notify.request_withdrawn(session, request=request)
    return read_models.request_read(session, principal, request, today=today())


def post_message(
    session: Session, principal: Principal, *, request_id: str, message_in: MessageCreate
) -> MessageRead:
    """A question from the patient's side to one center, or from a center to the patient."""
    request = _request(session, principal, request_id)
    policy.authorize(session, principal, "message", request)
    from_center = read_models.is_center_side(principal, request)
    organization_id = access.center_of(principal) if from_center else message_in.organization_id
    if organization_id is None:
        raise InvalidInput("Choose the center the question is for.")
    message = service.post_message(
        session,
        request=request,
        organization_id=organization_id,
        author_id=principal.user_id,
        from_center=from_center,
        body=message_in.body,
    )
    notify.message_posted(session, request=request, organization_id=organization_id, from_center=from_center)
    return MessageRead(
        id=message.id,
        organization_id=message.organization_id,
        from_center=message.from_center,
        body=message_in.body.strip(),
        created_at=message.created_at,
    )


# Centers -------------------------------------------------------------------------------------------------


def inbox(session: Session, principal: Principal) -> list[InboxItem]:
    """The requests addressed to the caller's center (center staff only)."""
    organization_id = access.center_of(principal)
    if organization_id is None:
        raise InvalidInput("The inbox is for center staff.")
    policy.authorize(session, principal, "list", access.CenterInbox(organization_id))
    items = read_models.inbox_items(session, organization_id=organization_id)
    for item in items:  # each request listed is audited, like every read of patient data
        request = service.get_request(session, request_id=item.request_id)
        if request is not None:
            policy.authorize(session, principal, "list", request)
    return items


def _team(session: Session, practitioner_ids: list[int], organization_id: int) -> list[TeamMember]:
    team = []
    for practitioner_id in dict.fromkeys(practitioner_ids):
        try:
            person = directory.get_practitioner_or_raise(session, practitioner_id=practitioner_id)
        except NotFound:
            raise InvalidInput(
                "There is no practitioner %(id)s in the directory.", id=practitioner_id
            ) from None
        if not any(role.organization_id == organization_id for role in person.roles):
            raise InvalidInput("%(name)s does not work at your center in the directory.", name=person.name)
        team.append(TeamMember(practitioner_id=person.id, name=person.name))
    return team


def send_offer(
    session: Session, principal: Principal, *, request_id: str, offer_in: OfferCreate
) -> OfferRead:
    """A center's offer (or its next version); immutable once sent."""
    request = _request(session, principal, request_id)
    policy.authorize(session, principal, "offer", request)
    organization_id = access.center_of(principal)
    assert organization_id is not None  # the policy allows offers to addressed center staff only
    offer = service.send_offer(
        session,
        request=request,
        organization_id=organization_id,
        author_id=principal.user_id,
        offer_in=offer_in,
        team=_team(session, offer_in.practitioner_ids, organization_id),
        today=today(),
    )
    policy.authorize(session, principal, "read", offer)
    notify.offer_sent(session, request=request)
    recipient = service.recipient_of(request, organization_id)
    return service.offer_to_read(
        offer, center=recipient.organization_name if recipient else "", today=today()
    )


def get_offer(session: Session, principal: Principal, *, offer_id: str) -> OfferRead:
    """One offer version (the patient's side, or the center that sent it)."""
    offer = _offer(session, principal, offer_id)
    policy.authorize(session, principal, "read", offer)
    recipient = service.recipient_of(offer.request, offer.organization_id)
    return service.offer_to_read(
        offer, center=recipient.organization_name if recipient else "", today=today()
    )


def accept_offer(session: Session, principal: Principal, *, offer_id: str) -> RequestRead:
    """The patient's side accepts one offer; the chosen center is told, the others thanked."""
    offer = _offer(session, principal, offer_id)
    policy.authorize(session, principal, "accept", offer)
    request = service.accept_offer(session, offer=offer, today=today())
    notify.offer_accepted(session, request=request, organization_id=offer.organization_id)
    return read_models.request_read(session, principal, request, today=today())


def comparison(session: Session, principal: Principal, *, request_id: str, locale: str) -> Comparison:
    """The request's current offers side by side (the patient's side only)."""
    request = _request(session, principal, request_id)
    policy.authorize(session, principal, "read", request, detail="comparison")
    if read_models.is_center_side(principal, request):
        raise Forbidden("Only the patient's side compares the offers.")
    offers = service.offers_of(session, request_id=request.id)
    centers = {
        offer.organization_id: directory.get_organization_or_raise(
            session, organization_id=offer.organization_id
        )
        for offer in offers
    }
    lineage = service.condition_lineage(request.condition)
    medicare = {
        organization_id: directory.medicare_payments(
            session, organization_id=organization_id, condition_codes=lineage
        )
        for organization_id in centers
    }
    return service.build_comparison(
        request,
        offers,
        centers,
        wishes=service.wishes_of(session, request),
        table=service.latest_table(session),
        today=today(),
        t=get_translations(locale),
        medicare=medicare,
    )
