"""Trial matching at scale: generate 500,000 trials shaped like the real ClinicalTrials.gov samples (their
criteria, sponsors, sites and ages, with conditions, titles, statuses and places varied), load them, then
match 200 varied patients. Prints median and p95 per patient and peak memory, beside a baseline that
scores every trial sharing a word with the patient (every posting read, exact BM25) in the same run.

Usage:
    python benchmarks/trials.py [--trials 500000] [--patients 200] [--baseline-patients 50]
                                [--database-url URL] [--reuse]
Default database: var/bench-trials/trials.sqlite3. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from onconav import migrate
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.geo import service as geo
from onconav.geo.schemas import Place
from onconav.knowledge import service as knowledge
from onconav.trials import matching, profile, store
from onconav.trials.models import Trial, TrialSite, TrialTerm
from onconav.trials.records import SiteRecord, TrialRecord
from onconav.trials.schemas import PatientProfile
from onconav.trials.sources import iter_source

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "clinicaltrials_gov_samples"
COUNTRIES = ["US", "CA", "GB", "FR", "DE", "ES", "IT", "NL", "BE", "CN", "JP", "KR", "AU", "BR", "MX", "IN"]
# About 14% of ClinicalTrials.gov is recruiting (67,000 of 490,000); about a third is about cancer.
STATUSES = [("RECRUITING", 14), ("NOT_YET_RECRUITING", 3), ("ACTIVE_NOT_RECRUITING", 8), ("COMPLETED", 55)]
STATUSES += [("TERMINATED", 8), ("UNKNOWN", 10), ("WITHDRAWN", 2)]
ONCOLOGY_SHARE = 0.35
BATCH = 5_000
LIMIT = 10
POOL = 20  # the trials whose criteria are judged


def real_records() -> list[TrialRecord]:
    """The real samples, the shapes every generated trial copies."""
    return [item.record for item in iter_source(SAMPLES) if item.record is not None]


def condition_names() -> list[str]:
    """Cancer names as registries write them: the catalogue's names and synonyms."""
    names = []
    for condition in knowledge.list_conditions():
        names.append(condition.name)
        names.extend(s for s in condition.synonyms if len(s) > 6)
    return names


def generate(
    count: int, seed: int, cities: list[Place]
) -> Iterator[tuple[TrialRecord, list[dict[str, Any]]]]:
    """`count` records varied from the real ones, each with its criteria already split."""
    rng = random.Random(seed)
    bases = real_records()
    criteria = {b.nct_id: store.trial_row(b)["criteria"] for b in bases}
    cancers = condition_names()
    statuses, weights = zip(*STATUSES, strict=True)
    stages = ["", "Stage IV ", "Metastatic ", "Advanced ", "Recurrent ", "Stage III "]
    arms = ["Pembrolizumab", "Nivolumab", "Olaparib", "Radiotherapy", "Surgery", "Chemotherapy", "Vaccine"]
    for number in range(count):
        base = bases[number % len(bases)]
        if rng.random() < ONCOLOGY_SHARE:
            cancer = rng.choice(cancers)
            conditions = [f"{rng.choice(stages)}{cancer}".strip()]
            if rng.random() < 0.3:
                conditions.append(rng.choice(cancers))
            title = f"{rng.choice(arms)} for {conditions[0]}"
            mesh = [cancer.title()]
        else:
            conditions, title, mesh = list(base.conditions), base.brief_title, list(base.mesh_terms)
        site_count = rng.choice([1, 1, 1, 2, 3, 5, 10, 25])
        sites = [
            dataclasses.replace(
                base.sites[i % len(base.sites)] if base.sites else SiteRecord(),
                city=c.city,
                state=c.region,
                country=c.country,
                lat=c.lat,
                lon=c.lon,
                status="RECRUITING",
            )
            for i, c in enumerate(rng.sample(cities, site_count))
        ]
        record = dataclasses.replace(
            base,
            nct_id=f"NCT{10_000_000 + number:08d}",
            brief_title=title,
            official_title=None,
            conditions=conditions,
            mesh_terms=mesh,
            status=rng.choices(statuses, weights)[0],
            min_age_years=rng.choice([18.0, 18.0, 18.0, 21.0, 12.0, None]),
            max_age_years=rng.choice([None, None, None, 75.0, 65.0, 85.0]),
            sex=rng.choices(["ALL", "FEMALE", "MALE"], [90, 7, 3])[0],
            sites=sites,
        )
        yield record, criteria[base.nct_id]


