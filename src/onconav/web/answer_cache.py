"""The server's own answer cache: complete 200 answers to anonymous GETs of the public directory and
condition routes, kept in this process for `public_cache_seconds` (the lifetime HttpCachingMiddleware
already promises every shared cache, so no new staleness for the API) and served again without running the
route. Searches cost milliseconds of compute; a repeated one is then as cheap as a trivial answer.

- What: GETs without credentials (no session cookie, no Authorization: `carries_credentials`) whose route
  template is in CACHED_ROUTES, answered 200 without Set-Cookie, whole (no more than 1/16 of the budget).
- Key: the path, the raw query string (the pages link back to it as it was written: two spellings are two
  answers), the reader's locale (as LocaleMiddleware resolved it) and the HX-Request header (htmx gets the
  same page with an HX-Push-Url header).
- Per browser: the page's CSRF token (`state.csrf_token`, set by CSRFMiddleware, outside this one) is stored
  as a placeholder and the asking browser's own token is put back on every hit. Anonymous pages of these
  routes show nothing else of the visitor (the header's "Your account" needs a session cookie).
- Invalidation: any successful (status < 400) POST, PUT, PATCH or DELETE handled by THIS process empties it
  (but the trial matches, POSTs that only read: READS_BY_POST); other processes and machines converge
  within the lifetime, exactly like shared caches. Writes that bypass HTTP (imports, the CLI) are seen
  within the lifetime too.
- Bounds: `answer_cache_entries` answers and `answer_cache_bytes` bytes, least recently used first out;
  either at 0 (or a lifetime of 0) turns it off.

Outer middlewares see a hit as an ordinary answer: the matched route is put back in the scope (access log,
metrics and HTTP caching read its template), and `X-Cache: hit|miss` and `Age` tell operators what happened.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onconav.config import Settings
from onconav.web.asgi import HTTPMiddleware
from onconav.web.http_caching import PUBLIC_READ_ROUTES, carries_credentials
from onconav.web.route_template import route_template

# Route templates (GET) whose anonymous answers are kept: the public reads but FHIR's, whose bundles carry
# absolute URLs built from the address the request came to (the cache's key has no host).
CACHED_ROUTES = frozenset(route for route in PUBLIC_READ_ROUTES if not route.startswith("/fhir/"))
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# POSTs that only read (a trial match sends the patient's details in its body, never in a URL): they leave
# the cache alone, or every trial match would empty it.
READS_BY_POST = frozenset({"/api/v1/trials/match", "/trials"})
CACHE_HEADER = "x-cache"
ENTRY_OVERHEAD_BYTES = 512  # the key, the headers and the bookkeeping of an entry, roughly
LARGEST_SHARE = 16  # an answer larger than 1/16 of the budget is not kept: it would push out too many

LOOKUPS = Counter(
    "onconav_answer_cache_lookups",
    "Anonymous reads of cached routes, by route template and whether the answer cache had them.",
    ["route", "result"],
)

Key = tuple[str, bytes, str, str | None]


@dataclass(frozen=True)
class Entry:
    """One kept answer: its headers and body (the CSRF token replaced by the cache's placeholder)."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    has_token: bool
    route: Any  # the route the router matched, put back in the scope of every hit
    path_params: dict[str, Any]
    stored_at: float
    size: int


class AnswerCache:
    """A bounded, expiring, least-recently-used map of answers, local to this process (one per app)."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_bytes: int,
        lifetime_seconds: float,
        routes: frozenset[str] = CACHED_ROUTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.routes = routes
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.lifetime_seconds = lifetime_seconds
        self.clock = clock
        self.placeholder = secrets.token_hex(32).encode()  # a CSRF token's shape: 64 hexadecimal digits
        self.generation = 0  # bumped by every clear: an answer computed before it is not kept
        self.bytes = 0
        self._entries: OrderedDict[Key, Entry] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0 and self.lifetime_seconds > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self.clock() - entry.stored_at >= self.lifetime_seconds:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: Key, entry: Entry, generation: int) -> None:
        if generation != self.generation or entry.size * LARGEST_SHARE > self.max_bytes:
            return
        if key in self._entries:
            self._remove(key)
        self._entries[key] = entry
        self.bytes += entry.size
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            self._remove(next(iter(self._entries)))

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0
        self.generation += 1

    def _remove(self, key: Key) -> None:
        self.bytes -= self._entries.pop(key).size


def cache_key(scope: Scope) -> Key:
    """What an answer of a cached route varies on (besides the absence of credentials)."""
    locale = str(scope.get("state", {}).get("locale", ""))
    return (scope["path"], scope.get("query_string", b""), locale, Headers(scope=scope).get("hx-request"))


class AnswerCacheMiddleware(HTTPMiddleware):
    """Serves kept answers to anonymous reads, keeps new ones, and forgets them all after a write."""

    def __init__(self, app: ASGIApp, *, cache: AnswerCache) -> None:
        super().__init__(app)
        self.cache = cache

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache = self.cache
        if not cache.enabled:
            await self.app(scope, receive, send)
        elif scope["method"] in UNSAFE_METHODS:
            await self._write(scope, receive, send)
        elif scope["method"] != "GET" or carries_credentials(scope):
            await self.app(scope, receive, send)
        else:
            key = cache_key(scope)
            entry = cache.get(key)
            if entry is not None:
                await self._answer_from(entry, scope, send)
            else:
                await self._read(key, scope, receive, send)

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run a write; once it succeeded, nothing this process kept may be current any more."""
        cache = self.cache

        async def send_clearing(message: Message) -> None:
            if (
                message["type"] == "http.response.start"
                and message["status"] < 400
                and route_template(scope) not in READS_BY_POST
            ):
                cache.clear()  # the write has committed before its answer starts
            await send(message)

        await self.app(scope, receive, send_clearing)

    async def _answer_from(self, entry: Entry, scope: Scope, send: Send) -> None:
        scope["route"] = entry.route
        scope["path_params"] = entry.path_params
        body = entry.body
        if entry.has_token:
            body = body.replace(self.cache.placeholder, _csrf_token(scope))
        headers = MutableHeaders(raw=list(entry.headers))
        headers["content-length"] = str(len(body))
        headers[CACHE_HEADER] = "hit"
        headers["age"] = str(max(0, int(self.cache.clock() - entry.stored_at)))
        LOOKUPS.labels(route_template(scope), "hit").inc()
        await send({"type": "http.response.start", "status": 200, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})

    async def _read(self, key: Key, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the route, passing its answer on as it comes, and keep a copy when it may be shared."""
        cache = self.cache
        generation = cache.generation
        started_at = cache.clock()
        limit = cache.max_bytes // LARGEST_SHARE
        start: Message | None = None
        parts: list[bytes] = []
        length = 0

        async def send_keeping(message: Message) -> None:
            nonlocal start, length
            kind = message["type"]
            if kind == "http.response.start":
                route = route_template(scope)
                if route in cache.routes:
                    LOOKUPS.labels(route, "miss").inc()
                    if message["status"] == 200 and not _sets_cookie(message):
                        start = message
                    message = {**message, "headers": [*message.get("headers", []), (b"x-cache", b"miss")]}
            elif kind == "http.response.body" and start is not None:
                chunk = message.get("body", b"")
                length += len(chunk)
                if length > limit:
                    start = None
                    parts.clear()
                else:
                    parts.append(chunk)
                    if not message.get("more_body", False):
                        self._keep(key, scope, start, b"".join(parts), started_at, generation)
            elif start is not None:
                start = None  # trailers or anything else: not an answer this cache knows how to replay
            await send(message)

        await self.app(scope, receive, send_keeping)

    def _keep(
        self, key: Key, scope: Scope, start: Message, body: bytes, started_at: float, generation: int
    ) -> None:
        token = _csrf_token(scope)
        has_token = bool(token) and token in body
        if has_token:
            body = body.replace(token, self.cache.placeholder)
        headers = [(name, value) for name, value in start.get("headers", []) if name.lower() != b"x-cache"]
        size = len(body) + sum(len(n) + len(v) for n, v in headers) + ENTRY_OVERHEAD_BYTES
        entry = Entry(
            headers=headers,
            body=body,
            has_token=has_token,
            route=scope.get("route"),
            path_params=dict(scope.get("path_params", {})),
            stored_at=started_at,  # its age counts from before it was computed: never younger than it is
            size=size,
        )
        self.cache.put(key, entry, generation)


def _csrf_token(scope: Scope) -> bytes:
    return str(scope.get("state", {}).get("csrf_token", "")).encode()


def _sets_cookie(start: Message) -> bool:
    return any(name.lower() == b"set-cookie" for name, _ in start.get("headers", []))


def answer_cache_from_settings(settings: Settings) -> AnswerCache:
    """The answer cache the settings ask for (turned off by a size or a lifetime of 0)."""
    return AnswerCache(
        max_entries=settings.answer_cache_entries,
        max_bytes=settings.answer_cache_bytes,
        lifetime_seconds=settings.public_cache_seconds,
    )
