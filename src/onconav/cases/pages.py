"""Case pages (no JavaScript needed): the patient's case list and case page, the coordinator's queue, the
specialist's workspace, records read in the browser, messages, the review and the opinion.

Pages call the same policy and services as the API; every POST form carries the CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from onconav.accounts import policy
from onconav.accounts import service as accounts
from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.cases import access, notify, opinions, service
from onconav.cases.models import Case
from onconav.cases.rendering import AGREEMENT_LABELS
from onconav.cases.routes import acting_role, load_case, load_document, load_opinion, next_actions
from onconav.cases.schemas import OpinionContent, Reviewer, TrialSuggestion
from onconav.cases.states import CaseRole, Urgency
from onconav.errors import InvalidInput
from onconav.web.dependencies import CurrentPrincipal, SessionDep
from onconav.web.templating import render

router = APIRouter(include_in_schema=False)


def page(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    response = render(request, template, context)
    response.headers["Cache-Control"] = "no-store"
    return response


def back_to(case_id: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}{anchor}", status_code=303)


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, principal: CurrentPrincipal, session: SessionDep) -> HTMLResponse:
    """The caller's cases and, for patients and caregivers, the form to ask for a second opinion."""
    patients = [p for p in principal.acting_for if principal.may_act_for(p, "list")]
    cases = service.list_for_user(session, user_id=principal.user_id, patient_ids=patients)
    visible = []
    for case in cases:
        if policy.permits(session, principal, "list", case):
            policy.authorize(session, principal, "list", case)
            visible.append(service.queue_item(case))
    may_create = principal.role in (Role.patient, Role.caregiver)
    return page(
        request,
        "cases/list.html",
        {
            "cases": visible,
            "may_create": may_create,
            "principal": principal,
            "urgencies": list(Urgency),
            "patients": patients,
        },
    )


@router.post("/cases", response_model=None)
def create_case_form(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    title: Annotated[str, Form(max_length=200)],
    diagnosis: Annotated[str, Form(max_length=4000)],
    treatment_plan: Annotated[str, Form(max_length=4000)] = "",
    questions: Annotated[str, Form(max_length=8000)] = "",
    urgency: Annotated[Urgency, Form()] = Urgency.routine,
    language: Annotated[str, Form(max_length=2)] = "en",
    patient_id: Annotated[str, Form(max_length=64)] = "",
) -> RedirectResponse:
    from onconav.cases.routes import CaseCreateFor, create_case

    body = CaseCreateFor(
        title=title,
        diagnosis=diagnosis,
        treatment_plan=treatment_plan,
        questions=lines(questions)[:20],
        urgency=urgency,
        language=language,
        patient_id=patient_id or None,
    )
    detail = create_case(body, principal, session)
    return back_to(detail.id)


@router.get("/cases/queue", response_class=HTMLResponse)
def queue_page(request: Request, principal: CurrentPrincipal, session: SessionDep) -> HTMLResponse:
    """Coordinators: open cases by due date."""
    policy.authorize(session, principal, "list", access.CaseQueue())
    items = service.queue(session)
    return page(request, "cases/queue.html", {"items": items, "title": "Case queue"})


@router.get("/cases/workspace", response_class=HTMLResponse)
def workspace_page(request: Request, principal: CurrentPrincipal, session: SessionDep) -> HTMLResponse:
    """Specialists: only the cases assigned to them or that they were invited to."""
    policy.authorize(session, principal, "list", access.Workspace(principal.user_id))
    items = [service.queue_item(c) for c in service.assigned_cases(session, user_id=principal.user_id)]
    return page(request, "cases/queue.html", {"items": items, "title": "My workspace"})


