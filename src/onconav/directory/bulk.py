"""Fast loading of many directory rows: batched multi-row inserts, one transaction.

PostgreSQL sequences are moved past explicitly written ids afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select, text

from onconav.db import Base
from onconav.directory.indexing import OrganizationBundle, search_entries
from onconav.directory.models import (
    HealthcareService,
    Location,
    Organization,
    Practitioner,
    PractitionerRole,
    PractitionerRoleService,
    SearchEntry,
)

BATCH_ROWS = 20_000
# Parents before children, so foreign keys hold at every insert.
INSERT_ORDER = (
    "organization",
    "location",
    "healthcare_service",
    "practitioner",
    "practitioner_role",
    "practitioner_role_service",
    "search_entry",
)
TABLES: dict[str, Table] = {name: Base.metadata.tables[name] for name in INSERT_ORDER}


def next_ids(connection: Connection) -> dict[str, int]:
    """The first free id of every table that bulk writers give explicit ids."""
    result = {}
    for name in ("organization", "location", "practitioner", "practitioner_role"):
        table = TABLES[name]
        result[name] = (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    return result


class BulkWriter:
    """Buffers rows per table and inserts them in large batches, parents first."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in INSERT_ORDER}
        self.counts: dict[str, int] = dict.fromkeys(INSERT_ORDER, 0)

    def add_bundle(self, bundle: OrganizationBundle) -> None:
        """Queue an organization, its staff and its search entries."""
        self.buffers["organization"].append(bundle.organization)
        self.buffers["location"].append(bundle.location)
        self.buffers["healthcare_service"].extend(bundle.services)
        self.buffers["practitioner"].extend(bundle.practitioners)
        self.buffers["practitioner_role"].extend(bundle.roles)
        self.buffers["practitioner_role_service"].extend(bundle.role_services)
        self.buffers["search_entry"].extend(search_entries(bundle))
        if max(len(rows) for rows in self.buffers.values()) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Insert everything buffered."""
        for name in INSERT_ORDER:
            rows = self.buffers[name]
            if rows:
                self.connection.execute(TABLES[name].insert(), rows)
                self.counts[name] += len(rows)
                self.buffers[name] = []

    def finish(self) -> dict[str, int]:
        """Flush, fix PostgreSQL sequences, and return the rows written per table."""
        self.flush()
        if self.connection.dialect.name == "postgresql":
            for name in INSERT_ORDER:
                self.connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
                )
        return dict(self.counts)


def write_bundles(
    connection: Connection,
    bundles: Iterable[OrganizationBundle],
    *,
    on_bundle: Callable[[OrganizationBundle], None] | None = None,
) -> dict[str, int]:
    """Insert every bundle; `on_bundle` is called after each one is queued (progress bars)."""
    writer = BulkWriter(connection)
    for bundle in bundles:
        writer.add_bundle(bundle)
        if on_bundle is not None:
            on_bundle(bundle)
    return writer.finish()


def delete_demo_rows(connection: Connection) -> None:
    """Remove every demo organization and practitioner with everything hanging off them."""
    demo_orgs = select(Organization.id).where(Organization.is_demo.is_(True))
    demo_practitioners = select(Practitioner.id).where(Practitioner.is_demo.is_(True))
    demo_roles = select(PractitionerRole.id).where(PractitionerRole.practitioner_id.in_(demo_practitioners))
    connection.execute(
        delete(SearchEntry).where(
            (SearchEntry.entity_kind == "organization") & SearchEntry.entity_id.in_(demo_orgs)
            | (SearchEntry.entity_kind == "practitioner") & SearchEntry.entity_id.in_(demo_practitioners)
        )
    )
    connection.execute(delete(PractitionerRoleService).where(PractitionerRoleService.role_id.in_(demo_roles)))
    connection.execute(
        delete(PractitionerRole).where(PractitionerRole.practitioner_id.in_(demo_practitioners))
    )
    connection.execute(delete(Practitioner).where(Practitioner.is_demo.is_(True)))
    connection.execute(delete(HealthcareService).where(HealthcareService.organization_id.in_(demo_orgs)))
    connection.execute(delete(Location).where(Location.organization_id.in_(demo_orgs)))
    connection.execute(delete(Organization).where(Organization.is_demo.is_(True)))
