"""HTTP caching: public reads of the directory, the conditions and FHIR get an ETag and Cache-Control (a
matching If-None-Match is answered 304); everything else, above all what is behind sign-in or carries
patient data, gets `Cache-Control: no-store`.

A read is public only when the request carries no credentials (no session cookie, no Authorization header),
so nothing shaped by who asks is ever stored by a shared cache.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onconav.web.dependencies import SESSION_COOKIE
from onconav.web.route_template import route_template

# Route templates (GET) that answer the same to every anonymous reader.
PUBLIC_READ_ROUTES = frozenset(
    {
        "/api/v1/search",
        "/api/v1/organizations/{organization_id}",
        "/api/v1/practitioners/{practitioner_id}",
        "/search",
        "/{topic_path}/{code}/near/{place_slug}",
        "/organizations/{organization_id}",
        "/practitioners/{practitioner_id}",
        "/conditions",
        "/conditions/{slug}",
        "/conditions/{slug}/stages/{stage_code}",
        "/fhir/R4/metadata",
        "/fhir/R4/{resource_type}",
        "/fhir/R4/{resource_type}/{resource_id}",
    }
)
STATIC_FILES = "/static/{path}"  # StaticFiles sets its own ETag and Last-Modified
NO_STORE = "no-store"
# Headers a 304 leaves out: it has no body.
BODY_HEADERS = ("content-length", "content-type")


def carries_credentials(scope: Scope) -> bool:
    """True when the request is signed in (or tries to be): its answer may be personal."""
    headers = Headers(scope=scope)
    return "authorization" in headers or f"{SESSION_COOKIE}=" in headers.get("cookie", "")


def entity_tag(language: str, body: bytes) -> str:
    """A strong ETag of a response: its body and its language (the same bytes may be labelled two ways)."""
    return '"' + hashlib.sha256(language.encode() + b"\n" + body).hexdigest()[:32] + '"'


def matches_any(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match header names `tag` (weak comparison, as RFC 9110 asks for GET)."""
    offered = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return "*" in offered or tag in offered


class HttpCachingMiddleware:
    """Adds ETag and Cache-Control to public reads (answering 304 when the client holds the same
    version) and `Cache-Control: no-store` to every other response but static files."""

    def __init__(self, app: ASGIApp, *, public_seconds: int) -> None:
        self.app = app
        self.public_seconds = public_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        anonymous_get = scope["method"] == "GET" and not carries_credentials(scope)
        held: Message | None = None  # the start of a public read, sent once its body is known
        body_parts: list[bytes] = []

        async def send_with_caching(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                route = route_template(scope)
                if anonymous_get and message["status"] == 200 and route in PUBLIC_READ_ROUTES:
                    held = message
                    return
                if route != STATIC_FILES:
                    MutableHeaders(scope=message).setdefault("cache-control", NO_STORE)
                await send(message)
            elif held is not None and message["type"] == "http.response.body":
                body_parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send_public(scope, held, b"".join(body_parts), send)
            else:
                await send(message)

        await self.app(scope, receive, send_with_caching)

    async def _send_public(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        headers = MutableHeaders(scope=start)
        tag = entity_tag(headers.get("content-language", ""), body)
        headers["etag"] = tag
        if scope["path"].startswith(("/api/", "/fhir/")) and "set-cookie" not in headers:
            headers.setdefault("cache-control", f"public, max-age={self.public_seconds}")
            headers.add_vary_header("Accept-Language")
        else:
            # Pages hold a per-browser CSRF token in their forms, and a first answer sets the CSRF cookie:
            # the browser may keep them, no one else, and it asks again (If-None-Match) each time.
            headers.setdefault("cache-control", "private, no-cache")
            headers.add_vary_header("Accept-Language")
            headers.add_vary_header("Cookie")
        if matches_any(Headers(scope=scope).get("if-none-match", ""), tag):
            for name in BODY_HEADERS:
                del headers[name]
            await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})
