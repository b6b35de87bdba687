"""The one place where errors become responses: JSON for /api, OperationOutcome for /fhir, pages elsewhere.

Every error has one JSON shape: {"error": {"status", "code", "message", ...details}}. Every error, even an
unexpected one, is answered by a handler here, so the keep-alive connection stays usable.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import exc as database_errors
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Scope, Send

from onconav.errors import RETRY_AFTER_SECONDS, OnconavError
from onconav.fhir.outcome import FhirError, outcome_response, prefers_xml
from onconav.i18n import get_translations
from onconav.web.asgi import HTTPMiddleware
from onconav.web.templating import render

log = logging.getLogger("onconav")

CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_input",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}
# Errors that mean "the database cannot be reached or has no connection free", not "this request is
# wrong": the pool timed out, the server refused or dropped the connection, or SQLite stayed locked.
DATABASE_UNAVAILABLE_ERRORS = (
    database_errors.TimeoutError,
    database_errors.OperationalError,
    database_errors.InterfaceError,
)


def is_fhir(request: Request) -> bool:
    """FHIR clients get OperationOutcome resources, with English diagnostics."""
    return request.url.path.startswith("/fhir/")


FHIR_MESSAGES = {
    404: "Unknown FHIR endpoint: this server offers /fhir/R4/metadata and read, vread, history and search of "
    "Organization, Location, Practitioner, PractitionerRole, HealthcareService, InsurancePlan, "
    "OrganizationAffiliation and Endpoint.",
    405: "This FHIR server is read-only: only GET is supported.",
}


def wants_json(request: Request) -> bool:
    """API clients get JSON; browsers get pages."""
    path = request.url.path
    return path.startswith("/api/") or path.startswith("/fhir/") or path == "/openapi.json"


def error_response(
    request: Request, status: int, message: str, details: dict[str, Any] | None = None
) -> Response:
    """An error in the shape the client expects."""
    details = {k: v for k, v in (details or {}).items() if v is not None}
    if is_fhir(request):
        return outcome_response(400 if status == 422 else status, message, xml=prefers_xml(request))
    if wants_json(request):
        body = {
            "error": {"status": status, "code": CODES.get(status, "error"), "message": message, **details}
        }
        return JSONResponse(body, status_code=status)
    return render(request, "error.html", {"status": status, "message": message, "details": details}, status)


def _validation_message(request: Request, exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    _ = get_translations(getattr(request.state, "locale", "en")).gettext
    problems = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
        problems.append({"field": ".".join(location), "problem": error.get("msg", "invalid")})
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
    return _("Some input could not be used: %(problems)s") % {"problems": summary}, problems


ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
            },
        }
    },
}


def document_error_responses(app: FastAPI) -> None:
    """Describe the one error shape in the OpenAPI schema: every error status of every operation (and a
    `default` response for the others, e.g. 401, 404, 429) has the body {"error": {...}}."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for code, response in responses.items():
                    if code.isdigit() and int(code) >= 400:
                        response["content"] = content
                responses["default"] = {
                    "description": "An error, in the one error shape.",
                    "content": content,
                }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Register the translations from exceptions to responses."""
    document_error_responses(app)

    @app.exception_handler(FhirError)
    async def fhir_error(request: Request, exc: FhirError) -> Response:
        return outcome_response(exc.status, exc.diagnostics, exc.code, xml=prefers_xml(request))

    @app.exception_handler(OnconavError)
    async def domain_error(request: Request, exc: OnconavError) -> Response:
        if exc.status_code == 401 and not wants_json(request):
            # Pages that need a signed-in user send the reader to sign in, then back.
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/sign-in?" + urlencode({"next": target}), status_code=303)
        translations = get_translations(getattr(request.state, "locale", "en"))
        response = error_response(request, exc.status_code, exc.localized(translations.gettext), exc.details)
        response.headers.update(getattr(exc, "headers", None) or {})  # Retry-After, WWW-Authenticate
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if is_fhir(request):
            return outcome_response(400, "Invalid request: " + str(exc.errors()))
        message, problems = _validation_message(request, exc)
        return error_response(request, 422, message, {"problems": problems})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_fhir(request):
            fallback = "The request could not be handled."
            return outcome_response(exc.status_code, FHIR_MESSAGES.get(exc.status_code, fallback))
        _ = get_translations(getattr(request.state, "locale", "en")).gettext
        if exc.status_code == 404:
            message = _("This page does not exist.")
        elif exc.status_code == 405:
            message = _("This address does not accept that kind of request.")
        else:
            message = _("The request could not be handled.")
        return error_response(request, exc.status_code, message)

    @app.exception_handler(database_errors.DBAPIError)
    async def database_error(request: Request, exc: database_errors.DBAPIError) -> Response:
        if isinstance(exc, DATABASE_UNAVAILABLE_ERRORS) or exc.connection_invalidated:
            return database_unavailable_response(request, exc)
        return unexpected_error_response(request, exc)

    @app.exception_handler(database_errors.TimeoutError)
    async def pool_exhausted(request: Request, exc: database_errors.TimeoutError) -> Response:
        return database_unavailable_response(request, exc)

    # Only errors raised outside UnexpectedErrorMiddleware (in the outer middleware) reach this one; its
    # response closes the connection (Starlette re-raises to the server).
    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        return unexpected_error_response(request, exc)


def database_unavailable_response(request: Request, exc: Exception) -> Response:
    """503 with Retry-After: the database is unreachable or has no connection free right now."""
    # The class says which failure it was; the message may quote SQL with personal data in its parameters.
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return service_busy_response(request)


def service_busy_response(request: Request) -> Response:
    """503 with Retry-After in the client's shape: busy (no place free, web/admission.py) or no database."""
    retry_after = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    response: Response
    if is_fhir(request):
        response = outcome_response(503, "The database is unavailable; try again later.", "transient")
    else:
        _ = get_translations(getattr(request.state, "locale", "en")).gettext
        message = _("The service is busy or cannot reach its database. Please try again in a moment.")
        response = error_response(request, 503, message)
    response.headers.update(retry_after)
    return response


def unexpected_error_response(request: Request, exc: Exception) -> Response:
    """500, with the traceback logged: a bug. The path is logged, never the query string or the body."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if is_fhir(request):
        return outcome_response(500, "Unexpected server error.")
    _ = get_translations(getattr(request.state, "locale", "en")).gettext
    return error_response(request, 500, _("Something went wrong on our side. Please try again."))


class UnexpectedErrorMiddleware(HTTPMiddleware):
    """Answers an exception no handler took with a 500 from here, so the connection stays usable.

    Starlette's own last resort (ServerErrorMiddleware) re-raises to the server, which then closes the
    keep-alive connection and loses the requests already sent on it.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if response_started:  # half an answer was sent: only closing the connection can say so
                raise
            request = Request(scope)
            if isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
                response = database_unavailable_response(request, exc)
            else:
                response = unexpected_error_response(request, exc)
            await response(scope, receive, send)
