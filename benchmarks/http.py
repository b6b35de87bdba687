"""Search throughput over HTTP: `onconav serve` on the large demo driven by wrk, each search URL beside the
trivial `/healthz` of the same server in the same run (req/s, p50, p99, and the ratios the targets name).

Two traffic shapes, both printed:
- repeated URL: wrk asks one URL again and again. After the first answer the server's answer cache
  (onconav.web.answer_cache) serves it, so this measures the cache (and what every answer costs around it).
- distinct queries: a wrk Lua script gives every request a question of its own, (term, place) pairs of the
  catalogue's procedures and conditions and the demo's cities, no two alike within a run, so (nearly) every
  one is computed: this measures the compute path. The answer cache's hit rate of each run is printed too.

Usage:
    ONCONAV_DATA_DIR=var/bench onconav demo load --size large     # once, about 3 minutes
    python benchmarks/http.py [--data-dir var/bench] [--database-url URL] [--workers 1,2] [--duration 8]
Needs `wrk` on the PATH. With `--workers` unset, measures 1 and 2 workers when `onconav serve` has the
option, else one process. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where this module's name hides the
# standard library's `http` package that urllib needs.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

HEALTHZ = "/healthz"
API_SEARCHES = {
    "metastasectomy near Ukiah, CA": {"q": "metastasectomy", "near": "Ukiah, CA"},
    "lobectomy near Chicago, IL": {"q": "lobectomy", "near": "Chicago, IL"},
    "lung cancer near New York, NY": {"q": "lung cancer", "near": "New York, NY"},
    "breast cancer near New York, NY": {"q": "breast cancer", "near": "New York, NY"},
}
# Each page and the API search answering the same question (its throughput is compared with that one's).
PAGES = {
    "/procedures/lobectomy/near/chicago-il": "lobectomy near Chicago, IL",
    "/conditions/lung-cancer/near/new-york-city-ny": "lung cancer near New York, NY",
}
START_TIMEOUT_S = 300.0  # a first start may migrate the database
DISTINCT_API = "distinct API searches"
DISTINCT_PAGES = "distinct results pages"
DISTINCT_LIMIT = 12_000  # questions per shape; more than a run of the compute path asks
# Each wrk thread walks its own share of the paths (thread k: k, k + threads, ...): no URL is asked twice.
LUA_TEMPLATE = """
local paths = {
%s
}
local created = 0
function setup(thread)
  thread:set("first", created)
  created = created + 1
end
function init(args)
  position = first
