"""The trials domain's public operations: import records, sync from ClinicalTrials.gov, read trials,
and match a patient to trials. Functions take a session and never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.support import NullTranslations
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from onconav.errors import InvalidInput, NotFound
from onconav.geo import service as geo
from onconav.i18n import N_
from onconav.trials import demo, matching, profile, verdicts
from onconav.trials.geocoding import SiteGeocoder
from onconav.trials.models import Trial
from onconav.trials.reasons import (
    condition_text,
    describe,
    eligibility_text,
    label_text,
    question_source_text,
    status_note_text,
)
from onconav.trials.records import TrialRecord
from onconav.trials.schemas import (
    ConditionMatchRead,
    CriterionRead,
    MatchResponse,
    PatientProfile,
    PlaceRead,
    ProfileRead,
    QuestionRead,
    ReasonRead,
    SiteRead,
    TrialMatchRead,
)
from onconav.trials.sources import SourceItem
from onconav.trials.store import delete_trials, refresh_term_stats, write_records

BATCH = 200
NOTICE = N_(
    "Information only: eligibility is decided by each trial's team. Talk with your care team before "
    "contacting a trial."
)

NO_CANCER = N_(
    "The note names no cancer, so no cancer trials are listed. onconav matches cancer trials only: name the "
    'cancer (for example "stage 2 breast cancer") to see trials for it.'
)

NO_TRIALS_STORED = N_(
    "No trials are stored here yet. An operator can load the fictional demo trials with "
    "`onconav demo load`, or import real ones from ClinicalTrials.gov with `onconav trials import` "
    "(downloaded files) or `onconav trials sync` (needs internet)."
)


@dataclass
class ImportSummary:
    """What an import did, with the records it could not use."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    sites: int = 0
    sites_geocoded: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # records read with something to report (an alias file)


def import_records(
    session: Session,
    items: Iterable[SourceItem],
    *,
    on_item: Callable[[SourceItem], None] | None = None,
    on_batch: Callable[[], None] | None = None,
    geocode: bool = True,
) -> ImportSummary:
    """Insert new trials, update changed ones and skip unchanged ones; rejected items are listed.

    `on_batch` runs after each batch is written (the CLI commits there, so an interrupted import keeps
    what it wrote and a re-run skips it).
    """
    summary = ImportSummary()
    geocoder = SiteGeocoder() if geocode else None
    batch: list[TrialRecord] = []

    def flush() -> None:
        counts = write_records(session, batch, geocoder=geocoder)
        summary.inserted += counts.inserted
        summary.updated += counts.updated
        summary.unchanged += counts.unchanged
        summary.sites += counts.sites
        summary.sites_geocoded += counts.sites_geocoded
        batch.clear()
        if on_batch is not None:
            on_batch()

    for item in items:
        summary.read += 1
        if item.note:
            summary.notes.append(item.note)
        if item.record is not None:
            batch.append(item.record)
        else:
            summary.rejected.append((item.source, item.error or "unreadable"))
        if len(batch) >= BATCH:
            flush()
        if on_item is not None:
            on_item(item)
    flush()
    refresh_term_stats(session)
    return summary


def load_demo(
    session: Session,
    *,
    size: demo.DemoSize,
    seed: int = 0,
    on_item: Callable[[SourceItem], None] | None = None,
) -> ImportSummary:
    """Replace the demo trials with a freshly generated set, through the same path as an import; real
    (imported) trials are left alone."""
    if size not in demo.TRIALS_PER_CONDITION:
        raise InvalidInput(
            "Unknown demo size %(value)s; use one of %(choices)s.",
            value=size,
            choices=", ".join(demo.TRIALS_PER_CONDITION),
        )
    delete_trials(session, id_prefix=demo.DEMO_PREFIX)
    items = (SourceItem(source=f"demo:{r.nct_id}", record=r) for r in demo.generate(size, seed=seed))
    return import_records(session, items, on_item=on_item)


