"""Broken object-level authorization, route by route: every route of the app is classified in ROUTES, and
for every route that takes an object id, no user of any role (nor a second user of the owner's role) can
read, change or delete an object of another user, and no listing shows (or counts) another user's objects;
the owner still can act on their own objects, so each check is able to fail.

Adding a route? Classify it in ROUTES, or `test_every_route_is_classified` fails. A route with an object
id in its path is an `ObjectRoute(kind)`; add the kind to OBJECT_KINDS with a function that creates one
object for an owner and one that tells whether it is unchanged. The cases domain adds case, document,
message and opinion here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts import service
from onconav.accounts.models import ApiToken, CaregiverGrant, User, WebSession
from onconav.db import unit_of_work
from onconav.web.dependencies import current_principal
from tests.quotes.access_kinds import QUOTE_KINDS, quote_routes
from tests.support.accounts import Account, signed_in_browser


@dataclass(frozen=True)
class Public:
    """Holds no patient's data (directory, knowledge, FHIR directory, sign-in forms)."""

    reason: str


@dataclass(frozen=True)
class OwnAccount:
    """Acts on the caller's own account only: no object id in the path, identity from the credentials.

    GET routes are called by every user, and must show none of the other users' objects.
    `pending`: also reachable half signed in (before the second factor), through the session cookie.
    """

    pending: bool = False


@dataclass(frozen=True)
class ObjectRoute:
    """Takes the id of an object of kind `kind` in its path.

    `body` is a valid request body (JSON for the API, form fields for pages; a "file" entry is uploaded),
    so refusals come from the policy, not from input validation. `success` is the owner's expected status;
    None when the owner's success depends on the workflow state (tested in tests/cases). `changes`: the
    owner's call changes the object (False for reads).
    """

    kind: str
    page: bool = False  # a page form (cookie session and CSRF token) rather than the JSON API
    success: int | None = 204
    body: tuple[tuple[str, Any], ...] = ()
    changes: bool = True


