"""Record intake throughput, beside a baseline measured in the same run: taking in a file through the
whole upload path (stream and hash, decide the kind by a real parse, encrypt in chunks, fsync, rename,
insert the row, commit) against only streaming the same bytes to disk with their SHA-256 and fsync.

Usage: python benchmarks/cases.py [--rounds 5]   (a temporary SQLite database, keyring and documents
folder; nothing else is touched). Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from onconav import migrate
from onconav.cases import service
from onconav.cases.schemas import CaseCreate
from onconav.cases.storage import DocumentStore
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory, unit_of_work


def sample_files() -> dict[str, tuple[str, bytes]]:
    """Real files of each kind, a few MB each."""
    from fpdf import FPDF
    from PIL import Image
    from pydicom.data import get_testdata_file

    pdf = FPDF()
    pdf.set_compression(False)
    for page in range(60):
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, f"Page {page}. " + "Pathology findings: epithelioid mesothelioma. " * 60)
    noise = random.Random(1).randbytes(1200 * 1000 * 3)
    png = io.BytesIO()
    Image.frombytes("RGB", (1200, 1000), noise).save(png, format="PNG")
    archive = io.BytesIO()
    ct = Path(str(get_testdata_file("CT_small.dcm"))).read_bytes()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for number in range(120):
            zipped.writestr(f"series/{number:04d}.dcm", ct)
    return {
        "PDF, 60 pages": ("report.pdf", bytes(pdf.output())),
        "PNG, 1200x1000 noise": ("scan.png", png.getvalue()),
        "ZIP of 120 DICOM images": ("study.zip", archive.getvalue()),
    }


def best_of(rounds: int, action: Callable[[], None]) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="onconav-bench-cases-") as scratch:
        root = Path(scratch)
        os.environ["ONCONAV_KEY_FILE"] = str(root / "keyring.json")
        os.environ["ONCONAV_DOCUMENTS_DIR"] = str(root / "documents")
        get_settings.cache_clear()
        engine = create_db_engine(f"sqlite:///{root / 'bench.sqlite3'}")
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        store = DocumentStore(root / "documents")
        with unit_of_work(factory) as session:
            case_id = service.create(
                session, patient_id="bench", case_in=CaseCreate(title="bench", diagnosis="mesothelioma")
            ).id
        print(
            f"onconav record intake (Python {platform.python_version()}, {os.cpu_count()} cores), "
            f"best of {args.rounds}"
        )
        print(f"{'file':<26}{'MB':>7}{'baseline MB/s':>15}{'intake MB/s':>13}{'ms/file':>9}{'ratio':>8}")
        for label, (name, data) in sample_files().items():
            megabytes = len(data) / 1e6

            def baseline(data: bytes = data) -> None:
                with store.receive(io.BytesIO(data), max_bytes=1 << 30):
                    pass

            def intake(data: bytes = data, name: str = name) -> None:
                with unit_of_work(factory) as session:
                    case = service.get_or_raise(session, case_id=case_id)
                    service.add_document(
                        session,
                        store=store,
                        case=case,
                        uploaded_by="bench",
                        source=io.BytesIO(data),
                        filename=name,
                    )

            base = best_of(args.rounds, baseline)
            full = best_of(args.rounds, intake)
            print(
                f"{label:<26}{megabytes:>7.1f}{megabytes / base:>15.0f}{megabytes / full:>13.1f}"
                f"{full * 1000:>9.0f}{full / base:>8.1f}"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
