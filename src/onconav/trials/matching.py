"""Matching a patient to trials: retrieve by BM25 over the inverted index (screened by status, age and
sex inside the index scan), keep the trials for the patient's cancer (OncoTree), judge every criterion of
the best candidates, rank with visible points: trials the patient can still join first, then trials with a
site within reach, then by score.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import select, true, union_all
from sqlalchemy.orm import Session, selectinload

from onconav.geo import service as geo
from onconav.geo.schemas import Place
from onconav.trials import verdicts
from onconav.trials.eligibility import Summary, summarise
from onconav.trials.indexing import bm25_weights, weighted_terms
from onconav.trials.models import SEX_CODES, Trial, TrialSite, TrialTerm, TrialTermStat
from onconav.trials.profile import UnderstoodProfile
from onconav.trials.relevance import ConditionMatch, condition_match
from onconav.trials.verdicts.lists import judge_items

# Retrieval reads at most this many postings per query term, highest weights first (impact ordering):
# the index range it reads stays the same size at 50k or 5M trials. benchmarks/trials.py measures
# what this costs against scoring every trial.
POSTINGS_PER_TERM = 2000
CANDIDATES = 60
MIN_TERM_SHARE = 0.2
MAX_TERMS = 10
JUDGED = 20
RELEVANCE_POINTS = 40.0
# Of the relevance points, this many come from how the trial's cancer relates to the patient's (OncoTree),
# the rest from the words it shares with the patient's condition (BM25).
CONDITION_POINTS = 30.0
DISTANCE_POINTS = 20.0
RECRUITING_POINTS = 5.0
BEYOND_TRAVEL_POINTS = -15.0
SITE_UNKNOWN_POINTS = -15.0
CRITERIA_MET_MAX = 20.0
# A status not verified (the record not updated) for longer than this earns no recruiting points.
STALE_AFTER = timedelta(days=365)
POINTS = {
    ("inclusion", "included"): 3.0,
    ("inclusion", "not included"): -12.0,
    ("exclusion", "excluded"): -12.0,
    ("exclusion", "not excluded"): 1.0,
}
MARKS = {
    "included": "met",
    "not excluded": "met",
    "not included": "unmet",
    "excluded": "unmet",
    "not applicable": "not-applicable",
}
DOCUMENT_COUNT_TERM = ""  # the trial_term_stat row holding the number of trials

Judge = Callable[[Any, str, Literal["inclusion", "exclusion"]], verdicts.Verdict]


@dataclass
class Reason:
    """One ranking factor: a code, its points and the numbers that describe it."""

    factor: str
    points: float
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class JudgedCriterion:
    """A criterion and its verdict."""

    kind: Literal["inclusion", "exclusion"]
    text: str
    level: int
    verdict: verdicts.Verdict


@dataclass
class NearestSite:
    """The nearest site taking patients, and how far it is."""

    site: TrialSite
    distance_km: float


@dataclass
class TrialMatch:
    """A ranked trial with the reasons for its score."""

    trial: Trial
    relevance: float
    matched_terms: list[str]
    criteria: list[JudgedCriterion]
    nearest: NearestSite | None
    reasons: list[Reason]
    condition: ConditionMatch | None = None
    summary: Summary | None = None
    site_unknown: bool = False  # no site of the trial has a known place
    stale: bool = False  # the record's status was last verified over a year ago

    @property
    def eligibility(self) -> str:
        """Likely eligible, possibly eligible or likely not eligible."""
        return self.summary.eligibility if self.summary else "possibly eligible"

    @property
    def score(self) -> float:
        """The sum of the reasons' points."""
        return round(sum(r.points for r in self.reasons), 1)


@dataclass
class MatchOutcome:
    """What matching found."""

    profile: UnderstoodProfile
    place: Place | None
    max_travel_km: float | None
    screened: int
    matches: list[TrialMatch]
    no_cancer: bool = False  # the patient's words name no cancer: no cancer trials are listed


