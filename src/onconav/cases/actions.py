"""The cases domain's use cases, one function each: ask the accounts policy (which audits), change through
the service, notify, and build the read model. The JSON API (`routes.py`) and the pages (`pages.py`) both
call these, so a rule lives here once and the two faces cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts import service as accounts
from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.cases import access, notify, opinions, read_models, rendering, service
from onconav.cases.models import Case, CaseDocument, Opinion
from onconav.cases.schemas import (
    CaseCreate,
    CaseCreateFor,
    CaseDetail,
    CaseList,
    CaseOverview,
    CaseRead,
    DocumentContent,
    DocumentRead,
    DocumentText,
    DocumentView,
    MemberCreate,
    MemberRead,
    MessageRead,
    OpinionContent,
    OpinionDraft,
    OpinionForm,
    OpinionOverview,
    OpinionPdf,
    OpinionRead,
    QueueItem,
    ReviewCreate,
    ReviewRead,
    TransitionRequest,
    TrialSuggestion,
    Upload,
)
from onconav.cases.states import (
    CaseRole,
    CaseState,
    InvalidTransition,
    allowed_targets,
    next_actions,
    target_of_action,
)
from onconav.directory import service as directory
from onconav.directory.schemas import SearchResponse
from onconav.errors import Forbidden, InvalidInput, NotFound, OnconavError
from onconav.i18n import N_, get_translations

# Loading by id: one answer for "missing" and "not yours", so an id tells nothing about other people's cases;
# a miss is audited like a denial (someone may be guessing ids).


def _case(session: Session, principal: Principal, case_id: str) -> Case:
    case = service.get(session, case_id=case_id)
    if case is None:
        raise policy.missing(session, principal, entity_type="case", entity_id=case_id)
    return case


def _document(session: Session, principal: Principal, document_id: str) -> CaseDocument:
    document = service.get_document(session, document_id=document_id)
    if document is None:
        raise policy.missing(session, principal, entity_type="document", entity_id=document_id)
    return document


def _readable_document(
    session: Session, principal: Principal, document_id: str, detail: str | None
) -> CaseDocument:
    """A document the caller may read: on the case, and for a message's attachment, allowed to read that
    message too (attachments follow their message: invited colleagues never see them)."""
    document = _document(session, principal, document_id)
    policy.authorize(session, principal, "read", document, detail=detail)
    if document.message_id is not None:
        message = service.get_message(session, message_id=document.message_id)
        if message is None:
            raise NotFound("Not found.")
        policy.authorize(session, principal, "read", message, audit_success=False)
    return document


def _visible(session: Session, principal: Principal, documents: list[CaseDocument]) -> list[CaseDocument]:
    """The documents of a listing the caller may see: attachments only of messages they may read."""
    readable: dict[str, bool] = {}
    visible = []
    for document in documents:
        message_id = document.message_id
        if message_id is not None and message_id not in readable:
            message = service.get_message(session, message_id=message_id)
            readable[message_id] = message is not None and policy.permits(session, principal, "read", message)
        if message_id is None or readable[message_id]:
            visible.append(document)
    return visible


def _opinion(session: Session, principal: Principal, opinion_id: str) -> Opinion:
    opinion = opinions.get(session, opinion_id=opinion_id)
    if opinion is None:
        raise policy.missing(session, principal, entity_type="opinion", entity_id=opinion_id)
    return opinion


# Cases ---------------------------------------------------------------------------------------------------


def create_case(session: Session, principal: Principal, *, case_in: CaseCreateFor) -> CaseDetail:
    """Start a draft case for the caller, or for the patient a caregiver names (with consent to write)."""
    patient_id = case_in.patient_id or principal.user_id
    policy.authorize(session, principal, "create", policy.PatientData(patient_id))
    if not (principal.is_self(patient_id) and principal.role is Role.patient) and not principal.may_act_for(
        patient_id, "create"
    ):
        raise InvalidInput("Only a patient, or a caregiver acting for one, can ask for a second opinion.")
    role = CaseRole.patient if principal.is_self(patient_id) else CaseRole.caregiver
    draft = CaseCreate.model_validate(case_in.model_dump(exclude={"patient_id"}))
    case = service.create(
        session, patient_id=patient_id, case_in=draft, created_by=principal.user_id, actor_role=role
    )
    policy.authorize(session, principal, "create", case)
    return read_models.case_detail(session, principal, case)


def _patients_listed(principal: Principal) -> list[str]:
    """The patients whose cases a caregiver may list."""
    return [p for p in principal.acting_for if principal.may_act_for(p, "list")]


def _visible_cases(session: Session, principal: Principal) -> list[Case]:
    """The caller's cases: their own, those of patients they care for, those they work on, and for
    coordinators every open case; each one listed is audited."""
    cases = service.list_for_user(session, user_id=principal.user_id, patient_ids=_patients_listed(principal))
    if principal.role is Role.coordinator:
        seen = {c.id for c in cases}
        cases += [c for c in service.open_cases(session) if c.id not in seen]
    visible = []
    for case in cases:
        if policy.permits(session, principal, "list", case):
            policy.authorize(session, principal, "list", case)
            visible.append(case)
    return visible


def list_cases(session: Session, principal: Principal) -> list[CaseRead]:
    """The caller's cases with their history."""
    return [service.to_read(session, case) for case in _visible_cases(session, principal)]


