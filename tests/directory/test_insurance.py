"""Insurance accepted: the CSV and Plan-Net Bundle importers (malformed rows rejected with reasons, nothing
half-written, idempotent), the profile page, and the search filter ("accepts Medicare", a plan name); on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from onconav.app import create_app
from onconav.db import make_session_factory, unit_of_work
from onconav.directory import service as directory
from onconav.directory.models import InsuranceOrganization, InsurancePlan, NetworkParticipation, Organization
from onconav.errors import InvalidInput

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = "organization_npi,payer,network,plan,plan_type,states,source,as_of\n"
NOTE = "Constructed test data"
NPI_A, NPI_B = "1234567893", "1245319599"


@pytest.fixture
def demo(migrated_engine: Engine) -> tuple[Engine, list[int]]:
    """The small demo directory, this test's own copy, with NPIs on the first two organizations found for
    'systemic therapy' near Los Angeles."""
    with unit_of_work(make_session_factory(migrated_engine)) as session:
        directory.load_demo(session, size="small", seed=0)
    with unit_of_work(make_session_factory(migrated_engine)) as session:
        outcome = directory.search_providers(
            session, query="systemic therapy", near="Los Angeles, CA", radius_km=2000, limit=50
        )
        org_ids = list(dict.fromkeys(h.organization_id for h in outcome.hits if h.organization_id))[:2]
        for org_id, npi in zip(org_ids, (NPI_A, NPI_B), strict=True):
            session.execute(update(Organization).where(Organization.id == org_id).values(npi=npi))
    return migrated_engine, org_ids


def _import(engine: Engine, path: Path, source: str) -> directory.InsuranceImportRead:
    with unit_of_work(make_session_factory(engine)) as session:
        return directory.import_insurance(session, path=path, source=source)


def _counts(engine: Engine) -> tuple[int, int, int]:
    with unit_of_work(make_session_factory(engine)) as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (InsuranceOrganization, InsurancePlan, NetworkParticipation)
        )


def test_csv_import_rejects_malformed_rows_with_reasons_and_is_idempotent(
    demo: tuple[Engine, list[int]], tmp_path: Path
) -> None:
    engine, _ = demo
    table = tmp_path / "insurance.csv"
    table.write_text(
        HEADER
        + f"{NPI_A},Payer One,Net One,Plan Medicare One,medicare,CA,{NOTE},2026-10-01\n"
        + f"{NPI_B},Payer One,Net One,Plan Medicare One,medicare,CA,{NOTE},2026-10-01\n"
        + f"9999999999,Payer One,Net One,Plan Medicare One,medicare,CA,{NOTE},2026-10-01\n"
        + f"{NPI_A},Payer One,Net Two,Plan X,gold,CA,{NOTE},2026-10-01\n"
        + f"{NPI_A},Payer One,Net Two,Plan Y,medicaid,California,{NOTE},2026-10-01\n"
        + f"{NPI_A},Payer One,Net Two,Plan Z,medicaid,CA,{NOTE},last week\n"
        + f"{NPI_A},,Net Two,Plan Z,medicaid,CA,{NOTE},2026-10-01\n",
        encoding="utf-8",
    )
    done = _import(engine, table, "insurance-csv")
    reasons = {r.row: r.reason for r in done.rejected}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "NPI 9999999999" in reasons[3] and "plan_type 'gold'" in reasons[4]
    assert "two-letter" in reasons[5] and "as_of" in reasons[6] and "payer is empty" in reasons[7]
    assert _counts(engine) == (2, 1, 2)  # nothing of a rejected row: no "Net Two", no plan X/Y/Z
    again = _import(engine, table, "insurance-csv")
    assert len(again.rejected) == 5 and _counts(engine) == (2, 1, 2)
    missing = tmp_path / "missing.csv"
    missing.write_text("organization_npi,payer\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput):
        _import(engine, missing, "insurance-csv")


def test_plannet_bundle_import_checks_each_resource(demo: tuple[Engine, list[int]], tmp_path: Path) -> None:
    engine, org_ids = demo
    bundle = json.loads((EXAMPLES / "plannet-example-bundle.json").read_text(encoding="utf-8"))
    plan = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "InsurancePlan")
    plan["resource"]["period"] = {
        "start": "soon"
    }  # not a FHIR date: this plan is rejected, the rest imported
    broken = tmp_path / "bundle.json"
    broken.write_text(json.dumps(bundle), encoding="utf-8")
    done = _import(engine, broken, "plannet")
    assert len(done.rejected) == 1 and "not valid FHIR R4" in done.rejected[0].reason
    assert done.counts == {"payers": 1, "networks": 2, "plans": 1, "participations": 3, "endpoints": 2}
    with unit_of_work(make_session_factory(engine)) as session:
        accepted = directory.accepted_insurance(session, organization_id=org_ids[0])
    assert [(p.plan, p.plan_type_label) for p in accepted] == [
        ("Example Medicare Advantage Gold", "Medicare Advantage")
    ]
    assert accepted[0].as_of == "2026-11-01" and "Constructed example" in (accepted[0].source_note or "")
    assert _import(engine, EXAMPLES / "plannet-example-bundle.json", "plannet").counts["plans"] == 2
    assert _counts(engine) == (3, 2, 3)  # the same payer, networks and participations, one more plan
    not_json = tmp_path / "not.json"
    not_json.write_text("{", encoding="utf-8")
    with pytest.raises(InvalidInput):
        _import(engine, not_json, "plannet")


def test_profile_shows_insurance_and_search_filters_by_it(
    demo: tuple[Engine, list[int]], tmp_path: Path
) -> None:
    engine, org_ids = demo
    table = tmp_path / "insurance.csv"
    table.write_text(
        HEADER
        + f"{NPI_A},Golden State Health,Golden Access,Golden Medicare Choice,medicare,CA,{NOTE},2026-10-01\n",
        encoding="utf-8",
    )
    assert not _import(engine, table, "insurance-csv").rejected
    with TestClient(create_app(engine)) as client:
        page = client.get(f"/organizations/{org_ids[0]}").text
        assert "Golden Medicare Choice" in page and "2026-10-01" in page and NOTE in page
        assert "No source we have lists" in client.get(f"/organizations/{org_ids[1]}").text
        (listed,) = client.get(f"/api/v1/organizations/{org_ids[0]}/insurance").json()
        assert listed["plan"] == "Golden Medicare Choice" and listed["plan_type_label"] == "Medicare"
        assert listed["as_of"] == "2026-10-01" and listed["source_note"] == NOTE
        assert client.get(f"/api/v1/organizations/{org_ids[1]}/insurance").json() == []
        assert client.get("/api/v1/organizations/999999/insurance").status_code == 404
        params = {"q": "systemic therapy", "near": "Los Angeles, CA", "radius_km": "2000", "limit": "50"}
        for words in ("Medicare", "golden medicare", "Golden State"):
            hits = client.get("/api/v1/search", params={**params, "insurance": words}).json()["results"]
            assert hits and {h["organization_id"] for h in hits} == {org_ids[0]}, words
        assert (
            client.get("/api/v1/search", params={**params, "insurance": "Medicaid"}).json()["results"] == []
        )
        everything = client.get("/api/v1/search", params=params).json()["results"]
        assert len(everything) > len(
            client.get("/api/v1/search", params={**params, "insurance": "Medicare"}).json()["results"]
        )
        html = client.get("/search", params={**params, "insurance": "Medicare"})
        assert html.status_code == 200 and 'name="insurance"' in html.text and 'value="Medicare"' in html.text


def test_cli_imports_insurance_and_prints_rejected_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine
    from typer.testing import CliRunner

    from onconav.cli import app
    from onconav.config import get_settings

    monkeypatch.setenv("ONCONAV_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ONCONAV_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        engine = create_engine(f"sqlite:///{tmp_path / 'onconav.sqlite3'}")
        with unit_of_work(make_session_factory(engine)) as session:
            session.add_all(
                [
                    Organization(name="Lakeside", kind="clinic", npi=NPI_A, languages=[], designations=[]),
                    Organization(
                        name="Harbor", kind="cancer_center", npi=NPI_B, languages=[], designations=[]
                    ),
                ]
            )
        engine.dispose()
        result = runner.invoke(app, ["import", "plannet", str(EXAMPLES / "plannet-example-bundle.json")])
        assert result.exit_code == 0, result.output
        said = " ".join(result.output.split())  # the console wraps long lines
        assert "2 plans" in said and "0 rejected" in said
        table = tmp_path / "insurance.csv"
        table.write_text(
            HEADER
            + f"{NPI_A},Payer,Net,Plan,medicare,MA,{NOTE},2026-10-01\n"
            + f"{NPI_A},Payer,Net,Plan,platinum,MA,{NOTE},2026-10-01\n",
            encoding="utf-8",
        )
        result = runner.invoke(app, ["import", "insurance-csv", str(table)])
        assert result.exit_code == 0, result.output
        said = " ".join(result.output.split())
        assert "1 rejected" in said and "row 2" in said and "platinum" in said
    finally:
        get_settings.cache_clear()


def test_result_cards_and_the_search_api_show_insurance_accepted(
    demo: tuple[Engine, list[int]], tmp_path: Path
) -> None:
    engine, org_ids = demo
    table = tmp_path / "insurance.csv"
    table.write_text(
        HEADER
        + f"{NPI_A},Golden State Health,Golden Access,Golden Medicare Choice,medicare,CA,{NOTE},2026-10-01\n"
        + f"{NPI_A},Bear Health,Bear Net,Bear Medi-Cal,medicaid,CA,{NOTE},2026-11-15\n",
        encoding="utf-8",
    )
    assert not _import(engine, table, "insurance-csv").rejected
    params = {"q": "systemic therapy", "near": "Los Angeles, CA", "radius_km": "2000", "limit": "50"}
    with TestClient(create_app(engine)) as client:
        results = client.get("/api/v1/search", params=params).json()["results"]
        centers = {r["id"]: r for r in results if r["kind"] == "organization"}
        assert org_ids[0] in centers and org_ids[1] in centers
        plans = centers[org_ids[0]]["accepted_insurance"]
        assert [p["plan"] for p in plans] == ["Bear Medi-Cal", "Golden Medicare Choice"]  # by payer
        assert plans[1]["plan_type_label"] == "Medicare" and plans[1]["source_note"] == NOTE
        assert plans[1]["as_of"] == "2026-11-15"  # the file's newest date
        assert centers[org_ids[1]]["accepted_insurance"] is None
        assert all(r.get("accepted_insurance") is None for r in results if r["kind"] == "practitioner")

        page = client.get("/search", params=params)
    assert page.status_code == 200
    lines = re.findall(r'<p class="result-insurance">(.*?)</p>', page.text, re.DOTALL)
    assert len(lines) == 1  # the one center with insurance data, once
    line = " ".join(lines[0].split())
    assert "Accepts: Medicaid (Bear Health), Medicare (Golden State Health)" in line
    assert NOTE in line and "as of 2026-11-15" in line  # the newest source
    card = page.text[page.text.index(f'href="/organizations/{org_ids[0]}"') :]
    next_card = card.find('class="result-card')  # the line is on this center's card
    assert card.index('class="result-insurance"') < (next_card if next_card != -1 else len(card))
