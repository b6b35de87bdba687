"""The short form of every reliability scenario (reliability/), as CI runs it: each asserts the invariants
its scenario checks (no acknowledged write lost, no 5xx for hostile input, the audit chain intact ...),
never a timing. The goals it misses (a 500 where 503 is the goal) are printed, not failed: see
docs/reliability.md. One lab (a PostgreSQL cluster, a keyring, a server) serves the whole module.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from types import ModuleType

import pytest

from onconav.accounts import crypto
from onconav.config import get_settings
from reliability import backup_restore, faults, hostile, load, soak
from reliability.lab import Lab
from tests.support.ci import unavailable

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    """A lab without the demo directory (the short forms check invariants, not search figures); the
    environment it sets for its own in-process work is put back afterwards."""
    saved = dict(os.environ)
    bench = Lab(demo=False)
    try:
        try:
            bench.postgres  # noqa: B018 (starts the cluster now, so that a missing PostgreSQL skips here)
        except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
            unavailable(
                skip=f"PostgreSQL is not available here ({error})",
                fail=f"CI=true requires PostgreSQL for the reliability harness: {error}",
            )
        yield bench
    finally:
        bench.close()
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
        crypto.forget_cached_keys()


def run_short(scenario: ModuleType, lab: Lab) -> None:
    report = scenario.run(lab, True)
    print(report.summary())
    assert not report.broken, report.summary()


def test_load_answers_every_request_at_8_connections(lab: Lab) -> None:
    run_short(load, lab)


def test_soak_answers_every_request_and_the_server_stays_up(lab: Lab) -> None:
    run_short(soak, lab)


def test_hostile_input_gets_no_5xx_and_crashes_no_importer(lab: Lab) -> None:
    run_short(hostile, lab)


def test_faults_lose_no_acknowledged_write_and_need_no_repair(lab: Lab) -> None:
    run_short(faults, lab)


def test_backup_and_restore_keep_every_acknowledged_write_on_both_databases(lab: Lab) -> None:
    run_short(backup_restore, lab)
