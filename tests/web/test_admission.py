"""Admission control (web/admission.py): no more requests at work than the worker has threads; the next
ones wait in line for a bounded time, and past that, or when the line is full, get 503 with Retry-After
at once in the client's shape; health, metrics and static files are never held back; a place is given
back when a request ends, however it ends."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Engine
from starlette.types import Message, Receive, Scope, Send

from onconav.app import create_app
from onconav.config import get_settings
from onconav.web.admission import AdmissionMiddleware

WAIT_S = 30.0  # bounds a broken build's hang; never a measure of speed
T = TypeVar("T")


def _asyncio_run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: a browser test in the same worker may leave its event loop
    running in this thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result(timeout=2 * WAIT_S)


def _app(*, limit: int, wait_seconds: float, queue_limit: int) -> tuple[FastAPI, asyncio.Event]:
    release = asyncio.Event()
    app = FastAPI()

    @app.get("/api/v1/slow")
    async def slow() -> dict[str, bool]:
        await release.wait()
        return {"done": True}

    @app.get("/api/v1/fails")
    async def fails() -> None:
        raise HTTPException(status_code=404)

    @app.get("/page", response_class=HTMLResponse)
    async def page() -> str:
        return "<p>page</p>"

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(AdmissionMiddleware, limit=limit, wait_seconds=wait_seconds, queue_limit=queue_limit)
    return app, release


def _run(scenario: Callable[[httpx.AsyncClient, asyncio.Event], Awaitable[None]], **options: float) -> None:
    async def main() -> None:
        app, release = _app(**options)  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=WAIT_S) as client:
            await asyncio.wait_for(scenario(client, release), WAIT_S)

    _asyncio_run(main())


async def _until_at_work(client: httpx.AsyncClient, count: int) -> list[asyncio.Task[httpx.Response]]:
    tasks = [asyncio.create_task(client.get("/api/v1/slow")) for _ in range(count)]
    await asyncio.sleep(0.1)  # they reach the route and wait there
    return tasks


def test_past_the_limit_a_request_waits_in_line_then_gets_in_when_a_place_frees() -> None:
    async def scenario(client: httpx.AsyncClient, release: asyncio.Event) -> None:
        at_work = await _until_at_work(client, 2)
        waiting = asyncio.create_task(client.get("/api/v1/slow"))
        await asyncio.sleep(0.1)
        assert not waiting.done()  # in line, not refused
        release.set()
        answers = await asyncio.gather(*at_work, waiting)
        assert [answer.status_code for answer in answers] == [200, 200, 200]

    _run(scenario, limit=2, wait_seconds=WAIT_S, queue_limit=4)


def test_a_request_that_waits_longer_than_allowed_gets_503_with_retry_after_in_json_under_api() -> None:
    async def scenario(client: httpx.AsyncClient, release: asyncio.Event) -> None:
        at_work = await _until_at_work(client, 1)
        refused = await client.get("/api/v1/slow")
        assert refused.status_code == 503
        assert refused.headers["Retry-After"].isdigit()
        assert refused.json()["error"]["code"] == "unavailable"
        assert not at_work[0].done()  # the one at work is not disturbed
        release.set()
        assert (await at_work[0]).status_code == 200

    _run(scenario, limit=1, wait_seconds=0.2, queue_limit=4)


def test_when_the_line_is_full_the_answer_is_503_at_once_and_a_page_for_browsers() -> None:
    async def scenario(client: httpx.AsyncClient, release: asyncio.Event) -> None:
        at_work = await _until_at_work(client, 1)
        in_line = asyncio.create_task(client.get("/api/v1/slow"))
        await asyncio.sleep(0.1)
        refused = await client.get("/page")  # the line (one place) is taken: no wait at all
        assert refused.status_code == 503 and refused.headers["Retry-After"].isdigit()
        assert "text/html" in refused.headers["content-type"]
        assert not in_line.done()
        release.set()
        assert [(await task).status_code for task in (*at_work, in_line)] == [200, 200]

    _run(scenario, limit=1, wait_seconds=WAIT_S, queue_limit=1)


def test_health_is_answered_while_every_place_is_taken() -> None:
    async def scenario(client: httpx.AsyncClient, release: asyncio.Event) -> None:
        at_work = await _until_at_work(client, 1)
        health = await client.get("/healthz")
        assert health.status_code == 200
        release.set()
        await asyncio.gather(*at_work)

    _run(scenario, limit=1, wait_seconds=0.1, queue_limit=0)


def test_a_long_answer_being_sent_holds_no_place() -> None:
    """Raw ASGI (httpx's test transport waits for whole answers): the first answer has started and its
    body is still coming when the second request arrives; with one place, the second gets in."""

    async def main() -> list[int]:
        body_may_end = asyncio.Event()

        async def application(scope: Scope, receive: Receive, send: Send) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            if scope["path"] == "/download":
                await send({"type": "http.response.body", "body": b"first part", "more_body": True})
                await body_may_end.wait()
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        admission = AdmissionMiddleware(application, limit=1, wait_seconds=0.1, queue_limit=0)
        statuses: list[int] = []

        async def request(path: str) -> None:
            async def receive() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
            await admission(scope, receive, send)

        download = asyncio.create_task(request("/download"))
        await asyncio.sleep(0.1)
        await asyncio.wait_for(request("/page"), WAIT_S)
        body_may_end.set()
        await asyncio.wait_for(download, WAIT_S)
        return statuses

    assert _asyncio_run(main()) == [200, 200]


def test_a_place_is_given_back_after_an_error_answer() -> None:
    async def scenario(client: httpx.AsyncClient, release: asyncio.Event) -> None:
        for _ in range(3):  # with one place, a place kept by the failed request would refuse the next
            assert (await client.get("/api/v1/fails")).status_code == 404
        assert (await client.get("/page")).status_code == 200

    _run(scenario, limit=1, wait_seconds=0.1, queue_limit=0)


def test_the_application_admits_as_many_requests_as_it_has_request_threads(engine: Engine) -> None:
    settings = get_settings()
    app = create_app(engine)
    admission = [middleware for middleware in app.user_middleware if middleware.cls is AdmissionMiddleware]
    assert len(admission) == 1
    assert admission[0].kwargs["limit"] == settings.worker_threads
    assert admission[0].kwargs["wait_seconds"] == settings.database_pool_timeout_seconds
