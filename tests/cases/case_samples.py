"""Real files of every accepted kind, made by the formats' own libraries or shipped by them (pydicom)."""

from __future__ import annotations

import io
from pathlib import Path


def make_pdf(text: str = "Pathology report: epithelioid pleural mesothelioma, stage IV.") -> bytes:
    """A real PDF with one page of text, written by fpdf2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def make_jpeg(with_exif: bool = True) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    if with_exif:
        exif[0x010F] = "CameraMaker"  # Make
        exif[0x013B] = "Jane Patient"  # Artist
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes() if with_exif else b"")
    return output.getvalue()


def make_png(with_text: bool = True) -> bytes:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    image = Image.new("L", (40, 30), 128)
    info = PngInfo()
    if with_text:
        info.add_text("Author", "Jane Patient")
    output = io.BytesIO()
    image.save(output, format="PNG", pnginfo=info)
    return output.getvalue()


def dicom_file(name: str = "CT_small.dcm") -> bytes:
    """A real DICOM file shipped with pydicom."""
    from pydicom.data import get_testdata_file

    path = get_testdata_file(name)
    assert path is not None, name
    return Path(str(path)).read_bytes()


def make_dicom_zip(names: tuple[str, ...] = ("CT_small.dcm", "MR_small.dcm")) -> bytes:
    import zipfile

    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, name in enumerate(names):
            archive.writestr(f"series/{number:03d}.dcm", dicom_file(name))
    return output.getvalue()


def synthea_bundle(shared_data: Path, name_part: str = "Darin_Skiles") -> Path:
    """A real Synthea cancer patient's FHIR R4 bundle."""
    folder = shared_data / "synthea_fhir_r4_cancer" / "bundles"
    return next(folder.glob(f"{name_part}*.json"))
