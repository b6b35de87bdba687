"""Fast loading of many directory rows: batched multi-row inserts, one transaction.

PostgreSQL sequences are moved past explicitly written ids afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select, text

from onconav.db import Base, in_list_chunks
from onconav.directory.indexing import (
    OrganizationBundle,
    PractitionerBundle,
    practitioner_search_entries,
    search_entries,
)
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
    "source_record",
)
TABLES: dict[str, Table] = {name: Base.metadata.tables[name] for name in INSERT_ORDER}


@cache
def _row_template(table: str) -> tuple[dict[str, Any], tuple[str, ...], frozenset[str]]:
    """Scalar defaults of a table's columns, the columns whose default is made per row, and all keys."""
    template: dict[str, Any] = {}
    per_row: list[str] = []
    keys = set()
    for column in TABLES[table].columns:
        default: Any = column.default
        keys.add(column.key)
        if default is not None and default.is_callable:
            per_row.append(column.key)
        elif default is not None and default.is_scalar:
            template[column.key] = default.arg
        elif not column.primary_key:
            template[column.key] = None
    return template, tuple(per_row), frozenset(keys)


def full_row(table: str, **values: Any) -> dict[str, Any]:
    """A row of `table` with every column: `values`, and the model default of the others.

    Batched inserts need the same keys in every row; importers build their rows with this.
    """
    template, per_row, keys = _row_template(table)
    row = {**template, **values}
    for key in per_row:
        if key not in values:
            row[key] = TABLES[table].columns[key].default.arg(None)  # type: ignore[union-attr]
    if not keys.issuperset(values):
        raise ValueError(f"{table} has no column {sorted(set(values) - keys)}")
    return row


@cache
def _column_length(table: str, column: str) -> int:
    length: int = TABLES[table].columns[column].type.length  # type: ignore[attr-defined]
    return length


