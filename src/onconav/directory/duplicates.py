"""One hospital, one result: organizations linked as duplicates (imports/linking.py) are shown as their
canonical organization, with the facts of every linked row merged and the sources listed.

The canonical row's own values win; a fact it lacks is taken from its duplicates in source order
(CMS, HIFLD, NPPES, FHIR, then any other), so a CMS hospital shows the beds and website HIFLD gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.db import in_list_chunks
from onconav.directory.models import Organization
from onconav.directory.search import ProviderHit
from onconav.directory.statements import compiled, in_list, in_values, padded

SOURCE_ORDER = ("cms-hospitals", "hifld-hospitals", "nppes", "fhir")
MERGED_FACTS = ("phone", "website", "npi", "cms_ccn", "hifld_id", "hospital_type", "ownership", "beds")


def _source_rank(source: str) -> int:
    return SOURCE_ORDER.index(source) if source in SOURCE_ORDER else len(SOURCE_ORDER)


@dataclass(frozen=True)
class MergedOrganization:
    """What an organization and the rows linked to it say together."""

    sources: list[str]  # the canonical row's source first, then its duplicates' in source order
    facts: dict[str, Any]  # MERGED_FACTS: the canonical's value, else the first duplicate's that has one


def _canonical_statement(count: int) -> Any:
    o = Organization
    return select(o.id, o.duplicate_of_id).where(o.id.in_(in_list("o", count)))


def _names_statement(count: int) -> Any:
    o = Organization
    return select(o.id, o.name, o.kind).where(o.id.in_(in_list("o", count)))


def _rows_of(session: Session, name: str, build: Any, ids: Iterable[int]) -> list[Any]:
    """The rows of statement `name` (built by `build(count)`) for these organization ids, compiled once per
    shape (IN lists padded to a power of two): every search runs these."""
    connection = session.connection()
    rows: list[Any] = []
    for chunk in in_list_chunks(sorted(set(ids))):
        values = padded(chunk)
        statement = compiled(connection, (name, len(values)), partial(build, len(values)))
        rows.extend(statement.execute(connection, in_values("o", values)))
    return rows


def canonical_ids(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """organization id -> the id of its canonical organization (itself when it is canonical)."""
    rows = _rows_of(session, "duplicates-canonical", _canonical_statement, ids)
    return {row_id: duplicate_of_id or row_id for row_id, duplicate_of_id in rows}


def merged(session: Session, organization_id: int) -> MergedOrganization:
    """The facts of a canonical organization merged with those of the rows linked to it."""
    return merged_many(session, [organization_id]).get(organization_id, MergedOrganization([], {}))


def merged_many(session: Session, ids: Iterable[int]) -> dict[int, MergedOrganization]:
    """`merged` for several canonical organizations at once (one query per chunk of ids)."""
    o = Organization
    columns = [getattr(o, name) for name in ("id", "source", "duplicate_of_id", *MERGED_FACTS)]
    groups: dict[int, list[Any]] = {}
    for chunk in in_list_chunks(sorted(set(ids))):
        for row in session.execute(select(*columns).where(o.id.in_(chunk) | o.duplicate_of_id.in_(chunk))):
            groups.setdefault(row.duplicate_of_id if row.id not in chunk else row.id, []).append(row)
    result = {}
    for canonical, rows in groups.items():
        rows.sort(key=lambda row: (row.id != canonical, _source_rank(row.source), row.id))
        facts = {
            name: next((getattr(row, name) for row in rows if getattr(row, name) not in (None, "")), None)
            for name in MERGED_FACTS
        }
        result[canonical] = MergedOrganization(
            sources=list(dict.fromkeys(r.source for r in rows)), facts=facts
        )
    return result


def merge_hits(session: Session, hits: list[ProviderHit]) -> list[ProviderHit]:
    """Search results with each linked duplicate shown as its canonical organization, once (the best-ranked
    result stands for it); practitioners' organizations named by their canonical too."""
    org_ids = {hit.organization_id for hit in hits if hit.organization_id is not None}
    if not org_ids:
        return hits
    canonical = canonical_ids(session, org_ids)
    moved = {i: c for i, c in canonical.items() if i != c}
    if not moved:
        return hits
    names = {
        row_id: (name, kind)
        for row_id, name, kind in _rows_of(session, "duplicates-names", _names_statement, moved.values())
    }
    seen: set[tuple[str, int]] = set()
    result = []
    for hit in hits:
        target = moved.get(hit.organization_id) if hit.organization_id is not None else None
        if target is not None and target in names:
            name, kind = names[target]
            changes: dict[str, Any] = {"organization_id": target, "organization_name": name}
            if hit.kind == "organization":
                changes.update(id=target, name=name, organization_kind=kind)
            hit = replace(hit, **changes)
        key = (hit.kind, hit.id)
        if key in seen:
            continue
        seen.add(key)
        result.append(hit)
    return result
