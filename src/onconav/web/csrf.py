"""CSRF protection for every state-changing request that carries cookies (signed double-submit token).

Every response sets a random `onconav_csrf` cookie when the browser has none; pages put
`request.state.csrf_token` (an HMAC, under a keyring-derived key, of that cookie AND of the browser's
session cookie) in a hidden `csrf_token` field of every POST form, or scripts send it as `X-CSRF-Token`.
Bound to the session, the token changes at every sign-in (a new session) and a pair of cookie and token
learned with one session (say, the attacker's own) is worth nothing with another. POST, PUT, PATCH and
DELETE to pages always need it; to /api/ and /fhir/ they need it only when a session cookie is sent without an
Authorization header (a bearer token is not sent by browsers on their own, so it cannot be forged).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import tempfile
from http.cookies import SimpleCookie
from typing import Any

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from onconav.accounts.crypto import derive_secret
from onconav.web.asgi import HTTPMiddleware
from onconav.web.dependencies import SESSION_COOKIE

CSRF_COOKIE = "onconav_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SPOOL_BYTES = 1024 * 1024


def token_for(cookie_value: str, session_secret: str = "") -> str:
    """The form token that matches a CSRF cookie within a browser session (none before signing in)."""
    bound = hashlib.sha256(session_secret.encode()).hexdigest() if session_secret else "-"
    message = f"{cookie_value}\n{bound}".encode()
    return hmac.new(derive_secret("csrf"), message, hashlib.sha256).hexdigest()


def cookie_is_secure(scope: Scope) -> bool:
    """Whether cookies get the Secure flag (see Settings.cookie_secure)."""
    from onconav.config import get_settings

    configured = get_settings().cookie_secure
    if configured is not None:
        return configured
    if scope.get("scheme") == "https":
        return True
    host = Request(scope).url.hostname or ""
    return host not in {"localhost", "127.0.0.1", "::1", "testserver"}


class CSRFMiddleware(HTTPMiddleware):
    """ASGI middleware enforcing the CSRF token (see the module docstring)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        cookie = request.cookies.get(CSRF_COOKIE, "")
        new_cookie = None
        if len(cookie) < 32 or len(cookie) > 64:
            cookie = new_cookie = secrets.token_urlsafe(32)
        expected = token_for(cookie, request.cookies.get(SESSION_COOKIE, ""))
        scope.setdefault("state", {})["csrf_token"] = expected
        spool = None
        try:
            if scope["method"] in UNSAFE_METHODS and self._needs_token(request):
                supplied = request.headers.get(CSRF_HEADER)
                if supplied is None and new_cookie is None:
                    spool = await self._spool_body(scope, receive)
                    if spool is not None:
                        supplied = await self._form_token(scope, spool)
                        receive = self._replayer(spool)
                if new_cookie is not None or not supplied or not hmac.compare_digest(supplied, expected):
                    await self._reject(scope, receive, send, new_cookie)
                    return
            await self.app(scope, receive, self._with_cookie(send, new_cookie, scope))
        finally:
            if spool is not None:
                spool.close()

    @staticmethod
    def _needs_token(request: Request) -> bool:
        path = request.url.path
        if path.startswith(("/api/", "/fhir/")):
            return "authorization" not in request.headers and SESSION_COOKIE in request.cookies
        return True

    @staticmethod
    async def _spool_body(scope: Scope, receive: Receive) -> Any:
        """The whole form body in a spooled file (memory up to 1 MiB), or None for other bodies."""
        content_type = Request(scope).headers.get("content-type", "")
        if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return None
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            spool.write(message.get("body", b""))
            more = message.get("more_body", False)
        return spool

    @staticmethod
    def _replayer(spool: Any) -> Receive:
        """A `receive` that plays the spooled body again from its start."""
        spool.seek(0)
        finished = False

        async def replay() -> Message:
            nonlocal finished
            if finished:
                return {"type": "http.disconnect"}
            chunk = spool.read(65536)
            if chunk:
                return {"type": "http.request", "body": chunk, "more_body": True}
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}

        return replay

    async def _form_token(self, scope: Scope, spool: Any) -> str | None:
        form = await Request(scope, self._replayer(spool)).form()
        try:
            value = form.get(CSRF_FIELD)
            return value if isinstance(value, str) else None
        finally:
            await form.close()

    @staticmethod
    def _with_cookie(send: Send, new_cookie: str | None, scope: Scope) -> Send:
        if new_cookie is None:
            return send

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", _cookie_header(new_cookie, scope).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        return send_with_cookie

    async def _reject(self, scope: Scope, receive: Receive, send: Send, new_cookie: str | None) -> None:
        from onconav.i18n import get_translations
        from onconav.web.errors import error_response

        request = Request(scope, receive)
        locale = scope.get("state", {}).get("locale", "en")
        _ = get_translations(locale).gettext
        response = error_response(
            request,
            403,
            _("This form has expired or did not come from onconav. Go back, reload the page and try again."),
        )
        await response(scope, receive, self._with_cookie(send, new_cookie, scope))


def _cookie_header(value: str, scope: Scope) -> str:
    """The Set-Cookie value of a new CSRF cookie. Its value comes from `secrets.token_urlsafe`, characters
    a cookie takes unquoted: SimpleCookie would write it as it is, before the same attributes every time."""
    return f"{CSRF_COOKIE}={value}{_cookie_attributes(cookie_is_secure(scope))}"


@functools.lru_cache(maxsize=2)
def _cookie_attributes(secure: bool) -> str:
    """What SimpleCookie writes after the value ("; HttpOnly; Path=/; SameSite=Strict")."""
    return _simple_cookie_header("x", secure).removeprefix(f"{CSRF_COOKIE}=x")


def _simple_cookie_header(value: str, secure: bool) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie[CSRF_COOKIE] = value
    morsel: Any = cookie[CSRF_COOKIE]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    if secure:
        morsel["secure"] = True
    return str(morsel.OutputString())
