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
from tests.accounts.conftest import Account

from onconav.accounts import deps, service
from onconav.accounts.models import ApiToken, CaregiverGrant, User, WebSession
from onconav.db import unit_of_work


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
    """Takes the id of an object of kind `kind` in its path."""

    kind: str
    page: bool = False  # a page form (cookie session and CSRF token) rather than the JSON API
    success: int = 204  # the owner's expected status


PUBLIC_DIRECTORY = Public("directory of organizations and practitioners: public information")
PUBLIC_KNOWLEDGE = Public("knowledge base: public information")
PUBLIC_FORM = Public("sign-in, sign-up and reset forms: no one's data, no enumeration (tested elsewhere)")

ROUTES: dict[tuple[str, str], Public | OwnAccount | ObjectRoute] = {
    ("GET", "/openapi.json"): Public("API description"),
    ("GET", "/static"): Public("style sheet and scripts"),
    ("GET", "/"): Public("home page"),
    ("GET", "/about/ranking"): Public("how ranking works"),
    ("GET", "/about/privacy"): Public("privacy notice"),
    ("GET", "/language/{code}"): Public("language choice"),
    ("GET", "/api/v1/search"): PUBLIC_DIRECTORY,
    ("GET", "/api/v1/organizations/{organization_id}"): PUBLIC_DIRECTORY,
    ("GET", "/api/v1/practitioners/{practitioner_id}"): PUBLIC_DIRECTORY,
    ("GET", "/search"): PUBLIC_DIRECTORY,
    ("GET", "/{topic_path}/{code}/near/{place_slug}"): PUBLIC_DIRECTORY,
    ("GET", "/organizations/{organization_id}"): PUBLIC_DIRECTORY,
    ("GET", "/practitioners/{practitioner_id}"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/R4/metadata"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/R4/{resource_type}"): PUBLIC_DIRECTORY,
    ("GET", "/fhir/R4/{resource_type}/{resource_id}"): PUBLIC_DIRECTORY,
    ("GET", "/api/v1/explain"): PUBLIC_KNOWLEDGE,
    ("GET", "/conditions"): PUBLIC_KNOWLEDGE,
    ("GET", "/conditions/{slug}"): PUBLIC_KNOWLEDGE,
    ("GET", "/conditions/{slug}/stages/{stage_code}"): PUBLIC_KNOWLEDGE,
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
    ("GET", "/account/password"): OwnAccount(),
    ("POST", "/account/password"): OwnAccount(),
    ("GET", "/account/second-factor"): OwnAccount(pending=True),
    ("POST", "/account/second-factor"): OwnAccount(pending=True),
    ("GET", "/account/sessions"): OwnAccount(),
    ("GET", "/account/consents"): OwnAccount(),
    ("POST", "/account/consents"): OwnAccount(),
    ("GET", "/account/access-log"): OwnAccount(),
    ("GET", "/account/delete"): OwnAccount(),
    ("POST", "/account/delete"): OwnAccount(),
    ("DELETE", "/api/v1/account/sessions/{session_id}"): ObjectRoute("session"),
    ("DELETE", "/api/v1/account/tokens/{token_id}"): ObjectRoute("token"),
    ("DELETE", "/api/v1/account/consents/{consent_id}"): ObjectRoute("consent"),
    ("POST", "/account/sessions/{session_id}/revoke"): ObjectRoute("session", page=True, success=303),
    ("POST", "/account/consents/{consent_id}/revoke"): ObjectRoute("consent", page=True, success=303),
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
        assert _depends_on(found[key].dependant, deps.current_principal), key
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


ObjectMaker = Callable[[Session, World, str], str | None]
OBJECT_KINDS: dict[str, tuple[ObjectMaker, Callable[[Session, str], bool]]] = {
    "session": (make_session, session_intact),
    "token": (make_token, token_intact),
    "consent": (make_consent, consent_intact),
}
ROLES = ("patient", "patient2", "caregiver", "coordinator", "specialist", "center_staff", "admin")


@pytest.fixture
def world(
    factory: sessionmaker[Session], make_account: Callable[..., Account], directory_links: dict[str, int]
) -> World:
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
    with unit_of_work(world.factory) as session:
        secrets: dict[str, tuple[str, str]] = {}
        for name, account in world.accounts.items():
            user = service.get_user_or_raise(session, user_id=account.id)
            token = service.issue_access_token(session, user=user, second_factor_done=True).secret
            cookie = service.start_session(session, user=user, second_factor_done=True).secret
            secrets[name] = (token, cookie)
    for name, (token, cookie) in secrets.items():
        browser = TestClient(client.app)
        browser.cookies.set(deps.SESSION_COOKIE, cookie)
        page = browser.get("/account")
        assert page.status_code == 200, (name, page.status_code)
        match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert match
        callers[name] = Caller(name, {"Authorization": f"Bearer {token}"}, browser, match.group(1))
    return callers


def _call(client: TestClient, caller: Caller, method: str, path: str, page: bool) -> int:
    if page:
        response = caller.browser.request(
            method, path, data={"csrf_token": caller.csrf}, follow_redirects=False
        )
    else:
        response = client.request(method, path, headers=caller.api)
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
                    status = _call(client, caller, method, _fill(path, object_id), route.page)
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
        for owner in ("patient", "specialist"):
            ids = [i for i in world.objects[owner].get(route.kind, []) if (route.kind, i) not in done]
            if not ids:
                continue
            status = _call(client, callers[owner], method, _fill(path, ids[0]), route.page)
            assert status == route.success, (method, path, owner, status)
            done.add((route.kind, ids[0]))
            with world.factory() as session:
                assert not OBJECT_KINDS[route.kind][1](session, ids[0])


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
                foreign = [i for ids in world.objects[owner].values() for i in ids]
                if not linked:
                    foreign += [world.accounts[owner].id, emails[owner]]
                else:
                    # Linked by a consent: its id and each other's id and address, nothing else.
                    foreign = [
                        i for kind, ids in world.objects[owner].items() if kind != "consent" for i in ids
                    ]
                leaked = [value for value in foreign if value in text]
                assert not leaked, (path, name, owner, leaked)