def idf_of(session: Session, terms: list[str]) -> dict[str, float]:
    """BM25 IDF of each term that some trial holds."""
    rows = dict(
        session.execute(
            select(TrialTermStat.term, TrialTermStat.trials).where(
                TrialTermStat.term.in_([*terms, DOCUMENT_COUNT_TERM])
            )
        ).all()
    )
    total = rows.pop(DOCUMENT_COUNT_TERM, 0)
    return {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in rows.items() if n > 0}


def _screen(age: int | None, sex: str | None) -> list[Any]:
    conditions: list[Any] = [TrialTerm.is_open == true()]
    if age is not None:
        conditions += [TrialTerm.min_age <= age + 0.999, TrialTerm.max_age >= age]
    if sex is not None:
        conditions.append(TrialTerm.sex.in_([SEX_CODES["ALL"], SEX_CODES[sex.upper()]]))
    return conditions


def ideal_score(profile: UnderstoodProfile, idf: dict[str, float]) -> float:
    """The score of a trial whose conditions and MeSH terms name exactly the patient's condition."""
    fields = {"conditions": [" ".join(profile.core_terms)], "mesh_terms": [" ".join(profile.core_terms)]}
    weights = bm25_weights(weighted_terms(fields))
    return sum(idf.get(t, 0.0) * profile.terms.get(t, 0.0) * w for t, w in weights.items())


def query_terms(profile: UnderstoodProfile, idf: dict[str, float], *, exact: bool) -> dict[str, float]:
    """Each query term's factor (IDF x query weight). Unless `exact`, terms worth less than a fifth of the
    best one are dropped (the common words, such as "cancer", whose postings are the longest to read), and
    at most MAX_TERMS are kept.
    """
    # A word of a synonym may be rarer than the condition's own name ("bronchogenic", "mets"); it never
    # counts for more than the rarest word of the name, so the name leads the ranking.
    core = [idf[t] for t in profile.core_terms if t in idf]
    cap = max(core) if core else math.inf
    factors = {
        t: (idf[t] if t in profile.core_terms else min(idf[t], cap)) * w
        for t, w in profile.terms.items()
        if t in idf
    }
    if exact or not factors:
        return factors
    floor = MIN_TERM_SHARE * max(factors.values())
    kept = sorted((t for t, f in factors.items() if f >= floor), key=lambda t: (-factors[t], t))
    return {t: factors[t] for t in kept[:MAX_TERMS]}


def retrieve(
    session: Session, profile: UnderstoodProfile, *, per_term: int | None = POSTINGS_PER_TERM
) -> tuple[dict[int, float], dict[int, list[str]]]:
    """BM25 score of each open trial the patient may join by age and sex, and the terms it matched.

    One statement reads each term's postings, best first. `per_term=None` reads every posting of every
    term (exact; the benchmark's baseline).
    """
    idf = idf_of(session, list(profile.terms))
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, list[str]] = defaultdict(list)
    profile.ideal = ideal_score(profile, idf)
    factors = query_terms(profile, idf, exact=per_term is None)
    if not factors:
        return scores, matched
    screen = _screen(profile.age, profile.sex)
    parts = []
    for term in factors:
        part = (
            select(TrialTerm.term, TrialTerm.trial_id, TrialTerm.weight)
            .where(TrialTerm.term == term, *screen)
            .order_by(TrialTerm.weight.desc())
        )
        if per_term is not None:
            part = part.limit(per_term)
        parts.append(select(part.subquery()))
    statement = parts[0] if len(parts) == 1 else union_all(*parts)
    for term, trial_id, weight in session.connection().execute(statement):
        scores[trial_id] += factors[term] * weight
        matched[trial_id].append(term)
    return scores, matched


def nearest_site(trial: Trial, place: Place | None) -> NearestSite | None:
    """The nearest geocoded site still taking patients (any site when none says so)."""
    sites = [s for s in trial.sites if s.lat is not None and s.lon is not None]
    if place is None or not sites:
        return None
    recruiting = [s for s in sites if s.status in (None, "RECRUITING", "NOT_YET_RECRUITING")]
    best = min(
        recruiting or sites,
        key=lambda s: geo.haversine_km(place.lat, place.lon, s.lat or 0.0, s.lon or 0.0),
    )
    return NearestSite(
        best, round(geo.haversine_km(place.lat, place.lon, best.lat or 0.0, best.lon or 0.0), 1)
    )


