"""Parsing of the Plan-Net parameters: any text is a search or a 400 (never an unexpected error), and
`_lastUpdated` dates of every precision and prefix cover the instants FHIR says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onconav.fhir.declarations import INCLUDES, REVINCLUDES, SEARCH_PARAMS
from onconav.fhir.outcome import FhirError
from onconav.fhir.plannet_parameters import last_updated
from onconav.fhir.search_parameters import parse_search

NAMES = sorted({(t, p) for t, params in SEARCH_PARAMS.items() for p in params})
CHAINS = ["location.near", "practitioner.name", "network.name", "organization.identifier", "location.x"]
RESULT = ["_sort", "_summary", "_elements", "_include", "_revinclude", "_count", "_format"]


@settings(max_examples=300, deadline=None)
@given(
    pair=st.sampled_from(NAMES),
    extra=st.sampled_from(CHAINS + RESULT),
    value=st.text(max_size=40),
    other=st.text(max_size=20),
)
def test_any_value_is_a_search_or_a_400(pair: tuple[str, str], extra: str, value: str, other: str) -> None:
    resource_type, name = pair
    try:
        request = parse_search(resource_type, [(name, value), (extra, other)])
    except FhirError as error:
        assert error.status == 400, error.diagnostics
    else:
        assert request.searches and all(s.kind for s in request.searches)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("value", "after", "before", "negate"),
    [
        ("2026", "2026-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00", False),
        ("eq2026-12", "2026-12-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00", False),
        ("ne2026-02-03", "2026-02-03T00:00:00+00:00", "2026-02-04T00:00:00+00:00", True),
        ("ge2026-02-03T10:00Z", "2026-02-03T10:00:00+00:00", None, False),
        ("gt2026-02-03T10:00:00Z", "2026-02-03T10:00:01+00:00", None, False),
        ("lt2026-02-03T10:00:00+02:00", None, "2026-02-03T08:00:00+00:00", False),
        ("le2026-02", None, "2026-03-01T00:00:00+00:00", False),
        ("sa2026", "2027-01-01T00:00:00+00:00", None, False),
        ("eb2026", None, "2026-01-01T00:00:00+00:00", False),
    ],
)
def test_last_updated_ranges(value: str, after: str | None, before: str | None, negate: bool) -> None:
    found = last_updated(value)
    assert found.after == (at(after) if after else None)
    assert found.before == (at(before) if before else None)
    assert found.negate is negate


def test_every_include_and_revinclude_names_a_declared_reference_parameter() -> None:
    for includes in INCLUDES.values():
        for value in includes:
            source, param = value.split(":")
            assert SEARCH_PARAMS[source][param][0] == "reference", value
    for values in REVINCLUDES.values():
        assert all(v in INCLUDES[v.split(":")[0]] for v in values)
