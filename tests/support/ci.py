"""What the suite needs from the machine (PostgreSQL, Chromium, the shared datasets): when one is missing,
the tests that need it skip, except with CI=true, where the run fails instead.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(*, skip: str, fail: str) -> NoReturn:
    """Skip the test that needs what is missing (`skip` says why), or fail the run under CI=true (`fail`)."""
    if IN_CI:
        pytest.fail(fail)
    pytest.skip(skip)
