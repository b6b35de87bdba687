"""Copies of documents for people beyond the reviewing team: image metadata (EXIF, text chunks) removed,
DICOM patient-identifying tags and private tags removed (preamble cleared), PDF document information
removed, FHIR Patient resources reduced to gender and birth year; and text with the identifiers the case
knows (the patient's names, dates of birth, record numbers) and labelled identifiers redacted.

The original stays untouched for the owner; copies are made on demand and never stored.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from onconav.cases.formats import IDENTIFYING_TAGS, DocumentKind, archive_entries


def strip_image(data: bytes, kind: DocumentKind) -> bytes:
    """The image without EXIF, XMP, ICC text or PNG text chunks (JPEG keeps its quantization tables)."""
    from PIL import Image

    output = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        if kind == DocumentKind.jpeg:
            image.save(output, format="JPEG", quality="keep", subsampling="keep")
        else:
            clean = image.copy()
            clean.info = {}  # text, EXIF and ICC chunks are written from info; pixels and palette stay
            clean.save(output, format="PNG")
    return output.getvalue()


def deidentify_dicom(data: bytes) -> bytes:
    """The DICOM file without patient-identifying tags, private tags or preamble."""
    import pydicom

    dataset = pydicom.dcmread(io.BytesIO(data))
    for keyword in IDENTIFYING_TAGS:
        if keyword in dataset:
            delattr(dataset, keyword)
    dataset.PatientIdentityRemoved = "YES"
    dataset.DeidentificationMethod = "onconav: identifying and private tags removed"
    dataset.remove_private_tags()
    dataset.preamble = b"\x00" * 128
    output = io.BytesIO()
    dataset.save_as(output, enforce_file_format=True)
    return output.getvalue()


def deidentify_zip(source: Any, *, max_expanded_bytes: int = 1024**3) -> bytes:
    """The ZIP of DICOM files (a path, a binary file or bytes) with every image de-identified (renamed by
    position) and the DICOMDIR left out (it repeats the patient's name). Entries are read one at a time
    under the intake's limits (`formats.archive_entries`), so a hostile archive stored before them is
    refused instead of expanded."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        number = 0
        for entry in archive_entries(source, max_expanded_bytes=max_expanded_bytes):
            if entry.is_dicomdir:
                continue
            number += 1
            target.writestr(f"image-{number:05d}.dcm", deidentify_dicom(entry.data))
    return output.getvalue()


def strip_pdf(data: bytes) -> bytes:
    """The PDF without its document information (author, producer, title) and XMP metadata."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.add_metadata({"/Producer": "onconav"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


PATIENT_KEEP = ("resourceType", "id", "gender", "deceasedBoolean", "meta")


def deidentify_bundle(data: bytes) -> bytes:
    """The FHIR bundle with each Patient reduced to gender and birth year, and narratives removed
    (Synthea and portals write the patient's name into them)."""
    import json

    bundle = json.loads(data.decode("utf-8-sig"))
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        resource.pop("text", None)
        if resource.get("resourceType") == "Patient":
            birth = str(resource.get("birthDate") or "")[:4]
            for key in list(resource):
                if key not in PATIENT_KEEP:
                    del resource[key]
            if birth:
                resource["birthDate"] = birth
    return json.dumps(bundle, ensure_ascii=False).encode("utf-8")


def shared_copy(kind: DocumentKind, data: bytes) -> bytes:
    """The copy of a document that may leave the reviewing team."""
    if kind in (DocumentKind.png, DocumentKind.jpeg):
        return strip_image(data, kind)
    if kind == DocumentKind.dicom:
        return deidentify_dicom(data)
    if kind == DocumentKind.dicom_zip:
        return deidentify_zip(data)
    if kind == DocumentKind.pdf:
        return strip_pdf(data)
    return deidentify_bundle(data)


# Text -----------------------------------------------------------------------------------------------------
REDACTED = "[removed]"
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# Identifiers a report labels: the label stays, the value goes, whatever the case knows.
LABELLED = re.compile(
    r"(?P<label>\b(?:MRN|medical\s+record\s+(?:number|no\.?|#)|patient\s+(?:id|no\.?|number)|"
    r"DOB|date\s+of\s+birth|birth\s*date|SSN|social\s+security(?:\s+number)?|accession(?:\s+(?:number|no\.?))?)"
    r"\s*[:#.]?\s*)(?P<value>[^\s,;]+(?:\s+\d{1,2},?\s+\d{4})?)",
    re.IGNORECASE,
)
CONTACTS = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)"  # North American phone numbers
)


@dataclass(frozen=True)
class KnownIdentifiers:
    """What the case knows identifies its patient: names as written anywhere, dates of birth, record
    numbers (from the account and the identifying tags of the case's files)."""

    names: tuple[str, ...] = ()
    birth_dates: tuple[date, ...] = ()
    record_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class RedactedText:
    """Text for people beyond the team, and how many identifiers were taken out."""

    text: str
    removed: int


