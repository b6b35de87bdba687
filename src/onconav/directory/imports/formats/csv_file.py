"""CSV files read record by record: the one reader of records whose quoted values hold line breaks, with the
byte offset after each record (to resume there), and the check of a header against the columns a source needs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from onconav.errors import InvalidInput

READ_BUFFER_BYTES = 1 << 20
MISSING_COLUMNS_NAMED = 5  # a header check names at most this many missing columns
# How a line ends when its last value is quoted: in a file that quotes every value, the end of a record.
QUOTE_THEN_LINE_END = (b'"\r\n', b'"\n')


@dataclass(frozen=True)
class CsvRow:
    """One data row: its 1-based number (header excluded), the byte offset after it, its values by column."""

    row: int
    end_offset: int
    values: dict[str, str]


def read_records(handle: BinaryIO, *, every_value_quoted: bool = False) -> Iterator[bytes]:
    """Each record of a binary CSV handle, from where the handle stands, as its bytes: one line, or several
    when a quoted value holds line breaks (read on until the quotes balance).

    `every_value_quoted`: the file quotes every value (NPPES), so a line ending in a quote ends its record
    and its quotes need not be counted (the common case of a large file, made cheap).
    """
    for line in handle:
        while not (every_value_quoted and line.endswith(QUOTE_THEN_LINE_END)) and line.count(b'"') % 2 == 1:
            more = handle.readline()
            if not more:
                break
            line += more
        yield line


def record_text(record: bytes) -> str:
    """A record's text without its line end (bytes that are not UTF-8 replaced)."""
    return record.decode("utf-8", errors="replace").rstrip("\r\n")


def parse_record(text: str) -> list[str]:
    """The values of a record's text; none when it is not CSV the csv module can read (a value over its
    131,072 characters: no published layout has one), so that the row is rejected for its missing values
    rather than the import stopping on a traceback."""
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return []


def header_names(line: bytes) -> list[str]:
    """The column names of a header line, as written (a byte-order mark dropped)."""
    return parse_record(line.decode("utf-8-sig", errors="replace"))  # not UTF-8: no required column matches


def missing_columns(names: Iterable[str], required: Iterable[str]) -> str | None:
    """The required columns a header lacks, named for a person ("A, B, C..."); None when none is missing."""
    present = set(names)
    missing = [name for name in required if name not in present]
    if not missing:
        return None
    return ", ".join(missing[:MISSING_COLUMNS_NAMED]) + (
        "..." if len(missing) > MISSING_COLUMNS_NAMED else ""
    )


def csv_rows(
    path: Path, *, required: tuple[str, ...], title: str, start_row: int = 0, start_offset: int = 0
) -> Iterator[CsvRow]:
    """Every data row after `start_row` (byte `start_offset`) of a CSV file with a header; blank lines are
    skipped. InvalidInput when the header lacks a `required` column (the file is not what the user said)."""
    with path.open("rb", buffering=READ_BUFFER_BYTES) as handle:
        header = handle.readline()
        names = [name.strip() for name in header_names(header)]
        missing = missing_columns(names, required)
        if missing is not None:
            raise InvalidInput(
                "This is not a %(title)s file: the header lacks %(columns)s.", title=title, columns=missing
            )
        offset = len(header)
        if start_offset > offset:
            handle.seek(start_offset)
            offset = start_offset
        row = start_row
        for record in read_records(handle):
            offset += len(record)
            row += 1
            text = record_text(record)
            if not text.strip():
                continue
            yield CsvRow(row, offset, dict(zip(names, parse_record(text), strict=False)))
