"""National scale: an NPPES-layout file of 8.8 million rows, imported into SQLite and PostgreSQL, then
1,000 varied searches on each, beside a PostGIS KNN query (`ORDER BY geom <-> point`, GiST index) over
the same search rows in the same run.

Usage:
    python benchmarks/national.py [--rows 8800000] [--searches 1000] [--workdir var/bench-national]
                                  [--backends sqlite,postgresql] [--parallel] [--keep]
Prints: generation and import rows/s, peak RSS of the import process, database size, search median/p95,
the PostGIS KNN median/p95 and the ratios. Asserts nothing about time. PostgreSQL runs in a throwaway
cluster under the work directory; PostGIS needs the Debian package postgresql-15-postgis-3 (installed
with apt-get when missing and the script runs as root).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

RADIUS_KM = 100.0
LIMIT = 20
# Specialty searches (what NPPES gives) and some condition searches (many topics each).
SPECIALTY_QUERIES = (
    "medical oncologist",
    "radiation oncologist",
    "surgical oncologist",
    "thoracic surgeon",
    "gynecologic oncologist",
    "urologist",
    "neurosurgeon",
    "hematologist",
    "palliative care",
    "colorectal surgeon",
    "dermatologist",
    "gastroenterologist",
    "otolaryngologist",
    "interventional radiologist",
    "nuclear medicine",
    "plastic surgeon",
    "endocrinologist",
)
CONDITION_QUERIES = ("lung cancer", "breast cancer", "prostate cancer", "melanoma", "pancreatic cancer")
CONDITION_SHARE = 0.1
SQL_ONLY: dict[str, dict[int, float]] = {}  # backend -> search index -> ms of the scoring query alone


def summary(timings: list[float]) -> tuple[float, float, float]:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (on {os.cpu_count()} cores)"


# Phases ----------------------------------------------------------------------------------------------


def generate(path: Path, rows: int, seed: int) -> None:
    from onconav.directory.fixtures import write_nppes_file

    if path.exists():
        print(f"file: reusing {path} ({path.stat().st_size / 1e9:.2f} GB)")
        return
    start = time.perf_counter()
    partial = path.with_suffix(".partial")
    write_nppes_file(partial, rows, seed=seed)
    partial.rename(path)
    seconds = time.perf_counter() - start
    print(
        f"file: {rows:,} rows, {path.stat().st_size / 1e9:.2f} GB written in {seconds:,.0f} s "
        f"({rows / seconds:,.0f} rows/s); load {load_average()}"
    )


def import_in_child(url: str, path: Path, parallel: bool) -> dict[str, Any]:
    """Run the import in a fresh process, so its peak RSS is the import's alone."""
    command = [sys.executable, __file__, "_import", url, str(path)] + (["--parallel"] if parallel else [])
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def _import_main(url: str, path: Path, parallel: bool) -> None:
    from onconav import migrate
    from onconav.db import create_db_engine
    from onconav.directory.imports import framework, registry

    engine = create_db_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    outcome = framework.run_import(
        engine,
        registry.get_source("nppes"),
        path,
        restart=True,
        parallel=parallel,
        report_path=path.with_suffix(".rejected.csv"),
    )
    seconds = time.perf_counter() - started
    engine.dispose()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows_per_second": outcome.counts["read"] / seconds,
                "counts": outcome.counts,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def workload(count: int, seed: int) -> list[tuple[str, str]]:
    """(query, ZIP) pairs: real ZIP codes, mostly specialty queries, some conditions."""
    from onconav.directory.fixtures import _zip_rows

    rng = random.Random(seed)
    zips = [row[0] for row in _zip_rows()]
    pairs = []
    for _ in range(count):
        queries = CONDITION_QUERIES if rng.random() < CONDITION_SHARE else SPECIALTY_QUERIES
        pairs.append((rng.choice(queries), rng.choice(zips)))
    return pairs


