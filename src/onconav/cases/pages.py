"""Case pages (no JavaScript needed): the patient's case list and case page, the coordinator's queue, the
specialist's workspace, records read in the browser, messages, the review and the opinion.

Each page parses its form, calls one function of `cases.actions` (the same ones as the API) and renders;
every POST form carries the CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from onconav.accounts.principal import Principal
from onconav.cases import actions, case_form, labels, read_models
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
from onconav.cases.states import OPEN_FOR_RECORDS, CaseRole, InvalidTransition, Urgency
from onconav.errors import InvalidInput
from onconav.i18n import N_, SUPPORTED_LOCALES, get_translations
from onconav.knowledge import service as knowledge
from onconav.web.dependencies import CurrentPrincipal, SessionDep
from onconav.web.templating import render

router = APIRouter(include_in_schema=False)


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    # Templates turn machine names (states, actions, roles) into plain words with `words`.
    response = render(request, template, {"words": labels, **context}, status_code)
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


def _list_context(session: Session, principal: Principal) -> dict[str, Any]:
    listing = actions.case_list(session, principal)
    return {
        "cases": [read_models.case_line(item) for item in listing.cases],
        "may_create": listing.may_create,
        "principal": principal,
        "urgencies": list(Urgency),
        "patients": listing.patients,
        "values": {},
        "problems": {},
    }


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    condition: Annotated[str, Query()] = "",
    stage: Annotated[str, Query()] = "",
) -> HTMLResponse:
    """The caller's cases and, for patients and caregivers, the form to ask for a second opinion
    (prefilled from ?condition=&stage= when the codes name a condition and stage the site knows)."""
    context = _list_context(session, principal)
    filled = case_form.prefill(condition, stage, get_translations(request.state.locale))
    context["values"] = {"title": filled.title, "diagnosis": filled.diagnosis}
    context["prefilled"] = bool(filled.title)
    return page(request, "cases/list.html", context)


@router.post("/cases", response_model=None)
def create_case_form(
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    title: Annotated[str, Form()] = "",
    diagnosis: Annotated[str, Form()] = "",
    treatment_plan: Annotated[str, Form()] = "",
    questions: Annotated[str, Form()] = "",
    urgency: Annotated[str, Form(max_length=20)] = Urgency.routine.value,
    language: Annotated[str, Form(max_length=20)] = "en",
    patient_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Start a case; a field too long or missing shows the form again with what was typed and why."""
    translations = get_translations(request.state.locale)
    problems = case_form.FormProblems()
    limits = (
        ("title", title, case_form.TITLE_MAX, True),
        ("diagnosis", diagnosis, case_form.DIAGNOSIS_MAX, True),
        ("treatment_plan", treatment_plan, case_form.TREATMENT_PLAN_MAX, False),
    )
    for name, value, limit, required in limits:
        case_form.check_text(problems, translations, name=name, value=value, limit=limit, required=required)
    question_lines = case_form.check_questions(problems, translations, value=questions)
    if problems:
        context = _list_context(session, principal)
        context["values"] = {
            "title": title,
            "diagnosis": diagnosis,
            "treatment_plan": treatment_plan,
            "questions": questions,
            "urgency": urgency,
        }
        context["problems"] = problems.messages
        return page(request, "cases/list.html", context, status_code=422)
    case_in = CaseCreateFor(
        title=title.strip(),
        diagnosis=diagnosis.strip(),
        treatment_plan=treatment_plan.strip(),
        questions=question_lines,
        urgency=Urgency(urgency) if urgency in Urgency.__members__ else Urgency.routine,
        language=language if language in SUPPORTED_LOCALES else "en",
        patient_id=patient_id or None,
    )
    detail = actions.create_case(session, principal, case_in=case_in)
    return back_to(detail.id)


def _queue_context(items: list[read_models.CaseLine], title: str) -> dict[str, Any]:
    names = {line.item.condition: _condition_name(line.item.condition) for line in items}
    return {"items": items, "title": title, "condition_names": names}


@router.get("/cases/queue", response_class=HTMLResponse)
def queue_page(request: Request, principal: CurrentPrincipal, session: SessionDep) -> HTMLResponse:
    """Coordinators: open cases by due date."""
    items = [read_models.case_line(i) for i in actions.coordinator_queue(session, principal)]
    return page(request, "cases/queue.html", _queue_context(items, N_("Case queue")))


@router.get("/cases/workspace", response_class=HTMLResponse)
def workspace_page(request: Request, principal: CurrentPrincipal, session: SessionDep) -> HTMLResponse:
    """Specialists: only the cases assigned to them or that they were invited to."""
    items = [read_models.case_line(i) for i in actions.specialist_workspace(session, principal)]
    return page(request, "cases/queue.html", _queue_context(items, N_("My workspace")))


def _case_context(session: Session, principal: Principal, case_id: str, **extra: Any) -> dict[str, Any]:
    overview = actions.case_overview(session, principal, case_id=case_id)
    return {
        **vars(overview),
        "agreement_labels": AGREEMENT_LABELS,
        "timeline": read_models.case_timeline(overview),
        "condition_name": _condition_name(overview.case.condition),
        # The upload form only while the workflow takes records (a closed or withdrawn case does not).
        "open_for_records": overview.case.state in OPEN_FOR_RECORDS,
        "message_value": "",
        "problems": {},
        **extra,
    }


def _condition_name(code: str | None) -> str | None:
    """The understood condition's name (translated in the template), never its code."""
    condition = knowledge.get_condition(code) if code else None
    return condition.name if condition else None


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: str, principal: CurrentPrincipal, session: SessionDep
) -> HTMLResponse:
    return page(request, "cases/case.html", _case_context(session, principal, case_id))


@router.post("/cases/{case_id}/transitions", response_model=None)
def transition_form(
    request: Request,
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    action: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form()] = "",
    confirmed: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """A workflow step. A step that cannot be taken back (withdraw, decline, close, send) first shows a
    page asking to confirm; only the second button, which says what it does, takes the step."""
    translations = get_translations(request.state.locale)
    problems = case_form.FormProblems()
    case_form.check_text(problems, translations, name="note", value=note, limit=case_form.NOTE_MAX)
    if problems or (action in labels.NEEDS_CONFIRMATION and confirmed != "yes"):
        context = _case_context(session, principal, case_id, problems=problems.messages)
        if action not in context["actions"]:
            raise InvalidTransition(
                "The action %(action)s does not apply to a case that is %(source)s.",
                action=action,
                source=context["case"].state.value,
            )
        context.update(action=action, note=note)
        return page(request, "cases/confirm.html", context, status_code=422 if problems else 200)
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
    request: Request,
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A message to the team (an empty or too long one shows the case again with the text kept)."""
    translations = get_translations(request.state.locale)
    problems = case_form.FormProblems()
    case_form.check_text(
        problems, translations, name="body", value=body, limit=case_form.MESSAGE_MAX, required=True
    )
    if problems:
        context = _case_context(session, principal, case_id, problems=problems.messages, message_value=body)
        return page(request, "cases/case.html", context, status_code=422)
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
def deliver_form(
    request: Request,
    opinion_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    confirmed: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Deliver the signed opinion to the patient: the first press asks to confirm (it cannot be taken
    back; only an amendment can change it afterwards)."""
    if confirmed != "yes":
        overview = actions.opinion_overview(session, principal, opinion_id=opinion_id)
        context = {**vars(overview), "agreement_labels": AGREEMENT_LABELS, "confirm_delivery": True}
        return page(request, "cases/opinion.html", context)
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