def load(engine: Engine, count: int, seed: int) -> float:
    """Write `count` generated trials with their sites and index terms; returns seconds."""
    started = time.perf_counter()
    cities = geo.list_cities(country_codes=COUNTRIES, min_population=100_000)
    with engine.begin() as connection:
        buffers: dict[str, list[dict[str, Any]]] = {"trial": [], "site": [], "term": []}
        for number, (record, criteria) in enumerate(generate(count, seed, cities), 1):
            row = {name: getattr(record, name) for name in store._TRIAL_FIELDS}
            row.update(id=number, nct_id=record.nct_id, criteria=criteria, source_hash="bench")
            row.update(summary=None, criteria_text=None)  # the split criteria are what matching reads
            buffers["trial"].append(row)
            buffers["site"].extend(store.site_rows(record, number, None))
            buffers["term"].extend(store.term_rows(record, number))
            if number % BATCH == 0:
                _flush(connection, buffers)
                print(f"  {number:,} trials written ({time.perf_counter() - started:,.0f} s)", flush=True)
        _flush(connection, buffers)
    with unit_of_work(make_session_factory(engine)) as session:
        store.refresh_term_stats(session)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _flush(connection: Connection, buffers: dict[str, list[dict[str, Any]]]) -> None:
    for name, table in (("trial", Trial), ("site", TrialSite), ("term", TrialTerm)):
        if buffers[name]:
            connection.execute(insert(table), buffers[name])
            buffers[name] = []


def patients(count: int, seed: int) -> list[tuple[PatientProfile, str]]:
    """Varied patients: every catalogue cancer, ages, sexes, stages, places; half as notes."""
    rng = random.Random(seed)
    conditions = knowledge.list_conditions()
    places = ["Boston, MA", "Houston, TX", "Paris, France", "Madrid, Spain", "Toronto, Canada", "10065"]
    places += ["Seattle, WA", "Chicago, IL", "Berlin, Germany", "Tokyo, Japan", "Sao Paulo, Brazil"]
    result = []
    for number in range(count):
        condition = conditions[number % len(conditions)]
        age, sex = rng.randint(25, 85), rng.choice(["female", "male"])
        stage = rng.choice(["I", "II", "III", "IV"])
        if number % 2:
            note = (
                f"{age}-year-old {'woman' if sex == 'female' else 'man'} with stage {stage} "
                f"{condition.name.lower()}, ECOG {rng.randint(0, 2)}. Prior chemotherapy."
            )
            patient = PatientProfile(note=note, max_travel_km=rng.choice([None, 500.0, 2000.0]))
        else:
            patient = PatientProfile(condition=condition.name, stage=stage, age=age, sex=sex)  # type: ignore[arg-type]
        result.append((patient, rng.choice(places)))
    return result


