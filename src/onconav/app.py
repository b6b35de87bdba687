"""FastAPI application factory: database, locale negotiation, routers, static files, error handlers.

`create_app()` is what `onconav serve` runs; tests pass their own engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from onconav import __version__
from onconav.db import create_db_engine, make_session_factory
from onconav.i18n import negotiate_locale
from onconav.web.errors import install_error_handlers

LOCALE_COOKIE = "onconav_lang"
# No inline script or style anywhere: scripts and styles come from /static only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the route returns, rolled back when it raises."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def create_app(engine: Engine | None = None) -> FastAPI:
    """The onconav web application (pages, JSON API) over `engine` (default: the configured database)."""
    from importlib import resources

    from onconav.accounts.csrf import CSRFMiddleware
    from onconav.accounts.pages import router as account_pages
    from onconav.accounts.routes import api_router as accounts_api
    from onconav.accounts.settings_pages import router as account_settings_pages
    from onconav.cases.pages import router as case_pages
    from onconav.cases.routes import router as cases_api
    from onconav.directory.routes import api_router as directory_api
    from onconav.directory.routes import page_router as directory_pages
    from onconav.fhir.routes import router as fhir_router
    from onconav.knowledge.routes import api_router as knowledge_api
    from onconav.knowledge.routes import page_router as knowledge_pages
    from onconav.trials.routes import api_router as trials_api
    from onconav.trials.routes import page_router as trials_pages
    from onconav.web.pages import router as site_pages

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
    app.include_router(directory_api)
    app.include_router(directory_pages)
    app.include_router(knowledge_api)
    app.include_router(knowledge_pages)
    app.include_router(fhir_router)
    app.include_router(trials_api)
    app.include_router(trials_pages)
    app.include_router(accounts_api)
    app.include_router(account_pages)
    app.include_router(account_settings_pages)
    app.include_router(cases_api)
    app.include_router(case_pages)
    app.include_router(site_pages)
    install_error_handlers(app)
    return app
