"""Linking duplicate organizations across sources (CMS, HIFLD, NPPES, FHIR) by one documented rule.

Linking, not merging: each source keeps its own row; the duplicate points at the canonical one
(docs/data-sources.md, "Duplicate organizations").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection, bindparam, func, select, update

from onconav.db import in_list_chunks
from onconav.directory.bulk import reindex_organizations
from onconav.directory.imports import placement
from onconav.directory.models import FLAG_ZIP_CENTROID, Location, Organization
from onconav.geo.service import haversine_km

# Words that say nothing about which hospital it is, dropped before comparing names.
STOP_WORDS = frozenset(
    [
        "THE",
        "OF",
        "AND",
        "AT",
        "IN",
        "FOR",
        "INC",
        "LLC",
        "LLP",
        "LP",
        "PC",
        "PLLC",
        "CORP",
        "CORPORATION",
        "CO",
        "COMPANY",
        "DBA",
        "A",
        "AN",
    ]
)
# Common spellings of the same word in hospital names.
SYNONYMS = {
    "ST": "SAINT",
    "STE": "SAINTE",
    "MT": "MOUNT",
    "FT": "FORT",
    "MED": "MEDICAL",
    "MEDL": "MEDICAL",
    "CTR": "CENTER",
    "CNTR": "CENTER",
    "CENTRE": "CENTER",
    "HOSP": "HOSPITAL",
    "HOSPITALS": "HOSPITAL",
    "REGL": "REGIONAL",
    "REG": "REGIONAL",
    "MEM": "MEMORIAL",
    "MEML": "MEMORIAL",
    "UNIV": "UNIVERSITY",
    "HLTH": "HEALTH",
    "CHILDRENS": "CHILDREN",
    "CHILDREN'S": "CHILDREN",
    "COMM": "COMMUNITY",
    "CMTY": "COMMUNITY",
    "SYS": "SYSTEM",
    "DEPT": "DEPARTMENT",
    "VAMC": "VA MEDICAL CENTER",
    "&": "AND",
}
_PUNCTUATION = re.compile(r"[^\w\s&']")

# The rule (all within one state): a pair links when its name similarity reaches the threshold of the
# strongest evidence it has. Similarity is rapidfuzz token_set_ratio of the normalised names (0-100).
PHONE_SIMILARITY = 60.0  # same 10-digit phone number, in the same ZIP or city
NEAR_KM = 1.0  # both have source coordinates this close...
NEAR_SIMILARITY = 70.0  # ...and names this similar
ZIP_SIMILARITY = 85.0  # same ZIP code
CITY_SIMILARITY = 92.0  # same city only


@dataclass(frozen=True)
class LinkCandidate:
    """What the rule compares of one organization."""

    key: str  # the caller's id (an organization id, or a source id)
    name: str
    state: str
    city: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    lat: float | None = None  # only coordinates given by the source, never ZIP centroids
    lon: float | None = None


@dataclass(frozen=True)
class Link:
    """`duplicate` is the same organization as `canonical`, by `rule`, with its name similarity."""

    canonical: str
    duplicate: str
    rule: str  # phone | near | zip | city
    similarity: float


def normalise_name(name: str) -> str:
    """Upper-case name words with punctuation, stop words and common abbreviations normalised."""
    words: list[str] = []
    for word in _PUNCTUATION.sub(" ", name.upper().replace("-", " ")).split():
        word = SYNONYMS.get(word, word).replace("'", "")
        words.extend(w for w in word.split() if w not in STOP_WORDS)
    return " ".join(words)


def _phone_digits(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) == 10 else None


@dataclass(frozen=True)
class _Prepared:
    candidate: LinkCandidate
    name: str
    city: str
    phone: str | None


def _prepare(candidate: LinkCandidate) -> _Prepared:
    return _Prepared(
        candidate,
        normalise_name(candidate.name),
        " ".join((candidate.city or "").upper().split()),
        _phone_digits(candidate.phone),
    )


def match_rule(left: _Prepared, right: _Prepared) -> tuple[str, float] | None:
    """The strongest rule this pair satisfies, with the name similarity, or None."""
    a, b = left.candidate, right.candidate
    if a.state != b.state:
        return None
    similarity = fuzz.token_set_ratio(left.name, right.name)
    same_zip = bool(a.postal_code) and a.postal_code == b.postal_code
    same_city = bool(left.city) and left.city == right.city
    if (
        left.phone
        and left.phone == right.phone
        and similarity >= PHONE_SIMILARITY
        and (same_zip or same_city)
    ):
        return "phone", similarity
    if (
        a.lat is not None
        and a.lon is not None
        and b.lat is not None
        and b.lon is not None
        and haversine_km(a.lat, a.lon, b.lat, b.lon) <= NEAR_KM
        and similarity >= NEAR_SIMILARITY
    ):
        return "near", similarity
    if same_zip and similarity >= ZIP_SIMILARITY:
        return "zip", similarity
    if same_city and similarity >= CITY_SIMILARITY:
        return "city", similarity
    return None


RULE_STRENGTH = {"phone": 3, "near": 2, "zip": 1, "city": 0}


def link(canonical: Iterable[LinkCandidate], others: Iterable[LinkCandidate]) -> list[Link]:
    """One-to-one links from `others` to `canonical` organizations, strongest evidence first.

    Candidates are compared only within a state and when they share a ZIP, a city or a phone number, so
    the work grows with the size of those blocks, not with the product of both lists.
    """
    blocks: dict[tuple[str, str], list[_Prepared]] = {}
    for candidate in canonical:
        prepared = _prepare(candidate)
        for block in _block_keys(prepared, probe=False):
            blocks.setdefault(block, []).append(prepared)
    pairs: list[tuple[int, float, str, str, str]] = []
    for candidate in others:
        prepared = _prepare(candidate)
        seen: set[str] = set()
        for block in _block_keys(prepared, probe=True):
            for target in blocks.get(block, ()):
                if target.candidate.key in seen:
                    continue
                seen.add(target.candidate.key)
                found = match_rule(target, prepared)
                if found:
                    rule, similarity = found
                    pairs.append((RULE_STRENGTH[rule], similarity, target.candidate.key, candidate.key, rule))
    pairs.sort(key=lambda p: (-p[0], -p[1], p[2], p[3]))
    taken_canonical: set[str] = set()
    taken_other: set[str] = set()
    links = []
    for _strength, similarity, canonical_key, other_key, rule in pairs:
        if canonical_key in taken_canonical or other_key in taken_other:
            continue
        taken_canonical.add(canonical_key)
        taken_other.add(other_key)
        links.append(Link(canonical_key, other_key, rule, round(similarity, 1)))
    return links


GRID_DEGREES = 0.05  # coordinate blocks of about 5 km; a probe looks in its cell and the 8 around it


def _block_keys(prepared: _Prepared, *, probe: bool) -> list[tuple[str, str]]:
    candidate = prepared.candidate
    state = candidate.state
    keys = []
    if candidate.lat is not None and candidate.lon is not None:
        row, column = int(candidate.lat // GRID_DEGREES), int(candidate.lon // GRID_DEGREES)
        steps = (-1, 0, 1) if probe else (0,)
        keys += [(state, f"grid:{row + dr}:{column + dc}") for dr in steps for dc in steps]
    if prepared.city:
        keys.append((state, "city:" + prepared.city))
    if prepared.candidate.postal_code:
        keys.append((state, "zip:" + prepared.candidate.postal_code))
    if prepared.phone:
        keys.append((state, "phone:" + prepared.phone))
    return keys


# Which source's row is canonical when several describe one hospital: CMS first (it carries the CCN and
# the star rating), then HIFLD (coordinates, beds), then NPPES and FHIR organizations.
SOURCE_PRIORITY = ("cms-hospitals", "hifld-hospitals", "nppes", "fhir")


def link_candidate(row: Any) -> LinkCandidate:
    """A directory row (organization with its first location's columns) as the linking rule reads it;
    coordinates only when the source itself placed the row."""
    placed = row.geocode_precision == placement.SOURCE
    return LinkCandidate(
        str(row.id),
        row.name,
        (row.region_code or "").upper(),
        row.city,
        (row.postal_code or "")[:5] or None,
        row.phone,
        row.lat if placed else None,
        row.lon if placed else None,
    )


def link_hospitals(connection: Connection) -> dict[str, int]:
    """Recompute the duplicate links of every imported hospital; returns how many link per rule.

    Each source in SOURCE_PRIORITY is linked to the canonical organizations found so far (one to one);
    what does not link becomes canonical in turn. A canonical hospital placed only at its ZIP centroid
    takes the coordinates of a linked duplicate that its source placed (HIFLD), and is re-indexed.
    """
    o, loc = Organization, Location
    first_location = (
        select(func.min(loc.id)).where(loc.organization_id == o.id).correlate(o).scalar_subquery()
    )
    rows = connection.execute(
        select(
            o.id,
            o.name,
            o.source,
            o.phone,
            o.duplicate_of_id,
            o.duplicate_rule,
            loc.id.label("location_id"),
            loc.city,
            loc.region_code,
            loc.postal_code,
            loc.lat,
            loc.lon,
            loc.geocode_precision,
        )
        .join(loc, loc.id == first_location)
        .where(
            o.kind == "hospital",
            o.is_demo.is_(False),
            o.active.is_(True),
            o.source.in_(SOURCE_PRIORITY),
        )
    ).all()
    by_id = {row.id: row for row in rows}

    canonical: list[LinkCandidate] = []
    wanted: dict[int, tuple[int | None, str | None]] = {}
    for source in SOURCE_PRIORITY:
        tier = [link_candidate(row) for row in rows if row.source == source]
        links = link(canonical, tier) if canonical else []
        linked = {item.duplicate: item for item in links}
        for item in tier:
            found = linked.get(item.key)
            wanted[int(item.key)] = (int(found.canonical), found.rule) if found else (None, None)
        canonical += [item for item in tier if item.key not in linked]
    counts: dict[str, int] = {}
    changed = []
    for org_id, (target, rule) in wanted.items():
        if rule:
            counts[rule] = counts.get(rule, 0) + 1
        row = by_id[org_id]
        if (row.duplicate_of_id, row.duplicate_rule) != (target, rule):
            changed.append({"org_id": org_id, "target": target, "rule": rule})
    if changed:
        connection.execute(
            update(Organization)
            .where(Organization.id == bindparam("org_id"))
            .values(duplicate_of_id=bindparam("target"), duplicate_rule=bindparam("rule")),
            changed,
        )
    _borrow_coordinates(connection, by_id, wanted)
    return counts


def _borrow_coordinates(
    connection: Connection, by_id: dict[int, Any], wanted: dict[int, tuple[int | None, str | None]]
) -> None:
    """Canonical hospitals placed at a ZIP centroid take the source coordinates of a linked duplicate."""
    moves = []
    for org_id, (target, _rule) in wanted.items():
        duplicate = by_id[org_id]
        if target is None or duplicate.geocode_precision != placement.SOURCE:
            continue
        canonical = by_id[target]
        if canonical.geocode_precision not in (placement.ZIP_CENTROID, placement.LINKED_SOURCE):
            continue
        if (canonical.lat, canonical.lon) == (duplicate.lat, duplicate.lon):
            continue
        moves.append((target, canonical.location_id, duplicate.lat, duplicate.lon))
    location_ids = [location_id for _target, location_id, _lat, _lon in moves]
    flags: dict[int, list[str]] = {}
    for chunk in in_list_chunks(location_ids):
        rows = connection.execute(select(Location.id, Location.quality_flags).where(Location.id.in_(chunk)))
        flags.update({key: value for key, value in rows})
    if moves:
        connection.execute(
            update(Location)
            .where(Location.id == bindparam("key"))
            .values(
                lat=bindparam("lat"),
                lon=bindparam("lon"),
                geocode_precision=placement.LINKED_SOURCE,
                quality_flags=bindparam("flags"),
            ),
            [
                {
                    "key": location_id,
                    "lat": lat,
                    "lon": lon,
                    "flags": [flag for flag in flags.get(location_id) or [] if flag != FLAG_ZIP_CENTROID],
                }
                for _target, location_id, lat, lon in moves
            ],
        )
    if moves:
        reindex_organizations(connection, [target for target, _l, _a, _o in moves])
    # A hospital standing at a linked duplicate's coordinates is no longer placed at its ZIP centroid.
    moved = {move[0] for move in moves}
    linked = [
        (org_id, row.location_id)
        for org_id, row in by_id.items()
        if row.geocode_precision == placement.LINKED_SOURCE or org_id in moved
    ]
    for model, keys in (
        (Organization, [org_id for org_id, _ in linked]),
        (Location, [location_id for _, location_id in linked]),
    ):
        stale = []
        for chunk in in_list_chunks(keys):
            rows = connection.execute(select(model.id, model.quality_flags).where(model.id.in_(chunk)))
            stale += [
                {"key": key, "flags": [flag for flag in flags if flag != FLAG_ZIP_CENTROID]}
                for key, flags in rows
                if flags and FLAG_ZIP_CENTROID in flags
            ]
        if stale:
            connection.execute(
                update(model).where(model.id == bindparam("key")).values(quality_flags=bindparam("flags")),
                stale,
            )