def _case_context(session: Session, principal: Principal, case: Case) -> dict[str, Any]:
    roles = access.member_roles(session, principal, case)
    team = bool(roles & {CaseRole.coordinator, CaseRole.specialist, CaseRole.colleague})
    documents = [
        service.document_to_read(session, d, include_identifying=access.sees_identifying_tags(roles))
        for d in service.list_documents(session, case_id=case.id)
    ]
    may_message = policy.permits(session, principal, "message", case)
    messages = service.list_messages(session, case_id=case.id) if may_message else []
    attached = service.attachments_of(session, message_ids=[m.id for m in messages])
    versions = [
        o
        for o in opinions.versions(session, case_id=case.id)
        if policy.permits(session, principal, "read", o)
    ]
    return {
        "case": service.to_read(session, case),
        "roles": sorted(roles),
        "actions": next_actions(case, roles),
        "documents": documents,
        "messages": [(m, attached.get(m.id, [])) for m in messages],
        "may_message": may_message,
        "may_upload": policy.permits(session, principal, "upload", case),
        "may_assign": policy.permits(session, principal, "assign", case),
        "may_invite": policy.permits(session, principal, "invite", case),
        "may_review": policy.permits(session, principal, "review", case),
        "may_write_opinion": policy.permits(session, principal, "write_opinion", case),
        "members": service.members(session, case_id=case.id) if team else [],
        "reviews": service.list_review_inputs(session, case_id=case.id) if team else [],
        "opinions": versions,
        "agreement_labels": AGREEMENT_LABELS,
        "positions": service.REVIEW_POSITIONS,
    }


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    case = load_case(session, case_id)
    policy.authorize(session, principal, "read", case)
    context = _case_context(session, principal, case)
    return page(request, "cases/case.html", context)


