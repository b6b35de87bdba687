"""Case pages (no JavaScript needed): the patient's case list and case page, the coordinator's queue, the
specialist's workspace, records read in the browser, messages, the review and the opinion.

Each page parses its form, calls one function of `cases.actions` (the same ones as the API) and renders;
every POST form carries the CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from onconav.cases import actions
from onconav.cases.rendering import AGREEMENT_LABELS
from onconav.cases.schemas import (
    CaseCreateFor,
    MemberCreate,
    OpinionForm,
    ReviewCreate,
    ReviewerLine,
    TransitionRequest,
    TrialLine,
    Upload,
)
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


def trial_lines(text: str) -> list[TrialLine]:
    """'NCT number | title | why' lines (a line without '|' is a title alone)."""
    trials = []
    for line in lines(text):
        parts = [p.strip() for p in line.split("|")]
        identifier, title, why = [*parts, "", "", ""][:3] if len(parts) > 1 else ("", parts[0], "")
        trials.append(TrialLine(identifier=identifier[:40], title=title or identifier, why=why))
    return trials


def reviewer_lines(text: str) -> list[ReviewerLine]:
    """One e-mail address per line; names, credentials and affiliations come from the accounts."""
    reviewers = []
    for line in lines(text):
        if "|" in line:
            raise InvalidInput(
                "Name each reviewer by e-mail only: names, credentials and affiliations come from their "
                "accounts."
            )
        reviewers.append(ReviewerLine(email=line))
    return reviewers


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, principal: CurrentPrincipal, session: SessionDep) -> HTMLResponse:
    """The caller's cases and, for patients and caregivers, the form to ask for a second opinion."""
    listing = actions.case_list(session, principal)
    return page(
        request,
        "cases/list.html",
        {
            "cases": listing.cases,
            "may_create": listing.may_create,
            "principal": principal,
            "urgencies": list(Urgency),
            "patients": listing.patients,
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
    case_in = CaseCreateFor(
        title=title,
        diagnosis=diagnosis,
        treatment_plan=treatment_plan,
        questions=lines(questions)[:20],
        urgency=urgency,
        language=language,
        patient_id=patient_id or None,
    )
    detail = actions.create_case(session, principal, case_in=case_in)
    return back_to(detail.id)


@router.get("/cases/queue", response_class=HTMLResponse)
def queue_page(request: Request, principal: CurrentPrincipal, session: SessionDep) -> HTMLResponse:
    """Coordinators: open cases by due date."""
    items = actions.coordinator_queue(session, principal)
    return page(request, "cases/queue.html", {"items": items, "title": "Case queue"})


@router.get("/cases/workspace", response_class=HTMLResponse)
def workspace_page(request: Request, principal: CurrentPrincipal, session: SessionDep) -> HTMLResponse:
    """Specialists: only the cases assigned to them or that they were invited to."""
    items = actions.specialist_workspace(session, principal)
    return page(request, "cases/queue.html", {"items": items, "title": "My workspace"})


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    overview = actions.case_overview(session, principal, case_id=case_id)
    return page(request, "cases/case.html", {**vars(overview), "agreement_labels": AGREEMENT_LABELS})


@router.post("/cases/{case_id}/transitions", response_model=None)
def transition_form(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    action: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    actions.transition_case(
        session,
        principal,
        case_id=case_id,
        transition=TransitionRequest(action=action, note=note),
        delivery_elsewhere=InvalidInput("An opinion is delivered from the opinion itself."),
    )
    return back_to(case_id)


@router.post("/cases/{case_id}/documents", response_model=None)
def upload_form(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, file: Annotated[UploadFile, File()]
) -> RedirectResponse:
    upload = Upload(source=file.file, filename=file.filename, declared_type=file.content_type)
    actions.upload_document(session, principal, case_id=case_id, upload=upload)
    return back_to(case_id, "#records")


@router.post("/cases/{case_id}/messages", response_model=None)
def message_form(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: Annotated[str, Form(min_length=1, max_length=10_000)],
    file: Annotated[UploadFile | None, File()] = None,
) -> RedirectResponse:
    uploads = (
        [Upload(source=file.file, filename=file.filename, declared_type=file.content_type)]
        if file is not None and file.filename
        else []
    )
    actions.post_message(session, principal, case_id=case_id, body=body, uploads=uploads)
    return back_to(case_id, "#messages")


@router.post("/cases/{case_id}/members", response_model=None)
def member_form(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[CaseRole, Form()],
) -> RedirectResponse:
    actions.add_member(session, principal, case_id=case_id, member=MemberCreate(email=email, role=role))
    return back_to(case_id, "#team")


@router.post("/cases/{case_id}/reviews", response_model=None)
def review_form(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    position: Annotated[str, Form(max_length=20)],
    body: Annotated[str, Form(min_length=1, max_length=10_000)],
) -> RedirectResponse:
    """The caller's input, under the name and specialty of their account (nothing typed)."""
    review = ReviewCreate(position=position, body=body)
    actions.add_review(session, principal, case_id=case_id, review=review)
    return back_to(case_id, "#review")


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
    form = OpinionForm(
        diagnosis_agreement=diagnosis_agreement,
        diagnosis_comment=diagnosis_comment,
        staging=staging,
        recommended_plan=recommended_plan,
        alternatives=lines(alternatives),
        trials=trial_lines(trials),
        questions_for_team=lines(questions_for_team),
        reviewers=reviewer_lines(reviewers),
        amendment_reason=amendment_reason,
    )
    actions.save_opinion_from_form(session, principal, case_id=case_id, form=form)
    return back_to(case_id, "#opinion")


@router.post("/opinions/{opinion_id}/sign", response_model=None)
def sign_form(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> RedirectResponse:
    read = actions.sign_opinion(session, principal, opinion_id=opinion_id)
    return back_to(read.case_id, "#opinion")


@router.post("/opinions/{opinion_id}/deliver", response_model=None)
def deliver_form(opinion_id: str, principal: CurrentPrincipal, session: SessionDep) -> RedirectResponse:
    read = actions.deliver_opinion(session, principal, opinion_id=opinion_id)
    return back_to(read.case_id, "#opinion")


@router.get("/opinions/{opinion_id}", response_class=HTMLResponse)
def opinion_page(
    request: Request, opinion_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    overview = actions.opinion_overview(session, principal, opinion_id=opinion_id)
    return page(request, "cases/opinion.html", {**vars(overview), "agreement_labels": AGREEMENT_LABELS})


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request, document_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    """A record read in the browser: PDF text, the image, DICOM studies and series, or the FHIR summary."""
    view = actions.document_view(session, principal, document_id=document_id)
    return page(request, "cases/document.html", vars(view))