end
function request()
  local path = paths[(position %% #paths) + 1]
  position = position + %d
  return wrk.format("GET", path)
end
"""


@dataclass(frozen=True)
class WrkRun:
    """What one wrk run measured."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors and non-2xx/3xx answers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_supports_workers(onconav: str) -> bool:
    """Whether this onconav's `serve` takes --workers (issue 17 adds it)."""
    help_text = subprocess.run(
        [onconav, "serve", "--help"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}
    ).stdout
    return "--workers" in help_text


def start_server(
    onconav: str, port: int, workers: int | None, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    command = [onconav, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers is not None:
        command += ["--workers", str(workers)]
    with log.open("wb") as output:
        server = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"onconav serve exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{HEALTHZ}", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"onconav serve did not answer {HEALTHZ} within {START_TIMEOUT_S:.0f} s; see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Interrupt the server's process group (uvicorn and any workers) and wait for it."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def warm(url: str, times: int = 5) -> None:
    """A few requests first: the statement cache, the place index and the page templates get built."""
    for _ in range(times):
        with urllib.request.urlopen(url, timeout=60) as answer:
            answer.read()
            if answer.status != 200:
                raise SystemExit(f"{url} answered {answer.status}")


_DURATION = re.compile(r"([\d.]+)(us|ms|s|m)\b")
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkRun:
    """Requests/s, the 50th and 99th latency percentiles and the errors of wrk --latency output."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    non_ok = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_ok:
        errors += int(non_ok.group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(part) for part in socket_errors.groups())
    return WrkRun(rate, p50, p99, errors)


def run_wrk(
    url: str, *, threads: int, connections: int, duration_s: int, script: Path | None = None
) -> WrkRun:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    return parse_wrk(subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout)


def distinct_catalogue() -> tuple[list[tuple[str, str, str]], list[Any]]:
    """The procedures and conditions (path prefix, code, name) and the demo's cities."""
    from onconav.directory.demo import demo_cities
    from onconav.knowledge import service as knowledge

    terms = [("procedures", s.code, s.name) for s in knowledge.list_services()]
    terms += [("conditions", c.code, c.name) for c in knowledge.list_conditions()]
    return terms, demo_cities("small")  # the large demo's cities include these


def term_warm_ups(workers: int) -> list[str]:
    """Two searches per term and worker, at coordinates (never a city of the distinct shape): what a server
    builds once per term (a condition's candidates) is built before the distinct runs, not in the first."""
    terms, _cities = distinct_catalogue()
    spots = [f"{40 + worker * 0.1:.1f},-74.0" for worker in range(2 * workers)]
    return [f"/api/v1/search?{urlencode({'q': term[2], 'near': spot})}" for term in terms for spot in spots]


def distinct_questions() -> dict[str, list[str]]:
    """The paths of the distinct shape: (procedure or condition, demo city) pairs, each once, shuffled, as API
    searches ("lobectomy" near "Chicago, IL") and as results pages (/procedures/lobectomy/near/chicago-il)."""
    terms, cities = distinct_catalogue()
    pairs = [(term, city) for term in terms for city in cities]
    random.Random(17).shuffle(pairs)
    pairs = pairs[:DISTINCT_LIMIT]
    api, pages = [], []
    for (topic, code, name), city in pairs:
        near = (
            f"{city.city}, {city.region_code}"
            if city.country_code == "US"
            else f"{city.city}, {city.country}"
        )
        api.append(f"/api/v1/search?{urlencode({'q': name, 'near': near})}")
        pages.append(f"/{topic}/{code}/near/{city.slug}")
    return {DISTINCT_API: api, DISTINCT_PAGES: pages}


def lua_script(paths: list[str], threads: int, folder: Path) -> Path:
    """A wrk script asking each of `paths` once (across its threads), in order."""
    script = folder / f"distinct-{len(list(folder.iterdir()))}.lua"
    script.write_text(LUA_TEMPLATE % (",\n".join(f'"{path}"' for path in paths), threads))
    return script


_LOOKUP = re.compile(r"^onconav_answer_cache_lookups_total\{(.*)\}\s+([\d.e+]+)$", re.M)


def cache_lookups(base: str) -> tuple[float, float]:
    """The answer cache's hits and misses so far (every worker), from /metrics (we are on loopback)."""
    with urllib.request.urlopen(base + "/metrics", timeout=30) as answer:
        text = answer.read().decode()
    hits = misses = 0.0
    for labels, value in _LOOKUP.findall(text):
        if 'result="hit"' in labels:
            hits += float(value)
        elif 'result="miss"' in labels:
            misses += float(value)
    return hits, misses


@dataclass(frozen=True)
class Measured:
    """A wrk run and the share of its answers the answer cache gave (None: /healthz, not cached)."""

    run: WrkRun
    hit_rate: float | None


def measure(base: str, args: argparse.Namespace, workers: int) -> dict[str, Measured]:
    """Every endpoint once, /healthz first, then the distinct shapes, in one run of the server."""
    targets = {"/healthz (baseline)": HEALTHZ}
    targets |= {label: f"/api/v1/search?{urlencode(params)}" for label, params in API_SEARCHES.items()}
    targets |= {f"page {path}": path for path in PAGES}
    for path in targets.values():
        warm(base + path)
    shape = {"threads": args.threads, "connections": args.connections, "duration_s": args.duration}
    results = {}
    with tempfile.TemporaryDirectory(prefix="onconav-http-bench-") as folder:
        scripts = {
            label: lua_script(paths, args.threads, Path(folder))
            for label, paths in distinct_questions().items()
        }
        runs: list[tuple[str, str, Path | None]] = [
            (label, base + path, None) for label, path in targets.items()
        ]
        runs += [(label, base + "/", script) for label, script in scripts.items()]
        for label, url, script in runs:
            if script is not None and label == DISTINCT_API:
                for path in term_warm_ups(workers):
                    warm(base + path, times=1)
            before = cache_lookups(base)
            run = run_wrk(url, script=script, **shape)
            hits, misses = (now - then for now, then in zip(cache_lookups(base), before, strict=True))
            rate = hits / (hits + misses) if label != "/healthz (baseline)" and hits + misses else None
            results[label] = Measured(run, rate)
            print(f"  {label}: {run.requests_per_s:,.0f} req/s", flush=True)
    return results


def report(measured: dict[str, Measured], workers: int | None) -> None:
    results = {label: entry.run for label, entry in measured.items()}
    trivial = results["/healthz (baseline)"].requests_per_s
    print(f"\nworkers: {workers or 1}   (wrk -t{ARGS.threads} -c{ARGS.connections} -d{ARGS.duration}s)")
    print("| shape | endpoint | req/s | p50 ms | p99 ms | errors | cache hits | ÷ /healthz | ÷ its API |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, entry in measured.items():
        run = entry.run
        versus_api = ""
        if label.startswith("page "):
            api = results[PAGES[label.removeprefix("page ")]]
            versus_api = f"{run.requests_per_s / api.requests_per_s:.0%}"
        elif label == DISTINCT_PAGES:
            versus_api = f"{run.requests_per_s / results[DISTINCT_API].requests_per_s:.0%}"
        shape = "distinct" if label in (DISTINCT_API, DISTINCT_PAGES) else "repeated"
        hits = "" if entry.hit_rate is None else f"{entry.hit_rate:.0%}"
        print(
            f"| {shape} | {label} | {run.requests_per_s:,.0f} | {run.p50_ms:.1f} | {run.p99_ms:.1f} | "
            f"{run.errors} | {hits} | {run.requests_per_s / trivial:.1%} | {versus_api} |"
        )
    searches = [results[label] for label in API_SEARCHES]
    worst = min(run.requests_per_s for run in searches) / trivial
    conditions = [results[label].p99_ms for label in API_SEARCHES if "cancer" in label]
    print("Repeated URL (measures the answer cache):")
    print(f"  API search throughput ÷ /healthz, worst: {worst:.1%} (target >= 20%, moonshot 35%)")
    for page, api in PAGES.items():
        ratio = results[f"page {page}"].requests_per_s / results[api].requests_per_s
        print(f"  page {page} ÷ its API: {ratio:.0%} (target >= 80%)")
    print(f"  condition searches p99: {', '.join(f'{p:.0f} ms' for p in conditions)} (target <= 150 ms)")
    api, pages = results[DISTINCT_API], results[DISTINCT_PAGES]
    print("Distinct queries (measures the compute path):")
    print(f"  API search throughput ÷ /healthz: {api.requests_per_s / trivial:.1%} (target >= 20%)")
    print(f"  results pages ÷ API searches: {pages.requests_per_s / api.requests_per_s:.0%} (target >= 80%)")
    print(f"  p99: API {api.p99_ms:.0f} ms, pages {pages.p99_ms:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default="var/bench", help="ONCONAV_DATA_DIR of the large demo.")
    parser.add_argument("--database-url", default=None, help="ONCONAV_DATABASE_URL (e.g. PostgreSQL).")
    parser.add_argument("--workers", default=None, help="Comma-separated worker counts, e.g. 1,2.")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=8, help="Seconds per URL.")
    args = parser.parse_args()
    global ARGS
    ARGS = args
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not on the PATH.")
    onconav = str(Path(sys.executable).with_name("onconav"))
    env = {**os.environ, "ONCONAV_DATA_DIR": str(Path(args.data_dir).resolve())}
    if args.database_url:
        env["ONCONAV_DATABASE_URL"] = args.database_url
    has_workers = serve_supports_workers(onconav)
    if args.workers:
        counts: list[int | None] = [int(count) for count in args.workers.split(",")]
        if not has_workers:
            raise SystemExit("This onconav serve has no --workers option.")
    else:
        counts = [1, 2] if has_workers else [None]
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {backend}"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for workers in counts:
        port = free_port()
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
        log = Path(args.data_dir).resolve() / f"http-bench-serve-{port}.log"
        server = start_server(onconav, port, workers, env, log)
        try:
            results = measure(f"http://127.0.0.1:{port}", args, workers or 1)
        finally:
            stop_server(server)
        report(results, workers)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


ARGS: argparse.Namespace


if __name__ == "__main__":
    main()