def case_list(session: Session, principal: Principal) -> CaseList:
    """The caller's cases as lines with their due dates, and whether (and for whom) they may start one."""
    return CaseList(
        cases=[service.queue_item(case) for case in _visible_cases(session, principal)],
        may_create=principal.role in (Role.patient, Role.caregiver),
        patients=_patients_listed(principal),
    )


def get_case(session: Session, principal: Principal, *, case_id: str) -> CaseDetail:
    """One case with its history, the caller's parts on it and the actions open to them."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "read", case)
    return read_models.case_detail(session, principal, case)


def case_overview(session: Session, principal: Principal, *, case_id: str) -> CaseOverview:
    """Everything of one case the caller may see, with what they may do (the case page)."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "read", case)
    roles = access.member_roles(session, principal, case)
    team = bool(roles & {CaseRole.coordinator, CaseRole.specialist, CaseRole.colleague})
    may_message = policy.permits(session, principal, "message", case)
    return CaseOverview(
        case=service.to_read(session, case),
        roles=sorted(roles),
        actions=next_actions(CaseState(case.state), roles),
        documents=[
            service.document_to_read(session, d, include_identifying=access.sees_identifying_tags(roles))
            for d in _visible(session, principal, service.list_documents(session, case_id=case.id))
        ],
        messages=read_models.message_reads(session, principal, case) if may_message else [],
        may_message=may_message,
        may_upload=policy.permits(session, principal, "upload", case),
        may_assign=policy.permits(session, principal, "assign", case),
        may_invite=policy.permits(session, principal, "invite", case),
        may_review=policy.permits(session, principal, "review", case),
        may_write_opinion=policy.permits(session, principal, "write_opinion", case),
        members=read_models.member_reads(session, case) if team else [],
        reviews=read_models.review_reads(session, case) if team else [],
        opinions=read_models.readable_opinions(session, principal, case),
        positions=service.REVIEW_POSITIONS,
    )


def _acting_role(session: Session, principal: Principal, case: Case, action: str) -> CaseRole:
    """The part the caller plays for this workflow action (the first of theirs the workflow allows)."""
    target = target_of_action(CaseState(case.state), action)
    roles = access.member_roles(session, principal, case)
    for role in (CaseRole.patient, CaseRole.caregiver, CaseRole.coordinator, CaseRole.specialist):
        if role in roles and target in allowed_targets(CaseState(case.state), role):
            return role
    raise InvalidTransition(
        "You cannot %(action)s a case that is %(state)s.", action=action, state=case.state
    )


def transition_case(
    session: Session,
    principal: Principal,
    *,
    case_id: str,
    transition: TransitionRequest,
    delivery_elsewhere: OnconavError,
) -> CaseDetail:
    """Move the case on (submit, triage, accept ...) and tell the others on it.

    Delivering the opinion is no bare transition: it is refused with `delivery_elsewhere`, in which each
    face says where opinions are delivered."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "update", case, detail=f"transition:{transition.action[:40]}")
    if transition.action == "deliver_opinion":
        raise delivery_elsewhere
    role = _acting_role(session, principal, case, transition.action)
    change = service.perform(
        session,
        case=case,
        action=transition.action,
        actor_id=principal.user_id,
        role=role,
        note=transition.note,
    )
    notify.case_changed(session, case=case, change=change)
    return read_models.case_detail(session, principal, case)


def suggest_specialists(
    session: Session, principal: Principal, *, case_id: str, near: str, limit: int, locale: str
) -> SearchResponse:
    """Specialists and centers for the case's condition near a place, with why each ranks where it does
    (the reasons in `locale`)."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "read", case, detail="suggestions")
    query = service.condition_query(case)
    outcome = directory.search_providers(session, query=query, near=near, limit=limit)
    return SearchResponse.from_outcome(
        outcome, query=query, translations=get_translations(locale), locale=locale
    )


