"""FastAPI application factory: database, locale negotiation, security headers, access log, metrics, HTTP
caching, routers, static files, error handlers.

`create_app()` is what `onconav serve` runs with one process, and tests with their own engine;
`create_worker_app()` is what each of several worker processes imports. Nothing but this factory's callers
(the CLI entry and tests) imports this module: faces get their dependencies from `onconav.web.dependencies`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onconav import __version__
from onconav.accounts.pages import router as account_pages
from onconav.accounts.routes import api_router as accounts_api
from onconav.accounts.settings_pages import router as account_settings_pages
from onconav.care.pages import router as care_pages
from onconav.care.routes import feed_router as care_feed
from onconav.care.routes import router as care_api
from onconav.cases.pages import router as case_pages
from onconav.cases.routes import router as cases_api
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory
from onconav.directory.routes import api_router as directory_api
from onconav.directory.routes import page_router as directory_pages
from onconav.fhir.export_routes import router as fhir_export_router
from onconav.fhir.routes import router as fhir_router
from onconav.i18n import LOCALE_COOKIE, SUPPORTED_LOCALES, negotiate_locale
from onconav.knowledge.routes import api_router as knowledge_api
from onconav.knowledge.routes import page_router as knowledge_pages
from onconav.quotes.pages import router as quote_pages
from onconav.quotes.routes import router as quotes_api
from onconav.support.pages import page_router as support_pages
from onconav.support.routes import api_router as support_api
from onconav.trials.routes import api_router as trials_api
from onconav.trials.routes import page_router as trials_pages
from onconav.web.access_log import AccessLogMiddleware
from onconav.web.admission import AdmissionMiddleware
from onconav.web.answer_cache import AnswerCacheMiddleware, answer_cache_from_settings
from onconav.web.asgi import HTTPMiddleware
from onconav.web.body_limits import BodyLimitMiddleware, limits_from_settings
from onconav.web.csrf import CSRFMiddleware
from onconav.web.errors import UnexpectedErrorMiddleware, install_error_handlers
from onconav.web.health import router as health_router
from onconav.web.http_caching import HttpCachingMiddleware
from onconav.web.metrics import MetricsMiddleware
from onconav.web.metrics import router as metrics_router
from onconav.web.pages import remember_locale
from onconav.web.pages import router as site_pages
from onconav.web.warm_up import warm_up_reference_data

# No inline script or style anywhere: scripts and styles come from /static only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
ROUTERS = (
    health_router,
    directory_api,
    directory_pages,
    knowledge_api,
    knowledge_pages,
    fhir_export_router,  # before fhir_router, whose /fhir/R4/{resource_type} would take $export
    fhir_router,
    trials_api,
    trials_pages,
    accounts_api,
    account_pages,
    account_settings_pages,
    cases_api,
    case_pages,
    support_api,
    support_pages,
    care_api,
    care_pages,
    care_feed,
    quotes_api,
    quote_pages,
    site_pages,
    metrics_router,
)
WORKER_HEADER = "X-Onconav-Worker"  # the serving process id, with the expose_worker_pid setting only


def create_worker_app() -> FastAPI:
    """The application of one of several worker processes (`onconav serve --workers N`): over the
    configured database, with the reference data built before the worker takes a request."""
    return create_app(warm_up=True)


def create_app(engine: Engine | None = None, *, warm_up: bool = False) -> FastAPI:
    """The onconav web application (pages, JSON API) over `engine` (default: the configured database);
    `warm_up` builds the reference data at start-up (see `onconav.web.warm_up`)."""
    settings = get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Request threads and database connections are sized together (docs/serving.md): one
        # connection per thread, so a thread never waits for the pool unless the database is stuck.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        if warm_up:
            warm_up_reference_data()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="onconav",
        version=__version__,
        description="Cancer-care navigation: find the specialists and centers that treat a condition, "
        "with a visible reason for every ranking factor. Information only: always talk with your care team.",
        # No Swagger UI: it loads scripts from a CDN; /openapi.json serves any OpenAPI viewer.
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine or create_db_engine()
    app.state.session_factory = make_session_factory(app.state.engine)
    # Innermost: anonymous public reads answered again from memory (web/answer_cache.py); inside the CSRF
    # check, which gives each browser its own token in a kept page.
    app.state.answer_cache = answer_cache_from_settings(settings)
    app.add_middleware(AnswerCacheMiddleware, cache=app.state.answer_cache)
    app.add_middleware(CSRFMiddleware)  # inside the middleware below, so its pages are translated
    # Outside the CSRF check (which reads form bodies) and everything after it; inside the locale only,
    # which never reads the body, so that the 413 page is translated and carries the security headers.
    app.add_middleware(
        BodyLimitMiddleware,
        default_bytes=settings.max_request_bytes,
        limits=limits_from_settings(settings),
    )
    # Inside the locale, so a 500 is translated and carries the security headers; it answers every error
    # that no handler took, so that the keep-alive connection survives it.
    app.add_middleware(UnexpectedErrorMiddleware)
    # Overload is answered 503 at once, before a request takes a thread or a connection (web/admission.py).
    app.add_middleware(
        AdmissionMiddleware,
        limit=settings.worker_threads,
        wait_seconds=settings.database_pool_timeout_seconds,
        queue_limit=2 * settings.worker_threads,
    )

    # The reader's language and the security headers of every answer (pure ASGI: no task per request).
    app.add_middleware(LocaleMiddleware)

    # Outside the locale (its headers are part of what is cached); then metrics and, outermost, the access
    # log, which see every answer, 304s and 500s included.
    app.add_middleware(HttpCachingMiddleware, public_seconds=settings.public_cache_seconds)
    if settings.expose_worker_pid:
        app.add_middleware(WorkerHeaderMiddleware)
    app.add_middleware(MetricsMiddleware)
    if settings.access_log:
        app.add_middleware(AccessLogMiddleware)

    static_dir = resources.files("onconav").joinpath("web", "static")
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    return app


class WorkerHeaderMiddleware:
    """Names the serving process in every response (tests check that several workers answer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_worker(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[WORKER_HEADER] = str(os.getpid())
            await send(message)

        await self.app(scope, receive, send_with_worker)


SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
)


class LocaleMiddleware(HTTPMiddleware):
    """Chooses the locale of the answer (`request.state.locale`): a valid `?lang=` (then remembered in a
    cookie, so that forms and links keep it), else the locale cookie, else Accept-Language; and gives every
    answer its Content-Language and the security headers (those it does not set itself)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        chosen = request.query_params.get("lang")
        chosen = chosen if chosen in SUPPORTED_LOCALES else None
        cookie = request.cookies.get(LOCALE_COOKIE)
        state = scope.setdefault("state", {})
        state["locale"] = negotiate_locale(request.headers.get("accept-language"), chosen or cookie)
        remember = chosen is not None and cookie != chosen
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if remember:
                    remembered = Response()
                    remember_locale(remembered, str(chosen))
                    for raw_name, raw_value in remembered.raw_headers:
                        if raw_name == b"set-cookie":
                            headers.append("set-cookie", raw_value.decode("latin-1"))
                headers.setdefault("Content-Language", state["locale"])
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
            await send(message)

        await self.app(scope, receive, send_with_headers)