def planned_demo_trials(size: demo.DemoSize) -> int:
    """How many trials `load_demo` writes for this size."""
    return demo.planned_count(size)


def count_trials(session: Session) -> int:
    """How many trials are stored."""
    return session.scalar(select(func.count()).select_from(Trial)) or 0


@dataclass(frozen=True)
class TrialSiteFacts:
    """One site of a stored trial with what linking it to a hospital needs (directory signals)."""

    nct_id: str
    conditions: tuple[str, ...]
    title: str
    status: str  # the trial's overall status (API v2 code: RECRUITING, COMPLETED ...)
    last_update: str | None  # ISO date of the record's last update, or None
    facility: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country_code: str | None
    lat: float | None
    lon: float | None


def list_trial_sites(session: Session) -> list[TrialSiteFacts]:
    """Every site of every stored trial, with its trial's conditions, status and last update."""
    from onconav.trials.models import TrialSite

    rows = session.execute(
        select(
            Trial.nct_id,
            Trial.conditions,
            Trial.brief_title,
            Trial.status,
            Trial.last_update,
            TrialSite.facility,
            TrialSite.city,
            TrialSite.state,
            TrialSite.postal_code,
            TrialSite.country_code,
            TrialSite.lat,
            TrialSite.lon,
        )
        .join(TrialSite, TrialSite.trial_id == Trial.id)
        .order_by(Trial.nct_id, TrialSite.id)
    )
    return [
        TrialSiteFacts(
            nct_id=row.nct_id,
            conditions=tuple(row.conditions or ()),
            title=row.brief_title,
            status=row.status,
            last_update=row.last_update,
            facility=row.facility,
            city=row.city,
            state=row.state,
            postal_code=row.postal_code,
            country_code=row.country_code,
            lat=row.lat,
            lon=row.lon,
        )
        for row in rows
    ]


def get_trial(session: Session, *, nct_id: str) -> Trial | None:
    """The trial with this NCT id, with its sites, or None."""
    statement = select(Trial).where(Trial.nct_id == nct_id.strip().upper()).options(selectinload(Trial.sites))
    return session.scalars(statement).first()


def get_trial_or_raise(session: Session, *, nct_id: str) -> Trial:
    """The trial with this NCT id; NotFound otherwise."""
    trial = get_trial(session, nct_id=nct_id)
    if trial is None:
        raise NotFound('No trial "%(nct_id)s" is stored here.', nct_id=nct_id)
    return trial


def match(
    session: Session,
    *,
    patient: PatientProfile,
    near: str | None,
    limit: int,
    judge: matching.Judge | None = None,
) -> matching.MatchOutcome:
    """Trials for a patient, best first; `near` (or the profile's location) adds distances.

    `judge` gives each criterion its verdict (default: `verdicts.judge`, looked up at call time).
    """
    if limit < 1 or limit > 50:
        raise InvalidInput("Ask for between 1 and 50 trials.", limit=limit)
    where = near or patient.location
    place = geo.resolve_place(where).place if where and where.strip() else None
    understood = profile.understand(patient)
    if understood.cancer_types and not understood.terms:
        raise InvalidInput('Name the patient\'s cancer, for example "stage 4 mesothelioma".')
    return matching.match_trials(
        session,
        understood,
        place=place,
        max_travel_km=patient.max_travel_km,
        limit=limit,
        judge=judge or verdicts.judge,
    )


def _site_read(site: Any, distance_km: float | None) -> SiteRead:
    return SiteRead(
        facility=site.facility,
        city=site.city,
        state=site.state,
        country=site.country,
        status=site.status,
        distance_km=distance_km,
        contacts=list(site.contacts or []),
        lat=site.lat,
        lon=site.lon,
    )


