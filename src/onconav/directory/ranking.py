"""The one ranking function of the directory search, and the reasons it gives.

score = match + evidence + volume + designations + tumor board + trials - distance penalty (docs/ranking.md).
Every factor names its source; `evidence` says how we know (known, likely, unknown).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Protocol, TypeVar

from onconav.directory.models import DESIGNATION_BITS

MatchKind = Literal[
    "service",
    "specialty",
    "condition",
    "condition-procedure",
    "condition-service",
    "condition-specialty",
    "hospital",
]
Evidence = Literal["known", "likely", "unknown"]

# Points for how the provider matches the query.
MATCH_POINTS: dict[MatchKind, float] = {
    "service": 40.0,  # offers the procedure or service the query names
    "specialty": 30.0,  # practises the specialty the query names
    "condition-procedure": 30.0,  # performs a procedure used for the condition the query names
    "condition-specialty": 25.0,  # practises a specialty that treats that condition
    "condition-service": 20.0,  # offers a broader service used for it (systemic therapy, palliative care)
    "condition": 30.0,  # a public source ties the provider to the condition itself (trials, discharges)
    "hospital": 0.0,  # the nearest general hospitals when nobody is known to do it: services unknown
}
# A match implied by a signal (trial site, designation, specialists at the address), not listed by a source.
LIKELY_POINTS = -10.0
# Experience with the condition searched: each trial for it at the hospital (open or recent), capped.
CONDITION_TRIAL_POINTS = 2.0
CONDITION_TRIAL_POINTS_MAX = 8.0
# A condition names several kinds of care: each further one a provider offers adds points, so that a
# center with a whole program for the cancer ranks above one that offers a single piece of it.
BREADTH_POINTS_PER_TOPIC = 2.0
BREADTH_POINTS_MAX = 10.0
VOLUME_POINTS_PER_DECADE = 10.0  # 10 x log10(1 + yearly volume) ...
VOLUME_POINTS_MAX = 25.0  # ... capped here (reached at about 316 a year)
# JCI scores 0: Joint Commission International accredits hospitals outside the US; US hospitals are
# accredited by The Joint Commission (or others) instead, so its absence says nothing about a US hospital
# and its presence says nothing about cancer care (docs/ranking.md). It is shown, not scored.
DESIGNATION_POINTS: dict[str, float] = {"nci": 12.0, "coc": 6.0, "jci": 0.0}
TUMOR_BOARD_POINTS = 5.0
CLINICAL_TRIALS_POINTS = 5.0
DISTANCE_PENALTY_MAX_POINTS = 30.0  # penalty = 30 x d / (d + 100 km): 10 at 50 km, 15 at 100 km
DISTANCE_HALF_KM = 100.0
LAT_BAND_DEGREES = 0.5  # search entries are grouped by half-degree latitude bands
LON_CELL_DEGREES = 0.5  # ... and within a band by half-degree longitude cells (geo_cell)
CELLS_PER_BAND = 1000  # geo_cell = lat_band x CELLS_PER_BAND + lon_cell (lon_cell: 0 to 720)


@dataclass(frozen=True)
class RankingFactor:
    """One term of the score, or a fact that filtered the result in (points 0)."""

    factor: str
    points: float
    params: dict[str, Any] = field(default_factory=dict)


def lat_band(lat: float) -> int:
    """The latitude band a point belongs to."""
    return math.floor(lat / LAT_BAND_DEGREES)


def lon_cell(lon: float) -> int:
    """The half-degree longitude cell a point belongs to, counted eastwards from 180° W (0 to 720)."""
    return math.floor((lon + 180.0) / LON_CELL_DEGREES)


def geo_cell(lat: float, lon: float) -> int:
    """The cell (latitude band and longitude cell in one integer) a point belongs to: condition searches
    read the cells around a place, each from its best quality down (directory/condition_search.py)."""
    return lat_band(lat) * CELLS_PER_BAND + lon_cell(lon)


def volume_points(volume: int | None) -> float:
    """Points for a yearly procedure volume (0 when unknown)."""
    if not volume or volume <= 0:
        return 0.0
    return min(VOLUME_POINTS_MAX, VOLUME_POINTS_PER_DECADE * math.log10(1 + volume))


def designation_points(bits: int) -> float:
    """Points for the designations set in `bits`."""
    return sum(points for code, points in DESIGNATION_POINTS.items() if bits & DESIGNATION_BITS[code])


def designation_codes(bits: int) -> list[str]:
    """Designation codes set in `bits`, in a fixed order."""
    return [code for code in DESIGNATION_POINTS if bits & DESIGNATION_BITS[code]]


def designation_bits(codes: list[str]) -> int:
    """The bit mask of designation codes."""
    return sum(DESIGNATION_BITS[c] for c in set(codes) if c in DESIGNATION_BITS)


@lru_cache(maxsize=4096)  # called for every search entry an import writes; few distinct inputs
def quality_points(
    *, annual_volume: int | None, designations: int, tumor_board: bool, clinical_trials: bool
) -> float:
    """Every score term that does not depend on the query: stored on each search entry."""
    return (
        volume_points(annual_volume)
        + designation_points(designations)
        + (TUMOR_BOARD_POINTS if tumor_board else 0.0)
        + (CLINICAL_TRIALS_POINTS if clinical_trials else 0.0)
    )


def condition_trial_points(trials: int) -> float:
    """Points for trials of the searched condition at the provider (open or recent)."""
    return min(CONDITION_TRIAL_POINTS_MAX, CONDITION_TRIAL_POINTS * max(0, trials))


def entry_points(
    *,
    topic: str,
    annual_volume: int | None,
    designations: int,
    tumor_board: bool,
    clinical_trials: bool,
    evidence: str = "known",
    condition_trials: int = 0,
) -> tuple[float, float]:
    """(quality points, condition points) of one search entry: every term that does not depend on the query.

    Quality counts the volume of the entry's own topic (a procedure's volume when a procedure is searched).
    Condition points are what counts when a condition is searched: a procedure's volume is not experience
    with the condition (pleurodesis is done for many diseases), so only `condition:` entries carry volume
    (Medicare discharges for the condition) and the condition's trials.
    """
    base = quality_points(
        annual_volume=None,
        designations=designations,
        tumor_board=tumor_board,
        clinical_trials=clinical_trials,
    ) + (LIKELY_POINTS if evidence == "likely" else 0.0)
    if topic.startswith("condition:"):
        own = volume_points(annual_volume) + condition_trial_points(condition_trials)
        return base + own, base + own
    return base + volume_points(annual_volume), base


def breadth_points(topics_matched: int) -> float:
    """Points for matching more than one of a condition's topics."""
    return min(BREADTH_POINTS_MAX, BREADTH_POINTS_PER_TOPIC * max(0, topics_matched - 1))


