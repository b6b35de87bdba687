"""The real public datasets beside the repository (../shared/data), which CI must have."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ci import unavailable

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
TRIAL_SAMPLES = "clinicaltrials_gov_samples"  # the real ClinicalTrials.gov records, both formats


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of the shared datasets (the tests that need it skip without it, or fail under CI=true)."""
    if not SHARED_DATA.is_dir():
        unavailable(
            skip=f"shared datasets not found at {SHARED_DATA}",
            fail=f"CI=true but the shared datasets are missing at {SHARED_DATA}",
        )
    return SHARED_DATA
