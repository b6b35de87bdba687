"""The whole JSON API fuzzed from its OpenAPI schema with Schemathesis: no server errors, and every
response conforms to the schema (status codes, content types, bodies, headers). Signed in as a patient and
as a coordinator (second factor done), over a copy of the small demo directory (SQLite) with a submitted
case: every operation on its own, then stateful sequences that follow links inferred from the schema (a
created case's id into that case's routes). Bounded: the single operations share 12 seconds per role, the
sequences are 30 of at most 5 calls per role; under a minute in all on 2 cores.
"""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi import checks as openapi_checks
from sqlalchemy.engine import Engine

from onconav.accounts import crypto, service
from onconav.app import create_app
from onconav.config import get_settings
from onconav.db import create_db_engine, make_session_factory, unit_of_work
from tests.cases.case_samples import make_pdf

ROLES = ("patient", "coordinator")
EXAMPLES = 12  # at most, per operation and role
OPERATION_SECONDS = 12.0  # per role, shared equally by the operations
STATEFUL_SCENARIOS = 30  # per role, of at most STATEFUL_STEPS calls each
STATEFUL_STEPS = 5
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


def _token(fuzz_engine: Engine, role: str) -> str:
    """A bearer token of the fuzzed database's account of `role` (a coordinator has done the second
    factor, as after a sign-in with a code)."""
    email = f"fuzz.{role}@example.org"
    with unit_of_work(make_session_factory(fuzz_engine)) as session:
        user = service.get_user_by_email(session, email=email)
        if user is None:
            user = service.create_user(session, email=email, password=PASSWORD, role=role, verified=True)
            if role != "patient":
                service.begin_totp_enrolment(session, user=user)
                user.totp_enabled_at = user.created_at
        return service.issue_access_token(session, user=user, second_factor_done=role != "patient").secret


def _seed_cases(fuzz_app: FastAPI, fuzz_engine: Engine) -> None:
    """Something for object routes to find: the patient's submitted case with a record and a message, in
    the coordinator's queue (the stateful runs also make their own)."""
    headers = {"Authorization": f"Bearer {_token(fuzz_engine, 'patient')}"}
    with TestClient(fuzz_app) as client:
        case = client.post(
            "/api/v1/cases",
            headers=headers,
            json={"title": "Fuzzed case", "diagnosis": "pleural mesothelioma", "urgency": "routine"},
        )
        if case.status_code != 201:  # already seeded by the other test of the module
            return
        case_id = case.json()["id"]
        pdf = make_pdf("Patient: Fuzz Patient. DOB: 01/02/1960. Pleural mesothelioma.")
        for response in (
            client.post(
                f"/api/v1/cases/{case_id}/documents",
                headers=headers,
                files={"file": ("report.pdf", io.BytesIO(pdf), "application/pdf")},
            ),
            client.post(f"/api/v1/cases/{case_id}/messages", headers=headers, data={"body": "Hello"}),
            client.post(f"/api/v1/cases/{case_id}/transitions", headers=headers, json={"action": "submit"}),
        ):
            assert response.status_code in (200, 201), response.text


def _operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzzer(operation: Any, token: str, until: float) -> Any:
    """The Hypothesis test of one operation, signed in with `token`; calls stop at `until` (monotonic)."""
    headers = {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=SUPPRESSED, derandomize=True)
    def exercise(case: Any) -> None:
        if time.monotonic() > until:
            return  # this operation's share of the time is spent
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code < 500

    return exercise


@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_conforms_to_its_schema_and_never_answers_500(
    fuzz_app: FastAPI, fuzz_engine: Engine, accounts_settings: Path, role: str
) -> None:
    """Each operation gets an equal share of the time budget, with at most EXAMPLES examples."""
    _seed_cases(fuzz_app, fuzz_engine)
    operations = _operations(fuzz_app)
    assert len(operations) >= 20
    share = OPERATION_SECONDS / len(operations)
    failures: list[str] = []
    for operation in operations:
        # A fresh sign-in per operation: fuzzing "sign out" must not sign the next operations out.
        exercise = _fuzzer(operation, _token(fuzz_engine, role), time.monotonic() + share)
        try:
            exercise()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failure, then report them all
            failures.append(f"{role} {operation.method.upper()} {operation.path}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_stateful_sequences_follow_links_between_operations_and_never_answer_500(
    fuzz_app: FastAPI, fuzz_engine: Engine, accounts_settings: Path, role: str
) -> None:
    """Sequences of calls where one response feeds the next (links inferred from the schema by
    Schemathesis' dependency analysis: a created case's id into the routes of that case, ...), signed in as
    `role`; a sign-out in a sequence is followed by a new sign-in."""
    _seed_cases(fuzz_app, fuzz_engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    machine = schema.as_state_machine()
    tokens: dict[str, str] = {}
    calls = {"made": 0, "linked": 0}

    class SignedIn(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            if role not in tokens:
                tokens[role] = _token(fuzz_engine, role)
            headers = {"Authorization": f"Bearer {tokens[role]}"}
            if case.operation.method.upper() == "DELETE" and case.operation.path == "/api/v1/auth/token":
                del tokens[role]  # this call signs the token out: the next one signs in again
            return {"headers": headers}

        def step(self, input: Any) -> Any:
            calls["made"] += 1
            calls["linked"] += input.transition is not None
            return super().step(input)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            assert response.status_code < 500, (
                f"{case.operation.method} {case.formatted_path}: {response.text}"
            )
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    SignedIn.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=SUPPRESSED,
            phases=[Phase.explicit, Phase.generate],
        )
    )
    assert calls["linked"] > 0, calls  # some calls took their input from an earlier response