# Documents -----------------------------------------------------------------------------------------------


def _take_in(
    session: Session, principal: Principal, case: Case, upload: Upload, *, message_id: str | None = None
) -> CaseDocument:
    return service.add_document(
        session,
        store=service.document_store(),
        case=case,
        uploaded_by=principal.user_id,
        source=upload.source,
        filename=upload.filename,
        declared_type=upload.declared_type,
        message_id=message_id,
    )


def upload_document(session: Session, principal: Principal, *, case_id: str, upload: Upload) -> DocumentRead:
    """Add a record to the case; its kind is decided by content, its SHA-256 returned."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "upload", case)
    document = _take_in(session, principal, case, upload)
    return read_models.document_read(session, principal, document)


def list_documents(session: Session, principal: Principal, *, case_id: str) -> list[DocumentRead]:
    """The case's records."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "list", case, detail="documents")
    return [
        read_models.document_read(session, principal, d)
        for d in _visible(session, principal, service.list_documents(session, case_id=case.id))
    ]


def get_document(session: Session, principal: Principal, *, document_id: str) -> DocumentRead:
    """One record's kind, hash and details."""
    document = _readable_document(session, principal, document_id, None)
    return read_models.document_read(session, principal, document)


def get_document_text(session: Session, principal: Principal, *, document_id: str) -> DocumentText:
    """The text extracted from a PDF, or the readable summary of a FHIR bundle; beyond the reviewing team
    with the identifiers the case knows redacted, saying what could not be checked."""
    document = _readable_document(session, principal, document_id, "text")
    if access.sees_originals(access.member_roles(session, principal, document.case)):
        return DocumentText(id=document.id, text=service.document_text(session, document))
    return DocumentText(
        id=document.id,
        text=service.shared_text(session, document),
        redacted=True,
        unchecked=service.UNCHECKED_TEXT,
    )


def get_document_content(
    session: Session, principal: Principal, *, document_id: str, shared: bool
) -> DocumentContent:
    """The record's bytes, checked against its hash; invited colleagues always get the shared copy, and
    no PDF pages (onconav cannot de-identify them: colleagues read the redacted text)."""
    document = _readable_document(session, principal, document_id, "content")
    roles = access.member_roles(session, principal, document.case)
    if not access.sees_originals(roles) and not service.shareable_file(document):
        raise Forbidden(
            "The pages of this PDF may show who the patient is and are not shared beyond the care team: "
            "read its text, with the identifiers onconav knows removed."
        )
    shared = shared or not access.sees_originals(roles)
    data = service.document_bytes(session, service.document_store(), document, shared=shared)
    return DocumentContent(
        id=document.id,
        data=data,
        media_type=document.media_type,
        sha256=document.sha256 if not shared else "",
    )


def document_view(session: Session, principal: Principal, *, document_id: str) -> DocumentView:
    """A record read in the browser: its details and text, and whether the reader gets the shared copy."""
    document = _readable_document(session, principal, document_id, "view")
    roles = access.member_roles(session, principal, document.case)
    read = service.document_to_read(
        session, document, include_identifying=access.sees_identifying_tags(roles)
    )
    if access.sees_originals(roles):
        return DocumentView(document=read, text=service.document_text(session, document), shared=False)
    return DocumentView(
        document=read,
        text=service.shared_text(session, document),
        shared=True,
        unchecked=service.UNCHECKED_TEXT,
        may_download=service.shareable_file(document),
    )


# Team: queue, workspace, members -------------------------------------------------------------------------


def coordinator_queue(session: Session, principal: Principal) -> list[QueueItem]:
    """Open cases by due date, for coordinators."""
    policy.authorize(session, principal, "list", access.CaseQueue())
    return service.queue(session)


def specialist_workspace(session: Session, principal: Principal) -> list[QueueItem]:
    """The cases assigned to the calling specialist (and those they were invited to), by due date."""
    policy.authorize(session, principal, "list", access.Workspace(principal.user_id))
    return [service.queue_item(case) for case in service.assigned_cases(session, user_id=principal.user_id)]