def fit(table: str, column: str, text: str) -> str:
    """`text` cut to the length of a text column of `table` (longer values would not fit PostgreSQL's)."""
    return text[: _column_length(table, column)]


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
        self._flush_when_full()

    def add_practitioner_bundle(self, bundle: PractitionerBundle, *, with_practitioner: bool = True) -> None:
        """Queue a practitioner practising on their own, with location, roles and search entries
        (`with_practitioner` False: the practitioner row exists already, the rest is rewritten)."""
        self.buffers["location"].append(bundle.location)
        if with_practitioner:
            self.buffers["practitioner"].append(bundle.practitioner)
        self.buffers["practitioner_role"].extend(bundle.roles)
        self.buffers["practitioner_role_service"].extend(bundle.role_services)
        self.buffers["search_entry"].extend(practitioner_search_entries(bundle))
        self._flush_when_full()

    def add_rows(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        """Queue plain rows of one of the bulk tables (INSERT_ORDER)."""
        self.buffers[table].extend(rows)
        self._flush_when_full()

    def _flush_when_full(self) -> None:
        if max(len(rows) for rows in self.buffers.values()) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Insert everything buffered."""
        for name in INSERT_ORDER:
            rows = self.buffers[name]
            if rows:
                self._insert(name, rows)
                self.counts[name] += len(rows)
                self.buffers[name] = []

    def _insert(self, name: str, rows: list[dict[str, Any]]) -> None:
        """One executemany. On SQLite, complete rows (every column, as `full_row` makes them) go straight
        to the driver with each column's own bind processing, skipping SQLAlchemy's per-row parameter
        handling (the larger part of an import's time); anything else takes the general path."""
        table = TABLES[name]
        dialect = self.connection.dialect
        template, per_row, _keys = _row_template(name)
        keys = list(rows[0])
        if (
            dialect.name != "sqlite"
            or not set(keys).issuperset(template)
            or not set(keys).issuperset(per_row)
        ):
            self.connection.execute(table.insert(), rows)
            return
        processors = [table.c[key].type.bind_processor(dialect) for key in keys]
        statement = f"INSERT INTO {name} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})"
        # One C call per row for the tuple of values; the columns with a converter are then fixed in place.
        values: Callable[[dict[str, Any]], Any] = (
            itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
        )
        converted = [(index, process) for index, process in enumerate(processors) if process is not None]
        if converted:
            parameters: list[Any] = []
            for row in rows:
                tuple_row = list(values(row))
                for index, process in converted:
                    tuple_row[index] = process(tuple_row[index])
                parameters.append(tuple(tuple_row))
        else:
            parameters = [values(row) for row in rows]
        self.connection.exec_driver_sql(statement, parameters)

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


def delete_search_entries(connection: Connection, entity_kind: str, entity_ids: list[int]) -> None:
    """Remove the search entries of some organizations or practitioners (before re-deriving them)."""
    if entity_ids:
        connection.execute(
            delete(SearchEntry).where(
                SearchEntry.entity_kind == entity_kind, SearchEntry.entity_id.in_(entity_ids)
            )
        )


def reindex_organizations(connection: Connection, organization_ids: list[int]) -> None:
    """Re-derive the search entries of organizations and of the staff of their roles from the rows now
    in the database (after an import changed an organization, its services or its staff).
    """
    if not organization_ids:
        return
    o, loc, hs, p, r, rs = (
        TABLES["organization"],
        TABLES["location"],
        TABLES["healthcare_service"],
        TABLES["practitioner"],
        TABLES["practitioner_role"],
        TABLES["practitioner_role_service"],
    )
    for chunk in in_list_chunks(list(organization_ids)):
        connection.execute(delete(SearchEntry).where(SearchEntry.organization_id.in_(chunk)))
    orgs = {
        row.id: dict(row._mapping)
        for chunk in in_list_chunks(list(organization_ids))
        for row in connection.execute(select(o).where(o.c.id.in_(chunk)))
    }
    first_location: dict[int, dict[str, Any]] = {}
    services: dict[int, list[dict[str, Any]]] = {}
    roles: dict[int, list[dict[str, Any]]] = {}
    for chunk in in_list_chunks(list(organization_ids)):
        for row in connection.execute(select(loc).where(loc.c.organization_id.in_(chunk)).order_by(loc.c.id)):
            first_location.setdefault(row.organization_id, dict(row._mapping))
        for row in connection.execute(select(hs).where(hs.c.organization_id.in_(chunk))):
            services.setdefault(row.organization_id, []).append(dict(row._mapping))
        for row in connection.execute(select(r).where(r.c.organization_id.in_(chunk))):
            roles.setdefault(row.organization_id, []).append(dict(row._mapping))
    role_ids = [role["id"] for org_roles in roles.values() for role in org_roles]
    practitioner_ids = sorted({role["practitioner_id"] for org_roles in roles.values() for role in org_roles})
    people = {}
    for chunk in in_list_chunks(practitioner_ids):
        people.update(
            {row.id: dict(row._mapping) for row in connection.execute(select(p).where(p.c.id.in_(chunk)))}
        )
    signals: dict[int, list[dict[str, Any]]] = {}
    signal_table = Base.metadata.tables["organization_signal"]
    for chunk in in_list_chunks(list(organization_ids)):
        for row in connection.execute(select(signal_table).where(signal_table.c.organization_id.in_(chunk))):
            signals.setdefault(row.organization_id, []).append(dict(row._mapping))
    role_services: dict[int, list[dict[str, Any]]] = {}
    for chunk in in_list_chunks(role_ids):
        for row in connection.execute(select(rs).where(rs.c.role_id.in_(chunk))):
            role_services.setdefault(row.role_id, []).append(dict(row._mapping))
    entries: list[dict[str, Any]] = []
    for org_id, org in orgs.items():
        location = first_location.get(org_id)
        if location is None:
            continue
        org_roles = [
            role for role in roles.get(org_id, []) if people[role["practitioner_id"]].get("active", True)
        ]
        bundle = OrganizationBundle(
            organization=org,
            location=location,
            services=services.get(org_id, []),
            practitioners=[people[pid] for pid in {role["practitioner_id"] for role in org_roles}],
            roles=org_roles,
            role_services=[s for role in org_roles for s in role_services.get(role["id"], [])],
            specialties=organization_specialties(org),
            signals=signals.get(org_id, []),
        )
        entries.extend(search_entries(bundle))
    for start in range(0, len(entries), BATCH_ROWS):
        connection.execute(TABLES["search_entry"].insert(), entries[start : start + BATCH_ROWS])


def organization_specialties(org: dict[str, Any]) -> list[str]:
    """Specialties an organization is listed under by itself: those of its NUCC taxonomy codes."""
    from onconav.directory import taxonomy

    return taxonomy.specialties_of(list(org.get("taxonomy_codes") or []))
