"""FHIR errors and the OperationOutcome resources they become.

Diagnostics are English on purpose: FHIR clients read them, not patients.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

FHIR_JSON = "application/fhir+json"

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


def outcome_response(status: int, diagnostics: str, code: str | None = None) -> JSONResponse:
    """The HTTP response carrying an OperationOutcome."""
    return JSONResponse(
        operation_outcome(status, diagnostics, code), status_code=status, media_type=FHIR_JSON
    )