def list_members(session: Session, principal: Principal, *, case_id: str) -> list[MemberRead]:
    """The case's review team."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "read", case, detail="members")
    return read_models.member_reads(session, case)


def add_member(session: Session, principal: Principal, *, case_id: str, member: MemberCreate) -> MemberRead:
    """A coordinator assigns a specialist, the assigned specialist invites colleagues; the new one is told."""
    case = _case(session, principal, case_id)
    action = "assign" if member.role == CaseRole.specialist else "invite"
    policy.authorize(session, principal, action, case)
    user = accounts.get_user_by_email(session, email=member.email)
    if user is None or user.role != Role.specialist.value or user.disabled_at is not None:
        raise InvalidInput("No active specialist has this e-mail address.")
    added = service.add_member(
        session, case=case, user_id=user.id, role=member.role, added_by=principal.user_id
    )
    notify.member_added(session, case=case, user_id=user.id)
    return MemberRead(user_id=added.user_id, role=added.role, created_at=added.created_at)


# Messages and review inputs ------------------------------------------------------------------------------


def list_messages(session: Session, principal: Principal, *, case_id: str) -> list[MessageRead]:
    """The case's messages with their attachments."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "message", case, audit_success=False)
    policy.authorize(session, principal, "read", case, detail="messages")
    return read_models.message_reads(session, principal, case)


def post_message(
    session: Session, principal: Principal, *, case_id: str, body: str, uploads: list[Upload]
) -> MessageRead:
    """A message on the case, its attachments taken in through the same path as records; the others on the
    case are told."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "message", case)
    roles = access.member_roles(session, principal, case)
    role = next(
        r
        for r in (CaseRole.patient, CaseRole.caregiver, CaseRole.specialist, CaseRole.coordinator)
        if r in roles
    )
    message = service.post_message(
        session, case=case, author_id=principal.user_id, author_role=role, body=body
    )
    attachments = [_take_in(session, principal, case, upload, message_id=message.id) for upload in uploads]
    notify.message_posted(session, case=case, author_id=principal.user_id)
    return read_models.message_read(session, principal, message, attachments)


def list_reviews(session: Session, principal: Principal, *, case_id: str) -> list[ReviewRead]:
    """The multidisciplinary review: each member's recorded input (team only)."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "review", case, audit_success=False)
    policy.authorize(session, principal, "read", case, detail="reviews")
    return read_models.review_reads(session, case)