def judge_criteria(
    trial: Trial, note: Any, judge: Judge, memo: dict[tuple[str, str], verdicts.Verdict] | None = None
) -> list[JudgedCriterion]:
    """A verdict for every criterion of the trial, lists read as lists (a parent "must not have any of:"
    governs its children); `memo` keeps verdicts of criteria seen in other trials for the same note
    (boilerplate such as "Pregnant or breast-feeding women" recurs across trials).
    """
    memo = {} if memo is None else memo

    def remembered(facts: object, text: str, kind: Literal["inclusion", "exclusion"]) -> verdicts.Verdict:
        verdict = memo.get((kind, text))
        if verdict is None:
            verdict = memo[(kind, text)] = judge(facts, text, kind)
        return verdict

    items: list[tuple[Literal["inclusion", "exclusion"], str, int]] = []
    for item in trial.criteria:
        kind: Literal["inclusion", "exclusion"] = "exclusion" if item["kind"] == "exclusion" else "inclusion"
        items.append((kind, str(item["text"]), int(item.get("level", 0))))  # type: ignore[call-overload]
    found = judge_items(note, items, remembered)
    return [
        JudgedCriterion(kind=kind, text=text, level=level, verdict=verdict)
        for (kind, text, level), verdict in zip(items, found, strict=True)
    ]


def score_reasons(
    match: TrialMatch,
    ideal: float,
    place: Place | None,
    max_travel_km: float | None,
    patient_condition: str | None = None,
) -> list[Reason]:
    share = min(1.0, match.relevance / ideal) if ideal > 0 else 0.0
    reasons = []
    if match.condition is not None:
        words = RELEVANCE_POINTS - CONDITION_POINTS
        points = CONDITION_POINTS * match.condition.share + words * share
        reasons.append(
            Reason(
                "condition",
                round(points, 1),
                {
                    "relation": match.condition.relation,
                    "trial_condition": match.condition.trial_condition[:160],
                    "patient_condition": patient_condition or "",
                },
            )
        )
    else:
        reasons.append(
            Reason("relevance", round(RELEVANCE_POINTS * share, 1), {"terms": match.matched_terms[:8]})
        )
    if match.summary is not None and match.summary.deciding is not None:
        reasons.append(Reason("not_eligible", 0.0, {"criterion": match.summary.deciding.text[:300]}))
    if match.stale:
        verified = match.trial.status_verified or match.trial.last_update
        reasons.append(Reason("status_stale", 0.0, {"date": verified or ""}))
    elif match.trial.status == "RECRUITING":
        reasons.append(Reason("recruiting", RECRUITING_POINTS))
    tally: dict[tuple[str, str], int] = defaultdict(int)
    for criterion in match.criteria:
        tally[(criterion.kind, criterion.verdict.label)] += 1
    # Criteria met add at most CRITERIA_MET_MAX points together, so a trial with 80 criteria does not
    # outrank a closer match with 20; criteria failed count in full.
    earned = sum(max(0.0, POINTS.get(key, 0.0)) * count for key, count in tally.items())
    scale = min(1.0, CRITERIA_MET_MAX / earned) if earned else 1.0
    for (kind, label), count in sorted(tally.items()):
        points = POINTS.get((kind, label), 0.0) * count
        points = points * scale if points > 0 else points
        reasons.append(Reason("criteria", round(points, 1), {"kind": kind, "label": label, "count": count}))
    if place is not None:
        if match.nearest is None:
            reasons.append(Reason("site_unknown", SITE_UNKNOWN_POINTS))
        else:
            km = match.nearest.distance_km
            if max_travel_km is not None and km > max_travel_km:
                reasons.append(
                    Reason("beyond_travel", BEYOND_TRAVEL_POINTS, {"km": km, "max_km": max_travel_km})
                )
            else:
                reach = max_travel_km or 1000.0
                points = round(DISTANCE_POINTS * max(0.0, 1 - km / reach), 1)
                reasons.append(Reason("distance", points, {"km": km, "place": place.name}))
    return reasons


