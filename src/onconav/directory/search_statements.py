"""The parts of the search statements built once per shape (statements.py): the search's filters and the
great-circle distance as SQL with bind parameters, and the read of the winning entries.

A statement's shape is everything its SQL text depends on (how many topics, bands, cells, which filters);
the values (the place, the radius, the topics themselves) are bind parameters, given at each execution.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, bindparam, case, cast, func, select
from sqlalchemy.sql import Select

from onconav.directory.models import DESIGNATION_BITS, SearchEntry
from onconav.directory.statements import in_list

ENTRY = SearchEntry.__table__.c
EARTH_RADIUS_KM = 6371.0088
ORG_KINDS = ("hospital", "cancer_center", "clinic")
# What result cards need of the winning search entries.
WINNER_COLUMNS = (
    "id",
    "topic",
    "entity_kind",
    "entity_id",
    "organization_id",
    "location_id",
    "annual_volume",
    "designations",
    "tumor_board",
    "clinical_trials",
    "lat",
    "lon",
    "evidence",
)


def filter_shape(
    kind: str | None, language: str | None, international: bool | None, designation: str | None
) -> tuple[bool, ...]:
    """Which of the search's filters are set (the SQL of `filter_clauses` depends on this only)."""
    return (
        kind in ("organization", "practitioner"),
        kind in ORG_KINDS,
        bool(language),
        bool(international),
        bool(designation),
    )


def filter_values(kind: str | None, language: str | None, designation: str | None) -> dict[str, Any]:
    """The bind parameters of `filter_clauses`."""
    values: dict[str, Any] = {}
    if kind in ("organization", "practitioner"):
        values["f_kind"] = kind
    elif kind in ORG_KINDS:
        values["f_org_kind"] = kind
    if language:
        values["f_language"] = f"%,{language},%"
    if designation:
        values["f_designation"] = DESIGNATION_BITS[designation]
    return values


def filter_clauses(shape: tuple[bool, ...]) -> list[Any]:
    """The filters of a search (docs/ranking.md, Filters), with bind parameters for their values."""
    by_kind, by_org_kind, language, international, designation = shape
    clauses: list[Any] = []
    if by_kind:
        clauses.append(ENTRY.entity_kind == bindparam("f_kind"))
    if by_org_kind:
        clauses += [ENTRY.entity_kind == "organization", ENTRY.org_kind == bindparam("f_org_kind")]
    if language:
        clauses.append(ENTRY.languages.like(bindparam("f_language")))
    if international:
        clauses.append(ENTRY.accepts_international.is_(True))
    if designation:
        clauses.append(ENTRY.designations.op("&")(bindparam("f_designation")) != 0)
    return clauses


def distance_sql() -> Any:
    """Great-circle distance in km from (:lat, :lon) to each entry, in portable SQL (SQLite and
    PostgreSQL): the haversine, clamped where rounding pushes it above 1."""
    half_dlat = func.sin(func.radians(ENTRY.lat - bindparam("lat")) / 2)
    half_dlon = func.sin(func.radians(ENTRY.lon - bindparam("lon")) / 2)
    h = (
        half_dlat * half_dlat
        + func.cos(func.radians(bindparam("lat", type_=Float)))
        * func.cos(func.radians(ENTRY.lat))
        * half_dlon
        * half_dlon
    )
    return cast(2 * EARTH_RADIUS_KM, Float) * func.asin(func.sqrt(case((h > 1.0, 1.0), else_=h)))


def distance_sql_with_cosine() -> Any:
    """`distance_sql` with the cosine of the place's latitude given as :cos_lat (the condition reads)."""
    half_dlat = func.sin(func.radians(ENTRY.lat - bindparam("lat")) / 2)
    half_dlon = func.sin(func.radians(ENTRY.lon - bindparam("lon")) / 2)
    h = (
        half_dlat * half_dlat
        + bindparam("cos_lat") * func.cos(func.radians(ENTRY.lat)) * half_dlon * half_dlon
    )
    return (2 * EARTH_RADIUS_KM) * func.asin(func.sqrt(case((h > 1.0, 1.0), else_=h)))


def winners_statement(count: int) -> Select[Any]:
    """The WINNER_COLUMNS of `count` entries by id (:w0, :w1, ...)."""
    return select(*(ENTRY[name] for name in WINNER_COLUMNS)).where(ENTRY.id.in_(in_list("w", count)))
