"""What an uploaded file is, decided by its content: magic bytes first, then a real parse with the
format's own library (pypdf, Pillow, pydicom, json, zipfile). Names and declared types are only checked
against the content, never trusted.

Each inspector returns what the case needs: extracted text, a readable summary, and details for the team;
DICOM patient-identifying tags are kept apart so that only the owner sees them.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from onconav.cases import fhir_summary, mcode_import
from onconav.errors import InvalidInput


class DocumentKind(StrEnum):
    pdf = "pdf"
    png = "png"
    jpeg = "jpeg"
    dicom = "dicom"
    dicom_zip = "dicom_zip"
    fhir_bundle = "fhir_bundle"


MEDIA_TYPES = {
    DocumentKind.pdf: "application/pdf",
    DocumentKind.png: "image/png",
    DocumentKind.jpeg: "image/jpeg",
    DocumentKind.dicom: "application/dicom",
    DocumentKind.dicom_zip: "application/zip",
    DocumentKind.fhir_bundle: "application/fhir+json",
}
# File name endings and declared types that must agree with the content when they are given.
EXTENSIONS = {
    ".pdf": DocumentKind.pdf,
    ".png": DocumentKind.png,
    ".jpg": DocumentKind.jpeg,
    ".jpeg": DocumentKind.jpeg,
    ".dcm": DocumentKind.dicom,
    ".dicom": DocumentKind.dicom,
    ".zip": DocumentKind.dicom_zip,
    ".json": DocumentKind.fhir_bundle,
}
DECLARED_TYPES = {
    "application/pdf": DocumentKind.pdf,
    "image/png": DocumentKind.png,
    "image/jpeg": DocumentKind.jpeg,
    "application/dicom": DocumentKind.dicom,
    "application/zip": DocumentKind.dicom_zip,
    "application/x-zip-compressed": DocumentKind.dicom_zip,
    "application/json": DocumentKind.fhir_bundle,
    "application/fhir+json": DocumentKind.fhir_bundle,
}

MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 2_000
MAX_IMAGE_PIXELS = 120_000_000
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 5_000
MAX_COMPRESSION_RATIO = 100
# Signatures of other formats that must not hide inside a file of another kind (polyglots).
FOREIGN_SIGNATURES = (b"%PDF-", b"\x7fELF", b"PK\x03\x04", b"<html", b"<script", b"<svg", b"<?php")


class RejectedFile(InvalidInput):
    """A file that cannot be accepted as a medical record, with the reason."""

    status_code = 422


@dataclass
class Inspection:
    """What a file is and what it says."""

    kind: DocumentKind
    text: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    identifying: dict[str, Any] = field(default_factory=dict)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


def sniff(head: bytes) -> DocumentKind:
    """The kind a file claims to be from its first bytes; raises when no accepted kind matches."""
    if head.startswith(b"%PDF-"):
        return DocumentKind.pdf
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return DocumentKind.png
    if head.startswith(b"\xff\xd8\xff"):
        return DocumentKind.jpeg
    if len(head) >= 132 and head[128:132] == b"DICM":
        return DocumentKind.dicom
    if head.startswith(b"PK\x03\x04"):
        return DocumentKind.dicom_zip
    if head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"{"):
        return DocumentKind.fhir_bundle
    raise RejectedFile(
        "This file type is not accepted. Upload a PDF, a PNG or JPEG image, DICOM files (or a ZIP of "
        "them), or a FHIR R4 bundle (JSON)."
    )


def check_declared(kind: DocumentKind, filename: str | None, declared_type: str | None) -> None:
    """Refuse a file whose name or declared type says something else than its content."""
    suffix = Path(filename or "").suffix.lower()
    expected = EXTENSIONS.get(suffix)
    if expected is not None and expected != kind:
        raise RejectedFile(
            "The file name ends in %(suffix)s but the content is %(kind)s: the file may be damaged or "
            "mislabelled.",
            suffix=suffix,
            kind=kind.value,
        )
    declared = (declared_type or "").split(";")[0].strip().lower()
    expected = DECLARED_TYPES.get(declared)
    if expected is not None and expected != kind:
        raise RejectedFile(
            "The file was sent as %(declared)s but the content is %(kind)s.",
            declared=declared,
            kind=kind.value,
        )


def _check_no_foreign_head(head: bytes, kind: DocumentKind, start: int = 0) -> None:
    window = head[start : start + 1024].lower()
    for signature in FOREIGN_SIGNATURES:
        if signature.lower() in window:
            raise RejectedFile(
                "This %(kind)s file also contains another kind of file (a polyglot) and is refused.",
                kind=kind.value,
            )


def _check_not_zip(path: Path, kind: DocumentKind) -> None:
    if kind != DocumentKind.dicom_zip and zipfile.is_zipfile(path):
        raise RejectedFile(
            "This %(kind)s file is also a ZIP archive (a polyglot) and is refused.", kind=kind.value
        )


def inspect_file(
    path: Path,
    *,
    filename: str | None = None,
    declared_type: str | None = None,
    max_expanded_bytes: int = 1024**3,
) -> Inspection:
    """Decide what the file at `path` is and read it; raises RejectedFile with the reason."""
    with open(path, "rb") as source:
        head = source.read(4096)
    kind = sniff(head)
    check_declared(kind, filename, declared_type)
    if kind == DocumentKind.dicom:
        _check_no_foreign_head(head, kind, start=132)
        preamble = head[:128]
        if any(preamble.startswith(signature) for signature in (*FOREIGN_SIGNATURES, b"MZ")):
            raise RejectedFile("This DICOM file hides another kind of file in its preamble and is refused.")
    elif kind != DocumentKind.dicom_zip:
        _check_no_foreign_head(head, kind, start=1)
    _check_not_zip(path, kind)
    if kind == DocumentKind.pdf:
        return inspect_pdf(path)
    if kind in (DocumentKind.png, DocumentKind.jpeg):
        return inspect_image(path, kind)
    if kind == DocumentKind.dicom:
        return inspect_dicom(path)
    if kind == DocumentKind.dicom_zip:
        return inspect_dicom_zip(path, max_expanded_bytes=max_expanded_bytes)
    return inspect_fhir_bundle(path)


def inspect_pdf(path: Path) -> Inspection:
    """A PDF: must end with %%EOF, open without a password, have pages; its text is extracted."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with open(path, "rb") as source:
        source.seek(max(0, path.stat().st_size - 2048))
        tail = source.read()
    if b"%%EOF" not in tail:
        raise RejectedFile("This PDF is incomplete (it does not end properly): upload the whole file again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise RejectedFile("This PDF is protected by a password: upload a copy without one.")
            pages = len(reader.pages)
            if pages == 0:
                raise RejectedFile("This PDF has no pages.")
            if pages > MAX_PDF_PAGES:
                raise RejectedFile("This PDF has more than %(limit)s pages.", limit=MAX_PDF_PAGES)
            texts: list[str] = []
            length = 0
            for page in reader.pages:
                text = page.extract_text() or ""
                texts.append(text)
                length += len(text)
                if length > MAX_TEXT_CHARS:
                    break
            metadata = reader.metadata
            title = str(metadata.title) if metadata and metadata.title else None
    except RejectedFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as error:
        raise RejectedFile(
            "This PDF is damaged and cannot be read (%(problem)s).", problem=type(error).__name__
        ) from error
    text = "\n\n".join(texts)[:MAX_TEXT_CHARS].replace("\x00", "")
    return Inspection(
        kind=DocumentKind.pdf,
        text=text,
        details={"pages": pages, "title": title, "has_text": bool(text.strip())},
    )


def inspect_image(path: Path, kind: DocumentKind) -> Inspection:
    """A PNG or JPEG: decoded completely by Pillow; nothing may follow the image's end."""
    from PIL import Image, UnidentifiedImageError

    expected_format = "PNG" if kind == DocumentKind.png else "JPEG"
    try:
        with Image.open(path) as image:
            if image.format != expected_format:
                raise RejectedFile("This image is not a real %(format)s.", format=expected_format)
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise RejectedFile(
                    "This image is too large (%(width)s x %(height)s pixels).", width=width, height=height
                )
            image.verify()
        with Image.open(path) as image:
            image.load()
            mode = image.mode
            has_metadata = bool(image.info.get("exif") or image.getexif() or _png_text(image))
    except RejectedFile:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise RejectedFile(
            "This image is damaged or incomplete and cannot be shown (%(problem)s).",
            problem=type(error).__name__,
        ) from error
    _check_image_end(path, kind)
    return Inspection(
        kind=kind, details={"width": width, "height": height, "mode": mode, "has_metadata": has_metadata}
    )


def _png_text(image: Any) -> bool:
    return any(
        key not in ("dpi", "gamma", "transparency", "aspect", "srgb", "icc_profile") for key in image.info
    )


def _check_image_end(path: Path, kind: DocumentKind) -> None:
    """Reject data after the image ends: the usual way to hide an archive or script in a picture."""
    with open(path, "rb") as source:
        size = path.stat().st_size
        source.seek(max(0, size - 64))
        tail = source.read()
    if kind == DocumentKind.png:
        ok = tail.endswith(b"IEND\xaeB`\x82")
    else:
        ok = tail.rstrip(b"\x00").endswith(b"\xff\xd9")
    if not ok:
        raise RejectedFile(
            "This image has data after its end (possibly a hidden file) or is truncated, and is refused."
        )


# Tags that identify the patient: shown to the owner only, removed from copies shared beyond the team.
IDENTIFYING_TAGS = (
    "PatientName",
    "PatientID",
    "IssuerOfPatientID",
    "OtherPatientIDs",
    "OtherPatientIDsSequence",
    "OtherPatientNames",
    "PatientBirthDate",
    "PatientBirthTime",
    "PatientBirthName",
    "PatientMotherBirthName",
    "PatientAddress",
    "PatientTelephoneNumbers",
    "MedicalRecordLocator",
    "EthnicGroup",
    "PatientComments",
    "MilitaryRank",
    "InstitutionName",
    "InstitutionAddress",
    "ReferringPhysicianName",
    "ReferringPhysicianAddress",
    "ReferringPhysicianTelephoneNumbers",
    "PerformingPhysicianName",
    "OperatorsName",
    "PhysiciansOfRecord",
    "NameOfPhysiciansReadingStudy",
    "AccessionNumber",
    "StationName",
    "DeviceSerialNumber",
)
OWNER_SHOWN_TAGS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "PatientAddress",
    "InstitutionName",
)


