"""`onconav sync nppes`: fresh NPPES records through the NPI Registry API v2.1, for users with internet.

Each result becomes the same record as a row of the NPPES file (same fields kept, same hash, same natural key:
source "nppes", the NPI), so a sync and a file import update each other instead of duplicating. Reading the
API: `formats.nppes_api`; writing: `nppes.NppesWriter`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from onconav.directory.imports.formats.nppes import NppesRecord
from onconav.directory.imports.formats.nppes_api import (
    MAX_SKIP,
    MIN_INTERVAL_S,
    PAGE_SIZE,
    RegistryClient,
    SyncQuery,
    Transport,
    record_of,
    urllib_transport,
)
from onconav.directory.imports.framework import Outcome, RawRecord
from onconav.directory.imports.sources.nppes import NppesPayload, NppesWriter


class NppesApiSource(NppesWriter[NppesRecord]):
    """NPPES records from the NPI Registry API; same natural keys as the file (source "nppes")."""

    title = "NPPES NPI Registry API v2.1"

    def __init__(
        self,
        query: SyncQuery,
        *,
        transport: Transport = urllib_transport,
        min_interval_s: float = MIN_INTERVAL_S,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__()
        self.query = query
        self.client = RegistryClient(
            transport, min_interval_s=min_interval_s, sleep=sleep, page_size=page_size
        )

    @property
    def requests(self) -> int:
        """Requests made to the API so far."""
        return self.client.requests

    def records(self, path: Path, *, start_row: int, start_offset: int) -> Iterator[RawRecord[NppesRecord]]:
        row = 0
        for page in self.client.pages(self.query):
            for result in page:
                row += 1
                yield RawRecord(row, row, record_of(result))

    def prepare(self, record: RawRecord[NppesRecord]) -> Outcome[NppesPayload]:
        wanted = self.query.wanted_code()
        if wanted is not None and wanted not in record.data.taxonomy_codes:
            return None  # the description matched a neighbouring code
        return self.prepare_record(record.data)

    def total_size(self, path: Path) -> int:
        return self.query.limit or (MAX_SKIP + PAGE_SIZE)
