"""FastAPI dependencies that say who is asking: `current_principal` (401 when nobody is signed in) and
`optional_principal` (None). Both accept `Authorization: Bearer <token>` and the session cookie; when an
Authorization header is present, the cookie is ignored (so cookie-less API calls need no CSRF token).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from onconav.accounts import service
from onconav.accounts.principal import Principal
from onconav.app import get_session

SESSION_COOKIE = "onconav_session"


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
        raise service.Unauthenticated("Send the token as Authorization: Bearer <token>.")
    return value.strip()


def optional_principal(
    request: Request, session: Annotated[Session, Depends(get_session)]
) -> Principal | None:
    """The signed-in user, or None; an invalid or expired bearer token is a 401, not anonymous."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    address = client_address(request)
    token = bearer_token(request)
    principal: Principal | None
    if token is not None:
        principal = service.token_principal(session, secret=token, source_ip=address)
        if principal is None:
            raise service.Unauthenticated("This token is not valid: it expired or was revoked.")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        principal = service.session_principal(session, secret=cookie, source_ip=address) if cookie else None
    request.state.principal = principal
    return principal


def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The signed-in user; 401 (API) or the sign-in page (pages) when nobody is."""
    if principal is None:
        raise service.Unauthenticated("Sign in to continue.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
