"""What a results page costs beyond the API search answering the same question, in process: the whole
application (every middleware, the templates) served through httpx's ASGI transport, page and API
alternated, then each profiled with cProfile and the functions whose cumulative time the page adds listed.

Usage:
    ONCONAV_DATA_DIR=var/small onconav demo load --size small     # once
    ONCONAV_DATA_DIR=var/small python benchmarks/profile_page.py [--repeat 20] [--rounds 15] [--top 25]
        [--pair procedures|conditions|form|all]
The pairs: `/procedures/lobectomy/near/chicago-il` beside `/api/v1/search?q=lobectomy&near=Chicago, IL`;
`/conditions/lung-cancer/near/new-york-city-ny` beside the lung cancer search near New York; the search
form's results `/search?q=lobectomy&near=Chicago, IL` as htmx asks for them (`HX-Request: true`; without
it the form redirects to the readable URL) beside the lobectomy search.
Prints ms per request for each (median and least of the rounds) and the page's cost ÷ the API's;
asserts nothing about time.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder's http.py would hide the standard library's `http` package from Starlette and httpx.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402


@dataclass(frozen=True)
class Pair:
    """A page and the API search that answers the same question."""

    page: str
    api: str
    page_headers: dict[str, str] = field(default_factory=dict)


def _api(query: str, near: str) -> str:
    return "/api/v1/search?" + urlencode({"q": query, "near": near})


PAIRS = {
    "procedures": Pair("/procedures/lobectomy/near/chicago-il", _api("lobectomy", "Chicago, IL")),
    "conditions": Pair("/conditions/lung-cancer/near/new-york-city-ny", _api("lung cancer", "New York, NY")),
    "form": Pair(
        "/search?" + urlencode({"q": "lobectomy", "near": "Chicago, IL"}),
        _api("lobectomy", "Chicago, IL"),
        {"HX-Request": "true"},
    ),
}

Key = tuple[str, int, str]


def _inline_thread_pool() -> None:
    """Run the application's thread-pool calls on this thread, so that cProfile sees all of them."""
    import anyio.to_thread

    async def inline(function: Any, *arguments: Any, **_options: Any) -> Any:
        return function(*arguments)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]


async def _get(client: Any, path: str, headers: dict[str, str]) -> None:
    answer = await client.get(path, headers=headers)
    if answer.status_code != 200:
        raise SystemExit(f"{path} answered {answer.status_code}")


async def _time(client: Any, path: str, headers: dict[str, str], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        await _get(client, path, headers)
    return (time.perf_counter() - start) / repeat * 1000


async def _profile(client: Any, path: str, headers: dict[str, str], repeat: int) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        await _get(client, path, headers)
    profiler.disable()
    return pstats.Stats(profiler)


def _cumulative(stats: pstats.Stats) -> dict[Key, tuple[int, float]]:
    """Calls and cumulative seconds of each function."""
    table: dict[Key, tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    return {key: (int(value[1]), float(value[3])) for key, value in table.items()}


def _name(key: Key) -> str:
    filename, line, function = key
    if filename == "~":
        return function
    parts = Path(filename).parts
    short = "/".join(parts[parts.index("site-packages") + 1 :] if "site-packages" in parts else parts[-3:])
    return f"{short}:{line}({function})"


def print_added(page: pstats.Stats, api: pstats.Stats, repeat: int, top: int) -> None:
    """What the page spends beyond the API, per request: the functions the page calls more often than the
    API (their cumulative time, page minus API), then the self time of every function, page minus API."""
    in_page, in_api = _cumulative(page), _cumulative(api)
    own_page: dict[Key, float] = {k: float(v[2]) for k, v in page.stats.items()}  # type: ignore[attr-defined]
    own_api: dict[Key, float] = {k: float(v[2]) for k, v in api.stats.items()}  # type: ignore[attr-defined]
    added = []
    for key, (calls, seconds) in in_page.items():
        api_calls, api_seconds = in_api.get(key, (0, 0.0))
        if calls > api_calls:
            added.append(((seconds - api_seconds) / repeat * 1000, (calls - api_calls) / repeat, key))
    added.sort(reverse=True)
    print(f"  {'ms/req':>8} {'calls/req':>9}  cumulative time of what the page calls more than the API")
    for extra_ms, extra_calls, key in added[:top]:
        print(f"  {extra_ms:8.3f} {extra_calls:9.1f}  {_name(key)}")
    own = sorted(
        ((seconds - own_api.get(key, 0.0)) / repeat * 1000, key) for key, seconds in own_page.items()
    )
    print(f"  {'ms/req':>8}  self time, page minus API")
    for extra_ms, key in reversed(own[-top:]):
        print(f"  {extra_ms:8.3f}  {_name(key)}")


async def run(pairs: list[Pair], args: argparse.Namespace) -> None:
    import httpx

    from onconav.app import create_app

    _inline_thread_pool()
    app = create_app(warm_up=True)
    transport = httpx.ASGITransport(app=app)
    # The lifespan, as `onconav serve` runs it (warm_up=True): reference data built, then frozen out of the
    # cycle collector.
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
    ):
        for pair in pairs:
            for _ in range(5):  # warm-up: place index, catalogue, statements, templates
                await _get(client, pair.page, pair.page_headers)
                await _get(client, pair.api, {})
        for pair in pairs:
            pages, apis = [], []
            for _ in range(args.rounds):  # alternated, so that a change of load weighs on both
                apis.append(await _time(client, pair.api, {}, args.repeat))
                pages.append(await _time(client, pair.page, pair.page_headers, args.repeat))
            page_ms, api_ms = statistics.median(pages), statistics.median(apis)
            print(f"\npage {pair.page}" + (f" {pair.page_headers}" if pair.page_headers else ""))
            print(f"  API {pair.api}")
            for label, times in (("page", pages), ("API", apis)):
                listed = ", ".join(f"{t:.2f}" for t in times)
                middle, least = statistics.median(times), min(times)
                print(f"  {label}: median {middle:.2f} ms per request, least {least:.2f} ({listed})")
            print(
                f"  page ÷ API time, median: {page_ms / api_ms:.2f} (the page's throughput "
                f"{api_ms / page_ms:.0%} of the API's; target >= 80%); least: {min(pages) / min(apis):.2f} "
                f"({min(apis) / min(pages):.0%})"
            )
            if args.top:
                page_stats = await _profile(client, pair.page, pair.page_headers, args.repeat)
                api_stats = await _profile(client, pair.api, {}, args.repeat)
                print_added(page_stats, api_stats, args.repeat, args.top)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20, help="Requests per timing and per profile.")
    parser.add_argument("--rounds", type=int, default=15, help="Alternated timings of page and API.")
    parser.add_argument("--top", type=int, default=25, help="Functions listed (0: no profile).")
    parser.add_argument("--pair", choices=[*PAIRS, "all"], default="all")
    args = parser.parse_args()
    pairs = list(PAIRS.values()) if args.pair == "all" else [PAIRS[args.pair]]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    asyncio.run(run(pairs, args))
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
