"""The shape every HTTP middleware of the app shares: pure ASGI (no task or streams per request, unlike
Starlette's BaseHTTPMiddleware), passing anything but HTTP (lifespan) straight through."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HTTPMiddleware:
    """A pure ASGI middleware for HTTP requests: subclasses implement `handle`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request, calling `self.app` for the rest of the stack."""
        raise NotImplementedError
