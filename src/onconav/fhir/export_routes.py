"""FHIR Bulk Data export of the directory: kick-off (`GET /fhir/R4/$export`), status polling and
cancellation (`/fhir/bulk-export/{job}`) and the NDJSON files (`/fhir/bulk-export/{job}/{type}.ndjson`).

Public data: no access token is needed (`requiresAccessToken: false`). The work runs in a background thread
of the process that took the kick-off; its state is in the database, so any worker answers the polls.
Registered before the FHIR read routes, whose `/fhir/R4/{type}` would otherwise take `$export`.
"""

from __future__ import annotations

import threading
from email.utils import format_datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask

from onconav.fhir import bulk_export
from onconav.fhir.models import FAILED, IN_PROGRESS
from onconav.fhir.outcome import FHIR_JSON, FhirError, outcome_response
from onconav.web.dependencies import SessionDep

router = APIRouter(include_in_schema=False)
STATUS_PATH = "/fhir/bulk-export"
RETRY_AFTER_SECONDS = 2
ACCEPTABLE = ("application/fhir+json", "application/json", "*/*", "application/*")


def _server(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _instant(moment: Any) -> str:
    return str(moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"))


def _information(text: str, status: int) -> JSONResponse:
    issue = {"severity": "information", "code": "informational", "diagnostics": text}
    body = {"resourceType": "OperationOutcome", "issue": [issue]}
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


def _start_runner(request: Request, job_id: str) -> None:
    """Run the export in a thread of its own (started after the job's record is committed)."""
    factory = request.app.state.session_factory
    thread = threading.Thread(
        target=bulk_export.run, args=(factory, job_id), name=f"fhir-export-{job_id[:8]}", daemon=True
    )
    thread.start()


@router.get("/fhir/R4/$export")
def kick_off(request: Request, session: SessionDep) -> Response:
    """Start an export of the whole directory: 202 with the status URL in Content-Location."""
    accept = request.headers.get("accept")
    if accept and not any(kind in accept for kind in ACCEPTABLE):
        raise FhirError(400, f"Accept {accept!r} is not supported; use application/fhir+json.")
    export = bulk_export.parse_kick_off(request.query_params.multi_items(), request.headers.get("prefer"))
    try:
        job_id = bulk_export.start(session, export, request_url=str(request.url))
    except FhirError as error:
        if error.status != 429:
            raise
        response = outcome_response(error.status, error.diagnostics, error.code)
        response.headers["Retry-After"] = "60"
        return response
    response = _information("The export has started; poll the Content-Location URL for its status.", 202)
    response.headers["Content-Location"] = f"{_server(request)}{STATUS_PATH}/{job_id}"
    response.background = BackgroundTask(_start_runner, request, job_id)
    return response


@router.get(STATUS_PATH + "/{job_id}")
def export_status(job_id: str, request: Request, session: SessionDep) -> Response:
    """202 with X-Progress while running; 200 with the manifest when done; 500 OperationOutcome if failed."""
    state = bulk_export.status(session, job_id)
    if state.status == IN_PROGRESS:
        return Response(
            status_code=202,
            headers={"X-Progress": state.progress[:100], "Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if state.status == FAILED:
        return outcome_response(500, state.error or "The export failed.", "exception")
    base = f"{_server(request)}{STATUS_PATH}/{job_id}"
    manifest = {
        "transactionTime": _instant(state.transaction_time),
        "request": state.request_url,
        "requiresAccessToken": False,
        "output": [
            {
                "type": item["type"],
                "url": f"{base}/{item.get('file', item['type'])}.ndjson",
                "count": item["count"],
            }
            for item in state.output
        ],
        "error": [],
    }
    response = JSONResponse(manifest)
    if state.finished_at is not None:
        response.headers["Expires"] = format_datetime(state.finished_at + bulk_export.KEEP_FOR, usegmt=True)
    return response


@router.delete(STATUS_PATH + "/{job_id}")
def cancel_export(job_id: str, session: SessionDep) -> Response:
    """Cancel a running export, or delete a finished one and its files: 202; the status URL then 404s."""
    bulk_export.cancel(session, job_id)
    return _information("The export was cancelled and its files deleted.", 202)


@router.get(STATUS_PATH + "/{job_id}/{file_name}")
def export_file(job_id: str, file_name: str, session: SessionDep) -> Response:
    """One NDJSON file of a completed export (`Organization.ndjson`, ...)."""
    resource_type, dot, extension = file_name.partition(".")
    if not dot or extension != "ndjson":
        raise FhirError(404, f"{file_name!r} is not a file of this export.")
    path = bulk_export.output_file(session, job_id, resource_type)
    return FileResponse(path, media_type=bulk_export.NDJSON, filename=file_name)