def _read_dicom(source: Any) -> Any:
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            dataset = pydicom.dcmread(source)
            if "PixelData" in dataset:
                dataset.PixelData  # noqa: B018 - reading it forces a complete parse of encapsulated data
    except (InvalidDicomError, OSError, ValueError, KeyError, TypeError, AttributeError, EOFError) as error:
        raise RejectedFile(
            "This DICOM file is damaged and cannot be read (%(problem)s).", problem=type(error).__name__
        ) from error
    if any("truncat" in str(w.message).lower() or "expected" in str(w.message).lower() for w in caught):
        raise RejectedFile("This DICOM file is incomplete (truncated): upload the whole file again.")
    return dataset


def _dicom_image_complete(dataset: Any) -> None:
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "Modality", "Rows", "Columns"):
        if keyword not in dataset:
            raise RejectedFile(
                "This DICOM file is incomplete or not an image (%(missing)s is missing).", missing=keyword
            )
    if "PixelData" not in dataset:
        raise RejectedFile("This DICOM file is incomplete: it has no image data.")
    syntax = dataset.file_meta.get("TransferSyntaxUID")
    if syntax is not None and not syntax.is_encapsulated:
        frames = int(dataset.get("NumberOfFrames", 1) or 1)
        expected = (
            int(dataset.Rows)
            * int(dataset.Columns)
            * int(dataset.get("SamplesPerPixel", 1))
            * int(dataset.get("BitsAllocated", 8))
            * frames
            + 7
        ) // 8
        if len(dataset.PixelData) < expected:
            raise RejectedFile("This DICOM file is incomplete (truncated): upload the whole file again.")


