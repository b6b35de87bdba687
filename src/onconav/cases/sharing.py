"""Copies of documents for people beyond the reviewing team: image metadata (EXIF, text chunks) removed,
DICOM patient-identifying tags and private tags removed (preamble cleared), PDF document information
removed, FHIR Patient resources reduced to gender and birth year.

The original stays untouched for the owner; copies are made on demand and never stored.
"""

from __future__ import annotations

import io
import zipfile
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
