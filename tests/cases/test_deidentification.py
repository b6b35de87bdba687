"""De-identification that is honest, through the API and the pages on SQLite and PostgreSQL: an invited
colleague reads a PDF's text without the patient's name, date of birth or record numbers (from the account
and from the case's DICOM files), is told what could not be checked, and never gets the PDF's pages; message
attachments follow their message, so a colleague (who may not read the messages) never sees them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from onconav.cases import sharing
from tests.cases.case_samples import dicom_file, make_pdf
from tests.support.accounts import Account, signed_in_browser

REPORT = (
    "Patient: DOE, JANE   DOB: 03/05/1961   MRN: 004211\n"
    "Jane Doe, born March 5, 1961, scan ref CompressedSamples 1CT1, phone (617) 555-0199.\n"
    "Epithelioid pleural mesothelioma, stage IV. Ki-67 12%."
)
IDENTIFIERS = ("Jane", "JANE", "Doe", "DOE", "1961", "004211", "CompressedSamples", "1CT1", "555-0199")


def _case_with_team(
    api: TestClient, person: Callable[..., Account]
) -> tuple[str, dict[str, Account], dict[str, str]]:
    """A case of Jane Doe with a PDF report, a CT and a message attachment, an assigned specialist and an
    invited colleague."""
    people = {
        "patient": person("patient", "Jane Doe"),
        "coordinator": person("coordinator"),
        "specialist": person("specialist", "Dr. Ana Ruiz"),
        "colleague": person("specialist", "Dr. Ben Okafor"),
    }
    patient = people["patient"]
    case_id = api.post(
        "/api/v1/cases",
        headers=patient.headers,
        json={"title": "Mesothelioma", "diagnosis": "pleural mesothelioma", "urgency": "routine"},
    ).json()["id"]
    ids = {}
    for key, (name, data, kind) in {
        "report": ("report.pdf", make_pdf(REPORT), "application/pdf"),
        "ct": ("ct.dcm", dicom_file(), "application/dicom"),
    }.items():
        uploaded = api.post(
            f"/api/v1/cases/{case_id}/documents",
            headers=patient.headers,
            files={"file": (name, io.BytesIO(data), kind)},
        )
        assert uploaded.status_code == 201, uploaded.text
        ids[key] = uploaded.json()["id"]
    for who, action in (("patient", "submit"), ("coordinator", "triage")):
        moved = api.post(
            f"/api/v1/cases/{case_id}/transitions", headers=people[who].headers, json={"action": action}
        )
        assert moved.status_code == 200, moved.text
    for who, member, role in (
        ("coordinator", "specialist", "specialist"),
        ("specialist", "colleague", "colleague"),
    ):
        added = api.post(
            f"/api/v1/cases/{case_id}/members",
            headers=people[who].headers,
            json={"email": people[member].email, "role": role},
        )
        assert added.status_code == 201, added.text
    message = api.post(
        f"/api/v1/cases/{case_id}/messages",
        headers=patient.headers,
        data={"body": "My GP's letter."},
        files={"files": ("letter.png", io.BytesIO(_png()), "image/png")},
    )
    assert message.status_code == 201, message.text
    ids["attachment"] = message.json()["attachments"][0]["id"]
    return case_id, people, ids


def _png() -> bytes:
    from tests.cases.case_samples import make_png

    return make_png(with_text=False)


def test_a_colleague_reads_a_pdf_text_without_the_identifiers_the_case_knows(
    api: TestClient, person: Callable[..., Account]
) -> None:
    _, people, ids = _case_with_team(api, person)
    shared = api.get(f"/api/v1/documents/{ids['report']}/text", headers=people["colleague"].headers)
    assert shared.status_code == 200, shared.text
    body = shared.json()
    assert body["redacted"] is True and "could not be checked" in body["unchecked"]
    for identifier in IDENTIFIERS:
        assert identifier not in body["text"], identifier
    assert "Epithelioid pleural mesothelioma, stage IV" in body["text"]
    original = api.get(f"/api/v1/documents/{ids['report']}/text", headers=people["specialist"].headers).json()
    assert "DOE, JANE" in original["text"] and original["redacted"] is False


def test_a_colleague_never_gets_the_pages_of_a_pdf_but_still_gets_other_shared_copies(
    api: TestClient, person: Callable[..., Account]
) -> None:
    _, people, ids = _case_with_team(api, person)
    colleague = people["colleague"]
    refused = api.get(f"/api/v1/documents/{ids['report']}/content", headers=colleague.headers)
    assert refused.status_code == 403
    assert api.get(f"/api/v1/documents/{ids['ct']}/content", headers=colleague.headers).status_code == 200
    specialist = api.get(f"/api/v1/documents/{ids['report']}/content", headers=people["specialist"].headers)
    assert specialist.status_code == 200 and specialist.content.startswith(b"%PDF-")


def test_the_document_page_shows_a_colleague_the_redacted_text_and_what_was_not_checked(
    api: TestClient, person: Callable[..., Account], factory: sessionmaker[Session]
) -> None:
    _, people, ids = _case_with_team(api, person)
    browser, _ = signed_in_browser(api, factory, people["colleague"])
    page = browser.get(f"/documents/{ids['report']}")
    assert page.status_code == 200
    assert "could not be checked" in page.text
    for identifier in ("JANE", "Doe", "1961", "004211"):
        assert identifier not in page.text.split("<main", 1)[-1], identifier
    assert f"/api/v1/documents/{ids['report']}/content" not in page.text


def test_message_attachments_follow_their_message(
    api: TestClient, person: Callable[..., Account], factory: sessionmaker[Session]
) -> None:
    case_id, people, ids = _case_with_team(api, person)
    colleague, specialist = people["colleague"], people["specialist"]
    assert api.get(f"/api/v1/cases/{case_id}/messages", headers=colleague.headers).status_code == 403
    listed = api.get(f"/api/v1/cases/{case_id}/documents", headers=colleague.headers).json()
    assert ids["attachment"] not in [d["id"] for d in listed] and ids["report"] in [d["id"] for d in listed]
    for suffix in ("", "/text", "/content"):
        response = api.get(f"/api/v1/documents/{ids['attachment']}{suffix}", headers=colleague.headers)
        assert response.status_code == 404, (suffix, response.status_code)
    browser, _ = signed_in_browser(api, factory, colleague)
    assert ids["attachment"] not in browser.get(f"/cases/{case_id}").text
    assert browser.get(f"/documents/{ids['attachment']}").status_code == 404
    # Those who read the messages still see the attachment.
    listed = api.get(f"/api/v1/cases/{case_id}/documents", headers=specialist.headers).json()
    assert ids["attachment"] in [d["id"] for d in listed]
    assert (
        api.get(f"/api/v1/documents/{ids['attachment']}/content", headers=specialist.headers).status_code
        == 200
    )


def test_redaction_takes_every_written_form_of_a_known_birth_date_and_keeps_clinical_numbers() -> None:
    known = sharing.KnownIdentifiers(names=("DOE^JANE",), birth_dates=(date(1961, 3, 5),))
    text = "Born 1961-03-05, 19610305, 3/5/61, 05.03.1961, 5 Mar 1961, March 5th, 1961. "
    text += "Tumour 3.5 cm, 3/5 nodes."
    redacted = sharing.redact_text(text, known)
    assert "1961" not in redacted.text and "61," not in redacted.text
    assert "Tumour 3.5 cm, 3/5 nodes." in redacted.text
    assert redacted.removed == 6


def test_what_the_text_labels_is_learned_and_removed_where_written_without_its_label() -> None:
    text = "Patient: DOE, JANE  DOB: 03/05/1961  MRN: 004211\nJane Doe, born March 5, 1961, record 004211."
    redacted = sharing.redact_text(text, sharing.KnownIdentifiers())
    for identifier in ("DOE", "JANE", "Jane", "Doe", "1961", "004211"):
        assert identifier not in redacted.text, identifier
    assert redacted.text.startswith("Patient: [removed]")
