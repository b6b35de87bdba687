"""Intake by content: every accepted kind is read with its own library; polyglot, malformed, truncated,
mismatched and oversized files and archive bombs are refused with a message that says why."""

from __future__ import annotations

import errno
import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from onconav import storage
from onconav.cases import sharing
from onconav.cases.formats import DocumentKind, RejectedFile, inspect_file
from onconav.storage import DocumentStore, TooLarge
from tests.cases.case_samples import dicom_file, make_dicom_zip, make_jpeg, make_pdf, make_png, synthea_bundle


def write(tmp_path: Path, data: bytes, name: str = "upload.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    result = inspect_file(write(tmp_path, make_pdf()), filename="report.pdf", declared_type="application/pdf")
    assert result.kind == DocumentKind.pdf
    assert "epithelioid pleural mesothelioma" in result.text
    assert result.details["pages"] == 1


def test_jpeg_and_png_images_are_decoded_with_their_size_and_metadata(tmp_path: Path) -> None:
    jpeg = inspect_file(write(tmp_path, make_jpeg()), filename="scan.jpg")
    assert jpeg.kind == DocumentKind.jpeg and jpeg.details["width"] == 64 and jpeg.details["has_metadata"]
    png = inspect_file(write(tmp_path, make_png()), filename="scan.PNG")
    assert png.kind == DocumentKind.png and png.details["height"] == 30


def test_dicom_studies_and_series_are_listed_with_identifying_tags_kept_apart(tmp_path: Path) -> None:
    result = inspect_file(write(tmp_path, dicom_file("CT_small.dcm")), filename="IM0001")
    assert result.kind == DocumentKind.dicom
    study = result.details["studies"][0]
    assert study["date"] == "2004-01-19"
    assert study["series"][0]["modality"] == "CT"
    assert result.identifying["PatientName"] == "CompressedSamples^CT1"
    assert "CompressedSamples" not in str(result.details)


def test_zip_of_dicom_lists_every_series(tmp_path: Path) -> None:
    result = inspect_file(write(tmp_path, make_dicom_zip()), filename="study.zip")
    assert result.kind == DocumentKind.dicom_zip
    assert result.details["files"] == 2
    assert result.details["modalities"] == ["CT", "MR"]
    assert sum(len(study["series"]) for study in result.details["studies"]) == 2


def test_fhir_bundle_becomes_a_case_summary(tmp_path: Path, shared_data: Path) -> None:
    result = inspect_file(synthea_bundle(shared_data, "Darin_Skiles"), filename="export.json")
    assert result.kind == DocumentKind.fhir_bundle
    summary = result.details["summary"]
    names = [c["name"] for c in summary["cancer_conditions"]]
    assert "Primary malignant neoplasm of colon" in names
    assert summary["procedures"] and summary["medications"] and summary["observations"]
    assert result.text.startswith("Cancer diagnoses:")


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"MZ\x90\x00 just a program", "report.pdf", "not accepted"),
        (make_pdf()[:-400], "report.pdf", "incomplete"),
        (b"%PDF-1.7\n" + b"garbage " * 200 + b"\n%%EOF\n", "report.pdf", "damaged"),
        (make_png(), "report.pdf", "content is png"),
        (make_png()[:-30], "scan.png", "incomplete"),
        (make_jpeg()[: len(make_jpeg()) // 2], "scan.jpg", "damaged or incomplete"),
        (make_jpeg() + b"<script>alert(1)</script>", "scan.jpg", "refused"),
        (dicom_file("CT_small.dcm")[:20000], "image.dcm", "incomplete"),
        (dicom_file("CT_small.dcm")[:1000], "image.dcm", "incomplete"),
        (b'{"resourceType": "Patient"}', "export.json", "not a FHIR Bundle"),
        (b'{"resourceType": "Bundle", "entry": [', "export.json", "not valid JSON"),
        (b"", "empty.pdf", "not accepted"),
    ],
    ids=[
        "executable",
        "truncated-pdf",
        "malformed-pdf",
        "png-named-pdf",
        "truncated-png",
        "truncated-jpeg",
        "jpeg-with-trailing-script",
        "truncated-dicom-pixels",
        "truncated-dicom-header",
        "json-not-bundle",
        "truncated-json",
        "empty",
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path: Path, data: bytes, name: str, reason: str) -> None:
    with pytest.raises(RejectedFile) as refused:
        inspect_file(write(tmp_path, data), filename=name)
    assert reason in refused.value.message


def test_data_after_the_end_of_an_image_is_refused(tmp_path: Path) -> None:
    padded = make_jpeg() + b"\x01" * 4096 + b"payload"
    with pytest.raises(RejectedFile, match="data after its end"):
        inspect_file(write(tmp_path, padded), filename="scan.jpg")


def test_declared_type_must_match_content(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="sent as image/png"):
        inspect_file(write(tmp_path, make_pdf()), filename="x", declared_type="image/png")
    # A generic declared type and an unknown name say nothing, so the content decides.
    assert inspect_file(
        write(tmp_path, make_pdf()), filename="x.bin", declared_type="application/octet-stream"
    )


def test_pdf_with_a_zip_appended_is_a_polyglot(tmp_path: Path) -> None:
    appended = io.BytesIO()
    with zipfile.ZipFile(appended, "w") as archive:
        archive.writestr("payload.txt", "hidden")
    with pytest.raises(RejectedFile, match="polyglot"):
        inspect_file(write(tmp_path, make_pdf() + appended.getvalue()), filename="report.pdf")


def test_png_hiding_a_pdf_header_is_a_polyglot(tmp_path: Path) -> None:
    png = make_png(with_text=False)
    # A text chunk early in the file carrying a PDF header: PDF readers look for it in the first 1024 bytes.
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("c", "%PDF-1.4 1 0 obj")
    output = io.BytesIO()
    Image.open(io.BytesIO(png)).save(output, format="PNG", pnginfo=info)
    with pytest.raises(RejectedFile, match="polyglot"):
        inspect_file(write(tmp_path, output.getvalue()), filename="scan.png")


def test_dicom_preamble_hiding_an_executable_is_refused(tmp_path: Path) -> None:
    data = bytearray(dicom_file("rtplan.dcm"))
    data[0:2] = b"MZ"
    with pytest.raises(RejectedFile, match="preamble"):
        inspect_file(write(tmp_path, bytes(data)), filename="plan.dcm")


def zip_of(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def test_zip_bomb_by_ratio_is_refused(tmp_path: Path) -> None:
    # 128 byte preamble + DICM so the first bytes look right, then 50 MB of zeros (ratio ~1000:1).
    bomb = b"\x00" * 128 + b"DICM" + b"\x00" * (50 * 1024 * 1024)
    with pytest.raises(RejectedFile, match="archive bomb"):
        inspect_file(write(tmp_path, zip_of({"a.dcm": bomb})), filename="study.zip")


def test_zip_over_total_expanded_size_is_refused(tmp_path: Path) -> None:
    data = zip_of({"a.dcm": dicom_file(), "b.dcm": dicom_file("MR_small.dcm")})
    with pytest.raises(RejectedFile, match="expand beyond"):
        inspect_file(write(tmp_path, data), filename="study.zip", max_expanded_bytes=40_000)


def test_zip_with_unsafe_or_foreign_entries_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="unsafe"):
        inspect_file(write(tmp_path, zip_of({"../../etc/x.dcm": dicom_file()})), filename="s.zip")
    with pytest.raises(RejectedFile, match="not a DICOM file"):
        inspect_file(
            write(tmp_path, zip_of({"a.dcm": dicom_file(), "notes.pdf": make_pdf()})), filename="s.zip"
        )
    with pytest.raises(RejectedFile, match="damaged"):
        inspect_file(write(tmp_path, make_dicom_zip()[:-60]), filename="s.zip")


def test_upload_streams_with_a_size_limit_and_leaves_nothing(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "documents")
    with store.receive(io.BytesIO(b"x" * 3000), max_bytes=4000) as staged:
        assert staged.size == 3000 and staged.path.exists()
    assert list(store.staging.iterdir()) == []
    with pytest.raises(TooLarge), store.receive(io.BytesIO(b"x" * 5000), max_bytes=4000):
        pass
    assert list(store.staging.iterdir()) == []


def test_shared_copies_lose_identifying_metadata() -> None:
    import pydicom
    from PIL import Image

    jpeg = sharing.shared_copy(DocumentKind.jpeg, make_jpeg())
    with Image.open(io.BytesIO(jpeg)) as image:
        assert not image.getexif()
        assert image.size == (64, 48)
    png = sharing.shared_copy(DocumentKind.png, make_png())
    with Image.open(io.BytesIO(png)) as image:
        assert "Author" not in image.info
    dicom = pydicom.dcmread(io.BytesIO(sharing.shared_copy(DocumentKind.dicom, dicom_file())))
    assert "PatientName" not in dicom and "PatientID" not in dicom
    assert dicom.PatientIdentityRemoved == "YES"
    assert dicom.Modality == "CT" and dicom.preamble == b"\x00" * 128
    archive = zipfile.ZipFile(io.BytesIO(sharing.shared_copy(DocumentKind.dicom_zip, make_dicom_zip())))
    for name in archive.namelist():
        assert "PatientName" not in pydicom.dcmread(io.BytesIO(archive.read(name)))


def test_shared_fhir_bundle_loses_the_patient_identity(shared_data: Path) -> None:
    import json

    path = synthea_bundle(shared_data, "Darin_Skiles")
    original = path.read_bytes()
    shared = json.loads(sharing.shared_copy(DocumentKind.fhir_bundle, original))
    patients = [e["resource"] for e in shared["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert patients
    assert all("name" not in p and "address" not in p and "identifier" not in p for p in patients)
    assert patients[0]["birthDate"] == "1967"
    assert "Darin" not in json.dumps(shared)
    conditions = [e for e in shared["entry"] if e["resource"]["resourceType"] == "Condition"]
    assert len(conditions) == original.decode().count('"resourceType": "Condition"')


def test_a_full_disk_is_a_503_with_retry_after_and_leaves_nothing_staged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while staging an upload: the store says it is unavailable; no partial file is left."""
    store = DocumentStore(tmp_path / "documents")
    real_open = storage.open_new_private

    class FullDisk:
        """The file is created; every write fails as on a full disk."""

        def __init__(self, path: Path) -> None:
            self.file = real_open(path)

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def open_on_a_full_disk(path: Path) -> FullDisk:
        return FullDisk(path)

    monkeypatch.setattr(storage, "open_new_private", open_on_a_full_disk)
    with (
        pytest.raises(storage.StoreUnavailable) as raised,
        store.receive(io.BytesIO(b"x" * 50), max_bytes=4000),
    ):
        pass
    assert raised.value.status_code == 503 and raised.value.headers["Retry-After"]
    assert not list(store.staging.iterdir())


def test_a_sweep_with_a_minimum_age_leaves_young_files_of_uploads_in_flight(tmp_path: Path) -> None:
    """On a shared store, a young staged file or row-less object may be another machine's upload."""
    store = DocumentStore(tmp_path / "documents")
    young_object = "cd" + "1" * 30
    store.commit(store.stage_bytes(b"sealed"), young_object)
    young_staged = store.stage_bytes(b"half an upload")
    old_staged = store.stage_bytes(b"a crash's leftover")
    an_hour_ago = time.time() - 3700
    os.utime(old_staged, (an_hour_ago, an_hour_ago))
    assert store.sweep(set(), min_age_seconds=3600) == 1
    assert young_staged.exists() and not old_staged.exists() and young_object in store.object_ids()
    assert store.sweep(set()) == 2  # with no minimum age (one machine, at start-up): everything left over
    assert store.object_ids() == set() and not list(store.staging.iterdir())