def distance_penalty(distance_km: float) -> float:
    """Points taken off for distance: 0 at the door, rising to 30 far away."""
    return DISTANCE_PENALTY_MAX_POINTS * distance_km / (distance_km + DISTANCE_HALF_KM)


def score(*, match_kind: MatchKind, quality: float, distance_km: float, topics_matched: int = 1) -> float:
    """The ranking score (higher is better)."""
    return MATCH_POINTS[match_kind] + breadth_points(topics_matched) + quality - distance_penalty(distance_km)


@dataclass(frozen=True)
class SignalFact:
    """A signal that backs a result, as `why` shows it (directory/signals.py writes them)."""

    kind: str  # trials | designation | specialists | inpatient
    count: int | None
    detail: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class ReasonSources:
    """Where each fact of a result comes from, as a reader can check it."""

    listing: str  # the source that lists the provider (and what it offers, for known matches)
    designations: dict[str, str] = field(default_factory=dict)  # code -> source
    volume: str | None = None
    star_rating: str | None = None
    tumor_board: str | None = None
    clinical_trials: str | None = None


def explain(
    *,
    match_kind: MatchKind,
    topic_name: str,
    condition_name: str | None,
    condition_stage: str | None = None,
    topics_matched: int = 1,
    topics_total: int = 1,
    service_topic: bool,
    annual_volume: int | None,
    designations: int,
    tumor_board: bool,
    clinical_trials: bool,
    distance_km: float,
    place_name: str,
    within_radius: bool,
    radius_km: float,
    sources: ReasonSources,
    evidence: Evidence = "known",
    signals: tuple[SignalFact, ...] = (),
    condition_search: bool = False,
    star_rating: int | None = None,
) -> list[RankingFactor]:
    """Every factor of the score with its contribution and source; the points add up to the score.

    `signals` back a `likely` match (and the condition's trials and discharges); `condition_search` says
    the query named a condition, so a procedure's volume is shown but not scored.
    """
    by_kind = {signal.kind: signal for signal in signals}
    signal_source = "; ".join(signal.source for signal in signals) or sources.listing
    factors = [
        RankingFactor(
            "match",
            MATCH_POINTS[match_kind],
            {
                "match_kind": match_kind,
                "name": topic_name,
                "condition": condition_name,
                "stage": condition_stage,
                "evidence": evidence,
                "source": signal_source if signals else sources.listing,
            },
        )
    ]
    if evidence == "likely":
        factors.append(
            RankingFactor(
                "evidence",
                LIKELY_POINTS,
                {"evidence": evidence, "signals": [s.kind for s in signals], "source": signal_source},
            )
        )
    if topics_matched > 1:
        factors.append(
            RankingFactor(
                "breadth",
                breadth_points(topics_matched),
                {
                    "matched": topics_matched,
                    "total": topics_total,
                    "condition": condition_name,
                    "source": "onconav knowledge catalogue",
                },
            )
        )
    trials = by_kind.get("trials")
    if match_kind == "condition" and trials is not None and trials.count:
        factors.append(
            RankingFactor(
                "condition_trials",
                condition_trial_points(trials.count),
                {
                    "count": trials.count,
                    "trials": list(trials.detail[:5]),
                    "condition": condition_name,
                    "source": trials.source,
                },
            )
        )
    inpatient = by_kind.get("inpatient")
    if match_kind == "condition" and inpatient is not None and inpatient.count:
        factors.append(
            RankingFactor(
                "condition_volume",
                round(volume_points(inpatient.count), 2),
                {"volume": inpatient.count, "condition": condition_name, "source": inpatient.source},
            )
        )
    elif service_topic:
        scored = not condition_search
        factors.append(
            RankingFactor(
                "volume",
                round(volume_points(annual_volume), 2) if scored else 0.0,
                {
                    "volume": annual_volume,
                    "name": topic_name,
                    "scored": scored,
                    "source": (sources.volume or sources.listing) if annual_volume else sources.listing,
                },
            )
        )
    for code in designation_codes(designations):
        factors.append(
            RankingFactor(
                "designation",
                DESIGNATION_POINTS[code],
                {"designation": code, "source": sources.designations.get(code, sources.listing)},
            )
        )
    if star_rating is not None:
        factors.append(
            RankingFactor(
                "cms_star_rating",
                0.0,
                {"stars": star_rating, "source": sources.star_rating or sources.listing},
            )
        )
    if tumor_board:
        factors.append(
            RankingFactor(
                "tumor_board", TUMOR_BOARD_POINTS, {"source": sources.tumor_board or sources.listing}
            )
        )
    if clinical_trials:
        factors.append(
            RankingFactor(
                "clinical_trials",
                CLINICAL_TRIALS_POINTS,
                {"source": sources.clinical_trials or sources.listing},
            )
        )
    factors.append(
        RankingFactor(
            "distance",
            -round(distance_penalty(distance_km), 2),
            {"km": round(distance_km, 1), "miles": round(distance_km * 0.621371, 1), "place": place_name},
        )
    )
    if not within_radius:
        factors.append(RankingFactor("beyond_radius", 0.0, {"radius_km": radius_km, "source": "onconav"}))
    return factors


ResultOrder = Literal["best", "nearest"]
RESULT_ORDERS: tuple[ResultOrder, ...] = ("best", "nearest")


class Ranked(Protocol):
    """What ordering needs of a result (a search hit or its JSON form)."""

    @property
    def score(self) -> float: ...
    @property
    def distance_km(self) -> float: ...
    @property
    def within_radius(self) -> bool: ...
    @property
    def kind(self) -> str: ...
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=Ranked)


def order_results(results: Sequence[R], order: ResultOrder = "best") -> list[R]:
    """The one ordering rule of result lists (docs/ranking.md, "Order").

    best (the default): every result within the radius before any beyond it, each part by score, best
    first; so a center 167 km away never ranks above one 90 km away inside a 100 km radius. nearest: by
    distance, nearest first, whatever the radius. Ties fall back to score, then kind and id, so that the
    order never depends on the database.
    """
    if order == "nearest":
        return sorted(results, key=lambda r: (r.distance_km, -r.score, r.kind, r.id))
    return sorted(results, key=lambda r: (not r.within_radius, -r.score, r.distance_km, r.kind, r.id))
