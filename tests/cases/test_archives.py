"""ZIPs of DICOM are checked whole: hostile archives are built here, entry by entry, and every entry counts
for the size and ratio limits and must be a DICOM file (hidden names, DICOMDIR and backslash names are no
longer skipped unchecked); the de-identified copy is made entry by entry under the same limits, with
memory bounded (measured with tracemalloc), and a hostile archive uploaded through the API is refused on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pydicom
import pytest
from fastapi.testclient import TestClient
from pydicom.data import get_testdata_file

from onconav.cases import sharing
from onconav.cases.formats import RejectedFile, inspect_file
from tests.cases.case_samples import dicom_file
from tests.support.accounts import Account

MiB = 1024 * 1024
ZEROS = 64 * MiB  # expands ~1000:1: a 64 KiB archive entry that is 64 MB once read


def archive(*members: tuple[str, bytes], zeros: str | None = None, declared_zeros: bool = True) -> bytes:
    """A ZIP of `members`, plus an entry `zeros` of 64 MB of zeros written in chunks (never held whole);
    `declared_zeros=False` hides its real size behind a small declared one in the directory."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            target.writestr(name, data)
        if zeros is not None:
            with target.open(zeros, "w", force_zip64=True) as entry:
                chunk = bytes(MiB)
                for _ in range(ZEROS // MiB):
                    entry.write(chunk)
    data = output.getvalue()
    if zeros is not None and not declared_zeros:
        data = _lie_about_size(data, zeros)
    return data


def _lie_about_size(data: bytes, name: str) -> bytes:
    """The archive with the entry's uncompressed size in the central directory set to 1,000 bytes."""
    central = data.index(b"PK\x01\x02")
    position = data.index(name.encode(), central) - 46
    assert data[position : position + 4] == b"PK\x01\x02"
    assert int.from_bytes(data[position + 24 : position + 28], "little") == ZEROS
    return data[: position + 24] + (1000).to_bytes(4, "little") + data[position + 28 :]


def write(tmp_path: Path, data: bytes, name: str = "study.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_hidden_entry_of_zeros_beside_a_dicom_image_is_refused(tmp_path: Path) -> None:
    data = archive(("a.dcm", dicom_file()), zeros=".cache")
    assert len(data) < 2 * MiB
    with pytest.raises(RejectedFile, match="expands too much"):
        inspect_file(write(tmp_path, data), filename="study.zip")


def test_a_hidden_entry_of_zeros_with_a_false_small_size_is_cut_off_while_read(tmp_path: Path) -> None:
    """Read from a bounded stream: it stops at the declared size, where the checksum fails."""
    data = archive(("a.dcm", dicom_file()), zeros="series/.thumbs", declared_zeros=False)
    with pytest.raises(RejectedFile, match="damaged"):
        inspect_file(write(tmp_path, data), filename="study.zip")


@pytest.mark.parametrize(
    "name", [".DS_Store", "__MACOSX/._a.dcm", "DICOMDIR", "series\\notes.txt", "series/.hidden"]
)
def test_an_entry_that_is_not_dicom_is_refused_whatever_its_name(tmp_path: Path, name: str) -> None:
    data = archive(("a.dcm", dicom_file()), (name, b"not a medical image " * 10))
    with pytest.raises(RejectedFile, match="not a DICOM file"):
        inspect_file(write(tmp_path, data), filename="study.zip")


def test_a_dicomdir_that_is_not_a_dicom_directory_is_refused(tmp_path: Path) -> None:
    data = archive(("a.dcm", dicom_file()), ("DICOMDIR", dicom_file("MR_small.dcm")))
    with pytest.raises(RejectedFile, match="not a DICOM directory"):
        inspect_file(write(tmp_path, data), filename="study.zip")


def test_a_cd_with_its_dicomdir_is_accepted_and_its_shared_copy_leaves_the_dicomdir_out(
    tmp_path: Path,
) -> None:
    dicomdir = Path(str(get_testdata_file("DICOMDIR"))).read_bytes()
    data = archive(
        ("DICOMDIR", dicomdir), ("IMAGES\\IM0001", dicom_file()), (".hidden.dcm", dicom_file("MR_small.dcm"))
    )
    result = inspect_file(write(tmp_path, data), filename="cd.zip")
    assert result.details["files"] == 2  # the hidden image is checked and counted like any other
    shared = zipfile.ZipFile(io.BytesIO(sharing.deidentify_zip(data)))
    assert shared.namelist() == ["image-00001.dcm", "image-00002.dcm"]
    for name in shared.namelist():
        assert "PatientName" not in pydicom.dcmread(io.BytesIO(shared.read(name)))


@pytest.mark.parametrize("name", ["..\\..\\etc\\cron.d\\x.dcm", "C:\\Windows\\x.dcm", "a/../../x.dcm"])
def test_backslash_names_are_folder_separators_and_may_not_leave_the_folder(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(RejectedFile, match="unsafe"):
        inspect_file(write(tmp_path, archive((name, dicom_file()))), filename="study.zip")


def test_a_backslash_name_inside_the_archive_is_checked_and_accepted(tmp_path: Path) -> None:
    result = inspect_file(write(tmp_path, archive(("series\\001.dcm", dicom_file()))), filename="study.zip")
    assert result.details["files"] == 1


def test_entries_that_share_their_data_are_refused(tmp_path: Path) -> None:
    """An overlapping-entries bomb: many directory records point at the same compressed data."""
    data = bytearray(archive(("a.dcm", dicom_file()), ("b.dcm", dicom_file())))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as source:
        first = source.infolist()[0]
    central = data.index(b"PK\x01\x02")
    second_record = data.index(b"b.dcm", central) - 46
    data[second_record + 42 : second_record + 46] = first.header_offset.to_bytes(4, "little")
    with pytest.raises(RejectedFile, match="share their data"):
        inspect_file(write(tmp_path, bytes(data)), filename="study.zip")


def test_a_folder_entry_with_content_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="folder entry"):
        inspect_file(
            write(tmp_path, archive(("a.dcm", dicom_file()), ("series/", b"x" * 500))), filename="s.zip"
        )


def test_the_shared_copy_of_a_hostile_archive_stored_before_the_checks_is_refused_with_memory_bounded() -> (
    None
):
    """An archive accepted before these checks (one image and 64 MB of hidden zeros) is never expanded
    whole to make its de-identified copy: it is refused, and Python's allocations stay far below 64 MB."""
    for declared in (True, False):
        data = archive(("a.dcm", dicom_file()), zeros=".cache", declared_zeros=declared)
        tracemalloc.start()
        try:
            with pytest.raises(RejectedFile):
                sharing.deidentify_zip(io.BytesIO(data))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 8 * MiB, peak


def test_a_hostile_archive_upload_is_refused_through_the_api(
    api: TestClient, person: Callable[..., Account]
) -> None:
    patient = person("patient")
    created = api.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={"title": "Mesothelioma", "diagnosis": "pleural mesothelioma", "urgency": "routine"},
    )
    case_id = created.json()["id"]
    for data in (
        archive(("a.dcm", dicom_file()), zeros=".cache"),
        archive(("a.dcm", dicom_file()), (".DS_Store", b"\x00\x00\x00\x01Bud1" * 100)),
    ):
        response = api.post(
            f"/api/v1/cases/{case_id}/documents",
            headers=patient.headers,
            files={"file": ("study.zip", io.BytesIO(data), "application/zip")},
        )
        assert response.status_code == 422, response.text
    listed = api.get(f"/api/v1/cases/{case_id}/documents", headers=patient.headers)
    assert listed.json() == []


def test_the_shared_copy_of_a_stored_archive_is_made_entry_by_entry_through_the_api(
    api: TestClient, person: Callable[..., Account]
) -> None:
    patient = person("patient")
    created = api.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={"title": "Mesothelioma", "diagnosis": "pleural mesothelioma", "urgency": "routine"},
    )
    dicomdir = Path(str(get_testdata_file("DICOMDIR"))).read_bytes()
    data = archive(("DICOMDIR", dicomdir), ("IMAGES\\IM0001", dicom_file()))
    uploaded = api.post(
        f"/api/v1/cases/{created.json()['id']}/documents",
        headers=patient.headers,
        files={"file": ("cd.zip", io.BytesIO(data), "application/zip")},
    )
    assert uploaded.status_code == 201, uploaded.text
    shared = api.get(
        f"/api/v1/documents/{uploaded.json()['id']}/content?shared=true", headers=patient.headers
    )
    assert shared.status_code == 200
    copy = zipfile.ZipFile(io.BytesIO(shared.content))
    assert copy.namelist() == ["image-00001.dcm"]
    assert "PatientName" not in pydicom.dcmread(io.BytesIO(copy.read("image-00001.dcm")))