def _dicom_date(value: Any) -> str | None:
    text = str(value or "")
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) >= 8 and text[:8].isdigit() else None


def dicom_instance(dataset: Any) -> dict[str, Any]:
    """The facts of one DICOM image a reviewer needs, without identifying tags."""
    return {
        "study_uid": str(dataset.StudyInstanceUID),
        "series_uid": str(dataset.SeriesInstanceUID),
        "modality": str(dataset.Modality),
        "study_date": _dicom_date(dataset.get("StudyDate")),
        "series_date": _dicom_date(dataset.get("SeriesDate")),
        "study_description": str(dataset.get("StudyDescription", "") or ""),
        "series_description": str(dataset.get("SeriesDescription", "") or ""),
        "body_part": str(dataset.get("BodyPartExamined", "") or ""),
    }


def dicom_identifying(dataset: Any) -> dict[str, str]:
    """The patient-identifying tags present, as text (owner only)."""
    return {keyword: str(dataset.get(keyword)) for keyword in OWNER_SHOWN_TAGS if dataset.get(keyword)}


def studies_from_instances(instances: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group instances into studies and series, with counts."""
    studies: dict[str, dict[str, Any]] = {}
    for instance in instances:
        study = studies.setdefault(
            instance["study_uid"],
            {
                "study_uid": instance["study_uid"],
                "date": instance["study_date"],
                "description": instance["study_description"],
                "series": {},
            },
        )
        series = study["series"].setdefault(
            instance["series_uid"],
            {
                "series_uid": instance["series_uid"],
                "modality": instance["modality"],
                "date": instance["series_date"] or instance["study_date"],
                "description": instance["series_description"],
                "body_part": instance["body_part"],
                "instances": 0,
            },
        )
        series["instances"] += 1
    return [{**study, "series": list(study["series"].values())} for study in studies.values()]


def inspect_dicom(path: Path) -> Inspection:
    """One DICOM image: complete, with its study and series; identifying tags kept apart."""
    dataset = _read_dicom(path)
    _dicom_image_complete(dataset)
    studies = studies_from_instances([dicom_instance(dataset)])
    return Inspection(
        kind=DocumentKind.dicom,
        details={"studies": studies, "modalities": [str(dataset.Modality)]},
        identifying=dicom_identifying(dataset),
    )


DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10"  # Media Storage Directory: the index of a DICOM CD
MAX_ARCHIVE_ENTRY_BYTES = 256 * 1024 * 1024


@dataclass
class ArchiveEntry:
    """One checked entry of a ZIP of DICOM files: its name and bytes (at most MAX_ARCHIVE_ENTRY_BYTES)."""

    name: str
    data: bytes

    @property
    def is_dicomdir(self) -> bool:
        return self.name.rsplit("/", 1)[-1].upper() == "DICOMDIR"


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name with backslashes read as folder separators; refused when it could leave the folder
    or is encrypted or compressed in a way that is not accepted."""
    name = info.filename.replace("\\", "/")
    parts = name.split("/")
    drive = len(parts[0]) == 2 and parts[0][1] == ":"
    if name.startswith("/") or ".." in parts or drive or "\x00" in name or info.flag_bits & 0x1:
        raise RejectedFile("This ZIP archive has an unsafe or encrypted entry and is refused.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise RejectedFile("This ZIP archive uses a compression method that is not accepted.")
    return name


def _check_archive_directory(
    infos: list[zipfile.ZipInfo], archive_size: int, max_expanded_bytes: int
) -> None:
    if not infos:
        raise RejectedFile("This ZIP archive is empty.")
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise RejectedFile("This ZIP archive has more than %(limit)s files.", limit=MAX_ARCHIVE_MEMBERS)
    declared = sum(info.file_size for info in infos)
    if declared > max_expanded_bytes:
        raise RejectedFile(
            "This ZIP archive would expand beyond %(limit)s MB and is refused.",
            limit=max_expanded_bytes // 2**20,
        )
    if declared > max(archive_size, 1) * MAX_COMPRESSION_RATIO:
        raise RejectedFile("This ZIP archive expands too much (a possible archive bomb) and is refused.")
    if len({info.header_offset for info in infos}) != len(infos):
        raise RejectedFile(
            "This ZIP archive has entries that share their data (an archive bomb) and is refused."
        )


def _bounded_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    data = bytearray()
    try:
        with archive.open(info) as member:
            while chunk := member.read(1024 * 1024):
                data.extend(chunk)
                if len(data) > limit:
                    raise RejectedFile(
                        "This ZIP archive expands too much (a possible archive bomb) and is refused."
                    )
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise RejectedFile("This ZIP archive is damaged and cannot be read.") from error
    return bytes(data)


def archive_entries(source: Any, *, max_expanded_bytes: int) -> Iterator[ArchiveEntry]:
    """Every entry of a ZIP of DICOM files (a path or a binary file), one at a time: all of them count for
    the number, size and compression-ratio limits (declared sizes are not trusted: each is read from a
    bounded stream), none is skipped, and each must be a DICOM file (hidden names and DICOMDIR included;
    backslashes are folder separators). Folders must be empty. Raises RejectedFile on the first problem."""
    try:
        archive = zipfile.ZipFile(source)
        archive_size = archive.fp.seek(0, 2) if archive.fp is not None else 0
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise RejectedFile("This ZIP archive is damaged and cannot be read.") from error
    with archive:
        infos = archive.infolist()
        _check_archive_directory(infos, archive_size, max_expanded_bytes)
        budget = min(max_expanded_bytes, max(archive_size, 1) * MAX_COMPRESSION_RATIO)
        expanded = 0
        for info in infos:
            name = _entry_name(info)
            if name.endswith("/"):
                if info.file_size or info.compress_size > 2:
                    raise RejectedFile("This ZIP archive has a folder entry with content and is refused.")
                continue
            limit = min(
                budget - expanded,
                MAX_ARCHIVE_ENTRY_BYTES,
                max(info.compress_size, 1) * MAX_COMPRESSION_RATIO,
            )
            data = _bounded_read(archive, info, limit)
            expanded += len(data)
            if len(data) < 132 or data[128:132] != b"DICM":
                raise RejectedFile(
                    "The archive entry %(name)s is not a DICOM file: a ZIP may hold DICOM files only.",
                    name=name.rsplit("/", 1)[-1][:80],
                )
            yield ArchiveEntry(name=name, data=data)


def inspect_dicom_zip(path: Path, *, max_expanded_bytes: int) -> Inspection:
    """A ZIP of DICOM images (see `archive_entries`): every entry a complete DICOM image, except a
    DICOMDIR (the index of a CD), which must be a valid DICOM directory and is never shared."""
    import io

    instances: list[dict[str, Any]] = []
    identifying: dict[str, Any] = {}
    expanded = 0
    for entry in archive_entries(path, max_expanded_bytes=max_expanded_bytes):
        expanded += len(entry.data)
        dataset = _read_dicom(io.BytesIO(entry.data))
        if entry.is_dicomdir:
            if str(dataset.file_meta.get("MediaStorageSOPClassUID", "")) != DICOMDIR_SOP_CLASS:
                raise RejectedFile("The archive entry DICOMDIR is not a DICOM directory and is refused.")
            continue
        _dicom_image_complete(dataset)
        instances.append(dicom_instance(dataset))
        identifying = identifying or dicom_identifying(dataset)
    if not instances:
        raise RejectedFile("This ZIP archive holds no DICOM images.")
    return Inspection(
        kind=DocumentKind.dicom_zip,
        details={
            "studies": studies_from_instances(instances),
            "modalities": sorted({i["modality"] for i in instances}),
            "files": len(instances),
            "expanded_bytes": expanded,
        },
        identifying=identifying,
    )


def inspect_fhir_bundle(path: Path) -> Inspection:
    """A FHIR R4 Bundle (JSON) becomes a readable case summary."""
    if path.stat().st_size > MAX_JSON_BYTES:
        raise RejectedFile("This FHIR bundle is larger than %(limit)s MB.", limit=MAX_JSON_BYTES // 2**20)
    try:
        with open(path, encoding="utf-8-sig") as source:
            bundle = json.load(source)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise RejectedFile("This file is not valid JSON (it may be truncated).") from error
    try:
        summary = fhir_summary.summarize_bundle(bundle)
    except fhir_summary.InvalidBundle as error:
        raise RejectedFile(error.template, **error.details) from error
    return Inspection(
        kind=DocumentKind.fhir_bundle,
        text=fhir_summary.summary_text(summary),
        details={"summary": summary, "mcode": mcode_import.read_facts(bundle)},
        identifying=fhir_summary.patient_identifiers(bundle),
    )
