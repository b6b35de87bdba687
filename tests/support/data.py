"""The real public datasets the tests read: small real samples kept in the repository (tests/data/real,
always there), and the full files beside the repository (../shared/data) when this machine has them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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