def _body(**fields: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(fields.items())


PDF_UPLOAD = ("report.pdf", b"%PDF-1.4 not parsed: the policy refuses first", "application/pdf")
OPINION_BODY = {
    "content": {
        "diagnosis_agreement": "agree",
        "recommended_plan": "Plan",
        "reviewers": [{"user_id": "someone"}],
    }
}
READ = {"success": 200, "changes": False}
PAGE_READ = {"success": 200, "changes": False, "page": True}
WORKFLOW = {"success": None}  # the owner's success depends on the case's state: see tests/cases
PAGE_WORKFLOW = {"success": None, "page": True}
CASE_ROUTES: dict[tuple[str, str], Any] = {
    ("GET", "/api/v1/cases"): OwnAccount(),
    ("POST", "/api/v1/cases"): OwnAccount(),
    ("GET", "/api/v1/queue"): OwnAccount(),
    ("GET", "/api/v1/workspace"): OwnAccount(),
    ("GET", "/cases"): OwnAccount(),
    ("POST", "/cases"): OwnAccount(),
    ("GET", "/cases/queue"): OwnAccount(),
    ("GET", "/cases/workspace"): OwnAccount(),
    ("GET", "/api/v1/cases/{case_id}"): ObjectRoute("case", **READ),
    ("GET", "/api/v1/cases/{case_id}/fhir/mcode"): ObjectRoute("case", **READ),
    ("GET", "/api/v1/cases/{case_id}/suggestions"): ObjectRoute(
        "case", body=_body(near="Boston, MA"), **READ
    ),
    ("GET", "/api/v1/cases/{case_id}/documents"): ObjectRoute("case", **READ),
    ("GET", "/api/v1/cases/{case_id}/members"): ObjectRoute("case", **READ),
    ("GET", "/api/v1/cases/{case_id}/messages"): ObjectRoute("case", **READ),
    ("GET", "/api/v1/cases/{case_id}/reviews"): ObjectRoute("case", success=None, changes=False),
    ("GET", "/api/v1/cases/{case_id}/opinions"): ObjectRoute("case", **READ),
    ("POST", "/api/v1/cases/{case_id}/transitions"): ObjectRoute(
        "case", body=_body(action="withdraw"), **WORKFLOW
    ),
    ("POST", "/api/v1/cases/{case_id}/documents"): ObjectRoute(
        "case", body=_body(file=PDF_UPLOAD), **WORKFLOW
    ),
    ("POST", "/api/v1/cases/{case_id}/members"): ObjectRoute(
        "case", body=_body(email="someone@example.org", role="colleague"), **WORKFLOW
    ),
    ("POST", "/api/v1/cases/{case_id}/messages"): ObjectRoute("case", body=_body(body="Hello"), **WORKFLOW),
    ("POST", "/api/v1/cases/{case_id}/reviews"): ObjectRoute(
        "case", body=_body(position="agree", body="Agree"), **WORKFLOW
    ),
    ("PUT", "/api/v1/cases/{case_id}/opinion"): ObjectRoute("case", body=_body(**OPINION_BODY), **WORKFLOW),
    ("GET", "/api/v1/documents/{document_id}"): ObjectRoute("document", **READ),
    ("GET", "/api/v1/documents/{document_id}/text"): ObjectRoute("document", **READ),
    ("GET", "/api/v1/documents/{document_id}/content"): ObjectRoute("document", **READ),
    ("GET", "/api/v1/opinions/{opinion_id}"): ObjectRoute("opinion", **READ),
    ("GET", "/api/v1/opinions/{opinion_id}/pdf"): ObjectRoute("opinion", **READ),
    ("GET", "/api/v1/opinions/{opinion_id}/fhir"): ObjectRoute("opinion", **READ),
    ("POST", "/api/v1/opinions/{opinion_id}/sign"): ObjectRoute("opinion", **WORKFLOW),
    ("POST", "/api/v1/opinions/{opinion_id}/deliver"): ObjectRoute("opinion", **WORKFLOW),
    ("GET", "/cases/{case_id}"): ObjectRoute("case", **PAGE_READ),
    ("POST", "/cases/{case_id}/transitions"): ObjectRoute(
        "case", body=_body(action="withdraw"), **PAGE_WORKFLOW
    ),
    ("POST", "/cases/{case_id}/documents"): ObjectRoute("case", body=_body(file=PDF_UPLOAD), **PAGE_WORKFLOW),
    ("POST", "/cases/{case_id}/messages"): ObjectRoute("case", body=_body(body="Hello"), **PAGE_WORKFLOW),
    ("POST", "/cases/{case_id}/members"): ObjectRoute(
        "case", body=_body(email="someone@example.org", role="colleague"), **PAGE_WORKFLOW
    ),
    ("POST", "/cases/{case_id}/reviews"): ObjectRoute(
        "case", body=_body(position="agree", body="Agree"), **PAGE_WORKFLOW
    ),
    ("POST", "/cases/{case_id}/opinion"): ObjectRoute(
        "case",
        body=_body(diagnosis_agreement="agree", recommended_plan="Plan", reviewers="someone@example.org"),
        **PAGE_WORKFLOW,
    ),
    ("GET", "/documents/{document_id}"): ObjectRoute("document", **PAGE_READ),
    ("GET", "/opinions/{opinion_id}"): ObjectRoute("opinion", **PAGE_READ),
    ("POST", "/opinions/{opinion_id}/sign"): ObjectRoute("opinion", **PAGE_WORKFLOW),
    ("POST", "/opinions/{opinion_id}/deliver"): ObjectRoute("opinion", **PAGE_WORKFLOW),
}

FOLLOWUP_PLAN = _body(treatment_end="2026-03-10", template="after-pleurectomy-decortication")
CARE_ROUTES: dict[tuple[str, str], Any] = {
    # Items first: remaking a plan (below) replaces its items.
    ("PATCH", "/api/v1/followup/items/{item_id}"): ObjectRoute(
        "followup_item", body=_body(status="done"), success=200
    ),
    ("POST", "/followup/items/{item_id}"): ObjectRoute(
        "followup_item", page=True, body=_body(status="done"), success=303
    ),
    ("GET", "/api/v1/cases/{case_id}/followup"): ObjectRoute("followup", **READ),
    ("GET", "/api/v1/cases/{case_id}/followup/pdf"): ObjectRoute("followup", **READ),
    ("GET", "/api/v1/cases/{case_id}/followup/fhir"): ObjectRoute("followup", **READ),
    ("GET", "/cases/{case_id}/followup"): ObjectRoute("followup", **PAGE_READ),
    ("POST", "/api/v1/cases/{case_id}/followup"): ObjectRoute("followup", body=FOLLOWUP_PLAN, success=201),
    ("POST", "/api/v1/cases/{case_id}/followup/items"): ObjectRoute(
        "followup", body=_body(title="Visit"), success=201
    ),
    ("POST", "/api/v1/cases/{case_id}/followup/feed"): ObjectRoute("followup", success=201),
    ("DELETE", "/api/v1/cases/{case_id}/followup/feed"): ObjectRoute("followup"),
    ("POST", "/cases/{case_id}/followup"): ObjectRoute(
        "followup", page=True, body=FOLLOWUP_PLAN, success=303
    ),
    ("POST", "/cases/{case_id}/followup/items"): ObjectRoute(
        "followup", page=True, body=_body(title="Visit"), success=303
    ),
    ("POST", "/cases/{case_id}/followup/feed"): ObjectRoute("followup", page=True, success=200),
    ("POST", "/cases/{case_id}/followup/feed/revoke"): ObjectRoute("followup", page=True, success=303),
    ("GET", "/followup/feed.ics"): Public("calendar feed: its unguessable, revocable key is the credential"),
}

PUBLIC_DIRECTORY = Public("directory of organizations and practitioners: public information")
PUBLIC_KNOWLEDGE = Public("knowledge base: public information")
PUBLIC_SUPPORT = Public("support services directory: public listings, no personal data")
PUBLIC_TRIALS = Public(
    "trial matching: the public trial registry; the posted note is used in the request, never stored"
)
PUBLIC_FORM = Public("sign-in, sign-up and reset forms: no one's data, no enumeration (tested elsewhere)")

ROUTES: dict[tuple[str, str], Public | OwnAccount | ObjectRoute] = {
    ("GET", "/openapi.json"): Public("API description"),
    ("GET", "/static"): Public("style sheet and scripts"),
    ("GET", "/"): Public("home page"),
    ("GET", "/about/ranking"): Public("how ranking works"),
    ("GET", "/about/privacy"): Public("privacy notice"),
    ("GET", "/healthz"): Public("health: the process answers; no data"),
    ("GET", "/readyz"): Public("readiness: which checks pass (database, migrations, keyring); no data"),
    ("GET", "/language/{code}"): Public("language choice"),
    ("GET", "/api/v1/search"): PUBLIC_DIRECTORY,
    ("GET", "/api/v1/organizations/{organization_id}"): PUBLIC_DIRECTORY,
    ("GET", "/api/v1/organizations/{organization_id}/insurance"): PUBLIC_DIRECTORY,
    ("GET", "/api/v1/practitioners/{practitioner_id}"): PUBLIC_DIRECTORY,
    ("GET", "/search"): PUBLIC_DIRECTORY,
    ("GET", "/{topic_path}/{code}/near/{place_slug}"): PUBLIC_DIRECTORY,
    ("GET", "/organizations/{organization_id}"): PUBLIC_DIRECTORY,
    ("GET", "/practitioners/{practitioner_id}"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/R4/metadata"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/R4/{resource_type}"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/R4/{resource_type}/{resource_id}"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/R4/$export"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/bulk-export/{job_id}"): PUBLIC_DIRECTORY,
    ("DELETE", "/fhir/bulk-export/{job_id}"): Public(
        "cancel a directory export: public data; the job id is a 128-bit secret only its client knows"
    ),
    ("GET", "/fhir/bulk-export/{job_id}/{file_name}"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/R4/{resource_type}/{resource_id}/_history"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/R4/{resource_type}/{resource_id}/_history/{version}"): PUBLIC_DIRECTORY,
    ("GET", "/api/v1/explain"): PUBLIC_KNOWLEDGE,
    ("GET", "/conditions"): PUBLIC_KNOWLEDGE,
    ("GET", "/conditions/{slug}"): PUBLIC_KNOWLEDGE,
    ("GET", "/conditions/{slug}/stages/{stage_code}"): PUBLIC_KNOWLEDGE,
    ("GET", "/api/v1/support/search"): PUBLIC_SUPPORT,
    ("GET", "/api/v1/support/services/{listing_id}"): PUBLIC_SUPPORT,
    ("GET", "/support"): PUBLIC_SUPPORT,
    ("GET", "/support/{listing_id}"): PUBLIC_SUPPORT,
    ("GET", "/trials"): PUBLIC_TRIALS,
    ("POST", "/trials"): PUBLIC_TRIALS,
    ("POST", "/api/v1/trials/match"): PUBLIC_TRIALS,
    ("POST", "/api/v1/auth/token"): PUBLIC_FORM,
    ("POST", "/api/v1/auth/register"): PUBLIC_FORM,
    ("POST", "/api/v1/auth/verify-email"): PUBLIC_FORM,
    ("POST", "/api/v1/auth/password-reset"): PUBLIC_FORM,
    ("POST", "/api/v1/auth/password-reset/confirm"): PUBLIC_FORM,
    ("GET", "/sign-in"): PUBLIC_FORM,
    ("POST", "/sign-in"): PUBLIC_FORM,
    ("GET", "/sign-up"): PUBLIC_FORM,
    ("POST", "/sign-up"): PUBLIC_FORM,
    ("GET", "/verify-email"): PUBLIC_FORM,
    ("POST", "/verify-email"): PUBLIC_FORM,
    ("GET", "/password-reset"): PUBLIC_FORM,
    ("POST", "/password-reset"): PUBLIC_FORM,
    ("GET", "/password-reset/confirm"): PUBLIC_FORM,
    ("POST", "/password-reset/confirm"): PUBLIC_FORM,
    ("POST", "/sign-out"): OwnAccount(),
    ("DELETE", "/api/v1/auth/token"): OwnAccount(),
    ("GET", "/sign-in/second-factor"): OwnAccount(pending=True),
    ("POST", "/sign-in/second-factor"): OwnAccount(pending=True),
    ("GET", "/api/v1/account"): OwnAccount(),
    ("GET", "/api/v1/account/sessions"): OwnAccount(),
    ("GET", "/api/v1/account/tokens"): OwnAccount(),
    ("POST", "/api/v1/account/tokens"): OwnAccount(),
    ("GET", "/api/v1/account/consents"): OwnAccount(),
    ("POST", "/api/v1/account/consents"): OwnAccount(),
    ("GET", "/api/v1/account/access-log"): OwnAccount(),
    ("PUT", "/api/v1/account/password"): OwnAccount(),
    ("POST", "/api/v1/account/delete"): OwnAccount(),
    ("POST", "/api/v1/account/second-factor"): OwnAccount(),
    ("POST", "/api/v1/account/second-factor/confirm"): OwnAccount(),
    ("GET", "/account"): OwnAccount(),
    ("GET", "/account/home"): OwnAccount(),
    ("GET", "/metrics"): Public("traffic counts by route template; loopback or metrics token only"),
    ("GET", "/account/password"): OwnAccount(),
    ("POST", "/account/password"): OwnAccount(),
    ("GET", "/account/second-factor"): OwnAccount(pending=True),
    ("POST", "/account/second-factor"): OwnAccount(pending=True),
    ("GET", "/account/sessions"): OwnAccount(),
    ("POST", "/account/sessions/revoke-others"): OwnAccount(),
    ("GET", "/account/tokens"): OwnAccount(),
    ("POST", "/account/tokens"): OwnAccount(),
    ("GET", "/account/consents"): OwnAccount(),
    ("POST", "/account/consents"): OwnAccount(),
    ("GET", "/account/access-log"): OwnAccount(),
    ("GET", "/account/confirm"): OwnAccount(pending=True),
    ("POST", "/account/confirm"): OwnAccount(pending=True),
    ("GET", "/account/delete"): OwnAccount(),
    ("POST", "/account/delete"): OwnAccount(),
    ("DELETE", "/api/v1/account/sessions/{session_id}"): ObjectRoute("session"),
    ("DELETE", "/api/v1/account/tokens/{token_id}"): ObjectRoute("token"),
    ("DELETE", "/api/v1/account/consents/{consent_id}"): ObjectRoute("consent"),
    ("POST", "/account/sessions/{session_id}/revoke"): ObjectRoute("session", page=True, success=303),
    ("POST", "/account/consents/{consent_id}/revoke"): ObjectRoute("consent", page=True, success=303),
    ("POST", "/account/tokens/{token_id}/revoke"): ObjectRoute("token", page=True, success=303),
    ("POST", "/api/v1/account/consents/{consent_id}/keep"): ObjectRoute(
        "consent", success=200, changes=False
    ),
    ("POST", "/account/consents/{consent_id}/keep"): ObjectRoute(
        "consent", page=True, success=303, changes=False
    ),
    **CASE_ROUTES,
    **CARE_ROUTES,
    **quote_routes(ObjectRoute, OwnAccount),
}


def iter_routes(app: FastAPI) -> Iterator[tuple[str, str, Any]]:
    """(method, path, route) for every route of the app, routers included (HEAD is GET's twin)."""

    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            if hasattr(route, "effective_candidates"):  # FastAPI's included routers
                yield from walk(route.effective_candidates())
            else:
                yield route

    for route in walk(list(app.routes)):
        methods = sorted(getattr(route, "methods", None) or {"GET"})
        for method in methods:
            if method != "HEAD":
                yield method, route.path, route


def _depends_on(dependant: Any, call: Callable[..., Any]) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in getattr(dependant, "dependencies", []))


def test_every_route_is_classified(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    found = {(method, path): route for method, path, route in iter_routes(app)}
    unclassified = sorted(set(found) - set(ROUTES))
    assert not unclassified, f"classify these routes in ROUTES of {__file__}: {unclassified}"
    stale = sorted(set(ROUTES) - set(found))
    assert not stale, f"these routes no longer exist; remove them from ROUTES: {stale}"
    for key, kind in ROUTES.items():
        if isinstance(kind, Public) or (isinstance(kind, OwnAccount) and kind.pending):
            continue
        if key == ("POST", "/sign-out"):
            continue  # ends whatever session the cookie names; nothing else
        # Every route for signed-in users asks who is calling before anything else.
        assert _depends_on(found[key].dependant, current_principal), key
        if isinstance(kind, ObjectRoute):
            assert re.search(r"\{\w+\}", key[1]), key
            assert kind.kind in OBJECT_KINDS, f"add {kind.kind!r} to OBJECT_KINDS"


# ---- Objects of each kind ----------------------------------------------------------------------------


@dataclass
class World:
    """One user per role (two patients), each with credentials and objects of every kind they can own."""

    factory: sessionmaker[Session]
    accounts: dict[str, Account]
    objects: dict[str, dict[str, list[str]]]  # owner name -> kind -> ids
    # Legitimate links: (user name, owner name) pairs where the user may see the owner's objects of a kind.
    related: dict[str, set[tuple[str, str]]]


def _principal(session: Session, account: Account) -> Any:
    user = service.get_user_or_raise(session, user_id=account.id)
    return service.principal_for(session, user, second_factor=True)


def make_session(session: Session, world: World, owner: str) -> str:
    user = service.get_user_or_raise(session, user_id=world.accounts[owner].id)
    return service.start_session(session, user=user, second_factor_done=True).id


def make_token(session: Session, world: World, owner: str) -> str:
    principal = _principal(session, world.accounts[owner])
    return service.create_integration_token(
        session, principal=principal, name="sync", scopes=["read"], days=30
    ).id


def make_consent(session: Session, world: World, owner: str) -> str | None:
    if world.accounts[owner].role != "patient":
        return None
    principal = _principal(session, world.accounts[owner])
    caregiver = world.accounts["caregiver"]
    # The caregiver sees the consent and who gave it; the patient sees whom they gave it to.
    world.related.setdefault("consent", set()).update({("caregiver", owner), (owner, "caregiver")})
    return service.grant_caregiver(
        session, principal=principal, caregiver_email=caregiver.email, scope="read"
    ).id


def session_intact(session: Session, object_id: str) -> bool:
    row = session.get(WebSession, object_id)
    return row is not None and row.revoked_at is None


def token_intact(session: Session, object_id: str) -> bool:
    row = session.get(ApiToken, object_id)
    return row is not None and row.revoked_at is None


def consent_intact(session: Session, object_id: str) -> bool:
    row = session.get(CaregiverGrant, object_id)
    return row is not None and row.revoked_at is None


# Cases: the first patient's case is submitted, assigned to the specialist, reviewed and answered (so the
# coordinator, the specialist and the caregiver with read consent are linked to it); the second patient's
# stays a draft that nobody else may know about.
_BASELINES: dict[str, tuple[Any, ...]] = {}


def case_fingerprint(session: Session, case_id: str) -> tuple[Any, ...]:
    from sqlalchemy import func, select

    from onconav.cases.models import (
        Case,
        CaseDocument,
        CaseEvent,
        CaseMember,
        CaseMessage,
        Opinion,
        ReviewInput,
    )

    session.flush()
    case = session.get(Case, case_id)
    if case is None:
        return ()
    counts = tuple(
        session.scalar(select(func.count()).select_from(model).where(model.case_id == case_id))
        for model in (CaseEvent, CaseMember, CaseMessage, CaseDocument, ReviewInput, Opinion)
    )
    opinions = tuple(
        (o.status, len(o.signatures), o.content_sha256)
        for o in session.scalars(select(Opinion).where(Opinion.case_id == case_id).order_by(Opinion.version))
    )
    return (case.state, *counts, opinions)


def _case_of(world: World, owner: str) -> str | None:
    ids = world.objects[owner].get("case", [])
    return ids[0] if ids else None


def _principal_of(session: Session, world: World, name: str) -> Any:
    return _principal(session, world.accounts[name])


def make_case(session: Session, world: World, owner: str) -> str | None:
    from onconav.cases import service as cases
    from onconav.cases.schemas import CaseCreate
    from onconav.cases.states import CaseRole

    if world.accounts[owner].role != "patient":
        return None
    case = cases.create(
        session,
        patient_id=world.accounts[owner].id,
        case_in=CaseCreate(title=f"Case of {owner}", diagnosis="pleural mesothelioma"),
    )
    if owner == "patient":
        world.related.setdefault("case", set()).update(
            {("coordinator", owner), ("specialist", owner), ("caregiver", owner)}
        )
        cases.perform(
            session, case=case, action="submit", actor_id=world.accounts[owner].id, role=CaseRole.patient
        )
        cases.perform(session, case=case, action="triage", actor_id="c", role=CaseRole.coordinator)
        specialist = world.accounts["specialist"].id
        cases.add_member(session, case=case, user_id=specialist, role=CaseRole.specialist, added_by="c")
        for action in ("accept", "start_review"):
            cases.perform(session, case=case, action=action, actor_id=specialist, role=CaseRole.specialist)
        cases.post_message(
            session, case=case, author_id=specialist, author_role=CaseRole.specialist, body="Hi"
        )
    else:
        world.related.setdefault("case", set()).add(("caregiver", owner))
    _BASELINES[case.id] = case_fingerprint(session, case.id)
    return case.id


def make_document(session: Session, world: World, owner: str) -> str | None:
    import io

    from fpdf import FPDF

    from onconav.cases import service as cases

    case_id = _case_of(world, owner)
    if case_id is None:
        return None
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Pathology report")
    document = cases.add_document(
        session,
        store=cases.document_store(),
        case=cases.get_or_raise(session, case_id=case_id),
        uploaded_by=world.accounts[owner].id,
        source=io.BytesIO(bytes(pdf.output())),
        filename="pathology.pdf",
    )
    world.related.setdefault("document", set()).update(world.related["case"])
    _BASELINES[case_id] = case_fingerprint(session, case_id)
    return document.id


def make_opinion(session: Session, world: World, owner: str) -> str | None:
    from onconav.cases import opinions
    from onconav.cases import service as cases
    from onconav.cases.schemas import OpinionContent, Reviewer
    from onconav.cases.states import CaseRole

    case_id = _case_of(world, owner)
    if case_id is None or owner != "patient":
        return None
    case = cases.get_or_raise(session, case_id=case_id)
    specialist = world.accounts["specialist"].id
    content = OpinionContent(
        diagnosis_agreement="agree",
        recommended_plan="Systemic therapy.",
        reviewers=[Reviewer(user_id=specialist, name="Dr. Rosa Test", credentials="MD")],
    )
    opinion = opinions.save_draft(session, case=case, content=content, author_id=specialist)
    opinions.sign(session, opinion=opinion, reviewer_id=specialist)
    opinions.deliver(session, case=case, opinion=opinion, actor_id=specialist, role=CaseRole.specialist)
    world.related.setdefault("opinion", set()).update(world.related["case"])
    _BASELINES[case_id] = case_fingerprint(session, case_id)
    _BASELINES[opinion.id] = case_fingerprint(session, case_id)
    return opinion.id


def case_intact(session: Session, object_id: str) -> bool:
    return case_fingerprint(session, object_id) == _BASELINES[object_id]


def document_intact(session: Session, object_id: str) -> bool:
    from onconav.cases import service as cases
    from onconav.cases.models import CaseDocument

    document = session.get(CaseDocument, object_id)
    return (
        document is not None
        and case_intact(session, document.case_id)
        and cases.verify_documents(session, store=cases.document_store()) == []
    )


def opinion_intact(session: Session, object_id: str) -> bool:
    from onconav.cases.models import Opinion

    opinion = session.get(Opinion, object_id)
    return opinion is not None and case_fingerprint(session, opinion.case_id) == _BASELINES[object_id]


def followup_fingerprint(session: Session, plan_id: str) -> tuple[Any, ...]:
    from onconav.care.models import CarePlan

    session.flush()
    plan = session.get(CarePlan, plan_id)
    if plan is None:
        return ()
    # The plan as a whole (its items' marks are the items' own fingerprint).
    return (plan.treatment_sealed, plan.feed_token_sha256, tuple(sorted(i.id for i in plan.items)))


def item_fingerprint(session: Session, item_id: str) -> tuple[Any, ...]:
    from onconav.care.models import CarePlanItem

    session.flush()
    item = session.get(CarePlanItem, item_id)
    return () if item is None else (item.status, item.due_on, item.title_sealed)


def make_followup(session: Session, world: World, owner: str) -> str | None:
    """A follow-up plan (with a calendar feed) on the owner's case; the path names the case."""
    import datetime as dt

    from onconav.care import service as care
    from onconav.care.schemas import PlanCreate
    from onconav.cases import service as cases

    case_id = _case_of(world, owner)
    if case_id is None:
        return None
    case = cases.get_or_raise(session, case_id=case_id)
    plan = care.save_plan(
        session,
        case_id=case_id,
        patient_id=case.patient_id,
        condition=case.condition,
        stage=case.stage,
        plan_in=PlanCreate(treatment_end=dt.date(2026, 3, 10), template="after-pleurectomy-decortication"),
        actor_id=world.accounts[owner].id,
    )
    care.issue_feed_token(session, plan=plan)
    world.related.setdefault("followup", set()).update(world.related["case"])
    world.related.setdefault("followup_item", set()).update(world.related["case"])
    _BASELINES[case_id + ":followup"] = followup_fingerprint(session, plan.id)
    _BASELINES[plan.items[0].id] = item_fingerprint(session, plan.items[0].id)
    return case_id


def make_followup_item(session: Session, world: World, owner: str) -> str | None:
    from onconav.care import service as care

    case_id = _case_of(world, owner)
    plan = care.get_plan(session, case_id=case_id) if case_id else None
    return plan.items[0].id if plan is not None else None


def followup_intact(session: Session, case_id: str) -> bool:
    from onconav.care import service as care

    plan = care.get_plan(session, case_id=case_id)
    return plan is not None and followup_fingerprint(session, plan.id) == _BASELINES[case_id + ":followup"]


def followup_item_intact(session: Session, item_id: str) -> bool:
    from onconav.care import service as care

    item = care.get_item(session, item_id=item_id)
    return item is not None and item_fingerprint(session, item_id) == _BASELINES[item_id]


ObjectMaker = Callable[[Session, World, str], str | None]
OBJECT_KINDS: dict[str, tuple[ObjectMaker, Callable[[Session, str], bool]]] = {
    "session": (make_session, session_intact),
    "token": (make_token, token_intact),
    "consent": (make_consent, consent_intact),
    "case": (make_case, case_intact),
    "document": (make_document, document_intact),
    "opinion": (make_opinion, opinion_intact),
    "followup": (make_followup, followup_intact),
    "followup_item": (make_followup_item, followup_item_intact),
    **QUOTE_KINDS,
}
ROLES = ("patient", "patient2", "caregiver", "coordinator", "specialist", "center_staff", "admin")


@pytest.fixture
def world(
    factory: sessionmaker[Session],
    make_account: Callable[..., Account],
    directory_links: dict[str, int],
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    from onconav.config import get_settings

    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    accounts: dict[str, Account] = {}
    for name in ROLES:
        role = "patient" if name == "patient2" else name
        links: dict[str, int] = {}
        if role == "specialist":
            links["practitioner_id"] = directory_links["practitioner_id"]
        if role == "center_staff":
            links["organization_id"] = directory_links["organization_id"]
        accounts[name] = make_account(role, **links)
    built = World(factory, accounts, {name: {} for name in ROLES}, {})
    with unit_of_work(factory) as session:
        for owner in ROLES:
            for kind, (make, _intact) in OBJECT_KINDS.items():
                made = make(session, built, owner)
                if made is not None:
                    built.objects[owner].setdefault(kind, []).append(made)
    return built


@dataclass
class Caller:
    """A user's two ways in: a bearer token for the API, a signed-in browser (cookie and CSRF token)."""

    name: str
    api: dict[str, str]
    browser: TestClient
    csrf: str


def _callers(client: TestClient, world: World) -> dict[str, Caller]:
    callers: dict[str, Caller] = {}
    for name, account in world.accounts.items():
        with unit_of_work(world.factory) as session:
            user = service.get_user_or_raise(session, user_id=account.id)
            token = service.issue_access_token(session, user=user, second_factor_done=True).secret
        browser, csrf = signed_in_browser(client, world.factory, account)
        callers[name] = Caller(name, {"Authorization": f"Bearer {token}"}, browser, csrf)
    return callers


def _call(client: TestClient, caller: Caller, method: str, path: str, route: ObjectRoute) -> int:
    fields = dict(route.body)
    upload = fields.pop("file", None)
    files = {"file": upload} if upload else None
    if route.page:
        response = caller.browser.request(
            method, path, data={"csrf_token": caller.csrf, **fields}, files=files, follow_redirects=False
        )
    elif method == "GET":
        response = client.request(method, path, headers=caller.api, params=fields)
    elif files or (fields and path.endswith("/messages")):
        response = client.request(method, path, headers=caller.api, data=fields, files=files)
    else:
        response = client.request(method, path, headers=caller.api, json=fields or None)
    return response.status_code


def _fill(path: str, object_id: str) -> str:
    return re.sub(r"\{\w+\}", object_id, path, count=1)


def test_no_access_to_other_users_objects(client: TestClient, world: World) -> None:
    callers = _callers(client, world)
    object_routes = [(key, kind) for key, kind in ROUTES.items() if isinstance(kind, ObjectRoute)]
    attempts = 0
    for (method, path), route in object_routes:
        for owner in ROLES:
            for object_id in world.objects[owner].get(route.kind, []):
                for name, caller in callers.items():
                    if name == owner or (name, owner) in world.related.get(route.kind, set()):
                        continue
                    status = _call(client, caller, method, _fill(path, object_id), route)
                    attempts += 1
                    assert status in (403, 404), (method, path, route.kind, owner, name, status)
                    if not route.page:
                        # Others' objects are indistinguishable from objects that do not exist.
                        assert status == 404, (method, path, owner, name, status)
    assert attempts > 100
    with world.factory() as session:
        for owner in ROLES:
            for kind, ids in world.objects[owner].items():
                for object_id in ids:
                    assert OBJECT_KINDS[kind][1](session, object_id), (kind, owner)
    # The owner can: the routes work, so the refusals above mean something.
    done: set[tuple[str, str]] = set()
    for (method, path), route in object_routes:
        if route.success is None:
            continue
        for owner in ("patient", "specialist"):
            ids = [i for i in world.objects[owner].get(route.kind, []) if (route.kind, i) not in done]
            if not ids:
                continue
            status = _call(client, callers[owner], method, _fill(path, ids[0]), route)
            assert status == route.success, (method, path, owner, status)
            if route.changes:
                done.add((route.kind, ids[0]))
            with world.factory() as session:
                assert OBJECT_KINDS[route.kind][1](session, ids[0]) is not route.changes


def test_listings_show_only_own_objects(client: TestClient, world: World) -> None:
    callers = _callers(client, world)
    listings = [
        key
        for key, kind in ROUTES.items()
        if isinstance(kind, OwnAccount) and key[0] == "GET" and not kind.pending
    ]
    with world.factory() as session:
        emails = {name: session.get(User, account.id).email for name, account in world.accounts.items()}  # type: ignore[union-attr]
    for method, path in listings:
        for name, caller in callers.items():
            if path.startswith("/api/"):
                text = client.request(method, path, headers=caller.api).text
            else:
                text = caller.browser.request(method, path).text
            for owner in ROLES:
                if owner == name:
                    continue
                linked = any((name, owner) in pairs for pairs in world.related.values())
                # Linked (by a consent, or through a case): the objects of that link, each other's id and
                # address; nothing else.
                foreign = [
                    i
                    for kind, ids in world.objects[owner].items()
                    if (name, owner) not in world.related.get(kind, set())
                    for i in ids
                ]
                if not linked:
                    foreign += [world.accounts[owner].id, emails[owner]]
                leaked = [value for value in foreign if value in text]
                assert not leaked, (path, name, owner, leaked)