def add_review(session: Session, principal: Principal, *, case_id: str, review: ReviewCreate) -> ReviewRead:
    """The caller's input to the review, under their professional name and specialty (from their account)."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "review", case)
    name, _credentials, specialty = service.professional_identity(session, user_id=principal.user_id)
    recorded = service.add_review_input(
        session,
        case=case,
        author_id=principal.user_id,
        author_name=name,
        specialty=specialty,
        position=review.position,
        body=review.body,
    )
    return ReviewRead.model_validate(recorded, from_attributes=True)


# Opinions ------------------------------------------------------------------------------------------------


def list_opinions(session: Session, principal: Principal, *, case_id: str) -> list[OpinionRead]:
    """Every opinion version the caller may read (the patient's side sees delivered ones only)."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "read", case, detail="opinions")
    return read_models.readable_opinions(session, principal, case)


def save_opinion(session: Session, principal: Principal, *, case_id: str, draft: OpinionDraft) -> OpinionRead:
    """Write or rewrite the draft (clears signatures); after delivery, starts an amendment. The reviewers'
    names, credentials and affiliations come from their accounts."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "write_opinion", case)
    written = draft.content
    content = OpinionContent(
        **written.model_dump(exclude={"reviewers"}),
        reviewers=service.reviewers_by_id(
            session, case=case, user_ids=[r.user_id for r in written.reviewers]
        ),
    )
    opinion = opinions.save_draft(
        session,
        case=case,
        content=content,
        author_id=principal.user_id,
        amendment_reason=draft.amendment_reason,
    )
    return opinions.to_read(opinion)


def save_opinion_from_form(
    session: Session, principal: Principal, *, case_id: str, form: OpinionForm
) -> OpinionRead:
    """Write the draft from the opinion form, whose reviewers are named by e-mail."""
    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "write_opinion", case)
    trials = [TrialSuggestion(identifier=t.identifier, title=t.title, why=t.why) for t in form.trials]
    content = OpinionContent(
        diagnosis_agreement=form.diagnosis_agreement,
        diagnosis_comment=form.diagnosis_comment,
        staging=form.staging,
        recommended_plan=form.recommended_plan,
        alternatives=form.alternatives,
        trials=trials,
        questions_for_team=form.questions_for_team,
        reviewers=service.reviewers_by_email(session, case=case, lines=form.reviewers),
    )
    opinion = opinions.save_draft(
        session,
        case=case,
        content=content,
        author_id=principal.user_id,
        amendment_reason=form.amendment_reason,
    )
    return opinions.to_read(opinion)


def get_opinion(session: Session, principal: Principal, *, opinion_id: str) -> OpinionRead:
    """One opinion version."""
    opinion = _opinion(session, principal, opinion_id)
    policy.authorize(session, principal, "read", opinion)
    return opinions.to_read(opinion)


def opinion_overview(session: Session, principal: Principal, *, opinion_id: str) -> OpinionOverview:
    """One opinion version with its case, who has yet to sign, and whether the caller may sign or deliver."""
    opinion = _opinion(session, principal, opinion_id)
    policy.authorize(session, principal, "read", opinion)
    draft = opinion.status == "draft"
    return OpinionOverview(
        opinion=opinions.to_read(opinion),
        case=service.to_read(session, opinion.case),
        unsigned=opinions.unsigned_reviewers(opinion),
        may_sign=policy.permits(session, principal, "sign", opinion) and draft,
        may_deliver=policy.permits(session, principal, "deliver", opinion) and draft,
    )


def sign_opinion(session: Session, principal: Principal, *, opinion_id: str) -> OpinionRead:
    """The calling reviewer signs the draft's exact content."""
    opinion = _opinion(session, principal, opinion_id)
    policy.authorize(session, principal, "sign", opinion)
    opinions.sign(session, opinion=opinion, reviewer_id=principal.user_id)
    return opinions.to_read(opinion)


def deliver_opinion(session: Session, principal: Principal, *, opinion_id: str) -> OpinionRead:
    """Deliver a draft every reviewer signed (it can never change afterwards); the patient is told."""
    opinion = _opinion(session, principal, opinion_id)
    policy.authorize(session, principal, "deliver", opinion)
    case = opinion.case
    opinions.deliver(
        session, case=case, opinion=opinion, actor_id=principal.user_id, role=CaseRole.specialist
    )
    notify.opinion_delivered(session, case=case)
    return opinions.to_read(opinion)


def opinion_pdf(session: Session, principal: Principal, *, opinion_id: str) -> OpinionPdf:
    """The opinion as a PDF."""
    opinion = _opinion(session, principal, opinion_id)
    policy.authorize(session, principal, "export", opinion, detail="pdf")
    return OpinionPdf(data=rendering.opinion_pdf(opinion.case, opinion), version=opinion.version)


def opinion_fhir(session: Session, principal: Principal, *, opinion_id: str, base_url: str) -> dict[str, Any]:
    """The opinion as a FHIR R4 Composition."""
    opinion = _opinion(session, principal, opinion_id)
    policy.authorize(session, principal, "export", opinion, detail="fhir")
    return rendering.opinion_composition(opinion.case, opinion, base_url=base_url)


# A summary that fails its mCODE check (a 409): what the records said cannot be carried (English detail).
NOT_MCODE = N_("This case's records cannot be summarised in mCODE: %(problem)s")


def case_mcode(session: Session, principal: Principal, *, case_id: str) -> dict[str, Any]:
    """The case's FHIR summary in mCODE profiles, checked; the patient is named to the patient's side and
    the reviewing team only (invited colleagues get it masked, as they get de-identified records)."""
    from onconav.db import utcnow

    case = _case(session, principal, case_id)
    policy.authorize(session, principal, "export", case, detail="mcode")
    name: str | None = None
    if access.sees_originals(access.member_roles(session, principal, case)):
        try:
            name = accounts.get_user_or_raise(session, user_id=case.patient_id).display_name
        except NotFound:
            name = ""  # the account is gone: the name is unknown, not masked
    bundle = service.mcode_bundle(case, patient_name=name, now=utcnow())
    problems = service.check_mcode(bundle)
    if problems:
        raise service.NotMcode(NOT_MCODE, problem=problems[0])
    return bundle
