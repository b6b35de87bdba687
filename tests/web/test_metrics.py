"""Prometheus metrics at /metrics: request counts and latency by route template (never the raw path),
search latency; readable from this machine (not through a proxy) or with the metrics token only.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.config import get_settings

LOOPBACK = ("127.0.0.1", 50000)
ELSEWHERE = ("203.0.113.7", 50000)


@pytest.fixture
def demo_app(sqlite_demo_engine: Engine) -> FastAPI:
    return create_app(sqlite_demo_engine)


def requests_counted(route: str, status: str) -> float:
    labels = {"method": "GET", "route": route, "status": status}
    return REGISTRY.get_sample_value("onconav_http_requests_total", labels) or 0.0


def test_requests_are_counted_and_timed_by_route_template(demo_app: FastAPI) -> None:
    route = "/api/v1/organizations/{organization_id}"
    before = requests_counted(route, "404")
    searches_before = (
        REGISTRY.get_sample_value("onconav_search_duration_seconds_count", {"kind": "directory"}) or 0
    )
    with TestClient(demo_app, client=LOOPBACK) as client:
        client.get("/api/v1/organizations/987654321")
        client.get("/api/v1/organizations/987654322")
        client.get("/api/v1/search?q=lobectomy&near=Chicago, IL")
        exposition = client.get("/metrics")
    assert requests_counted(route, "404") == before + 2
    searches = REGISTRY.get_sample_value("onconav_search_duration_seconds_count", {"kind": "directory"})
    assert searches == searches_before + 1
    assert exposition.status_code == 200 and exposition.headers["Cache-Control"] == "no-store"
    families = {family.name: family for family in text_string_to_metric_families(exposition.text)}
    routes = {
        sample.labels.get("route") for sample in families["onconav_http_request_duration_seconds"].samples
    }
    assert route in routes and "/api/v1/search" in routes
    assert "987654321" not in exposition.text  # raw paths never become labels


def test_metrics_are_refused_to_other_machines_and_through_a_proxy(demo_app: FastAPI) -> None:
    with TestClient(demo_app, client=ELSEWHERE) as client:
        assert client.get("/metrics").status_code == 403
    with TestClient(demo_app, client=LOOPBACK) as client:
        assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 403


def test_the_metrics_token_opens_metrics_from_anywhere(
    sqlite_demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCONAV_METRICS_TOKEN", "scrape-token-7c1d")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(sqlite_demo_engine), client=ELSEWHERE) as client:
            assert (
                client.get("/metrics", headers={"Authorization": "Bearer scrape-token-7c1d"}).status_code
                == 200
            )
            assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    finally:
        get_settings.cache_clear()