def is_stale(last_update: str | None, today: date) -> bool:
    """Whether a record's status was last verified more than a year before `today` (or never dated)."""
    if not last_update:
        return True
    try:
        updated = date.fromisoformat(last_update if len(last_update) == 10 else f"{last_update[:7]}-01")
    except ValueError:
        return True
    return today - updated > STALE_AFTER


def rank_key(match: TrialMatch, place: Place | None, max_travel_km: float | None) -> tuple[Any, ...]:
    """Trials the patient can still join, then those with a site within reach, then by score."""
    out_of_reach = False
    if place is not None:
        out_of_reach = match.nearest is None or (
            max_travel_km is not None and match.nearest.distance_km > max_travel_km
        )
    return (match.eligibility == "likely not eligible", out_of_reach, -match.score, match.trial.nct_id)


def _failed_first(criteria: list[JudgedCriterion], summary: Summary) -> list[JudgedCriterion]:
    """The criteria with the deciding one first (when one decides)."""
    if summary.deciding is None:
        return criteria
    return sorted(criteria, key=lambda c: c is not summary.deciding)


def match_trials(
    session: Session,
    profile: UnderstoodProfile,
    *,
    place: Place | None,
    max_travel_km: float | None,
    limit: int,
    judge: Judge = verdicts.judge,
    read_note: Callable[[str], Any] = verdicts.read_note,
    per_term: int | None = POSTINGS_PER_TERM,
    today: date | None = None,
) -> MatchOutcome:
    """The `limit` best trials for the patient: retrieved, screened, kept when they are for the patient's
    cancer, judged criterion by criterion, ranked."""
    if not profile.cancer_types:
        return MatchOutcome(profile, place, max_travel_km, screened=0, matches=[], no_cancer=True)
    today = today or date.today()
    scores, matched = retrieve(session, profile, per_term=per_term)
    # Equal scores go to the trial stored last, the order in which the index hands out equal weights.
    pool = sorted(scores, key=lambda trial_id: (-scores[trial_id], -trial_id))[: max(CANDIDATES, limit * 3)]
    trials = {
        t.id: t
        for t in session.scalars(
            select(Trial).where(Trial.id.in_(pool)).options(selectinload(Trial.sites))
        ).all()
    }
    note = read_note(profile.note)
    markers = dict(getattr(note, "biomarkers", {}) or {})
    relevant = {
        trial_id: found
        for trial_id in pool
        if (found := condition_match(trials[trial_id], profile.cancer_types, markers)) is not None
    }
    # Eligibility and distance can lift a trial past others, so more trials are judged than shown.
    judged_pool = [trial_id for trial_id in pool if trial_id in relevant][: max(limit * 2, JUDGED)]
    memo: dict[tuple[str, str], verdicts.Verdict] = {}
    ideal = profile.ideal or (scores[pool[0]] if pool else 0.0)
    matches = []
    for trial_id in judged_pool:
        trial = trials[trial_id]
        criteria = judge_criteria(trial, note, judge, memo)
        summary = summarise(criteria)
        match = TrialMatch(
            trial=trial,
            relevance=scores[trial_id],
            matched_terms=matched[trial_id],
            criteria=_failed_first(criteria, summary),
            nearest=nearest_site(trial, place),
            reasons=[],
            condition=relevant[trial_id],
            summary=summary,
            site_unknown=not any(s.lat is not None and s.lon is not None for s in trial.sites),
            stale=is_stale(trial.status_verified or trial.last_update, today),
        )
        match.reasons = score_reasons(match, ideal, place, max_travel_km, profile.condition_name)
        matches.append(match)
    matches.sort(key=lambda m: rank_key(m, place, max_travel_km))
    return MatchOutcome(
        profile=profile,
        place=place,
        max_travel_km=max_travel_km,
        screened=len(scores),
        matches=matches[:limit],
    )
