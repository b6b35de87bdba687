"""The quotes journey through the JSON API on SQLite and PostgreSQL: a patient sends one request to two
centers, each center sees only its own part and sends an offer (a revision is a new version), the patient
compares and accepts one; every step is authorised, audited and mailed without medical words."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from onconav.accounts.models import AuditEvent
from tests.quotes.conftest import World, offer_body, request_body
from tests.support.mailbox import Mailbox

MEDICAL_WORDS = ("mesothelioma", "cancer", "stage", "surgery", "pleur", "diagnos", "chemotherapy")


def _send(client: TestClient, world: World, **wishes: object) -> dict:
    response = client.post(
        "/api/v1/requests", json=request_body(world, **wishes), headers=world.patient.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_request_is_understood_and_each_center_sees_only_its_part(client: TestClient, world: World) -> None:
    sent = _send(client, world)
    assert (sent["condition"], sent["stage"]) == ("pleural-mesothelioma", "IV")
    assert [r["organization_id"] for r in sent["recipients"]] == [c.id for c in world.centers]
    assert all(r["reasons"] for r in sent["recipients"])  # why each center is there is always said
    first = world.centers[0]
    inbox = client.get("/api/v1/inbox", headers=first.staff.headers).json()
    assert [item["request_id"] for item in inbox] == [sent["id"]]
    assert client.get("/api/v1/inbox", headers=world.outsider.staff.headers).json() == []
    seen = client.get(f"/api/v1/requests/{sent['id']}", headers=first.staff.headers)
    assert seen.status_code == 200
    assert [r["organization_id"] for r in seen.json()["recipients"]] == [first.id]  # not the other centers
    assert seen.json()["actions"] == ["offer", "message"]
    assert (
        client.get(f"/api/v1/requests/{sent['id']}", headers=world.outsider.staff.headers).status_code == 404
    )
    assert client.get("/api/v1/inbox", headers=world.patient.headers).status_code == 422


def test_offers_versions_comparison_and_choice(
    client: TestClient, world: World, factory: sessionmaker[Session], mailbox: Mailbox
) -> None:
    sent = _send(client, world)
    first, second = world.centers
    url = f"/api/v1/requests/{sent['id']}/offers"
    one = client.post(
        url, json=offer_body(first, procedures=["pleurectomy-decortication"]), headers=first.staff.headers
    )
    assert one.status_code == 201, one.text
    assert one.json()["total"] == {"amount": "20500.00", "currency": "EUR"}
    assert one.json()["team"][0]["practitioner_id"] == first.practitioner_id
    two = client.post(
        url,
        json=offer_body(second, procedures=["extrapleural-pneumonectomy"], total="31000.00"),
        headers=second.staff.headers,
    )
    assert two.status_code == 201, two.text
    # No center ever sees another's offer.
    assert client.get(f"/api/v1/offers/{two.json()['id']}", headers=first.staff.headers).status_code == 404
    # A sent offer never changes: a revision is the next version, the first one stays as it was, superseded.
    revised = client.post(
        url,
        json=offer_body(first, procedures=["pleurectomy-decortication"], total="19000.00"),
        headers=first.staff.headers,
    )
    assert revised.json()["version"] == 2
    old = client.get(f"/api/v1/offers/{one.json()['id']}", headers=world.patient.headers).json()
    assert (old["status"], old["total"]["amount"]) == ("superseded", "20500.00")
    assert (
        client.post(f"/api/v1/offers/{one.json()['id']}/accept", headers=world.patient.headers).status_code
        == 422
    )

    comparison = client.get(f"/api/v1/requests/{sent['id']}/comparison", headers=world.patient.headers).json()
    assert [c["organization_id"] for c in comparison["centers"]] == [
        first.id,
        second.id,
    ]  # the patient's order
    rows = {row["code"]: row for row in comparison["plan"]}
    assert rows["pleurectomy-decortication"]["proposed_by"] == [first.id]
    assert rows["pleurectomy-decortication"]["differs"] is True
    assert rows["pleurectomy-decortication"]["plain_words"]  # the catalogue's plain words
    assert rows["chemotherapy"]["differs"] is False
    costs = {part["part"]: part for part in comparison["centers"][0]["costs"]}
    assert costs["offer"]["knowledge"] == "known"
    assert costs["offer"]["amount"] == {"amount": "19500.00", "currency": "EUR"}
    # No figures from anyone: travel and stay are unknown, never invented; the follow-up is unknown for now.
    assert [costs[p]["knowledge"] for p in ("travel", "stay", "follow_up")] == ["unknown"] * 3
    assert comparison["centers"][0]["total_known_and_estimated"] == {"amount": "19500.00", "currency": "EUR"}
    assert (
        client.get(f"/api/v1/requests/{sent['id']}/comparison", headers=first.staff.headers).status_code
        == 403
    )

    chosen = client.post(f"/api/v1/offers/{two.json()['id']}/accept", headers=world.patient.headers)
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["state"] == "accepted"
    statuses = {r["organization_id"]: r["status"] for r in chosen.json()["recipients"]}
    assert statuses == {first.id: "not_chosen", second.id: "accepted"}
    assert (
        client.get(f"/api/v1/offers/{revised.json()['id']}", headers=first.staff.headers).json()["status"]
        == "not_chosen"
    )
    assert (
        client.post(
            f"/api/v1/offers/{revised.json()['id']}/accept", headers=world.patient.headers
        ).status_code
        == 422
    )

    thanked = mailbox.wait_for(first.staff.email, count=2)  # the request, then the thanks
    told = mailbox.wait_for(second.staff.email, count=2)
    assert "chose another center" in mailbox.body(thanked[-1])
    assert "chose your center" in mailbox.body(told[-1])
    for message in [*thanked, *told, *mailbox.wait_for(world.patient.email, count=3)]:
        text = (message["Subject"] + mailbox.body(message)).lower()
        assert not [word for word in MEDICAL_WORDS if word in text], text
    with factory() as session:
        events = set(session.scalars(select(AuditEvent.event_type).where(AuditEvent.entity_id == sent["id"])))
    assert {"treatment_request.create", "treatment_request.read", "treatment_request.offer"} <= events


def test_estimates_from_the_patients_figures_and_converted_with_loaded_rates(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    from onconav.db import unit_of_work
    from onconav.quotes import service

    with unit_of_work(factory) as session:
        rows = service.parse_ecb_csv("Date, USD, CHF, JPY,\n2026-12-03, 1.0500, 0.9400, N/A,\n")
        service.import_rates(session, rows=rows, source="ECB reference rates (test file)")
    sent = _send(client, world, currency="USD", travel_per_km="0.20", stay_per_night="90.00")
    first = world.centers[0]
    body = offer_body(first, procedures=[], total="10000.00")
    assert (
        client.post(
            f"/api/v1/requests/{sent['id']}/offers", json=body, headers=first.staff.headers
        ).status_code
        == 201
    )
    column = client.get(f"/api/v1/requests/{sent['id']}/comparison", headers=world.patient.headers).json()[
        "centers"
    ][0]
    costs = {part["part"]: part for part in column["costs"]}
    km = Decimal(column["distance_km"])
    assert Decimal(380) < km < Decimal(420)  # Paris to Lyon, great circle
    assert costs["travel"]["knowledge"] == "estimated"
    assert (
        Decimal(costs["travel"]["amount"]["amount"]) == km * 2 * Decimal("0.20") * 2
    )  # there and back, two people
    assert costs["stay"]["amount"] == {"amount": "1800.00", "currency": "USD"}  # 10 nights x 2 people x 90
    converted = costs["offer"]["converted"]
    assert converted == {
        "amount": "11025.00",
        "currency": "USD",
        "rate_date": "2026-12-03",
        "rate_source": "ECB reference rates (test file)",
    }
    expected = Decimal("11025.00") + Decimal(costs["travel"]["amount"]["amount"]) + Decimal("1800.00")
    assert Decimal(column["total_known_and_estimated"]["amount"]) == expected
    assert column["unknown_parts"] == ["follow_up"]


def test_bad_input_is_a_clear_4xx(client: TestClient, world: World) -> None:
    too_many = request_body(world)
    too_many["organization_ids"] = [1, 2, 3, 4, 5, 6]
    assert client.post("/api/v1/requests", json=too_many, headers=world.patient.headers).status_code == 422
    unknown = request_body(world)
    unknown["organization_ids"] = [999999]
    answer = client.post("/api/v1/requests", json=unknown, headers=world.patient.headers)
    assert answer.status_code == 422 and "999999" in answer.text
    assert (
        client.post(
            "/api/v1/requests", json=request_body(world, currency="XYZ"), headers=world.patient.headers
        ).status_code
        == 422
    )
    sent = _send(client, world)
    first = world.centers[0]
    url = f"/api/v1/requests/{sent['id']}/offers"
    past = offer_body(first, procedures=[], valid_until="2020-01-01")
    assert "valid until today" in client.post(url, json=past, headers=first.staff.headers).text
    mixed = offer_body(first, procedures=[])
    mixed["items"][1]["currency"] = "USD"
    assert "one currency" in client.post(url, json=mixed, headers=first.staff.headers).text
    made_up = offer_body(first, procedures=["miracle-cure"])
    assert client.post(url, json=made_up, headers=first.staff.headers).status_code == 422
    floaty = offer_body(first, procedures=[])
    floaty["items"][0]["amount"] = "10.005"
    assert client.post(url, json=floaty, headers=first.staff.headers).status_code == 422
    outsider_staff = world.outsider.staff.headers
    assert (
        client.post(url, json=offer_body(world.outsider, procedures=[]), headers=outsider_staff).status_code
        == 404
    )
    assert (
        client.post(url, json=offer_body(first, procedures=[]), headers=world.patient.headers).status_code
        == 403
    )


def test_withdrawal_and_questions(client: TestClient, world: World, mailbox: Mailbox) -> None:
    sent = _send(client, world)
    first = world.centers[0]
    messages = f"/api/v1/requests/{sent['id']}/questions"
    asked = client.post(
        messages,
        json={"body": "Do you treat in English?", "organization_id": first.id},
        headers=world.patient.headers,
    )
    assert asked.status_code == 201
    answer = client.post(
        messages, json={"body": "Yes, our team speaks English."}, headers=first.staff.headers
    )
    assert answer.status_code == 201 and answer.json()["from_center"] is True
    seen_by_other = client.get(
        f"/api/v1/requests/{sent['id']}", headers=world.centers[1].staff.headers
    ).json()
    assert seen_by_other["messages"] == []  # questions to one center stay with that center
    assert (
        len(client.get(f"/api/v1/requests/{sent['id']}", headers=world.patient.headers).json()["messages"])
        == 2
    )
    withdrawn = client.post(f"/api/v1/requests/{sent['id']}/withdraw", headers=world.patient.headers)
    assert withdrawn.json()["state"] == "withdrawn"
    assert {r["status"] for r in withdrawn.json()["recipients"]} == {"withdrawn"}
    late = client.post(
        f"/api/v1/requests/{sent['id']}/offers",
        json=offer_body(first, procedures=[]),
        headers=first.staff.headers,
    )
    assert late.status_code == 422
    assert (
        client.post(f"/api/v1/requests/{sent['id']}/withdraw", headers=first.staff.headers).status_code == 403
    )
    assert "withdrew" in mailbox.body(mailbox.wait_for(world.centers[1].staff.email, count=2)[-1])


def test_medicare_payments_of_a_us_hospital_are_a_reference_with_their_source(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    from onconav.db import unit_of_work
    from onconav.directory.models import InpatientVolume, Organization

    first, second = world.centers
    # Constructed rows in the layout of the CMS file's import (figures made up for this test).
    with unit_of_work(factory) as session:
        organization = session.get(Organization, first.id)
        assert organization is not None
        organization.cms_ccn = "990001"
        for code, title, paid in (
            ("180", "RESPIRATORY NEOPLASMS WITH MCC", 14250.5),
            ("470", "JOINT REPLACEMENT", 9000.0),
        ):
            session.add(
                InpatientVolume(
                    cms_ccn="990001",
                    drg_code=code,
                    drg_description=title,
                    data_year=2023,
                    discharges=37,
                    avg_total_payment=paid + 1000,
                    avg_medicare_payment=paid,
                )
            )
    body = {**request_body(world), "diagnosis": "stage IV lung cancer"}
    sent = client.post("/api/v1/requests", json=body, headers=world.patient.headers).json()
    for center in (first, second):
        offer = offer_body(center, procedures=["lobectomy"])
        assert (
            client.post(
                f"/api/v1/requests/{sent['id']}/offers", json=offer, headers=center.staff.headers
            ).status_code
            == 201
        )
    columns = client.get(f"/api/v1/requests/{sent['id']}/comparison", headers=world.patient.headers).json()[
        "centers"
    ]
    reference = columns[0]["medicare_reference"]
    assert [(m["drg_code"], m["avg_medicare_payment"], m["currency"]) for m in reference] == [
        ("180", "14250.50", "USD")
    ]
    assert reference[0]["source"] == "CMS Medicare Inpatient Hospitals - by Provider and Service, 2023"
    assert columns[1]["medicare_reference"] == []  # no CMS number: nothing shown, nothing guessed
    assert columns[0]["total_known_and_estimated"] == {
        "amount": "20500.00",
        "currency": "EUR",
    }  # never in a total


def test_the_patients_words_are_encrypted_at_rest(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    sent = _send(client, world)
    first = world.centers[0]
    asked = client.post(
        f"/api/v1/requests/{sent['id']}/questions",
        json={"body": "Is my hip prosthesis a problem?", "organization_id": first.id},
        headers=world.patient.headers,
    )
    assert asked.status_code == 201
    with factory() as session:
        stored = (
            session.connection().exec_driver_sql("SELECT diagnosis_text FROM treatment_request").scalar_one()
        )
        body = session.connection().exec_driver_sql("SELECT body FROM request_message").scalar_one()
    assert "mesothelioma" not in stored and "prosthesis" not in body
    seen = client.get(f"/api/v1/requests/{sent['id']}", headers=first.staff.headers).json()
    assert seen["diagnosis_text"] == "stage 4 pleural mesothelioma"
    assert seen["messages"][0]["body"] == "Is my hip prosthesis a problem?"


def test_validity_and_due_dates_are_enforced(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    from datetime import timedelta

    from onconav.db import unit_of_work, utcnow
    from onconav.quotes.models import Offer, RequestRecipient

    sent = _send(client, world)
    first, second = world.centers
    offered = client.post(
        f"/api/v1/requests/{sent['id']}/offers",
        json=offer_body(first, procedures=[]),
        headers=first.staff.headers,
    ).json()
    with unit_of_work(factory) as session:
        offer = session.get(Offer, offered["id"])
        assert offer is not None
        offer.valid_until = utcnow().date() - timedelta(days=1)
        for recipient in session.query(RequestRecipient).filter_by(organization_id=second.id):
            recipient.due_at = utcnow() - timedelta(hours=1)
    refused = client.post(f"/api/v1/offers/{offered['id']}/accept", headers=world.patient.headers)
    assert refused.status_code == 422 and "ask the center for a new one" in refused.text
    column = client.get(f"/api/v1/requests/{sent['id']}/comparison", headers=world.patient.headers).json()[
        "centers"
    ][0]
    assert column["expired"] is True
    late = client.get("/api/v1/inbox", headers=second.staff.headers).json()
    on_time = client.get("/api/v1/inbox", headers=first.staff.headers).json()
    assert [(item["status"], item["overdue"]) for item in late] == [("awaiting", True)]
    assert [(item["status"], item["overdue"]) for item in on_time] == [("offered", False)]
