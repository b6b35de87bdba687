"""Where one HTTP request's time goes, in process: the whole application (every middleware, routing, the
dependencies, the route, the response) driven by a bare ASGI loop, beside the trivial `/healthz` of the same
application, then cProfile over each path with the top cumulative costs in milliseconds per request.

Usage:
    ONCONAV_DATA_DIR=var/small python benchmarks/profile_request.py [--repeat 200] [--top 40]
        [--path "/api/v1/search?q=lung+cancer&near=New+York%2C+NY"] ...
The timed loop uses the application's thread pool as the server would; the profiled loop runs the pool's
calls inline on this thread, so that cProfile sees all of them. No HTTP parsing or socket: what is timed is
the application's Python. Prints figures and the profile; asserts nothing about time.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder's http.py would hide the standard library's `http` package from Starlette.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

DEFAULT_PATHS = (
    "/healthz",
    "/api/v1/search?q=lung+cancer&near=New+York%2C+NY",
    "/api/v1/search?q=lobectomy&near=Chicago%2C+IL",
)
App = Callable[..., Any]


def scope_of(path: str) -> dict[str, Any]:
    """The scope uvicorn gives a GET of `path` from wrk (no cookie, no Accept-Language)."""
    parts = urlsplit(path)
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def request(app: App, path: str) -> tuple[int, bytes]:
    """One request through the application: its status and body."""
    status = 0
    body = bytearray()
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # a client that waits for the answer
        sent = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope_of(path), receive, send)
    return status, bytes(body)


async def per_request_ms(app: App, path: str, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        await request(app, path)
    return (time.perf_counter() - start) / repeat * 1000


def top_costs(profiler: cProfile.Profile, repeat: int, top: int) -> list[tuple[float, float, int, str]]:
    """(cumulative ms, own ms, calls, function) per request, highest cumulative first."""
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_primitive, calls, own, cumulative, _callers) in stats.items():
        where = filename
        for marker in ("site-packages/", "src/", "lib/python3"):
            if marker in where:
                where = where.split(marker, 1)[1]
                break
        rows.append(
            (
                cumulative / repeat * 1000,
                own / repeat * 1000,
                round(calls / repeat),
                f"{where}:{line}({name})",
            )
        )
    rows.sort(key=lambda row: -row[0])
    return rows[:top]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--path", action="append", help="A path with its query string (repeatable).")
    parser.add_argument("--own", action="store_true", help="Also list the top functions by own time.")
    args = parser.parse_args()
    paths = args.path or list(DEFAULT_PATHS)

    import anyio.to_thread

    from onconav.app import create_app

    threaded = anyio.to_thread.run_sync
    app = create_app()

    async def inline(function: Any, *arguments: Any, **_options: Any) -> Any:
        return function(*arguments)

    async def run() -> None:
        for path in paths:  # warm-up: place index, catalogue, statement caches, the middleware stack
            for _ in range(5):
                status, _body = await request(app, path)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
        print(f"load average {os.getloadavg()[0]:.2f}, {args.repeat} requests per path")
        print(f"{'ms/request':>10} {'inline':>8}  path")
        figures = {}
        for path in paths:
            anyio.to_thread.run_sync = threaded  # type: ignore[assignment]
            pooled = await per_request_ms(app, path, args.repeat)
            anyio.to_thread.run_sync = inline  # type: ignore[assignment]
            figures[path] = (pooled, await per_request_ms(app, path, args.repeat))
            print(f"{figures[path][0]:10.3f} {figures[path][1]:8.3f}  {path}")
        for path in paths:
            anyio.to_thread.run_sync = inline  # type: ignore[assignment]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                await request(app, path)
            profiler.disable()
            anyio.to_thread.run_sync = threaded  # type: ignore[assignment]
            print(f"\n== {path}: {figures[path][1]:.3f} ms per request inline, without the profiler")
            print(f"{'cum ms':>8} {'own ms':>8} {'calls':>6}  function (per request, under the profiler)")
            for cumulative, own, calls, where in top_costs(profiler, args.repeat, args.top):
                print(f"{cumulative:8.3f} {own:8.3f} {calls:6d}  {where}")
            if args.own:
                print(f"-- by own time ({path})")
                rows = top_costs(profiler, args.repeat, 10_000)
                for cumulative, own, calls, where in sorted(rows, key=lambda row: -row[1])[: args.top]:
                    print(f"{cumulative:8.3f} {own:8.3f} {calls:6d}  {where}")
        print(f"\nload average {os.getloadavg()[0]:.2f}")

    asyncio.run(run())


if __name__ == "__main__":
    main()
