"""Writing trial records: insert new trials, update changed ones, skip unchanged ones (by content hash),
with their sites, split criteria and index terms, in batches inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from onconav.trials.criteria import parse_criteria
from onconav.trials.geocoding import SiteGeocoder
from onconav.trials.indexing import bm25_weights, trial_fields, weighted_terms
from onconav.trials.models import OPEN_STATUSES, SEX_CODES, Trial, TrialSite, TrialTerm, TrialTermStat
from onconav.trials.records import TrialRecord

NO_MAX_AGE = 200.0
_TRIAL_FIELDS = [
    "brief_title",
    "official_title",
    "acronym",
    "summary",
    "conditions",
    "keywords",
    "mesh_terms",
    "interventions",
    "phases",
    "status",
    "study_type",
    "enrollment",
    "start_date",
    "completion_date",
    "last_update",
    "status_verified",
    "sponsor",
    "min_age_years",
    "max_age_years",
    "sex",
    "healthy_volunteers",
    "criteria_text",
    "contacts",
    "source_format",
]


@dataclass
class WriteCounts:
    """What a batch did."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    sites: int = 0
    sites_geocoded: int = 0
    nct_ids: list[str] = field(default_factory=list)


def trial_row(record: TrialRecord) -> dict[str, Any]:
    """The `trial` row of a record, with its criteria split."""
    row = {name: getattr(record, name) for name in _TRIAL_FIELDS}
    row["nct_id"] = record.nct_id
    row["brief_title"] = record.brief_title[:600]
    row["criteria"] = [
        {"kind": c.kind, "text": c.text, "level": c.level} for c in parse_criteria(record.criteria_text)
    ]
    row["source_hash"] = record.content_hash()
    return row


def term_rows(record: TrialRecord, trial_id: int) -> list[dict[str, Any]]:
    """The inverted-index rows of a trial."""
    fields = trial_fields(
        conditions=record.conditions,
        mesh_terms=record.mesh_terms,
        keywords=record.keywords,
        brief_title=record.brief_title,
        official_title=record.official_title,
    )
    screening = {
        "trial_id": trial_id,
        "is_open": record.status in OPEN_STATUSES,
        "min_age": record.min_age_years or 0.0,
        "max_age": record.max_age_years if record.max_age_years is not None else NO_MAX_AGE,
        "sex": SEX_CODES.get(record.sex, 0),
    }
    return [
        {"term": term, "weight": weight, **screening}
        for term, weight in bm25_weights(weighted_terms(fields)).items()
    ]


def site_rows(record: TrialRecord, trial_id: int, geocoder: SiteGeocoder | None) -> list[dict[str, Any]]:
    """The `trial_site` rows of a trial, geocoded offline when the record has no coordinates."""
    rows = []
    for site in record.sites:
        lat, lon, country_code = site.lat, site.lon, None
        if geocoder is not None:
            place = geocoder.locate(
                city=site.city, state=site.state, postal_code=site.postal_code, country=site.country
            )
            if place is not None:
                country_code = place.country_code
                if lat is None or lon is None:
                    lat, lon = place.lat, place.lon
        rows.append(
            {
                "trial_id": trial_id,
                "facility": (site.facility or "")[:300] or None,
                "city": site.city,
                "state": site.state,
                "postal_code": site.postal_code,
                "country": site.country,
                "country_code": country_code,
                "status": site.status,
                "contacts": site.contacts,
                "lat": lat,
                "lon": lon,
            }
        )
    return rows


def write_records(
    session: Session, records: Iterable[TrialRecord], *, geocoder: SiteGeocoder | None
) -> WriteCounts:
    """Insert or update a batch of records (the last of a repeated NCT id wins)."""
    by_id = {r.nct_id: r for r in records}
    counts = WriteCounts()
    if not by_id:
        return counts
    existing = dict(
        session.execute(select(Trial.nct_id, Trial.id).where(Trial.nct_id.in_(list(by_id)))).all()
    )
    hashes = dict(
        session.execute(
            select(Trial.id, Trial.source_hash).where(Trial.id.in_(list(existing.values())))
        ).all()
    )
    new_rows, changed = [], []
    for nct_id, record in by_id.items():
        row = trial_row(record)
        trial_id = existing.get(nct_id)
        if trial_id is None:
            new_rows.append(row)
        elif hashes.get(trial_id) == row["source_hash"]:
            counts.unchanged += 1
        else:
            changed.append((trial_id, row))
    ids: dict[str, int] = {}
    if new_rows:
        result = session.execute(
            insert(Trial).returning(Trial.id, Trial.nct_id, sort_by_parameter_order=True), new_rows
        )
        ids.update({nct_id: trial_id for trial_id, nct_id in result})
        counts.inserted = len(new_rows)
    if changed:
        changed_ids = [trial_id for trial_id, _row in changed]
        session.execute(delete(TrialTerm).where(TrialTerm.trial_id.in_(changed_ids)))
        session.execute(delete(TrialSite).where(TrialSite.trial_id.in_(changed_ids)))
        for trial_id, row in changed:
            session.execute(update(Trial).where(Trial.id == trial_id).values(**row))
            ids[row["nct_id"]] = trial_id
        counts.updated = len(changed)
    sites: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    for nct_id, trial_id in ids.items():
        sites.extend(site_rows(by_id[nct_id], trial_id, geocoder))
        terms.extend(term_rows(by_id[nct_id], trial_id))
    if sites:
        session.execute(insert(TrialSite), sites)
    if terms:
        session.execute(insert(TrialTerm), terms)
    counts.sites = len(sites)
    counts.sites_geocoded = sum(1 for s in sites if s["lat"] is not None)
    counts.nct_ids = list(ids)
    return counts


def refresh_term_stats(session: Session) -> int:
    """Recount how many trials hold each term; returns the number of distinct terms."""
    session.execute(delete(TrialTermStat))
    session.execute(
        insert(TrialTermStat).from_select(
            ["term", "trials"], select(TrialTerm.term, func.count()).group_by(TrialTerm.term)
        )
    )
    # The empty term holds the number of trials, the N of the IDF.
    total = session.scalar(select(func.count()).select_from(Trial)) or 0
    session.execute(insert(TrialTermStat).values(term="", trials=total))
    return session.scalar(select(func.count()).select_from(TrialTermStat)) or 0


def delete_trials(session: Session, *, id_prefix: str) -> int:
    """Delete the trials whose id starts with `id_prefix`, with their sites and index terms; returns
    how many. The caller refreshes the term statistics."""
    ids = select(Trial.id).where(Trial.nct_id.startswith(id_prefix, autoescape=True)).scalar_subquery()
    session.execute(delete(TrialTerm).where(TrialTerm.trial_id.in_(ids)))
    session.execute(delete(TrialSite).where(TrialSite.trial_id.in_(ids)))
    result = session.execute(delete(Trial).where(Trial.nct_id.startswith(id_prefix, autoescape=True)))
    return int(getattr(result, "rowcount", 0) or 0)
