"""Import speed of the `sources` importers: a generated CMS volume file of N rows (the exact CMS layout)
and the real CMS and HIFLD hospital files with duplicate linking, into a fresh SQLite database.

Usage:
    python benchmarks/sources.py [--rows 1000000] [--workdir var/bench-sources] [--shared ../shared/data]
Prints rows/s of each import beside a baseline measured in the same run on the same file (a plain
csv.DictReader pass that parses every row and does nothing else), the ratio, and the peak RSS of this process.
Asserts nothing about time.
"""

from __future__ import annotations

import argparse
import csv
import resource
import shutil
import time
from pathlib import Path

from onconav import migrate
from onconav.db import create_db_engine
from onconav.directory.fixtures_cms import write_volume_file
from onconav.directory.imports import framework, registry


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def csv_baseline(path: Path, encoding: str = "utf-8") -> float:
    """Rows per second of reading every row of the file as a dict, nothing else."""
    started = time.perf_counter()
    with path.open(newline="", encoding=encoding) as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    return rows / (time.perf_counter() - started)


def timed_import(url: str, source: str, path: Path, report: Path) -> tuple[framework.ImportSummary, float]:
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    summary = framework.run_import(engine, registry.get_source(source), path, report_path=report)
    seconds = time.perf_counter() - started
    engine.dispose()
    return summary, summary.counts["read"] / seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("var/bench-sources"))
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    url = f"sqlite:///{(args.workdir / 'sources.sqlite3').resolve()}"

    started = time.perf_counter()
    volumes = write_volume_file(args.workdir / "MUP_PHY_R25_P05_V20_D23_Prov_Svc.csv", rows=args.rows, seed=1)
    generated = args.rows / (time.perf_counter() - started)
    print(
        f"cms-volumes file: {args.rows:,} rows, {volumes.stat().st_size / 1e6:,.0f} MB, "
        f"generated at {generated:,.0f} rows/s"
    )
    baseline = csv_baseline(volumes)
    summary, speed = timed_import(url, "cms-volumes", volumes, args.workdir / "volumes-rejected.csv")
    print(
        f"cms-volumes import: {speed:,.0f} rows/s (baseline csv.DictReader {baseline:,.0f} rows/s, "
        f"ratio {speed / baseline:.2f}); {summary.counts['inserted']:,} practitioners added, "
        f"{summary.counts['skipped']:,} rows skipped (codes not counted)"
    )
    again, speed = timed_import(url, "cms-volumes", volumes, args.workdir / "volumes-rejected-2.csv")
    print(f"cms-volumes re-import (all unchanged: {again.counts['unchanged']:,}): {speed:,.0f} rows/s")

    for source, name, encoding in (
        ("cms-hospitals", "cms_hospital_general_information/Hospital_General_Information.csv", "utf-8"),
        ("hifld-hospitals", "hifld_hospitals/Hospitals.csv", "utf-8-sig"),
    ):
        path = args.shared / name
        if not path.exists():
            print(f"{source}: {path} not found, skipped")
            continue
        baseline = csv_baseline(path, encoding)
        summary, speed = timed_import(url, source, path, args.workdir / f"{source}-rejected.csv")
        print(
            f"{source} import with linking: {summary.counts['read']:,} rows at {speed:,.0f} rows/s "
            f"(baseline {baseline:,.0f} rows/s, ratio {speed / baseline:.3f})"
        )
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