def run_searches(engine: Engine, searches: list[tuple[str, str]]) -> list[float]:
    from onconav.directory import service as directory

    timings = []
    with Session(engine) as session:
        for query, near in searches[:30]:  # warm-up: catalogue, place index, statement cache
            directory.search_providers(session, query=query, near=near, radius_km=RADIUS_KM, limit=LIMIT)
        for query, near in searches:
            start = time.perf_counter()
            directory.search_providers(session, query=query, near=near, radius_km=RADIUS_KM, limit=LIMIT)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def scoring_sql_only(engine: Engine, searches: list[tuple[str, str]]) -> dict[int, float]:
    """onconav's scoring query alone (topic and place resolved beforehand, one pass within the radius, no
    hydration): the part comparable with a PostGIS KNN query. Single-topic searches, by index."""
    from onconav.directory.scoring import SearchFilters, ranked_rows
    from onconav.geo import service as geo
    from onconav.knowledge import service as knowledge

    prepared = []
    for index, (query, near) in enumerate(searches):
        topics = dict(knowledge.interpret_query(query).topics)
        if len(topics) == 1:
            place = geo.resolve_place(near).place
            prepared.append((index, topics, place.lat, place.lon))
    timings: dict[int, float] = {}
    with Session(engine) as session:
        for _, topics, lat, lon in prepared[:30]:
            ranked_rows(
                session,
                topics=topics,
                lat=lat,
                lon=lon,
                radius_km=RADIUS_KM,
                limit=LIMIT,
                filters=SearchFilters(),
            )
        for index, topics, lat, lon in prepared:
            start = time.perf_counter()
            ranked_rows(
                session,
                topics=topics,
                lat=lat,
                lon=lon,
                radius_km=RADIUS_KM,
                limit=LIMIT,
                filters=SearchFilters(),
            )
            timings[index] = (time.perf_counter() - start) * 1000
    return timings


def postgis_knn(
    engine: Engine, searches: list[tuple[str, str]]
) -> tuple[list[float], list[float], list[int], float]:
    """The same (specialty, place) searches in PostGIS over the same search rows: build the table and GiST
    index, then time per search (place resolved beforehand) the KNN query `ORDER BY geom <-> point LIMIT
    20`, and the PostGIS form of onconav's own ranking (GiST bounding box, ST_DistanceSphere within the
    radius, ORDER BY the same score)."""
    from onconav.geo import service as geo
    from onconav.knowledge import service as knowledge

    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        connection.execute(text("DROP TABLE IF EXISTS knn_entry"))
        connection.execute(
            text(
                "CREATE TABLE knn_entry AS SELECT id, topic, entity_kind, entity_id, quality_points, "
                "ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS geom FROM search_entry"
            )
        )
        connection.execute(text("CREATE INDEX knn_entry_geom ON knn_entry USING gist (geom)"))
        connection.execute(text("ANALYZE knn_entry"))
    build_seconds = time.perf_counter() - started
    statement = text(
        "SELECT entity_kind, entity_id FROM knn_entry WHERE topic = :topic "
        "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT :limit"
    )
    ranked = text(
        "SELECT entity_kind, entity_id, :match + quality_points - 30.0 * d / (d + 100.0) AS score FROM ("
        " SELECT entity_kind, entity_id, quality_points,"
        " ST_DistanceSphere(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) / 1000.0 AS d"
        " FROM knn_entry WHERE topic = :topic AND geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326)"
        ") AS candidates WHERE d <= :radius ORDER BY score DESC, entity_kind, entity_id LIMIT :limit"
    )
    prepared = []
    indexes = []
    for index, (query, near) in enumerate(searches):
        topics = list(knowledge.interpret_query(query).topics)
        if len(topics) != 1:
            continue  # conditions span many topics: compared on single-topic searches only
        place = geo.resolve_place(near).place
        box = geo.bounding_box(place.lat, place.lon, RADIUS_KM)
        prepared.append(
            {
                "topic": topics[0],
                "lat": place.lat,
                "lon": place.lon,
                "limit": LIMIT,
                "match": 30.0,
                "radius": RADIUS_KM,
                "south": box.min_lat,
                "north": box.max_lat,
                "west": min(low for low, _ in box.lon_ranges),
                "east": max(high for _, high in box.lon_ranges),
            }
        )
        indexes.append(index)
    knn: list[float] = []
    same_ranking: list[float] = []
    with engine.connect() as connection:
        for params in prepared[:30]:
            connection.execute(statement, params).all()
            connection.execute(ranked, params).all()
        for params in prepared:
            start = time.perf_counter()
            connection.execute(statement, params).all()
            knn.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            connection.execute(ranked, params).all()
            same_ranking.append((time.perf_counter() - start) * 1000)
    return knn, same_ranking, indexes, build_seconds


# PostgreSQL --------------------------------------------------------------------------------------------


