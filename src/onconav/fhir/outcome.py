"""FHIR errors and the OperationOutcome resources they become.

Diagnostics are English on purpose: FHIR clients read them, not patients.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from onconav.fhir.xml_format import FHIR_XML, to_xml

FHIR_JSON = "application/fhir+json"
# `_format` values asking for XML (an unescaped "+" in a query string reads as a space).
XML_FORMATS = ("xml", "application/xml", "application/fhir+xml", "application/fhir xml", "text/xml")

# HTTP status -> OperationOutcome.issue.code (http://hl7.org/fhir/issue-type).
ISSUE_CODES = {
    400: "invalid",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    422: "invalid",
    500: "exception",
}


class FhirError(Exception):
    """A FHIR request that cannot be answered; becomes an OperationOutcome with `status`."""

    def __init__(self, status: int, diagnostics: str, code: str | None = None) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.diagnostics = diagnostics
        self.code = code or ISSUE_CODES.get(status, "processing")


def operation_outcome(status: int, diagnostics: str, code: str | None = None) -> dict[str, Any]:
    """An OperationOutcome with one error issue."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error" if status < 500 else "fatal",
                "code": code or ISSUE_CODES.get(status, "processing"),
                "diagnostics": diagnostics,
            }
        ],
    }


def prefers_xml(request: Request) -> bool:
    """XML when `_format` asks for it, or when the Accept header names XML and not JSON."""
    asked = request.query_params.get("_format", "").strip()
    if asked:
        return asked in XML_FORMATS
    accept = request.headers.get("accept", "")
    return "xml" in accept and "json" not in accept


def outcome_response(
    status: int, diagnostics: str, code: str | None = None, *, xml: bool = False
) -> Response:
    """The HTTP response carrying an OperationOutcome (FHIR XML when `xml`)."""
    body = operation_outcome(status, diagnostics, code)
    if xml:
        return Response(to_xml(body), status_code=status, media_type=FHIR_XML)
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)
