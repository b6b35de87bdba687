"""The app and the two ways tests reach it: in process (`app` and `client` over this test's `engine`,
`sqlite_client` over the demo directory) and on a real socket (`LiveServer`, `live_server`), served by
uvicorn in a background thread for a real browser or a real HTTP client library.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from types import TracebackType

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from onconav.app import create_app


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    """The app over this test's database."""
    return create_app(engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client of `app` (started and stopped like a server)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def sqlite_client(sqlite_demo_engine: Engine) -> Iterator[TestClient]:
    """An HTTP client of the app over the demo directory on SQLite (for tests that need one backend)."""
    with TestClient(create_app(sqlite_demo_engine)) as test_client:
        yield test_client


SERVER_START_TIMEOUT_S = 30.0


class LiveServer:
    """The app over `engine` on a real socket, served by uvicorn in a background thread; a context manager
    (or `start()` and `stop()`)."""

    def __init__(self, engine: Engine) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Port 0: the system picks a free port, and the socket stays ours until uvicorn serves on it.
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(engine), log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="uvicorn-test", daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"uvicorn did not start serving on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(SERVER_START_TIMEOUT_S)
        self._socket.close()

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


@pytest.fixture
def live_server(sqlite_demo_engine: Engine) -> Iterator[LiveServer]:
    """The app over the small SQLite demo directory, served on 127.0.0.1 at a free port."""
    with LiveServer(sqlite_demo_engine) as server:
        yield server