def _date_patterns(day: date) -> Iterable[str]:
    """Regular expressions of the ways a report writes `day` (numeric orders and separators, names)."""
    forms = {day.isoformat(), day.strftime("%Y%m%d")}
    for year in (f"{day.year:04d}", f"{day.year % 100:02d}"):
        for first, second in ((day.month, day.day), (day.day, day.month)):
            for sep in "/.-":
                forms.add(f"{first:02d}{sep}{second:02d}{sep}{year}")
                forms.add(f"{first}{sep}{second}{sep}{year}")
    yield from (re.escape(form) for form in sorted(forms))
    month = MONTHS[day.month - 1]
    for name in (month, month[:3]):
        yield rf"{name}\.?\s+0?{day.day}(?:st|nd|rd|th)?,?\s+{day.year}"
        yield rf"0?{day.day}(?:st|nd|rd|th)?\s+{name}\.?,?\s+{day.year}"


def _known_pattern(known: KnownIdentifiers) -> re.Pattern[str] | None:
    words = {w for name in known.names for w in re.split(r"[^\w'-]+|\^", name) if len(w) >= 2}
    numbers = {n.strip() for n in known.record_numbers if len(n.strip()) >= 3}
    parts = [rf"\b{re.escape(word)}\b" for word in sorted(words, key=len, reverse=True)]
    parts += [rf"(?<![\w-]){re.escape(number)}(?![\w-])" for number in sorted(numbers, key=len, reverse=True)]
    parts += [rf"(?<!\d){form}(?!\d)" for day in known.birth_dates for form in _date_patterns(day)]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


LABELLED_NAME = re.compile(
    r"\b(?:patient(?:'s)?(?:\s+name)?|name)\s*:\s*(?P<value>[^\W\d_][\w'\-]*(?:,? ?[^\W\d_][\w'\-]*){0,3})",
    re.IGNORECASE,
)
LABELLED_DATE = re.compile(
    r"\b(?:DOB|date\s+of\s+birth|birth\s*date|born)\s*[:#.]?\s*(?:on\s+)?"
    r"(?P<value>\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}|[^\W\d_]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+[^\W\d_]+\.?,?\s+\d{4})",
    re.IGNORECASE,
)
LABELLED_NUMBER = re.compile(
    r"\b(?:MRN|medical\s+record\s+(?:number|no\.?|#)|patient\s+(?:id|no\.?|number))\s*[:#.]?\s*(?P<value>[\w-]{3,})",
    re.IGNORECASE,
)


def _dates_in(value: str) -> set[date]:
    """The dates `value` may mean (both orders when day and month are ambiguous)."""
    numbers = [int(n) for n in re.findall(r"\d+", value)]
    words = re.findall(r"[^\W\d_]+", value.lower())
    candidates: list[tuple[int, int, int]] = []
    if len(numbers) == 3 and not words:
        first, second, third = numbers
        if first > 31:
            candidates.append((first, second, third))
        else:
            year = third + (1900 if 30 < third < 100 else 2000 if third < 100 else 0)
            candidates += [(year, first, second), (year, second, first)]
    elif len(numbers) == 2:
        month = next((MONTHS.index(m) + 1 for w in words for m in MONTHS if m.startswith(w[:3])), 0)
        candidates.append((numbers[1], month, numbers[0]))
    found = set()
    for year, month, day in candidates:
        with contextlib.suppress(ValueError):
            found.add(date(year, month, day))
    return found


def _capitalised_words(value: str) -> str:
    """The leading capitalised words of a labelled value: a name ends where ordinary words begin."""
    words = []
    for word in re.split(r"[ ,]+", value):
        if not word[:1].isupper():
            break
        words.append(word)
    return " ".join(words)


def learned_identifiers(text: str, known: KnownIdentifiers) -> KnownIdentifiers:
    """`known` plus what the text itself labels: the patient's name, date of birth and record numbers."""
    names = {_capitalised_words(m.group("value")) for m in LABELLED_NAME.finditer(text)} - {""}
    births = {day for m in LABELLED_DATE.finditer(text) for day in _dates_in(m.group("value"))}
    numbers = {m.group("value") for m in LABELLED_NUMBER.finditer(text)}
    return KnownIdentifiers(
        names=(*known.names, *sorted(names)),
        birth_dates=(*known.birth_dates, *sorted(births)),
        record_numbers=(*known.record_numbers, *sorted(numbers)),
    )


def redact_text(text: str, known: KnownIdentifiers) -> RedactedText:
    """`text` with every identifier the case knows or the text labels (the patient's name, date of birth,
    record numbers; each also where written without its label), e-mail addresses and phone numbers
    replaced by "[removed]". What it cannot know (other people's names, addresses, identifiers never
    labelled) stays: callers say so."""
    known = learned_identifiers(text, known)
    text, contacts = CONTACTS.subn(REDACTED, text)
    text, labelled = LABELLED.subn(lambda match: match.group("label") + REDACTED, text)
    removed = 0
    pattern = _known_pattern(known)
    if pattern is not None:
        text, removed = pattern.subn(REDACTED, text)
    return RedactedText(text=text, removed=removed + labelled + contacts)
