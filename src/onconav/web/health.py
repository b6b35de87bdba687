"""Health endpoints for process managers and load balancers: `/healthz` (the process answers) and
`/readyz` (it can serve: database reachable, schema at the newest migration, keyring loaded).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from onconav import migrate
from onconav.accounts import crypto
from onconav.config import get_settings
from onconav.errors import OnconavError

router = APIRouter(include_in_schema=False)

DATABASE_TIMEOUT_S = 2.0  # a readiness probe must answer quickly, even when the database hangs
RETRY_AFTER_S = 5
HEALTHZ_BODY = b'{"status":"alive"}'

CheckResult = Literal["ok", "unreachable", "behind", "missing", "unreadable"]


@router.get("/healthz")
async def healthz() -> Response:
    """The process is alive and serving HTTP; touches nothing else (no database, no thread pool)."""
    return Response(HEALTHZ_BODY, media_type="application/json", headers={"Cache-Control": "no-store"})


_HEAD_REVISION: list[str | None] = []  # the newest migration the package ships, read from the scripts once


def _head_revision(engine: Engine) -> str | None:
    if not _HEAD_REVISION:
        _HEAD_REVISION.append(migrate.head_revision(engine))
    return _HEAD_REVISION[0]


def _schema_revision(engine: Engine) -> tuple[bool, str | None]:
    """(reachable, current revision) of the database, given up on after DATABASE_TIMEOUT_S."""
    outcome: dict[str, str | None] = {}

    def probe() -> None:
        # Reading the revision is the round trip that proves the database answers.
        with contextlib.suppress(SQLAlchemyError, OSError):  # unreachable: no revision is recorded
            outcome["revision"] = migrate.current_revision(engine)

    # In a thread of its own, so that a database that hangs (or a pool with no free connection) makes
    # the probe answer "unreachable" in seconds instead of holding it for the pool's 30 s timeout.
    worker = threading.Thread(target=probe, name="readyz-database", daemon=True)
    worker.start()
    worker.join(DATABASE_TIMEOUT_S)
    if "revision" not in outcome:
        return False, None
    return True, outcome["revision"]


def _keyring_check() -> CheckResult:
    """Whether the keyring file is there and readable (never creating one: that is start-up's job)."""
    if not get_settings().effective_key_file.exists():
        return "missing"
    try:
        crypto.load_keyring()
    except OnconavError:
        return "unreadable"
    return "ok"


def readiness(engine: Engine) -> dict[str, CheckResult]:
    """Each readiness check by name: "ok" or what is wrong (no detail that could carry a secret)."""
    reachable, revision = _schema_revision(engine)
    checks: dict[str, CheckResult] = {"database": "ok" if reachable else "unreachable"}
    if not reachable:
        checks["migrations"] = "unreachable"
    else:
        head = _head_revision(engine)
        checks["migrations"] = "ok" if revision == head else "behind"
    checks["keyring"] = _keyring_check()
    return checks


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 when every check passes; 503 with Retry-After and the failed checks otherwise."""
    checks = readiness(request.app.state.engine)
    failed = [name for name, result in checks.items() if result != "ok"]
    headers = {"Cache-Control": "no-store"}
    if failed:
        headers["Retry-After"] = str(RETRY_AFTER_S)
        body = {"status": "unavailable", "checks": checks, "failed": failed}
        return JSONResponse(body, status_code=503, headers=headers)
    return JSONResponse({"status": "ready", "checks": checks}, headers=headers)
