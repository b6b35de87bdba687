"""Audit events as FHIR R4 AuditEvent resources (`onconav audit export`), re-exported by
`onconav.accounts.audit` as `to_fhir`."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from onconav.accounts.models import AuditEvent

OUTCOME_CODES = {"success": "0", "denied": "4", "failure": "8"}
EVENT_TYPES = {
    "auth": ("110114", "User Authentication"),
    "account": ("110137", "User Security Attributes Changed"),
    "audit": ("110101", "Audit Log Used"),
}
SUBTYPES = {
    "auth.login": ("110122", "Login"),
    "auth.login_failed": ("110122", "Login"),
    "auth.second_factor": ("110122", "Login"),
    "auth.logout": ("110123", "Logout"),
}


def to_fhir(event: AuditEvent) -> dict[str, Any]:
    """The event as a FHIR R4 AuditEvent resource (JSON)."""
    prefix = event.event_type.split(".", 1)[0]
    code, display = EVENT_TYPES.get(prefix, ("110110", "Patient Record"))
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": event.id,
        "type": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": code, "display": display},
        "action": event.action,
        "recorded": event.recorded_at.astimezone(UTC).isoformat(),
        "outcome": OUTCOME_CODES.get(event.outcome, "8"),
        "outcomeDesc": event.outcome,
        "agent": [
            {
                "who": {"identifier": {"system": "urn:onconav:user", "value": event.actor_id or "anonymous"}},
                "requestor": True,
                **({"role": [{"text": event.actor_role}]} if event.actor_role else {}),
                **({"network": {"address": event.source_ip, "type": "2"}} if event.source_ip else {}),
            }
        ],
        "source": {"observer": {"display": "onconav"}},
    }
    if event.event_type in SUBTYPES:
        sub_code, sub_display = SUBTYPES[event.event_type]
        resource["subtype"] = [
            {
                "system": "http://dicom.nema.org/resources/ontology/DCM",
                "code": sub_code,
                "display": sub_display,
            }
        ]
    entities: list[dict[str, Any]] = []
    if event.patient_id:
        entities.append(
            {
                "what": {"identifier": {"system": "urn:onconav:user", "value": event.patient_id}},
                "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1"},
                "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1"},
            }
        )
    if event.entity_type:
        entities.append(
            {
                "what": {
                    "identifier": {
                        "system": f"urn:onconav:{event.entity_type}",
                        "value": event.entity_id or "",
                    }
                },
                "name": event.event_type,
                **({"description": event.detail} if event.detail else {}),
            }
        )
    if entities:
        resource["entity"] = entities
    return resource
