"""CSV files streamed as (row number, byte offset after the row, row dict), resumable at a byte offset.

Shared by the CMS and HIFLD importers; the header is checked once against the columns a source needs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from onconav.errors import InvalidInput


def read_header(handle: object, required: tuple[str, ...], title: str) -> tuple[list[str], int]:
    """The column names of a binary CSV handle and the header's length in bytes; InvalidInput if a needed
    column is missing (the file is not what the user said it is)."""
    line = handle.readline()  # type: ignore[attr-defined]
    names = next(csv.reader([line.decode("utf-8-sig")]), [])
    names = [name.strip() for name in names]
    missing = [name for name in required if name not in names]
    if missing:
        raise InvalidInput(
            "This is not a %(title)s file: the header lacks %(columns)s.",
            title=title,
            columns=", ".join(missing[:5]) + ("..." if len(missing) > 5 else ""),
        )
    return names, len(line)


def csv_rows(
    path: Path, *, required: tuple[str, ...], title: str, start_row: int = 0, start_offset: int = 0
) -> Iterator[tuple[int, int, dict[str, str]]]:
    """(row number, byte offset after the row, {column: value}) for every data row after `start_row`."""
    with path.open("rb", buffering=1 << 20) as handle:
        names, offset = read_header(handle, required, title)
        if start_offset > offset:
            handle.seek(start_offset)
            offset = start_offset
        row = start_row
        for line in handle:
            offset += len(line)
            while line.count(b'"') % 2 == 1:  # a quoted value with a line break: read on
                more = handle.readline()
                if not more:
                    break
                offset += len(more)
                line += more
            row += 1
            text = line.decode("utf-8", errors="replace").rstrip("\r\n")
            if not text.strip():
                continue
            fields = next(csv.reader([text]), [])
            yield row, offset, dict(zip(names, fields, strict=False))
