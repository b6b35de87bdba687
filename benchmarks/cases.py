"""Record intake throughput, beside a baseline measured in the same run: taking in a file through the
whole upload path (stream and hash, decide the kind by a real parse, encrypt in chunks, fsync, rename,
insert the row, commit) against only streaming the same bytes to disk with their SHA-256 and fsync.

Then the cost of encrypting a case's free-text fields at rest: creating and reading back 1,000 cases
(title, diagnosis, treatment plan, three questions; each read decrypts every field and the history notes)
through the service, with field encryption and, as the baseline in the same run, with `encrypt_field` and
`decrypt_field` replaced by identity functions (everything else identical).

Usage: python benchmarks/cases.py [--rounds 5] [--cases 1000] [--fields-only]   (a temporary SQLite database,
keyring and documents folder; nothing else is touched). Prints figures; asserts nothing about time.
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

from sqlalchemy.orm import Session, sessionmaker

from onconav import migrate
from onconav.cases import service
from onconav.cases.schemas import CaseCreate
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from onconav.storage import DocumentStore


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
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--fields-only", action="store_true", help="only the field encryption figures")
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
        for label, (name, data) in ({} if args.fields_only else sample_files()).items():
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
        field_encryption(factory, args.cases, args.rounds)
        engine.dispose()


def field_encryption(factory: sessionmaker[Session], count: int, rounds: int) -> None:
    """Create then read `count` cases with field encryption and with identity functions in its place."""
    from onconav.accounts import crypto

    real = (crypto.encrypt_field, crypto.decrypt_field)

    def identity_encrypt(session: Session, value: str | bytes, *, context: str) -> str:
        return value.decode() if isinstance(value, bytes) else value

    def identity_decrypt(session: Session, token: str, *, context: str) -> bytes:
        return token.encode()

    case_in = CaseCreate(
        title="Pleural mesothelioma second opinion",
        diagnosis="Epithelioid pleural mesothelioma, stage IB, diagnosed on a CT-guided biopsy in October",
        treatment_plan="Four cycles of cisplatin and pemetrexed, then extended pleurectomy/decortication",
        questions=["Is surgery worth it?", "Would immunotherapy first be better?", "Is there a trial?"],
    )

    def create() -> list[str]:
        ids = []
        for start in range(0, count, 100):
            with unit_of_work(factory) as session:
                for _ in range(start, min(count, start + 100)):
                    ids.append(service.create(session, patient_id="bench", case_in=case_in).id)
        return ids

    def read(ids: list[str]) -> None:
        crypto.forget_cached_keys()
        with factory() as session:
            for case_id in ids:
                read_back = service.to_read(session, service.get_or_raise(session, case_id=case_id))
                assert read_back.title == case_in.title

    modes = {"identity (baseline)": (identity_encrypt, identity_decrypt), "AES-GCM": real}
    read(create()[:50])  # warm up: knowledge base loaded, data key made, statements compiled
    timings: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in modes}
    for round_number in range(rounds):  # both modes in every round, first one then the other first
        order = list(modes.items())
        for label, functions in order if round_number % 2 == 0 else reversed(order):
            crypto.encrypt_field, crypto.decrypt_field = functions  # type: ignore[assignment]
            start = time.perf_counter()
            ids = create()
            middle = time.perf_counter()
            read(ids)
            timings[label][0].append(middle - start)
            timings[label][1].append(time.perf_counter() - middle)
    results = {label: (min(creates), min(reads)) for label, (creates, reads) in timings.items()}
    crypto.encrypt_field, crypto.decrypt_field = real  # type: ignore[assignment]
    (base_create, base_read), (full_create, full_read) = results.values()
    print(f"\n{count} cases, best of {rounds}: create (commit per 100) and read back (every field decrypted)")
    print(f"{'fields':<22}{'create ms/case':>16}{'read ms/case':>14}")
    for label, (create_time, read_time) in results.items():
        print(f"{label:<22}{create_time * 1000 / count:>16.3f}{read_time * 1000 / count:>14.3f}")
    print(f"{'ratio':<22}{full_create / base_create:>16.2f}{full_read / base_read:>14.2f}")
    text = case_in.diagnosis
    with factory() as session:
        crypto.encrypt_field(session, text, context="bench")  # the data key made and cached
        sealed = [crypto.encrypt_field(session, text, context=f"bench:{n}") for n in range(10_000)]
        encrypt = best_of(
            3, lambda: [crypto.encrypt_field(session, text, context="bench") for _ in range(10_000)]
        )
        decrypt = best_of(
            3, lambda: [crypto.decrypt_field(session, t, context=f"bench:{n}") for n, t in enumerate(sealed)]
        )
    print(
        f"one field of {len(text)} characters: encrypt {encrypt * 1e6 / 10_000:.1f} us, "
        f"decrypt {decrypt * 1e6 / 10_000:.1f} us (best of 3 x 10,000)"
    )


if __name__ == "__main__":
    main()
