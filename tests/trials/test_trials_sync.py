"""Live sync through the ClinicalTrials.gov API v2, replayed: pages built from the real API v2 records,
served by an httpx mock transport (never the network), with paging, rate limiting and retries.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from onconav.db import make_session_factory, unit_of_work
from onconav.errors import InvalidInput
from onconav.trials import service
from onconav.trials.sync import StudiesClient, SyncFailed, check_status


class Replay:
    """Serves recorded API v2 studies three per page, linked by pageToken; can fail first."""

    def __init__(self, studies: list[dict[str, object]], failures: list[int] | None = None) -> None:
        self.pages = [studies[i : i + 3] for i in range(0, len(studies), 3)]
        self.failures = list(failures or [])
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.failures:
            return httpx.Response(self.failures.pop(0), headers={"Retry-After": "3"}, text="slow down")
        token = request.url.params.get("pageToken")
        index = int(token.removeprefix("page-")) if token else 0
        body: dict[str, object] = {"studies": self.pages[index]}
        if index + 1 < len(self.pages):
            body["nextPageToken"] = f"page-{index + 1}"
        return httpx.Response(200, json=body)


class FakeTime:
    """A clock that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def recorded(samples: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted((samples / "api_v2_json").glob("*.json"))]


def _client(replay: Replay, time: FakeTime) -> StudiesClient:
    return StudiesClient(transport=httpx.MockTransport(replay), sleep=time.sleep, clock=time.clock)


def test_pages_are_followed_politely(recorded: list[dict[str, object]]) -> None:
    replay, time = Replay(recorded), FakeTime()
    client = _client(replay, time)
    items = list(client.studies(condition="mesothelioma", status="RECRUITING", page_size=3))
    assert [i.record.nct_id for i in items if i.record] == [
        s["protocolSection"]["identificationModule"]["nctId"]  # type: ignore[index]
        for s in recorded
    ]
    assert len(replay.requests) == 4
    first = replay.requests[0].url.params
    assert first["query.cond"] == "mesothelioma" and first["filter.overallStatus"] == "RECRUITING"
    assert "pageToken" not in first
    assert [r.url.params.get("pageToken") for r in replay.requests[1:]] == ["page-1", "page-2", "page-3"]
    # One request per second at most: the client waited before each request after the first.
    assert time.sleeps == [1.0, 1.0, 1.0]


def test_rate_limits_and_server_errors_are_retried(recorded: list[dict[str, object]]) -> None:
    replay, time = Replay(recorded, failures=[429, 503]), FakeTime()
    items = list(_client(replay, time).studies(condition="x", max_pages=1, page_size=3))
    assert len(items) == 3
    assert len(replay.requests) == 3
    assert 3.0 in time.sleeps  # Retry-After was honoured


def test_a_hard_error_stops_with_a_message(recorded: list[dict[str, object]]) -> None:
    replay, time = Replay(recorded, failures=[400]), FakeTime()
    with pytest.raises(SyncFailed, match="answered 400"):
        list(_client(replay, time).studies(condition="x"))
    replay = Replay(recorded, failures=[503] * 10)
    with pytest.raises(SyncFailed):
        list(_client(replay, FakeTime()).studies(condition="x"))


def test_status_filters_read_as_api_codes_and_unknown_ones_are_refused() -> None:
    assert check_status("recruiting") == "RECRUITING"
    assert check_status("Active, not recruiting") == "ACTIVE_NOT_RECRUITING"
    assert check_status(None) is None
    with pytest.raises(InvalidInput):
        check_status("open")


def test_synced_studies_are_imported(engine: Engine, recorded: list[dict[str, object]]) -> None:
    replay, time = Replay(recorded), FakeTime()
    with unit_of_work(make_session_factory(engine)) as session:
        summary = service.import_records(session, _client(replay, time).studies(condition="x"), geocode=False)
    assert summary.inserted == len(recorded) == 10
    with unit_of_work(make_session_factory(engine)) as session:
        assert service.count_trials(session) == 10
        trial = service.get_trial_or_raise(session, nct_id="NCT02552212")
        assert trial.sites[0].lat is not None  # API v2 records carry coordinates


def test_cli_sync_imports_what_the_api_sends(
    recorded: list[dict[str, object]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from onconav.cli import app
    from onconav.config import get_settings
    from onconav.trials import sync

    replay, time = Replay(recorded), FakeTime()
    monkeypatch.setattr(sync, "StudiesClient", lambda: _client(replay, time))
    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ONCONAV_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(
            app, ["trials", "sync", "--condition", "mesothelioma", "--status", "recruiting"]
        )
        assert result.exit_code == 0, result.output
        assert replay.requests[0].url.params["filter.overallStatus"] == "RECRUITING"
        assert "10" in result.output and "Trials import" in result.output
        bad = runner.invoke(app, ["trials", "sync", "--condition", "x", "--status", "open"])
        assert bad.exit_code == 2
    finally:
        get_settings.cache_clear()
