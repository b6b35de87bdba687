"""The real public datasets the tests read: small real samples kept in the repository (tests/data/real,
always there), and the full files beside the repository (../shared/data) when this machine has them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from tests.support.databases import PreparedEngines

REPOSITORY_SAMPLES = Path(__file__).resolve().parents[1] / "data" / "real"
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
TRIAL_SAMPLES = "clinicaltrials_gov_samples"  # the real ClinicalTrials.gov records, both formats


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets in the repository's samples, laid out as ../shared/data (same folders and names)."""
    return REPOSITORY_SAMPLES


def real_datasets() -> list[Any]:
    """Parameters for a check worth running on every real copy: the samples, and the full files when here.

    The full files are optional: where they are absent the check is not collected for them (nothing skips);
    where they are present (CI, the team's machines) the same check runs on them with their own figures.
    """
    datasets = [pytest.param(REPOSITORY_SAMPLES, id="sample")]
    if SHARED_DATA.is_dir():
        datasets.append(pytest.param(SHARED_DATA, id="full"))
    return datasets


def is_full(root: Path) -> bool:
    """Whether `root` is the full files (../shared/data) rather than the repository's samples."""
    return root == SHARED_DATA


CMS_SAMPLE = REPOSITORY_SAMPLES / "cms_hospital_general_information" / "Hospital_General_Information.csv"
HIFLD_SAMPLE = REPOSITORY_SAMPLES / "hifld_hospitals" / "Hospitals.csv"
NPPES_API_SAMPLES = REPOSITORY_SAMPLES / "nppes_npi_registry_api_samples"
REAL_DIRECTORY = "the real CMS and HIFLD hospital samples, and the recorded NPI Registry oncologist"


def _load_real_directory(engine: Engine, folder: Path) -> None:
    """Import the repository's CMS and HIFLD samples (linked) and the NPI Registry API oncologist."""
    from onconav.directory.imports import framework, registry
    from onconav.directory.imports.formats.nppes_api import SyncQuery
    from onconav.directory.imports.sources.nppes_api import NppesApiSource

    for source, path in (("cms-hospitals", CMS_SAMPLE), ("hifld-hospitals", HIFLD_SAMPLE)):
        framework.run_import(
            engine, registry.get_source(source), path, report_path=folder / f"{source}-rejected.csv"
        )
    answer = json.loads((NPPES_API_SAMPLES / "api-f62abe.json").read_text(encoding="utf-8"))
    sync = NppesApiSource(SyncQuery(taxonomy="207RX0202X", state="NY"), transport=lambda url, params: answer)
    label = sync.query.label()
    framework.run_import(
        engine, sync, Path(label), identity=label, report_path=folder / "nppes-api-rejected.csv"
    )


@pytest.fixture
def real_directory_engine(
    backend: str, request: pytest.FixtureRequest, prepared_engines: PreparedEngines, tmp_path_factory: Any
) -> Engine:
    """The real samples imported into a fresh database, on each backend (shared: do not change it)."""
    folder = tmp_path_factory.mktemp("real-directory")
    return prepared_engines.get(
        request, backend, REAL_DIRECTORY, lambda engine: _load_real_directory(engine, folder)
    )
