"""What every route and page receives: the request's unit of work (`SessionDep`) and who is asking
(`CurrentPrincipal`, `OptionalPrincipal`). Faces import these from here, never from `onconav.app`.

One request is one unit of work: the session commits when the route returns and BEFORE the response is
sent (`scope="function"`), so a commit that fails is an error response, never a 200 for lost work.
Routes and pages never commit; they raise, and everything of the request is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from onconav.accounts import service as accounts
from onconav.accounts.principal import Principal
from onconav.db import unit_of_work

SESSION_COOKIE = "onconav_session"


def get_session(request: Request) -> Iterator[Session]:
    """The request's session: committed after the route returns and before the response is sent, rolled
    back when the route raises; a failed commit raises NotSaved or SaveConflict (an error response)."""
    with unit_of_work(request.app.state.session_factory) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]

T = TypeVar("T")


async def in_unit_of_work(request: Request, work: Callable[[Session], T]) -> T:
    """`work(session)` in the request's unit of work, as a sync route with SessionDep runs it (committed
    before it returns, rolled back when it raises), on ONE request thread: SessionDep opens and commits
    the session on a thread each and the route runs on a third, three hops for a read that takes a few
    milliseconds (the search API, web/admission.py)."""

    def run() -> T:
        with unit_of_work(request.app.state.session_factory) as session:
            return work(session)

    return await run_in_threadpool(run)


def client_address(request: Request) -> str | None:
    """The address the request came from (the proxy's view when run behind one with --proxy-headers)."""
    return request.client.host if request.client else None


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header; Unauthenticated for any other scheme."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise accounts.Unauthenticated("Send the token as Authorization: Bearer <token>.")
    return value.strip()


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """The signed-in user, or None; an invalid or expired bearer token is a 401, not anonymous.

    Accepts `Authorization: Bearer <token>` and the session cookie; when an Authorization header is
    present the cookie is ignored (so cookie-less API calls need no CSRF token).
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    address = client_address(request)
    token = bearer_token(request)
    principal: Principal | None
    if token is not None:
        principal = accounts.token_principal(session, secret=token, source_ip=address)
        if principal is None:
            raise accounts.Unauthenticated("This token is not valid: it expired or was revoked.")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        principal = accounts.session_principal(session, secret=cookie, source_ip=address) if cookie else None
    request.state.principal = principal
    return principal


def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The signed-in user; 401 (API) or the sign-in page (pages) when nobody is."""
    if principal is None:
        raise accounts.Unauthenticated("Sign in to continue.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
