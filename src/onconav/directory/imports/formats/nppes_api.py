"""The NPPES NPI Registry API v2.1 read into the records of the NPPES file: queries, paging, transport.

https://npiregistry.cms.hhs.gov/api/?version=2.1 answers `{"result_count": N, "results": [...]}` (at most
200 results a page: `limit`, paged with `skip`, which the API caps at 1,000) or `{"Errors": [...]}`. Each
result reads as the columns of a row of the NPPES file, so it is kept and hashed like one. The HTTP transport
is injectable: tests replay recorded responses, never the network.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from onconav.directory import taxonomy
from onconav.directory.imports.formats import nppes_layout as layout
from onconav.directory.imports.formats.nppes import NppesRecord
from onconav.errors import InvalidInput, OnconavError

API_URL = "https://npiregistry.cms.hhs.gov/api/"
API_VERSION = "2.1"
PAGE_SIZE = 200  # the API's largest `limit`
MAX_SKIP = 1_000  # the API's largest `skip`
MIN_INTERVAL_S = 1.0  # polite: at most one request a second
TIMEOUT_S = 30.0
ENTITY_TYPES = {"NPI-1": "1", "NPI-2": "2"}  # API enumeration type -> the file's Entity Type Code

Transport = Callable[[str, dict[str, str]], dict[str, Any]]  # (url, query parameters) -> decoded JSON


class RegistryUnavailable(OnconavError):
    """The NPI Registry could not be reached or answered something that is not JSON."""


def urllib_transport(url: str, params: dict[str, str]) -> dict[str, Any]:
    """GET `url` with `params` and decode the JSON answer (standard library only)."""
    request = urllib.request.Request(
        f"{url}?{urllib.parse.urlencode(params)}",
        headers={"Accept": "application/json", "User-Agent": "onconav (cancer-care directory sync)"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            answer: dict[str, Any] = json.loads(response.read().decode("utf-8"))
            return answer
    except (OSError, ValueError) as error:
        raise RegistryUnavailable(
            "The NPI Registry could not be reached: %(error)s", error=str(error)
        ) from None


@dataclass(frozen=True)
class SyncQuery:
    """What to fetch: a taxonomy (NUCC code or description words), a state, optionally a city and a cap."""

    taxonomy: str
    state: str
    city: str | None = None
    limit: int | None = None  # at most this many results (the API serves at most 1,200 per query)

    def description(self) -> str:
        """The `taxonomy_description` the API matches: for a known NUCC code, its most specific words."""
        entry = taxonomy.get(self.taxonomy)
        if entry is not None:
            return entry.name.split(",")[-1].strip()
        return self.taxonomy.strip()

    def wanted_code(self) -> str | None:
        """The NUCC code results must carry when the query named one (descriptions match loosely)."""
        entry = taxonomy.get(self.taxonomy)
        return entry.code if entry is not None else None

    def params(self) -> dict[str, str]:
        params = {
            "version": API_VERSION,
            "taxonomy_description": self.description(),
            "state": self.state.upper(),
        }
        if self.city:
            params["city"] = self.city
        return params

    def label(self) -> str:
        return f"{API_URL}?{urllib.parse.urlencode(self.params())}"


class RegistryClient:
    """Pages of NPI Registry results, politely spaced; counts its requests."""

    def __init__(
        self,
        transport: Transport = urllib_transport,
        *,
        min_interval_s: float = MIN_INTERVAL_S,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.transport = transport
        self.min_interval_s = min_interval_s
        self.sleep = sleep
        self.page_size = min(PAGE_SIZE, page_size)
        self.requests = 0

    def pages(self, query: SyncQuery) -> Iterator[list[dict[str, Any]]]:
        """Every page of results of `query`; raises InvalidInput for an API error answer."""
        wanted = query.limit
        skip = 0
        last = 0.0
        while skip <= MAX_SKIP:
            size = self.page_size if wanted is None else min(self.page_size, wanted - skip)
            if size <= 0:
                return
            wait = self.min_interval_s - (time.monotonic() - last)
            if self.requests and wait > 0:
                self.sleep(wait)
            last = time.monotonic()
            answer = self.transport(API_URL, {**query.params(), "limit": str(size), "skip": str(skip)})
            self.requests += 1
            if "Errors" in answer:
                descriptions = "; ".join(str(e.get("description", "")) for e in answer["Errors"])
                raise InvalidInput("The NPI Registry refused the query: %(errors)s", errors=descriptions)
            results = list(answer.get("results") or [])
            yield results
            if len(results) < size:
                return
            skip += len(results)


def fields_of(result: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """An API result as NPPES file columns (name -> value) and its taxonomy codes, primary first."""
    basic = result.get("basic") or {}
    kind = ENTITY_TYPES.get(str(result.get("enumeration_type", "")), "")
    location: dict[str, Any] = next(
        (a for a in result.get("addresses") or [] if str(a.get("address_purpose", "")).upper() == "LOCATION"),
        {},
    )
    country = str(location.get("country_code") or "")
    fields = {
        layout.NPI: str(result.get("number", "")),
        layout.ENTITY_TYPE: kind,
        layout.ORGANIZATION_NAME: str(basic.get("organization_name") or ""),
        layout.LAST_NAME: str(basic.get("last_name") or ""),
        layout.FIRST_NAME: str(basic.get("first_name") or ""),
        layout.MIDDLE_NAME: str(basic.get("middle_name") or ""),
        layout.PREFIX: str(basic.get("name_prefix") or "").replace("--", ""),
        layout.SUFFIX: str(basic.get("name_suffix") or "").replace("--", ""),
        layout.CREDENTIAL: str(basic.get("credential") or ""),
        layout.GENDER: str(basic.get("gender") or basic.get("sex") or ""),
        layout.LINE1: str(location.get("address_1") or ""),
        layout.LINE2: str(location.get("address_2") or ""),
        layout.CITY: str(location.get("city") or ""),
        layout.STATE: str(location.get("state") or ""),
        layout.POSTAL_CODE: str(location.get("postal_code") or ""),
        layout.COUNTRY: "" if country == "US" else country,  # the file leaves US blank
        layout.PHONE: str(location.get("telephone_number") or ""),
    }
    codes: list[str] = []
    for item in result.get("taxonomies") or []:
        code = str(item.get("code") or "").strip().upper()
        if not code or code in codes:
            continue
        if item.get("primary") is True:
            codes.insert(0, code)
        else:
            codes.append(code)
    return fields, codes


def record_of(result: dict[str, Any]) -> NppesRecord:
    """An API result as the record of an NPPES file row."""
    fields, codes = fields_of(result)
    return NppesRecord.from_columns(lambda name: fields.get(name, "").strip(), codes)
