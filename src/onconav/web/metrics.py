"""Prometheus metrics: requests and their latency by route template (never the raw path), and the latency
of directory searches and trial matches; served at /metrics to loopback clients or the metrics token.

Under several worker processes each writes to the run's multiprocess folder (PROMETHEUS_MULTIPROC_DIR,
prepared by `onconav serve` before the workers start) and /metrics adds them up.
"""

from __future__ import annotations

import hmac
import ipaddress
import shutil
import tempfile
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import Message, Receive, Scope, Send

from onconav.config import Settings, get_settings, set_inherited_variable
from onconav.errors import Forbidden
from onconav.web.asgi import HTTPMiddleware
from onconav.web.route_template import route_template

MULTIPROCESS_ENVIRONMENT_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
REQUESTS = Counter(
    "onconav_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "onconav_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
SEARCH_SECONDS = Histogram(
    "onconav_search_duration_seconds",
    "Time to answer a search: directory searches (API and pages), FHIR searches and trial matches.",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)
# (method, route template) -> kind of search, for SEARCH_SECONDS.
SEARCH_ROUTES = {
    ("GET", "/api/v1/search"): "directory",
    ("GET", "/search"): "directory",
    ("GET", "/{topic_path}/{code}/near/{place_slug}"): "directory",
    ("GET", "/fhir/R4/{resource_type}"): "fhir",
    ("POST", "/api/v1/trials/match"): "trial_match",
    ("GET", "/trials"): "trial_match",
    ("POST", "/trials"): "trial_match",
}
# Headers a reverse proxy adds: a request bearing one came from elsewhere, whatever its socket says.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")

router = APIRouter(include_in_schema=False)


class MetricsMiddleware(HTTPMiddleware):
    """Counts and times every HTTP request by its route template once it is answered."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            elapsed = time.perf_counter() - started
            method, route = scope["method"], route_template(scope)
            REQUESTS.labels(method, route, str(status)).inc()
            REQUEST_SECONDS.labels(method, route).observe(elapsed)
            kind = SEARCH_ROUTES.get((method, route))
            if kind is not None:
                SEARCH_SECONDS.labels(kind).observe(elapsed)


def may_read_metrics(request: Request, settings: Settings) -> bool:
    """Metrics show the traffic's shape: only this machine (not via a proxy) or the token may read them."""
    if settings.metrics_token:
        scheme, _, offered = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(offered.strip(), settings.metrics_token):
            return True
    if any(header in request.headers for header in FORWARDING_HEADERS) or request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """The metrics in Prometheus' text format (of every worker process when there are several)."""
    settings = get_settings()
    if not may_read_metrics(request, settings):
        raise Forbidden("You may not do this.")  # who may is in docs/serving.md
    registry = REGISTRY
    if settings.prometheus_multiproc_dir is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(settings.prometheus_multiproc_dir))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def prepare_multiprocess_directory(settings: Settings) -> Path:
    """An empty private folder for this run's metrics, named in the environment the workers inherit (set
    before they start: prometheus-client reads it when first imported). Remove it with `remove_...`."""
    if settings.metrics_dir is not None:
        folder = settings.metrics_dir
        shutil.rmtree(folder, ignore_errors=True)  # a previous run's counts are not this run's
        folder.mkdir(parents=True, mode=0o700)
    else:
        folder = Path(tempfile.mkdtemp(prefix="onconav-metrics-"))
    set_inherited_variable(MULTIPROCESS_ENVIRONMENT_VARIABLE, str(folder))
    return folder


def remove_multiprocess_directory(folder: Path) -> None:
    """Forget a finished run's metrics folder."""
    set_inherited_variable(MULTIPROCESS_ENVIRONMENT_VARIABLE, None)
    shutil.rmtree(folder, ignore_errors=True)
