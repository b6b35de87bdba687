"""The explain API and CLI, and the directory search using the condition and stage a query names."""

from __future__ import annotations

import json
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from onconav.cli import app
from onconav.directory import service as directory
from onconav.knowledge import service as knowledge


def _stage(condition_code: str, group: str) -> str:
    condition = knowledge.get_condition(condition_code)
    assert condition is not None
    stage = knowledge.stage_for(condition, group=group, substage=None)
    assert stage is not None
    return stage.code


def test_explain_gives_codes_stage_and_the_options_for_that_stage(sqlite_client: TestClient) -> None:
    body = sqlite_client.get("/api/v1/explain", params={"q": "stage 4 pleural mesothelioma"}).json()
    assert body["condition"]["id"] == "pleural-mesothelioma"
    assert body["condition"]["code"] == "PLMESO"
    assert body["condition"]["icd10"] == ["C45.0"]
    assert body["stage"] == "IV"
    condition = knowledge.get_condition("pleural-mesothelioma")
    assert condition is not None
    expected = knowledge.options_of(condition, _stage("pleural-mesothelioma", "IV"))
    assert [o["summary"] for o in body["options"]] == [o.summary for o in expected]
    assert all(o["sources"] and o["sources"][0].startswith("https://") for o in body["options"])


def test_explain_reads_biomarkers_and_inherits_site_codes(sqlite_client: TestClient) -> None:
    body = sqlite_client.get(
        "/api/v1/explain", params={"q": "metastatic NSCLC, EGFR exon 19 deletion"}
    ).json()
    assert body["condition"]["id"] == "non-small-cell-lung-cancer"
    assert body["stage_group"] == "IV"
    assert {"name": "EGFR", "status": "positive"}.items() <= body["biomarkers"][0].items()
    assert body["condition"]["icd10"] and all(code.startswith("C34") for code in body["condition"]["icd10"])


def test_text_without_cancer_has_no_condition_and_no_options(sqlite_client: TestClient) -> None:
    body = sqlite_client.get("/api/v1/explain", params={"q": "sprained ankle after a fall"}).json()
    assert body["condition"] is None and body["options"] == []
    assert sqlite_client.get("/api/v1/explain", params={"q": ""}).status_code == 422


def test_cli_explain_prints_the_condition_and_stage_as_json_or_text() -> None:
    result = CliRunner().invoke(app, ["explain", "limited stage small cell lung cancer", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["condition"]["id"] == "small-cell-lung-cancer" and body["stage"] == "limited"
    text = CliRunner().invoke(app, ["explain", "colon cancer with liver mets"])
    assert text.exit_code == 0 and "Colon cancer" in text.output and "liver" in text.output


def test_search_uses_the_stage_the_query_names(sqlite_demo_engine: Engine) -> None:
    interpretation = knowledge.interpret_query("stage 4 pleural mesothelioma")
    assert interpretation.stage == "Stage IV"
    condition = knowledge.get_condition("pleural-mesothelioma")
    assert condition is not None
    options = knowledge.options_of(condition, _stage("pleural-mesothelioma", "IV"))
    expected = {f"service:{p}" for o in options for p in o.procedures}
    expected |= {f"specialty:{s}" for o in options for s in o.specialties}
    assert set(interpretation.topics) == expected
    with Session(sqlite_demo_engine) as session:
        outcome = directory.search_providers(
            session, query="stage 4 pleural mesothelioma", near="Houston, TX"
        )
    assert outcome.hits
    assert all(hit.factors[0].params["stage"] == "Stage IV" for hit in outcome.hits)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300), slug=st.text(min_size=1, max_size=30))
def test_no_text_gives_a_server_error(sqlite_client: TestClient, text: str, slug: str) -> None:
    response = sqlite_client.get("/api/v1/explain", params={"q": text})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        body = response.json()
        assert (body["condition"] is None) == (body["options"] == [])
    page = sqlite_client.get(f"/conditions/{quote(slug, safe='')}")
    assert page.status_code in (200, 404), page.text[:300]
