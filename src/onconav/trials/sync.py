"""Live sync from the ClinicalTrials.gov API v2: pages of studies for a condition (pageToken paging),
one request at a time with a pause between them, retries with back-off on 429 and 5xx.

The HTTP transport is injectable, so tests replay recorded responses instead of using the network.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from onconav.errors import OnconavError
from onconav.trials.records import RecordRejected, from_api_v2
from onconav.trials.sources import SourceItem

API_URL = "https://clinicaltrials.gov/api/v2/studies"
PAGE_SIZE = 100
MIN_INTERVAL_S = 1.0  # ClinicalTrials.gov asks clients to stay near one request per second
RETRIES = 4
BACKOFF_S = 2.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
STATUSES = (
    "RECRUITING",
    "NOT_YET_RECRUITING",
    "ENROLLING_BY_INVITATION",
    "ACTIVE_NOT_RECRUITING",
    "COMPLETED",
    "SUSPENDED",
    "TERMINATED",
    "WITHDRAWN",
    "UNKNOWN",
)


class SyncFailed(OnconavError):
    """ClinicalTrials.gov could not be read."""

    status_code = 502


class StudiesClient:
    """Reads pages of API v2 studies politely."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        base_url: str = API_URL,
        min_interval_s: float = MIN_INTERVAL_S,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = httpx.Client(
            transport=transport,
            timeout=60.0,
            headers={"User-Agent": "onconav trials sync (+https://github.com/onconav)"},
        )
        self.base_url = base_url
        self.min_interval_s = min_interval_s
        self.sleep = sleep
        self.clock = clock
        self._last: float | None = None
        self.requests = 0

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()

    def _wait_turn(self) -> None:
        if self._last is not None:
            pause = self.min_interval_s - (self.clock() - self._last)
            if pause > 0:
                self.sleep(pause)
        self._last = self.clock()

    def page(self, params: dict[str, str]) -> dict[str, Any]:
        """One page of results, retried on rate limits and server errors."""
        for attempt in range(RETRIES + 1):
            self._wait_turn()
            self.requests += 1
            try:
                response = self.client.get(self.base_url, params=params)
            except httpx.HTTPError as error:
                if attempt == RETRIES:
                    raise SyncFailed(
                        "ClinicalTrials.gov could not be reached: %(error)s", error=str(error)
                    ) from None
                self.sleep(BACKOFF_S * 2**attempt)
                continue
            if response.status_code in RETRY_STATUSES and attempt < RETRIES:
                retry_after = response.headers.get("Retry-After", "")
                self.sleep(float(retry_after) if retry_after.isdigit() else BACKOFF_S * 2**attempt)
                continue
            if response.status_code != 200:
                raise SyncFailed(
                    "ClinicalTrials.gov answered %(status)s: %(body)s",
                    status=response.status_code,
                    body=response.text[:200],
                )
            data = response.json()
            if not isinstance(data, dict):
                raise SyncFailed("ClinicalTrials.gov sent something other than a page of studies.")
            return data
        raise SyncFailed("ClinicalTrials.gov kept refusing the request.")

    def studies(
        self,
        *,
        condition: str,
        status: str | None = None,
        page_size: int = PAGE_SIZE,
        max_pages: int | None = None,
    ) -> Iterator[SourceItem]:
        """Every study for the condition (and status), page after page."""
        params = {"query.cond": condition, "pageSize": str(page_size), "format": "json"}
        if status:
            params["filter.overallStatus"] = status
        pages = 0
        while True:
            data = self.page(params)
            pages += 1
            for number, study in enumerate(data.get("studies") or []):
                source = f"api page {pages} #{number}"
                try:
                    yield SourceItem(source=source, record=from_api_v2(study))
                except RecordRejected as error:
                    yield SourceItem(source=source, error=str(error))
            token = data.get("nextPageToken")
            if not token or (max_pages is not None and pages >= max_pages):
                return
            params["pageToken"] = str(token)


def check_status(status: str | None) -> str | None:
    """The status filter in API v2 form, or InvalidInput."""
    from onconav.errors import InvalidInput

    if status is None:
        return None
    code = status.strip().upper().replace(" ", "_").replace(",", "")
    if code not in STATUSES:
        raise InvalidInput(
            'Unknown trial status "%(status)s". Use one of: %(choices)s.',
            status=status,
            choices=", ".join(STATUSES),
        )
    return code
