"""The one ranking function of the directory search, and the reasons it gives.

score = match + volume + designations + tumor board + trials - distance penalty (docs/ranking.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from onconav.directory.models import DESIGNATION_BITS

MatchKind = Literal["service", "specialty", "condition-procedure", "condition-service", "condition-specialty"]

# Points for how the provider matches the query.
MATCH_POINTS: dict[MatchKind, float] = {
    "service": 40.0,  # offers the procedure or service the query names
    "specialty": 30.0,  # practises the specialty the query names
    "condition-procedure": 30.0,  # performs a procedure used for the condition the query names
    "condition-specialty": 25.0,  # practises a specialty that treats that condition
    "condition-service": 20.0,  # offers a broader service used for it (systemic therapy, palliative care)
}
# A condition names several kinds of care: each further one a provider offers adds points, so that a
# center with a whole program for the cancer ranks above one that offers a single piece of it.
BREADTH_POINTS_PER_TOPIC = 2.0
BREADTH_POINTS_MAX = 10.0
VOLUME_POINTS_PER_DECADE = 10.0  # 10 x log10(1 + yearly volume) ...
VOLUME_POINTS_MAX = 25.0  # ... capped here (reached at about 316 a year)
DESIGNATION_POINTS: dict[str, float] = {"nci": 12.0, "coc": 6.0, "jci": 4.0}
TUMOR_BOARD_POINTS = 5.0
CLINICAL_TRIALS_POINTS = 5.0
DISTANCE_PENALTY_MAX_POINTS = 30.0  # penalty = 30 x d / (d + 100 km): 10 at 50 km, 15 at 100 km
DISTANCE_HALF_KM = 100.0
LAT_BAND_DEGREES = 0.5  # search entries are grouped by half-degree latitude bands


@dataclass(frozen=True)
class RankingFactor:
    """One term of the score, or a fact that filtered the result in (points 0)."""

    factor: str
    points: float
    params: dict[str, Any] = field(default_factory=dict)


def lat_band(lat: float) -> int:
    """The latitude band a point belongs to."""
    return math.floor(lat / LAT_BAND_DEGREES)


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


def breadth_points(topics_matched: int) -> float:
    """Points for matching more than one of a condition's topics."""
    return min(BREADTH_POINTS_MAX, BREADTH_POINTS_PER_TOPIC * max(0, topics_matched - 1))


def distance_penalty(distance_km: float) -> float:
    """Points taken off for distance: 0 at the door, rising to 30 far away."""
    return DISTANCE_PENALTY_MAX_POINTS * distance_km / (distance_km + DISTANCE_HALF_KM)


def score(*, match_kind: MatchKind, quality: float, distance_km: float, topics_matched: int = 1) -> float:
    """The ranking score (higher is better)."""
    return MATCH_POINTS[match_kind] + breadth_points(topics_matched) + quality - distance_penalty(distance_km)


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
    volume_source: str | None = None,
    star_rating: int | None = None,
) -> list[RankingFactor]:
    """Every factor of the score with its contribution; the points add up to the score.

    `volume_source` names where a reported volume comes from ("CMS Medicare 2023"); `star_rating` is the
    CMS overall hospital rating, shown as a zero-point fact (docs/ranking.md says why it is not scored).
    """
    factors = [
        RankingFactor(
            "match",
            MATCH_POINTS[match_kind],
            {
                "match_kind": match_kind,
                "name": topic_name,
                "condition": condition_name,
                "stage": condition_stage,
            },
        )
    ]
    if topics_matched > 1:
        factors.append(
            RankingFactor(
                "breadth",
                breadth_points(topics_matched),
                {"matched": topics_matched, "total": topics_total, "condition": condition_name},
            )
        )
    if service_topic:
        factors.append(
            RankingFactor(
                "volume",
                round(volume_points(annual_volume), 2),
                {
                    "volume": annual_volume,
                    "name": topic_name,
                    "source": volume_source if annual_volume else None,
                },
            )
        )
    for code in designation_codes(designations):
        factors.append(RankingFactor("designation", DESIGNATION_POINTS[code], {"designation": code}))
    if star_rating is not None:
        factors.append(RankingFactor("cms_star_rating", 0.0, {"stars": star_rating}))
    if tumor_board:
        factors.append(RankingFactor("tumor_board", TUMOR_BOARD_POINTS))
    if clinical_trials:
        factors.append(RankingFactor("clinical_trials", CLINICAL_TRIALS_POINTS))
    factors.append(
        RankingFactor(
            "distance",
            -round(distance_penalty(distance_km), 2),
            {"km": round(distance_km, 1), "miles": round(distance_km * 0.621371, 1), "place": place_name},
        )
    )
    if not within_radius:
        factors.append(RankingFactor("beyond_radius", 0.0, {"radius_km": radius_km}))
    return factors
