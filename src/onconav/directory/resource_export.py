"""The whole directory read as resources, one kind at a time, in id order: pages for a bulk export.

Keyset paging (`id > after_id`), so reading the millionth page costs what the first one does; records are
built by `resource_queries.list_resources`, the same as the FHIR reads. Reached through `directory.service`
(`export_resources`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from onconav.directory import insurance_queries
from onconav.directory.models import HealthcareService, Location, Organization, Practitioner, PractitionerRole
from onconav.directory.resource_queries import MODELS, list_resources
from onconav.directory.resource_records import ResourceKind, ResourceRecord


def _seen_since(column: Any, since: datetime) -> ColumnElement[bool]:
    """The row was (re)written by an import at or after `since`, or the directory does not know when (demo
    rows, rows older than the column): a record that may have changed is exported, never left out."""
    return or_(column.is_(None), column >= since)


def _changed_since(kind: ResourceKind, since: datetime | None) -> ColumnElement[bool]:
    """Organizations and practitioners carry when a source last wrote them; locations and services follow
    their organization, roles their practitioner or organization."""
    if since is None:
        return true()
    organization_seen = _seen_since(Organization.last_seen_at, since)
    practitioner_seen = _seen_since(Practitioner.last_seen_at, since)
    if kind == "Organization":
        return organization_seen
    if kind == "Practitioner":
        return practitioner_seen
    if kind == "Location":
        return or_(Location.organization_id.is_(None), Location.organization.has(organization_seen))
    if kind == "HealthcareService":
        return HealthcareService.organization.has(organization_seen)
    if kind == "PractitionerRole":
        return or_(
            PractitionerRole.practitioner.has(practitioner_seen),
            PractitionerRole.organization.has(organization_seen),
        )
    return true()  # a kind with no time of its own to go by: all of it (never left out)


def export_resources(
    session: Session, kind: ResourceKind, *, after_id: int, count: int, since: datetime | None = None
) -> list[ResourceRecord]:
    """At most `count` records of `kind` with an id above `after_id`, in id order (changed since `since`)."""
    model: Any = MODELS[kind] if kind in MODELS else insurance_queries.MODELS[kind]
    ids = session.scalars(
        select(model.id)
        .where(model.id > after_id, _changed_since(kind, since))
        .order_by(model.id)
        .limit(count)
    ).all()
    return list_resources(session, kind, list(ids))
