"""Where trial records come from on disk: a file (API v2 JSON study, list or page; legacy XML), a folder
of such files, or a zip of them. Everything streams: no file is read whole into memory.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from onconav.trials.records import RecordRejected, TrialRecord, from_api_v2, from_legacy_xml

CHUNK = 1 << 20
SUFFIXES = (".json", ".xml")


@dataclass(frozen=True)
class SourceItem:
    """One record read from `source` (a file, or `archive.zip!member`), or why it was rejected."""

    source: str
    record: TrialRecord | None = None
    error: str | None = None
    note: str | None = None  # something to report about a record that was read (an alias file name)


class _Stream:
    """A text buffer over a stream, refilled on demand, for decoding one JSON value at a time."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.buffer = ""
        self.pos = 0
        self.ended = False

    def _more(self) -> bool:
        if self.ended:
            return False
        chunk = self.stream.read(CHUNK)
        if not chunk:
            self.ended = True
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not blank ("" at the end)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def take(self, expected: str) -> None:
        """Consume one expected punctuation character."""
        if self.peek() != expected:
            raise ValueError(f"expected {expected!r} in the JSON")
        self.pos += 1

    def value(self) -> Any:
        """Decode the next JSON value, reading more of the stream until it is complete."""
        decoder = json.JSONDecoder()
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError:
                if not self._more():
                    raise
                continue
            # A number at the very end of the buffer may continue in the next chunk.
            if end == len(self.buffer) and not self.ended and self._more():
                continue
            self.pos = end
            return value

    def array(self) -> Iterator[Any]:
        """Each element of the JSON array that starts here."""
        self.take("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            after = self.peek()
            self.pos += 1
            if after == "]":
                return
            if after != ",":
                raise ValueError("expected ',' or ']' in the JSON array")


def _json_studies(stream: IO[str]) -> Iterator[Any]:
    """The studies in an API v2 JSON document: one study, a list of studies, or a page `{"studies": []}`."""
    reader = _Stream(stream)
    first = reader.peek()
    if first == "[":
        yield from reader.array()
        return
    if first != "{":
        raise ValueError("not a JSON object or array")
    reader.take("{")
    study: dict[str, Any] = {}
    while reader.peek() != "}":
        key = reader.value()
        reader.take(":")
        if key == "studies" and reader.peek() == "[":
            yield from reader.array()
        else:
            study[key] = reader.value()
        if reader.peek() == ",":
            reader.pos += 1
    if "FullStudiesResponse" in study:
        raise ValueError("the retired classic API format (FullStudiesResponse): use API v2 JSON or XML")
    if "protocolSection" in study:
        yield study


def _items_from_json(stream: IO[str], source: str) -> Iterator[SourceItem]:
    try:
        for number, study in enumerate(_json_studies(stream)):
            label = source if number == 0 else f"{source}#{number}"
            try:
                yield SourceItem(source=label, record=from_api_v2(study))
            except RecordRejected as error:
                yield SourceItem(source=label, error=str(error))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # RecursionError: nested too deep
        yield SourceItem(source=source, error=f"unreadable JSON: {error}")


def _items_from_xml(stream: IO[bytes], source: str) -> Iterator[SourceItem]:
    found = 0
    try:
        for _event, element in ET.iterparse(stream, events=("end",)):
            if element.tag != "clinical_study":
                continue
            found += 1
            try:
                yield SourceItem(source=source, record=from_legacy_xml(element))
            except RecordRejected as error:
                yield SourceItem(source=source, error=str(error))
            element.clear()
    except ET.ParseError as error:
        yield SourceItem(source=source, error=f"unreadable XML: {error}")
        return
    if not found:
        yield SourceItem(source=source, error="no <clinical_study> element in this XML file")


def _items_from_member(opener: Any, name: str, source: str) -> Iterator[SourceItem]:
    with opener() as raw:
        if name.lower().endswith(".xml"):
            items = _items_from_xml(raw, source)
        else:
            items = _items_from_json(io.TextIOWrapper(raw, encoding="utf-8-sig"), source)
        for item in items:
            yield _noting_alias(item, name)


_NCT_FILE = re.compile(r"(NCT\d{8})", re.IGNORECASE)


def _noting_alias(item: SourceItem, name: str) -> SourceItem:
    """A record filed under another NCT id (ClinicalTrials.gov keeps old ids as aliases: NCT00980226.xml
    holds NCT00081588) is imported under its own id, with a note saying so, never dropped in silence."""
    found = _NCT_FILE.search(Path(name).stem)
    if item.record is None or found is None or found.group(1).upper() == item.record.nct_id:
        return item
    filed_as = found.group(1).upper()
    return replace(
        item,
        note=f"{Path(name).name} holds {item.record.nct_id}: {filed_as} is an alias of it; "
        f"imported as {item.record.nct_id}",
    )


def _items_from_zip(path: Path) -> Iterator[SourceItem]:
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith("/") or not name.lower().endswith(SUFFIXES):
                continue
            yield from _items_from_member(lambda n=name: archive.open(n), name, f"{path.name}!{name}")


def iter_source(path: Path) -> Iterator[SourceItem]:
    """Every record under `path` (file, folder or zip), in a stable order, with rejects as items."""
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.suffix.lower() in (*SUFFIXES, ".zip"):
                yield from iter_source(child)
        return
    if path.suffix.lower() == ".zip":
        try:
            yield from _items_from_zip(path)
        except zipfile.BadZipFile as error:
            yield SourceItem(source=str(path), error=f"unreadable zip: {error}")
        return
    if path.suffix.lower() not in SUFFIXES:
        yield SourceItem(source=str(path), error="not a .json, .xml or .zip file")
        return
    yield from _items_from_member(lambda: path.open("rb"), path.name, str(path))


def count_files(path: Path) -> int | None:
    """How many record files `path` holds (for a progress bar); None when unknown without reading them."""
    if path.is_dir():
        return sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sum(1 for n in archive.namelist() if n.lower().endswith(SUFFIXES))
    return None