def run(
    engine: Engine, work: list[tuple[PatientProfile, str]], per_term: int | None
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per patient: place, understanding, retrieval and screening, verdicts
    for every criterion of the best 20 candidates, nearest sites, ranking."""
    wall, cpu = [], []
    factory = make_session_factory(engine)
    for patient, near in work:
        with unit_of_work(factory) as session:
            started, started_cpu = time.perf_counter(), time.process_time()
            place = geo.resolve_place(near).place
            understood = profile.understand(patient)
            matching.match_trials(
                session,
                understood,
                place=place,
                max_travel_km=patient.max_travel_km,
                limit=LIMIT,
                per_term=per_term,
            )
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def retrieval_quality(engine: Engine, work: list[tuple[PatientProfile, str]]) -> list[float]:
    """For each patient, the exact BM25 score of the indexed path's best POOL trials over that of the exact
    best POOL (1.0: as relevant as scoring every trial)."""
    ratios = []
    with unit_of_work(make_session_factory(engine)) as session:
        for patient, _near in work:
            understood = profile.understand(patient)
            exact, _terms = matching.retrieve(session, understood, per_term=None)
            fast, _terms = matching.retrieve(session, understood)
            best = sorted(exact.values(), reverse=True)[:POOL]
            chosen = sorted(fast, key=lambda t: (-fast[t], -t))[:POOL]
            ratios.append(sum(exact[t] for t in chosen) / sum(best) if best else 1.0)
    return ratios


def peak_memory_mb(engine: Engine, work: list[tuple[PatientProfile, str]], per_term: int | None) -> float:
    """The largest Python allocation peak while matching one patient (tracemalloc), in MB."""
    peaks = []
    for item in work:
        tracemalloc.start()
        run(engine, [item], per_term)
        peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        tracemalloc.stop()
    return max(peaks)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=500_000)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--baseline-patients", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true", help="Keep an existing database of the right size.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        folder = Path("var/bench-trials")
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{(folder / 'trials.sqlite3').resolve()}"
    engine = create_db_engine(url)
    with engine.connect() as connection:
        existing = 0
        if engine.dialect.has_table(connection, "trial"):
            existing = connection.execute(select(func.count()).select_from(Trial)).scalar() or 0
    if args.load_only:
        if existing:
            migrate.downgrade(engine, "base")
        migrate.upgrade(engine)
        print(f"Generating and loading {args.trials:,} trials into {engine.url.render_as_string()} ...")
        print(f"Loaded in {load(engine, args.trials, args.seed):,.0f} s")
        return
    if not (args.reuse and existing == args.trials):
        # Loading runs in its own process, so the memory figures below are those of matching alone.
        command = [
            sys.executable,
            __file__,
            "--load-only",
            "--trials",
            str(args.trials),
            "--seed",
            str(args.seed),
        ]
        subprocess.run([*command, "--database-url", url], check=True)
    with engine.connect() as connection:
        terms = connection.execute(select(func.count()).select_from(TrialTerm)).scalar() or 0
        open_trials = connection.execute(
            select(func.count()).select_from(Trial).where(Trial.status == "RECRUITING")
        ).scalar()
    print(
        f"{args.trials:,} trials ({open_trials:,} recruiting), {terms:,} index postings; "
        f"Python {platform.python_version()}"
    )
    if engine.dialect.name == "sqlite" and engine.url.database:
        # A running server has its database in memory; read the file once so that the first patients do
        # not pay for the disk.
        with open(engine.url.database, "rb") as handle:
            while handle.read(1 << 24):
                pass
    work = patients(args.patients, args.seed)
    run(engine, work[:5], matching.POSTINGS_PER_TERM)  # warm caches (understanding, geo, database pages)
    # As a server would after start-up: the ~0.5 M objects of the reference data (geonames, ZIP codes,
    # ICD-10, the knowledge tables) leave the garbage collector's view; otherwise a full collection costs
    # ~280 ms of CPU about once every 20 patients.
    gc.collect()
    gc.freeze()
    fast, fast_cpu = run(engine, work, matching.POSTINGS_PER_TERM)
    baseline_work = work[: args.baseline_patients]
    slow, slow_cpu = run(engine, baseline_work, None)
    quality = retrieval_quality(engine, baseline_work)
    fast_same = fast[: len(slow)]
    print(
        f"\nIndexed retrieval, {len(fast)} patients: median {statistics.median(fast):.1f} ms, "
        f"p95 {p95(fast):.1f} ms, max {max(fast):.1f} ms "
        f"(CPU time: median {statistics.median(fast_cpu):.1f} ms, p95 {p95(fast_cpu):.1f} ms)"
    )
    print(
        f"Baseline (every term, every posting: exact), {len(slow)} patients: median "
        f"{statistics.median(slow):.1f} ms, p95 {p95(slow):.1f} ms "
        f"(CPU time: median {statistics.median(slow_cpu):.1f} ms, p95 {p95(slow_cpu):.1f} ms)"
    )
    print(
        f"Same {len(slow)} patients: indexed median {statistics.median(fast_same):.1f} ms, p95 "
        f"{p95(fast_same):.1f} ms -> {statistics.median(slow) / statistics.median(fast_same):.1f}x / "
        f"{p95(slow) / p95(fast_same):.1f}x faster than the baseline"
    )
    print(
        f"Relevance kept by the indexed retrieval: {100 * statistics.mean(quality):.1f}% of the exact top "
        f"{POOL}'s BM25 score on average, worst patient {100 * min(quality):.1f}% "
        f"(the exact top {POOL} found for {sum(q >= 0.9999 for q in quality)} of {len(quality)} patients; "
        "equal scores make the rest a choice among ties)"
    )
    sample = work[:10]
    print(
        f"Peak Python memory per patient (tracemalloc, 10 patients): indexed "
        f"{peak_memory_mb(engine, sample, matching.POSTINGS_PER_TERM):.1f} MB, "
        f"baseline {peak_memory_mb(engine, sample, None):.1f} MB"
    )
    print(
        "Peak resident memory of this process: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
