"""The support services ranking: one score per listing, the sum of visible factors (docs/support-services.md).

```
score = condition specificity + language + freshness - distance (in person) or remote-only (online, phone)
```

Every factor with points is a reason in `why`, with its source (all but distance), in the directory's style.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from onconav.support.models import ALL_CANCERS

ConditionMatch = Literal["exact", "broader", "narrower", "all_cancers"]
Reach = Literal["in_person", "online", "phone"]

CONDITION_POINTS: dict[ConditionMatch, float] = {
    "exact": 30.0,
    "broader": 20.0,
    "narrower": 20.0,
    "all_cancers": 10.0,
}
LANGUAGE_POINTS = 10.0  # the listing names the language asked for
# Online or phone only, when nobody asked for that: about what a service 50 km away loses.
REMOTE_ONLY_POINTS = -10.0
DISTANCE_MAX_PENALTY = 30.0  # the directory's distance term: -30 x d / (d + 100)
DISTANCE_HALF_KM = 100.0
FRESH_DAYS = 365  # listed by its source within a year: +5
STALE_DAYS = 3 * 365  # listed more than three years ago: -5 (may be out of date)
FRESH_POINTS = 5.0
STALE_POINTS = -5.0


@dataclass(frozen=True)
class SupportFactor:
    """One term of a listing's score (points may be 0 for a fact that only filtered it in)."""

    factor: str  # condition | distance | remote | language | freshness
    points: float
    params: dict[str, Any] = field(default_factory=dict)
    source: str | None = None


def condition_match(
    listing_conditions: list[str], lineage: tuple[str, ...], kinds: frozenset[str] = frozenset()
) -> ConditionMatch | None:
    """How a listing serves the condition whose lineage (the code, then its ancestors) is given; `kinds` are
    the codes of the condition's own kinds ("pleural-mesothelioma" for "mesothelioma")."""
    if lineage and lineage[0] in listing_conditions:
        return "exact"
    if any(code in listing_conditions for code in lineage[1:]):
        return "broader"
    if any(code in kinds for code in listing_conditions):
        return "narrower"
    if ALL_CANCERS in listing_conditions:
        return "all_cancers"
    return None


def reach_of(
    delivery: list[str], distance_km: float | None, radius_km: float, asked: str | None
) -> Reach | None:
    """How the searcher can take part: in person (within the radius), else online, else by phone; None:
    not at all (or not the way asked)."""
    in_person = "in_person" in delivery and (distance_km is None or distance_km <= radius_km)
    if asked == "in_person":
        return "in_person" if in_person else None
    if asked in ("online", "phone"):
        return asked if asked in delivery else None  # type: ignore[return-value]
    if in_person:
        return "in_person"
    if "online" in delivery:
        return "online"
    if "phone" in delivery:
        return "phone"
    return None


def distance_penalty(distance_km: float) -> float:
    """The directory's distance term: 0 at the door, -15 at 100 km, never below -30."""
    return -DISTANCE_MAX_PENALTY * distance_km / (distance_km + DISTANCE_HALF_KM)


def score_listing(
    *,
    match: ConditionMatch | None,
    condition_name: str | None,
    served_name: str | None = None,
    reach: Reach,
    distance_km: float | None,
    place_name: str | None,
    remote_asked: bool,
    language: str | None,
    source: str,
    source_date: date,
    today: date,
) -> list[SupportFactor]:
    """The factors of one listing that matched the search, in the order `why` shows them."""
    factors: list[SupportFactor] = []
    if match is not None:
        factors.append(
            SupportFactor(
                "condition",
                CONDITION_POINTS[match],
                {"match": match, "condition": condition_name or "", "served": served_name or ""},
                source,
            )
        )
    if reach == "in_person" and distance_km is not None:
        factors.append(
            SupportFactor(
                "distance",
                round(distance_penalty(distance_km), 2),
                {"km": round(distance_km, 1), "miles": round(distance_km / 1.609344, 1), "place": place_name},
            )
        )
    elif reach != "in_person" and not remote_asked:
        factors.append(SupportFactor("remote", REMOTE_ONLY_POINTS, {"reach": reach}, source))
    if language:
        factors.append(SupportFactor("language", LANGUAGE_POINTS, {"language": language}, source))
    age_days = (today - source_date).days
    if age_days <= FRESH_DAYS:
        factors.append(SupportFactor("freshness", FRESH_POINTS, {"date": source_date.isoformat()}, source))
    elif age_days > STALE_DAYS:
        factors.append(SupportFactor("freshness", STALE_POINTS, {"date": source_date.isoformat()}, source))
    return factors


def total(factors: list[SupportFactor]) -> float:
    """The score: the sum of the factors, rounded to 0.01."""
    return round(sum(factor.points for factor in factors), 2)
