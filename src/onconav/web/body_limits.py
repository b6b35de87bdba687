"""Request-body size limits enforced on the stream, before CSRF checks, authentication and form parsing:
a declared Content-Length over the limit is answered 413 at once, and bodies are counted as they arrive
(chunked ones too), so the request is cut off with 413 as soon as it passes the limit.

Every route gets the general limit (`ONCONAV_MAX_REQUEST_BYTES`); upload routes get the larger upload
limit, but only when the request carries credentials (a session cookie or an Authorization header): an
anonymous upload could only ever earn a 401, so it gets the general limit. `ONCONAV_BODY_LIMITS` sets
other limits for chosen paths.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onconav.config import Settings
from onconav.web.dependencies import SESSION_COOKIE

# The routes that take files: records and message attachments, from the API and from the pages.
UPLOAD_PATHS = r"/(api/v1/)?cases/[^/]+/(documents|messages)"


class BodyTooLarge(Exception):
    """Raised into the application when the body it is reading passes the limit."""


@dataclass(frozen=True)
class BodyLimit:
    """A limit for the paths that match `path` (a regular expression matched against the whole path)."""

    path: str
    max_bytes: int
    needs_credentials: bool = False

    def matches(self, scope: Scope) -> bool:
        return re.fullmatch(self.path, scope.get("path", "")) is not None


def limits_from_settings(settings: Settings) -> list[BodyLimit]:
    """The per-route limits of the configuration, the first match wins: configured paths, then uploads."""
    configured = [BodyLimit(path=path, max_bytes=size) for path, size in settings.body_limits.items()]
    upload = BodyLimit(
        path=UPLOAD_PATHS, max_bytes=settings.effective_max_upload_request_bytes, needs_credentials=True
    )
    return [*configured, upload]


def _has_credentials(scope: Scope) -> bool:
    request = Request(scope)
    return "authorization" in request.headers or SESSION_COOKIE in request.cookies


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    """Pure ASGI middleware enforcing the body limits (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, default_bytes: int, limits: Sequence[BodyLimit] = ()) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.limits = tuple(limits)

    def limit_for(self, scope: Scope) -> int:
        """The largest body accepted for this request."""
        for limit in self.limits:
            if limit.matches(scope):
                if limit.needs_credentials and not _has_credentials(scope):
                    return self.default_bytes
                return limit.max_bytes
        return self.default_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(scope, send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the application made of a cut-off body, the answer is the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            # The application may wrap the interruption in an error of its own (a 400, a group of
            # errors): once the body passed the limit, the limit is the answer.
            if not exceeded:
                raise
        if exceeded and not started:
            await self._too_large(scope, send, limit)

    @staticmethod
    async def _too_large(scope: Scope, send: Send, limit: int) -> None:
        from onconav.i18n import get_translations
        from onconav.web.errors import error_response

        request = Request(scope)
        _ = get_translations(scope.get("state", {}).get("locale", "en")).gettext
        message = _("This request is larger than the limit of %(limit)s MB.") % {
            "limit": max(1, limit // (1024 * 1024))
        }
        response = error_response(request, 413, message, {"limit_bytes": limit})
        response.headers["Connection"] = "close"  # the rest of the body is not read

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)
