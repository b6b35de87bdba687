"""Admission control: at most as many requests at work as a worker has request threads (and so database
connections); a request that finds no free place within the pool timeout is answered 503 with Retry-After
at once, in the client's shape, instead of stalling.

Why a limit of its own: a request hops between threads (its dependencies, its handler and its commit each
run on one of the worker's threads, in turn) and holds its database connection from its first query to its
commit, across the hops. With more requests in flight than threads, requests holding a connection queue
for their next thread while others that got a thread wait for a connection: at 64 and 128 connections the
pool timed out and requests waited a minute. With at most `worker_threads` requests at work, each one's
connection is always there (pool size = worker threads, docs/serving.md) and the waiting happens here,
before any connection is taken, for a bounded time.
"""

from __future__ import annotations

import anyio
from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onconav.web.errors import service_busy_response

# Never held back: they take no request thread from the application's work (static files, liveness,
# metrics) or must answer while it is busy (readiness uses the pool's overflow).
EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz", "/metrics")


class AdmissionMiddleware:
    """Lets at most `limit` requests in at once; the others wait up to `wait_seconds` for a place (no more
    than `queue_limit` of them), else get 503 with Retry-After."""

    def __init__(self, app: ASGIApp, *, limit: int, wait_seconds: float, queue_limit: int) -> None:
        self.app = app
        self.limit = max(1, limit)
        self.wait_seconds = wait_seconds
        self.queue_limit = queue_limit
        self.waiting = 0
        self._places: anyio.Semaphore | None = None  # made in the server's event loop, on first use

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._places is None:
            self._places = anyio.Semaphore(self.limit)
        places = self._places
        if not await self._admitted(places):
            await service_busy_response(Request(scope))(scope, receive, send)
            return
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                places.release()

        async def send_releasing(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The unit of work has committed and given its connection back before the answer starts:
                # a slow reader of a long answer (a document download) holds no place.
                release()
            await send(message)

        try:
            await self.app(scope, receive, send_releasing)
        finally:
            release()

    async def _admitted(self, places: anyio.Semaphore) -> bool:
        """Take a place: at once when one is free, else after waiting in line (if the line has room)."""
        try:
            places.acquire_nowait()
            return True
        except anyio.WouldBlock:
            pass
        if self.waiting >= self.queue_limit:
            return False
        self.waiting += 1
        try:
            with anyio.move_on_after(self.wait_seconds):
                await places.acquire()
                return True
            return False
        finally:
            self.waiting -= 1