def to_response(
    outcome: matching.MatchOutcome, *, translations: NullTranslations, locale: str
) -> MatchResponse:
    """The API and page shape of a match outcome, in the reader's language."""
    understood = outcome.profile
    results = []
    for found in outcome.matches:
        trial = found.trial
        counts: dict[str, int] = {"met": 0, "unmet": 0, "unknown": 0, "not-applicable": 0}
        criteria = []
        for judged in found.criteria:
            mark = matching.MARKS.get(judged.verdict.label, "unknown")
            counts[mark] += 1
            criteria.append(
                CriterionRead(
                    kind=judged.kind,
                    text=judged.text,
                    level=judged.level,
                    label=judged.verdict.label,
                    mark=mark,
                    evidence=judged.verdict.evidence,
                    reason=judged.verdict.localized_reason(translations.gettext),
                )
            )
        nearest = found.nearest
        results.append(
            TrialMatchRead(
                nct_id=trial.nct_id,
                title=trial.brief_title,
                status=trial.status,
                phases=list(trial.phases),
                conditions=list(trial.conditions),
                sponsor=trial.sponsor,
                url=None
                if demo.is_demo_id(trial.nct_id)
                else f"https://clinicaltrials.gov/study/{trial.nct_id}",
                demo=demo.is_demo_id(trial.nct_id),
                score=found.score,
                why=[
                    ReasonRead(factor=r.factor, points=r.points, detail=describe(r, translations, locale))
                    for r in found.reasons
                ],
                criteria=criteria,
                counts=counts,
                nearest_site=_site_read(nearest.site, nearest.distance_km) if nearest else None,
                contacts=list(trial.contacts or []),
                **_eligibility_fields(found, translations),
            )
        )
    place = outcome.place
    return MatchResponse(
        patient=ProfileRead(
            condition=understood.condition_name,
            condition_code=understood.condition_code,
            stage=understood.stage,
            biomarkers=understood.biomarkers,
            age=understood.age,
            sex=understood.sex,
            terms=sorted(understood.terms, key=lambda t: (-understood.terms[t], t)),
        ),
        place=PlaceRead(name=place.name, lat=place.lat, lon=place.lon) if place else None,
        max_travel_km=outcome.max_travel_km,
        screened=outcome.screened,
        results=results,
        notice=translations.gettext(NOTICE),
        no_cancer=outcome.no_cancer,
        message=translations.gettext(NO_CANCER) if outcome.no_cancer else None,
    )


def _iso_date(text: str | None) -> date | None:
    """A record's date as a date ("2016-01", a month, is its first day)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text if len(text) == 10 else f"{text[:7]}-01")
    except ValueError:
        return None


def _eligibility_fields(found: matching.TrialMatch, translations: NullTranslations) -> dict[str, Any]:
    """What a result says of eligibility, condition match, freshness and site (issue 13)."""
    summary = found.summary
    questions = list(summary.questions) if summary else []
    condition = found.condition
    return {
        "last_update": _iso_date(found.trial.last_update),
        "eligibility": found.eligibility,
        "eligibility_summary": eligibility_text(found.eligibility, len(questions), translations),
        "deciding_criterion": summary.deciding.text if summary and summary.deciding else None,
        "questions": [
            QuestionRead(criterion=q.criterion, settled_by=question_source_text(q.source, translations))
            for q in questions
        ],
        "condition_match": ConditionMatchRead(
            relation=condition.relation,
            trial_condition=condition.trial_condition,
            detail=condition_text(condition.relation, condition.trial_condition, translations),
        )
        if condition
        else None,
        "site_unknown": found.site_unknown,
        "status_note": status_note_text(
            found.trial.status_verified or found.trial.last_update or "", translations
        )
        if found.stale
        else None,
    }


__all__ = [
    "ImportSummary",
    "TrialSiteFacts",
    "count_trials",
    "get_trial",
    "get_trial_or_raise",
    "import_records",
    "label_text",
    "list_trial_sites",
    "load_demo",
    "match",
    "planned_demo_trials",
    "to_response",
]
