"""The whole JSON API fuzzed from its OpenAPI schema with Schemathesis: no server errors, and every
response conforms to the schema (status codes, content types, bodies, headers). Signed in as a patient,
over a copy of the small demo directory (SQLite), a few examples per operation to stay quick.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import checks as openapi_checks
from sqlalchemy.engine import Engine

from onconav.accounts import crypto, service
from onconav.app import create_app
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory, unit_of_work

EXAMPLES = 25
SUPPRESSED = list(HealthCheck)
PASSWORD = "fuzzing needs a long passphrase 5"
CHECKS = [
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture
def accounts_settings(fuzz_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """One keyring for the whole module: the fuzzed database outlives each test."""
    key_file = fuzz_dir / "keyring.json"
    monkeypatch.setenv("ONCONAV_KEY_FILE", str(key_file))
    monkeypatch.setenv("ONCONAV_DOCUMENTS_DIR", str(fuzz_dir / "documents"))
    monkeypatch.setenv("ONCONAV_ARGON2_MEMORY_KIB", "1024")
    monkeypatch.setenv("ONCONAV_ARGON2_TIME_COST", "1")
    get_settings.cache_clear()
    yield key_file
    get_settings.cache_clear()
    crypto.forget_cached_keys()


@pytest.fixture
def fuzz_engine(sqlite_demo_engine: Engine, fuzz_dir: Path) -> Iterator[Engine]:
    """A private copy of the demo directory database (the shared one must stay unchanged)."""
    source = sqlite_demo_engine.url.database
    assert source
    target = fuzz_dir / "fuzz.sqlite3"
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)
    engine = create_db_engine(f"sqlite:///{target}")
    yield engine
    engine.dispose()


@pytest.fixture
def fuzz_app(fuzz_engine: Engine) -> FastAPI:
    return create_app(fuzz_engine)


def _patient_token(fuzz_engine: Engine) -> str:
    """A bearer token of a patient of the fuzzed database."""
    with unit_of_work(make_session_factory(fuzz_engine)) as session:
        user = service.get_user_by_email(session, email="fuzz.patient@example.org")
        if user is None:
            user = service.create_user(
                session, email="fuzz.patient@example.org", password=PASSWORD, role="patient", verified=True
            )
        return service.issue_access_token(session, user=user, second_factor_done=False).secret


def _operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzzer(operation: Any, token: str) -> Any:
    """The Hypothesis test of one operation, signed in with `token`."""
    headers = {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def exercise(case: Any) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code < 500

    return exercise


def test_every_api_operation_conforms_to_its_schema_and_never_answers_500(
    fuzz_app: FastAPI, fuzz_engine: Engine, accounts_settings: Path
) -> None:
    operations = _operations(fuzz_app)
    assert len(operations) >= 20
    failures: list[str] = []
    for operation in operations:
        # A fresh sign-in per operation: fuzzing "sign out" must not sign the next operations out.
        exercise = _fuzzer(operation, _patient_token(fuzz_engine))
        try:
            exercise()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
