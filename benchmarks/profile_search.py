"""Where a directory search's time goes, in process: cProfile over repeated searches (API answer built, as
the JSON face builds it), with the number of SQL statements per search and the time spent in the driver.

Usage:
    ONCONAV_DATA_DIR=var/bench python benchmarks/profile_search.py [--repeat 50] [--top 30]
        [--query "lung cancer" --near "New York, NY"] [--page /procedures/lobectomy/near/chicago-il]
With --page, profiles that page served by the application in process (Starlette's test client) beside the
API search answering the same question, and prints the time of each.
Prints figures and the profile; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from sqlalchemy import event
from sqlalchemy.orm import Session

from onconav.db import create_db_engine
from onconav.directory import service as directory
from onconav.directory.schemas import SearchResponse

DEFAULT_SEARCHES = [
    ("metastasectomy", "Ukiah, CA"),
    ("lobectomy", "Chicago, IL"),
    ("lung cancer", "New York, NY"),
    ("breast cancer", "New York, NY"),
]


def answer(session: Session, query: str, near: str) -> bytes:
    """One search as the API answers it: the outcome, its response model, its JSON."""
    outcome = directory.search_providers(session, query=query, near=near)
    response = SearchResponse.from_outcome(outcome, query=query, translations=NullTranslations(), locale="en")
    return response.model_dump_json().encode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--query", default=None)
    parser.add_argument("--near", default=None)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--page", default=None, help="A results page path to profile, e.g. /procedures/...")
    parser.add_argument("--api", default="/api/v1/search?q=lobectomy&near=Chicago%2C+IL")
    args = parser.parse_args()
    if args.page:
        # This folder's http.py would hide the standard library's `http` package from Starlette.
        here = str(Path(__file__).resolve().parent)
        sys.path[:] = [entry for entry in sys.path if str(Path(entry or ".").resolve()) != here]
        profile_page(args)
        return
    searches = [(args.query, args.near)] if args.query and args.near else DEFAULT_SEARCHES
    engine = create_db_engine()
    statements: list[float] = []
    started: dict[int, float] = {}

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        started[id(cursor)] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        statements.append(time.perf_counter() - started.pop(id(cursor), time.perf_counter()))

    with Session(engine) as session:
        for query, near in searches:  # warm-up: place index, catalogue, statement caches
            answer(session, query, near)
        for query, near in searches:
            statements.clear()
            start = time.perf_counter()
            for _ in range(args.repeat):
                answer(session, query, near)
            elapsed = (time.perf_counter() - start) / args.repeat * 1000
            per_search = len(statements) / args.repeat
            driver = sum(statements) / args.repeat * 1000
            print(
                f"{query} near {near}: {elapsed:.2f} ms per answer, {per_search:.1f} statements, "
                f"{driver:.2f} ms executing them (driver and database; fetching rows not included)"
            )
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            for query, near in searches:
                answer(session, query, near)
        profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


def profile_page(args: argparse.Namespace) -> None:
    """A page and its API answer through the whole application (middleware, templates), then the page
    profiled. The application runs on this thread (its thread-pool calls made inline) so that cProfile
    sees all of it."""
    import asyncio

    import anyio.to_thread
    import httpx

    from onconav.app import create_app

    async def inline(function: Any, *arguments: Any, **_options: Any) -> Any:
        return function(*arguments)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    app = create_app()

    async def run() -> cProfile.Profile:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for path in (args.page, args.api):
                for _ in range(3):  # warm-up
                    answer = await client.get(path)
                    assert answer.status_code == 200, (path, answer.status_code)
            for path in (args.api, args.page):
                start = time.perf_counter()
                for _ in range(args.repeat):
                    await client.get(path)
                elapsed = (time.perf_counter() - start) / args.repeat * 1000
                print(f"{path}: {elapsed:.2f} ms per request")
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                await client.get(args.page)
            profiler.disable()
            return profiler

    pstats.Stats(asyncio.run(run())).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
