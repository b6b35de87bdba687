"""Search latency on the large demo: 1,000 varied searches (procedure x city), median and p95 in
process, beside a naive baseline (scan every entry of the topic, exact distance in Python) on the same data.

Usage:
    ONCONAV_DATA_DIR=var/bench onconav demo load --size large     # once, about 2 minutes
    ONCONAV_DATA_DIR=var/bench python benchmarks/search.py [--searches 1000] [--baseline-searches 200]
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import heapq
import platform
import random
import statistics
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.db import create_db_engine, is_sqlite
from onconav.directory import demo, ranking
from onconav.directory import service as directory
from onconav.directory.models import SearchEntry
from onconav.directory.scoring import match_kind
from onconav.geo import service as geo
from onconav.knowledge import service as knowledge

RADIUS_KM = 100.0
LIMIT = 20
CONDITIONS = ["breast cancer", "lung cancer", "prostate cancer", "colorectal cancer", "pleural mesothelioma"]
DENSE_CITIES = [
    "New York, NY", "Los Angeles, CA", "Chicago, IL", "Houston, TX", "Philadelphia, PA",
    "Boston, MA", "San Francisco, CA", "Washington, DC", "Dallas, TX", "Miami, FL",
]  # fmt: skip


def procedure_queries() -> list[str]:
    """Every procedure in the catalogue, by the words a patient might type."""
    return [s.name for s in knowledge.list_services() if s.category == "procedure"]


def workload(count: int, seed: int) -> list[tuple[str, str]]:
    """`count` (procedure, city) pairs over every city of the large demo, deterministic."""
    rng = random.Random(seed)
    cities = demo.demo_cities("large")
    procedures = procedure_queries()
    names = []
    for city in cities:
        names.append(
            f"{city.city}, {city.region_code}"
            if city.country_code == "US"
            else f"{city.city}, {city.country}"
        )
    return [(rng.choice(procedures), rng.choice(names)) for _ in range(count)]


def naive_search(session: Session, query: str, near: str) -> list[tuple[float, str, int]]:
    """Baseline: read every entry of the topic, exact haversine for each, keep the best per provider."""
    topics = knowledge.interpret_query(query).topics
    place = geo.resolve_place(near).place
    best: dict[tuple[str, int], float] = {}
    rows = session.execute(
        select(
            SearchEntry.topic,
            SearchEntry.entity_kind,
            SearchEntry.entity_id,
            SearchEntry.lat,
            SearchEntry.lon,
            SearchEntry.quality_points,
        ).where(SearchEntry.topic.in_(list(topics)))
    )
    for topic, kind, entity_id, lat, lon, quality in rows:
        distance = geo.haversine_km(place.lat, place.lon, lat, lon)
        if distance <= RADIUS_KM:
            value = ranking.score(
                match_kind=match_kind(topic, topics[topic]), quality=quality, distance_km=distance
            )
            key = (kind, entity_id)
            if value > best.get(key, float("-inf")):
                best[key] = value
    return heapq.nlargest(LIMIT, ((v, k[0], k[1]) for k, v in best.items()))


def measure(label: str, run: Callable[[str, str], object], searches: list[tuple[str, str]]) -> list[float]:
    """Milliseconds per search."""
    timings = []
    for query, near in searches:
        start = time.perf_counter()
        run(query, near)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def summary(timings: list[float]) -> tuple[float, float, float]:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--baseline-searches", type=int, default=200)
    parser.add_argument("--skip-baseline", action="store_true", help="Only the indexed searches.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--condition-rounds", type=int, default=2, help="Rounds of condition x dense city.")
    args = parser.parse_args()

    engine = create_db_engine()
    with Session(engine) as session:
        counts = directory.count_providers(session)
        if counts["practitioners"] < 900_000:
            raise SystemExit(
                f"The database holds {counts['practitioners']:,} practitioners; load the large demo first "
                "(onconav demo load --size large)."
            )
        searches = workload(args.searches, args.seed)
        # Warm-up: build the place index, the catalogue and SQLAlchemy's statement cache.
        for query, near in workload(30, args.seed + 1):
            directory.search_providers(session, query=query, near=near, radius_km=RADIUS_KM, limit=LIMIT)
            naive_search(session, query, near)

        def indexed(query: str, near: str) -> object:
            return directory.search_providers(
                session, query=query, near=near, radius_km=RADIUS_KM, limit=LIMIT
            )

        def naive(query: str, near: str) -> object:
            return naive_search(session, query, near)

        conditions = [(query, near) for query in CONDITIONS for near in DENSE_CITIES]
        for query, near in conditions:  # warm-up of the condition statements
            indexed(query, near)
        condition_timings = measure("conditions", indexed, conditions * args.condition_rounds)
        fast = measure("indexed", indexed, searches)
        slow = measure("naive", naive, searches[: 1 if args.skip_baseline else args.baseline_searches])
        # Same searches on both sides for the ratio.
        fast_same = fast[: len(slow)]

    backend = "SQLite" if is_sqlite(engine) else engine.dialect.name
    median, p95, worst = summary(fast)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {backend}")
    print(f"directory: {counts['organizations']:,} organizations, {counts['practitioners']:,} practitioners")
    print(
        f"indexed search, {len(fast)} searches (radius {RADIUS_KM:g} km, top {LIMIT}, end to end incl. "
        "query understanding, place resolution and result hydration):"
    )
    print(f"  median {median:.2f} ms   p95 {p95:.2f} ms   max {worst:.2f} ms")
    slowest = sorted(zip(fast, searches, strict=True), key=lambda pair: -pair[0])[:3]
    print("  slowest: " + "; ".join(f"{q} near {n} ({t:.0f} ms)" for t, (q, n) in slowest))
    nm, np95, nworst = summary(slow)
    fm, fp95, _ = summary(fast_same)
    print(f"naive baseline (scan every entry of the topic, exact distance in Python), {len(slow)} searches:")
    print(f"  median {nm:.2f} ms   p95 {np95:.2f} ms   max {nworst:.2f} ms")
    print(f"indexed on the same {len(slow)} searches: median {fm:.2f} ms   p95 {fp95:.2f} ms")
    print(f"ratio naive/indexed: median {nm / fm:.1f}x   p95 {np95 / fp95:.1f}x")
    print(f"target p95 <= 20 ms: {'met' if p95 <= 20 else 'NOT met'}")
    cm, cp95, cworst = summary(condition_timings)
    print(
        f"condition searches ({len(CONDITIONS)} cancers x {len(DENSE_CITIES)} dense cities x "
        f"{args.condition_rounds} rounds = {len(condition_timings)}): median {cm:.2f} ms   p95 {cp95:.2f} ms "
        f"max {cworst:.2f} ms (target p95 <= 30 ms: {'met' if cp95 <= 30 else 'NOT met'})"
    )
    by_pair: dict[tuple[str, str], list[float]] = {}
    for timing, pair in zip(condition_timings, conditions * args.condition_rounds, strict=True):
        by_pair.setdefault(pair, []).append(timing)
    for near in ("New York, NY", "Chicago, IL"):
        print("  " + "; ".join(f"{q} near {near}: {min(by_pair[(q, near)]):.0f} ms" for q in CONDITIONS))


if __name__ == "__main__":
    main()
