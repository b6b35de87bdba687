"""Structured access logs: one JSON line per request on the `onconav.access` logger with the method, the
route template, the path WITHOUT its query string (one-time links carry tokens there), the status, the
duration and a request id; never query strings, bodies or headers. Replaces uvicorn's access log.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from onconav.web.asgi import HTTPMiddleware
from onconav.web.route_template import route_template

ACCESS_LOG = logging.getLogger("onconav.access")
REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's request id is kept when it looks like one; anything else could forge log lines.
ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class AccessLogMiddleware(HTTPMiddleware):
    """Logs every HTTP request once it is answered (or fails) and gives it a request id, echoed in the
    X-Request-ID response header and kept in `request.state.request_id`."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        offered = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = offered if ACCEPTABLE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500  # what the server answers when the app fails before it starts a response

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            ACCESS_LOG.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "route": route_template(scope),
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "request_id": request_id,
                    },
                    separators=(",", ":"),
                )
            )


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, plus the access log: its JSON lines, bare, on standard output."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["onconav_access"] = {"format": "%(message)s"}
    config["handlers"]["onconav_access"] = {
        "class": "logging.StreamHandler",
        "formatter": "onconav_access",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["onconav.access"] = {
        "handlers": ["onconav_access"],
        "level": "INFO",
        "propagate": False,
    }
    return config