def ensure_postgis() -> None:
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not pg_bin:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")
    version = pg_bin[-1].parent.parent.name
    if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
        return
    if os.geteuid() != 0:
        raise SystemExit(f"PostGIS is missing: apt-get install postgresql-{version}-postgis-3")
    print(f"installing postgresql-{version}-postgis-3 ...")
    subprocess.run(
        ["apt-get", "install", "-y", f"postgresql-{version}-postgis-3"], check=True, capture_output=True
    )


@contextmanager
def postgres_cluster(root: Path, reuse: bool = False) -> Iterator[str]:
    """A throwaway PostgreSQL cluster (default settings but a 256 MB buffer cache) under `root`; yields
    the URL of a new database (`reuse`: the cluster and database a kept run left)."""
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))[-1].parent
    data = root / "pgdata"
    run_as: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if not reuse:
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
            shutil.chown(data, "postgres", "postgres")
        subprocess.run(
            [*run_as, str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
            check=True,
            capture_output=True,
            cwd="/",
        )
    port = 56000 + os.getpid() % 3000
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c shared_buffers=256MB -c max_wal_size=4GB"
    subprocess.run(
        [
            *run_as,
            str(pg_bin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(data / "log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
        cwd="/",
    )
    try:
        if not reuse:
            admin = create_engine(
                f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as connection:
                connection.execute(text("CREATE DATABASE national"))
            admin.dispose()
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/national"
    finally:
        subprocess.run(
            [*run_as, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            cwd="/",
        )


def database_size(engine: Engine, sqlite_path: Path | None) -> float:
    """GB on disk."""
    if sqlite_path is not None:
        files = [sqlite_path, Path(f"{sqlite_path}-wal")]
        return sum(f.stat().st_size for f in files if f.exists()) / 1e9
    with engine.connect() as connection:
        return (
            float(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()) / 1e9
        )


# Main ------------------------------------------------------------------------------------------------------


def report_search(label: str, timings: list[float], searches: list[tuple[str, str]]) -> None:
    median, p95, worst = summary(timings)
    print(f"  {label}: {len(timings)} searches, median {median:.2f} ms, p95 {p95:.2f} ms, max {worst:.2f} ms")
    single = [t for t, (q, _) in zip(timings, searches, strict=True) if q in SPECIALTY_QUERIES]
    many = [t for t, (q, _) in zip(timings, searches, strict=True) if q in CONDITION_QUERIES]
    if single and many:
        sm, sp, _ = summary(single)
        cm, cp, _ = summary(many)
        print(f"    specialty searches ({len(single)}): median {sm:.2f} ms, p95 {sp:.2f} ms")
        print(f"    condition searches ({len(many)}): median {cm:.2f} ms, p95 {cp:.2f} ms")
    slowest = sorted(zip(timings, searches, strict=True), key=lambda pair: -pair[0])[:3]
    print("    slowest: " + "; ".join(f"{q} near {n} ({t:.0f} ms)" for t, (q, n) in slowest))


def report_import(outcome: dict[str, Any], parallel: bool) -> None:
    counts = outcome["counts"]
    print(
        f"  import: {counts['read']:,} rows in {outcome['seconds']:,.1f} s = "
        f"{outcome['rows_per_second']:,.0f} rows/s; "
        f"peak RSS {outcome['peak_rss_mb']:,.0f} MB"
        + (f" (+ worker {outcome['worker_peak_rss_mb']:,.0f} MB)" if parallel else "")
        + f"; load after {load_average()}"
    )
    print("  rows: " + ", ".join(f"{key} {value:,}" for key, value in counts.items()))


def backend_run(
    name: str,
    url: str,
    path: Path,
    searches: list[tuple[str, str]],
    parallel: bool,
    sqlite_path: Path | None,
    after: Callable[[Engine, list[float]], None] | None = None,
    reuse: bool = False,
) -> list[float]:
    from onconav.db import create_db_engine

    if reuse:
        print(f"\n{name}: reusing the imported database")
    else:
        print(f"\n{name}: importing (load before: {load_average()})")
        outcome = import_in_child(url, path, parallel)
        report_import(outcome, parallel)
    engine = create_db_engine(url)
    if sqlite_path is None:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    with engine.connect() as connection:
        entries = connection.execute(text("SELECT count(*) FROM search_entry")).scalar_one()
    print(f"  database: {database_size(engine, sqlite_path):.2f} GB, {entries:,} search entries")
    print(f"  load before searching: {load_average()}")
    timings = run_searches(engine, searches)
    report_search("onconav search (end to end)", timings, searches)
    sql_only = scoring_sql_only(engine, searches)
    sm, sp, sw = summary(list(sql_only.values()))
    print(
        f"  onconav scoring SQL only (single-topic searches, one pass within {RADIUS_KM:g} km): "
        f"{len(sql_only)} searches, median {sm:.2f} ms, p95 {sp:.2f} ms, max {sw:.2f} ms"
    )
    SQL_ONLY[name] = sql_only
    if after is not None:
        after(engine, timings)
    engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=8_800_000)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("var/bench-national"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--parallel", action="store_true", help="import with the preparing worker process")
    parser.add_argument("--keep", action="store_true", help="keep the generated file and databases")
    parser.add_argument(
        "--reuse", action="store_true", help="search the databases a --keep run left (no import)"
    )
    args = parser.parse_args()

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average at start: {load_average()}")
    path = workdir / f"npidata_pfile_{args.rows}_{args.seed}.csv"
    generate(path, args.rows, args.seed)
    searches = workload(args.searches, args.seed + 1)
    backends = args.backends.split(",")
    sqlite_timings: list[float] = []
    try:
        if "sqlite" in backends:
            database = workdir / "national.sqlite3"
            if not args.reuse:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{database}{suffix}").unlink(missing_ok=True)
            sqlite_timings = backend_run(
                "SQLite", f"sqlite:///{database}", path, searches, args.parallel, database, reuse=args.reuse
            )
        if "postgresql" in backends:
            ensure_postgis()
            with postgres_cluster(workdir / "pg", reuse=args.reuse) as url:

                def compare(engine: Engine, timings: list[float]) -> None:
                    knn, same_ranking, indexes, build = postgis_knn(engine, searches)
                    same = [timings[i] for i in indexes]
                    km, kp, kw = summary(knn)
                    om, op, _ = summary(same)
                    print(f"  PostGIS KNN table + GiST index built in {build:,.1f} s")
                    print(
                        f"  PostGIS KNN (SQL only, topic filter + ORDER BY geom <-> point LIMIT {LIMIT}): "
                        f"{len(knn)} searches, median {km:.2f} ms, p95 {kp:.2f} ms, max {kw:.2f} ms"
                    )
                    rm, rp, rw = summary(same_ranking)
                    print(
                        "  PostGIS with onconav's ranking (SQL only, GiST bounding box, ST_DistanceSphere "
                        f"within {RADIUS_KM:g} km, ORDER BY score): median {rm:.2f} ms, p95 {rp:.2f} ms, "
                        f"max {rw:.2f} ms"
                    )
                    print(f"  onconav on the same {len(same)} searches: median {om:.2f} ms, p95 {op:.2f} ms")
                    print(f"  ratio onconav/PostGIS: median {om / km:.2f}x, p95 {op / kp:.2f}x")
                    if sqlite_timings:
                        sm, sp, _ = summary([sqlite_timings[i] for i in indexes])
                        print(f"  onconav on SQLite, same searches: median {sm:.2f} ms, p95 {sp:.2f} ms")
                        print(f"  ratio onconav SQLite/PostGIS: median {sm / km:.2f}x, p95 {sp / kp:.2f}x")
                    for backend, sql in SQL_ONLY.items():
                        qm, qp, _ = summary([sql[i] for i in indexes])
                        print(
                            f"  scoring SQL only on {backend}, same searches: median {qm:.2f} ms, "
                            f"p95 {qp:.2f} ms; ratio to PostGIS KNN: median {qm / km:.2f}x, "
                            f"p95 {qp / kp:.2f}x; to PostGIS same ranking: median {qm / rm:.2f}x, "
                            f"p95 {qp / rp:.2f}x"
                        )

                backend_run("PostgreSQL", url, path, searches, args.parallel, None, compare, reuse=args.reuse)
    finally:
        if not args.keep:
            shutil.rmtree(workdir / "pg", ignore_errors=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{workdir / 'national.sqlite3'}{suffix}").unlink(missing_ok=True)
            path.unlink(missing_ok=True)
    print(f"\nload average at end: {load_average()}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_import":
        _import_main(sys.argv[2], Path(sys.argv[3]), "--parallel" in sys.argv[4:])
    else:
        main()
