"""FastAPI application factory: database, locale negotiation, security headers, routers, static files,
error handlers.

`create_app()` is what `onconav serve` runs; tests pass their own engine. Nothing but this factory's
callers (the CLI entry and tests) imports this module: faces get their dependencies from
`onconav.web.dependencies`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from onconav import __version__
from onconav.accounts.pages import router as account_pages
from onconav.accounts.routes import api_router as accounts_api
from onconav.accounts.settings_pages import router as account_settings_pages
from onconav.cases.pages import router as case_pages
from onconav.cases.routes import router as cases_api
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory
from onconav.directory.routes import api_router as directory_api
from onconav.directory.routes import page_router as directory_pages
from onconav.fhir.routes import router as fhir_router
from onconav.i18n import LOCALE_COOKIE, negotiate_locale
from onconav.knowledge.routes import api_router as knowledge_api
from onconav.knowledge.routes import page_router as knowledge_pages
from onconav.trials.routes import api_router as trials_api
from onconav.trials.routes import page_router as trials_pages
from onconav.web.body_limits import BodyLimitMiddleware, limits_from_settings
from onconav.web.csrf import CSRFMiddleware
from onconav.web.errors import install_error_handlers
from onconav.web.health import router as health_router
from onconav.web.pages import router as site_pages

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
    fhir_router,
    trials_api,
    trials_pages,
    accounts_api,
    account_pages,
    account_settings_pages,
    cases_api,
    case_pages,
    site_pages,
)


def create_app(engine: Engine | None = None) -> FastAPI:
    """The onconav web application (pages, JSON API) over `engine` (default: the configured database)."""
    app = FastAPI(
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
    app.add_middleware(CSRFMiddleware)  # inside the middleware below, so its pages are translated
    # Outside the CSRF check (which reads form bodies) and everything after it; inside the locale only,
    # which never reads the body, so that the 413 page is translated and carries the security headers.
    settings = get_settings()
    app.add_middleware(
        BodyLimitMiddleware,
        default_bytes=settings.max_request_bytes,
        limits=limits_from_settings(settings),
    )

    @app.middleware("http")
    async def choose_locale(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        requested = request.query_params.get("lang") or request.cookies.get(LOCALE_COOKIE)
        request.state.locale = negotiate_locale(request.headers.get("accept-language"), requested)
        response = await call_next(request)
        response.headers.setdefault("Content-Language", request.state.locale)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response

    static_dir = resources.files("onconav").joinpath("web", "static")
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app)
    return app