@router.post("/cases/{case_id}/transitions", response_model=None)
def transition_form(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    action: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    case = load_case(session, case_id)
    policy.authorize(session, principal, "update", case, detail=f"transition:{action[:40]}")
    if action == "deliver_opinion":
        raise InvalidInput("An opinion is delivered from the opinion itself.")
    role = acting_role(session, principal, case, action)
    change = service.perform(
        session, case=case, action=action, actor_id=principal.user_id, role=role, note=note
    )
    notify.case_changed(session, case=case, change=change)
    return back_to(case_id)


@router.post("/cases/{case_id}/documents", response_model=None)
def upload_form(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, file: Annotated[UploadFile, File()]
) -> RedirectResponse:
    case = load_case(session, case_id)
    policy.authorize(session, principal, "upload", case)
    service.add_document(
        session,
        store=service.document_store(),
        case=case,
        uploaded_by=principal.user_id,
        source=file.file,
        filename=file.filename,
        declared_type=file.content_type,
    )
    return back_to(case_id, "#records")


@router.post("/cases/{case_id}/messages", response_model=None)
def message_form(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: Annotated[str, Form(min_length=1, max_length=10_000)],
    file: Annotated[UploadFile | None, File()] = None,
) -> RedirectResponse:
    from onconav.cases.routes import post_message

    files = [file] if file is not None and file.filename else None
    post_message(case_id, principal, session, body, files)
    return back_to(case_id, "#messages")


@router.post("/cases/{case_id}/members", response_model=None)
def member_form(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[CaseRole, Form()],
) -> RedirectResponse:
    from onconav.cases.routes import MemberCreate, add_member

    add_member(case_id, MemberCreate(email=email, role=role), principal, session)
    return back_to(case_id, "#team")


@router.post("/cases/{case_id}/reviews", response_model=None)
def review_form(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    position: Annotated[str, Form(max_length=20)],
    body: Annotated[str, Form(min_length=1, max_length=10_000)],
    specialty: Annotated[str, Form(max_length=120)] = "",
) -> RedirectResponse:
    from onconav.cases.routes import ReviewCreate, add_review

    add_review(case_id, ReviewCreate(position=position, specialty=specialty, body=body), principal, session)
    return back_to(case_id, "#review")


def reviewers_from(session: Session, case: Case, text: str) -> list[Reviewer]:
    """'email | credentials' lines -> reviewers, each a specialist on the case."""
    on_case = {m.user_id for m in service.members(session, case_id=case.id)}
    reviewers = []
    for line in lines(text):
        email, _, credentials = line.partition("|")
        user = accounts.get_user_by_email(session, email=email.strip())
        if user is None or user.id not in on_case:
            raise InvalidInput("%(email)s is not a reviewer on this case.", email=email.strip()[:100])
        reviewers.append(
            Reviewer(
                user_id=user.id, name=user.display_name or user.email, credentials=credentials.strip() or "MD"
            )
        )
    return reviewers


@router.post("/cases/{case_id}/opinion", response_model=None)
def opinion_form(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    diagnosis_agreement: Annotated[str, Form(max_length=20)],
    recommended_plan: Annotated[str, Form(min_length=1, max_length=8000)],
    reviewers: Annotated[str, Form(min_length=3, max_length=4000)],
    diagnosis_comment: Annotated[str, Form(max_length=4000)] = "",
    staging: Annotated[str, Form(max_length=1000)] = "",
    alternatives: Annotated[str, Form(max_length=8000)] = "",
    trials: Annotated[str, Form(max_length=8000)] = "",
    questions_for_team: Annotated[str, Form(max_length=8000)] = "",
    amendment_reason: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    case = load_case(session, case_id)
    policy.authorize(session, principal, "write_opinion", case)
    trial_list = []
    for line in lines(trials):
        parts = [p.strip() for p in line.split("|")]
        identifier, title, why = [*parts, "", "", ""][:3] if len(parts) > 1 else ("", parts[0], "")
        trial_list.append(TrialSuggestion(identifier=identifier[:40], title=title or identifier, why=why))
    content = OpinionContent(
        diagnosis_agreement=diagnosis_agreement,
        diagnosis_comment=diagnosis_comment,
        staging=staging,
        recommended_plan=recommended_plan,
        alternatives=lines(alternatives),
        trials=trial_list,
        questions_for_team=lines(questions_for_team),
        reviewers=reviewers_from(session, case, reviewers),
    )
    opinions.save_draft(
        session, case=case, content=content, author_id=principal.user_id, amendment_reason=amendment_reason
    )
    return back_to(case_id, "#opinion")


@router.post("/opinions/{opinion_id}/sign", response_model=None)
def sign_form(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> RedirectResponse:
    from onconav.cases.routes import sign_opinion

    read = sign_opinion(opinion_id, principal, session)
    return back_to(read.case_id, "#opinion")


@router.post("/opinions/{opinion_id}/deliver", response_model=None)
def deliver_form(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> RedirectResponse:
    from onconav.cases.routes import deliver_opinion

    read = deliver_opinion(opinion_id, principal, session)
    return back_to(read.case_id, "#opinion")


@router.get("/opinions/{opinion_id}", response_class=HTMLResponse)
def opinion_page(
    request: Request, opinion_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    opinion = load_opinion(session, opinion_id)
    policy.authorize(session, principal, "read", opinion)
    context = {
        "opinion": opinions.to_read(opinion),
        "case": opinion.case,
        "agreement_labels": AGREEMENT_LABELS,
        "unsigned": opinions.unsigned_reviewers(opinion),
        "may_sign": policy.permits(session, principal, "sign", opinion) and opinion.status == "draft",
        "may_deliver": policy.permits(session, principal, "deliver", opinion) and opinion.status == "draft",
    }
    return page(request, "cases/opinion.html", context)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request, document_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    """A record read in the browser: PDF text, the image, DICOM studies and series, or the FHIR summary."""
    document = load_document(session, document_id)
    policy.authorize(session, principal, "read", document, detail="view")
    roles = access.member_roles(session, principal, document.case)
    read = service.document_to_read(
        session, document, include_identifying=access.sees_identifying_tags(roles)
    )
    text = service.document_text(session, document)
    return page(
        request,
        "cases/document.html",
        {"document": read, "text": text, "shared": not access.sees_originals(roles)},
    )
