"""ClinicalTrials.gov records in both formats (API v2 JSON, legacy `<clinical_study>` XML) read into one
plain `TrialRecord`; a record that cannot be used raises `RecordRejected` with the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from typing import Any

NCT_ID = re.compile(r"^NCT\d{8}$")
# Legacy XML and the classic API spell statuses and phases in words; API v2 uses codes.
_STATUS_WORDS = {
    "recruiting": "RECRUITING",
    "not yet recruiting": "NOT_YET_RECRUITING",
    "enrolling by invitation": "ENROLLING_BY_INVITATION",
    "active, not recruiting": "ACTIVE_NOT_RECRUITING",
    "completed": "COMPLETED",
    "suspended": "SUSPENDED",
    "terminated": "TERMINATED",
    "withdrawn": "WITHDRAWN",
    "unknown status": "UNKNOWN",
    "available": "AVAILABLE",
    "no longer available": "NO_LONGER_AVAILABLE",
    "temporarily not available": "TEMPORARILY_NOT_AVAILABLE",
    "approved for marketing": "APPROVED_FOR_MARKETING",
    "withheld": "WITHHELD",
}
_PHASE_WORDS = {
    "early phase 1": "EARLY_PHASE1",
    "phase 0": "EARLY_PHASE1",
    "phase 1": "PHASE1",
    "phase 2": "PHASE2",
    "phase 3": "PHASE3",
    "phase 4": "PHASE4",
    "n/a": "NA",
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            *("january", "february", "march", "april", "may", "june"),
            *("july", "august", "september", "october", "november", "december"),
        ],
        1,
    )
}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_UNIT_YEARS = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25, "hour": 1 / 8766}
_UNIT_YEARS["minute"] = _UNIT_YEARS["hour"] / 60


class RecordRejected(ValueError):
    """A record that cannot be imported, with a reason a person can act on."""


@dataclass
class SiteRecord:
    """One trial site as the record gives it (coordinates only when the record has them)."""

    facility: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    status: str | None = None
    contacts: list[dict[str, str]] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None


@dataclass
class TrialRecord:
    """Every field onconav keeps from a study record, whatever its format."""

    nct_id: str
    brief_title: str
    source_format: str
    official_title: str | None = None
    acronym: str | None = None
    summary: str | None = None
    conditions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    mesh_terms: list[str] = field(default_factory=list)
    interventions: list[dict[str, str]] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    status: str = "UNKNOWN"
    study_type: str | None = None
    enrollment: int | None = None
    start_date: str | None = None
    completion_date: str | None = None
    last_update: str | None = None
    status_verified: str | None = None
    sponsor: str | None = None
    min_age_years: float | None = None
    max_age_years: float | None = None
    sex: str = "ALL"
    healthy_volunteers: bool | None = None
    criteria_text: str | None = None
    contacts: list[dict[str, str]] = field(default_factory=list)
    sites: list[SiteRecord] = field(default_factory=list)

    def content_hash(self) -> str:
        """A fingerprint of the whole record: equal fingerprints, nothing to update."""
        payload = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


def parse_age(text: str | None) -> float | None:
    """Years in "18 Years", "6 Months"; None for "N/A" or nothing."""
    if not text:
        return None
    match = _AGE.match(text)
    if match is None:
        return None
    return round(float(match.group(1)) * _UNIT_YEARS[match.group(2).lower()], 4)


def parse_date(text: str | None) -> str | None:
    """ISO date (or year-month) from "2016-01-05", "2016-01", "January 2016", "January 5, 2016"."""
    if not text:
        return None
    text = text.strip()
    if re.match(r"^\d{4}(-\d{2}){0,2}$", text):
        return text
    match = re.match(r"^([A-Za-z]+)\s+(?:(\d{1,2}),\s*)?(\d{4})$", text)
    if match and match.group(1).lower() in _MONTHS:
        month = _MONTHS[match.group(1).lower()]
        day = f"-{int(match.group(2)):02d}" if match.group(2) else ""
        return f"{match.group(3)}-{month:02d}{day}"
    return None


def status_code(text: str | None) -> str:
    """API v2 status code from a code or words ("Active, not recruiting")."""
    if not text:
        return "UNKNOWN"
    cleaned = text.strip()
    return _STATUS_WORDS.get(cleaned.lower(), cleaned.upper().replace(" ", "_").replace(",", ""))


def phase_codes(text: str | None) -> list[str]:
    """API v2 phase codes from "Phase 1/Phase 2" or "N/A"."""
    if not text:
        return []
    if text.strip().lower() == "n/a":
        return ["NA"]
    return [_PHASE_WORDS.get(part.strip().lower(), part.strip().upper()) for part in text.split("/")]


def _sex(text: str | None) -> str:
    value = (text or "ALL").strip().upper()
    return {"BOTH": "ALL", "ALL": "ALL", "FEMALE": "FEMALE", "MALE": "MALE"}.get(value, "ALL")


def _checked_id(nct_id: Any) -> str:
    if not isinstance(nct_id, str) or not NCT_ID.match(nct_id.strip()):
        raise RecordRejected(f"no valid NCT id (found {nct_id!r})")
    return nct_id.strip()


# ----------------------------------------------------------------------------------------- API v2 JSON


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _strings(value: Any) -> list[str]:
    return [str(v).strip() for v in value if str(v).strip()] if isinstance(value, list) else []


def _v2_contact(contact: dict[str, Any]) -> dict[str, str]:
    keys = ("name", "role", "phone", "email")
    found = {k: str(contact[k]).strip() for k in keys if contact.get(k)}
    if contact.get("phoneExt") and "phone" in found:
        found["phone"] += f" ext. {contact['phoneExt']}"
    return found


def from_api_v2(study: Any) -> TrialRecord:
    """A record from one API v2 study object (`{"protocolSection": ...}`)."""
    protocol = _get(study, "protocolSection")
    if not isinstance(protocol, dict):
        raise RecordRejected("not an API v2 study: no protocolSection")
    ident = protocol.get("identificationModule") or {}
    nct_id = _checked_id(ident.get("nctId"))
    title = (ident.get("briefTitle") or ident.get("officialTitle") or "").strip()
    if not title:
        raise RecordRejected(f"{nct_id} has no title")
    status = protocol.get("statusModule") or {}
    design = protocol.get("designModule") or {}
    eligibility = protocol.get("eligibilityModule") or {}
    contacts = protocol.get("contactsLocationsModule") or {}
    sites = []
    for location in contacts.get("locations") or []:
        point = location.get("geoPoint") or {}
        sites.append(
            SiteRecord(
                facility=location.get("facility"),
                city=location.get("city"),
                state=location.get("state"),
                postal_code=location.get("zip"),
                country=location.get("country"),
                status=status_code(location.get("status")) if location.get("status") else None,
                contacts=[_v2_contact(c) for c in location.get("contacts") or [] if isinstance(c, dict)],
                lat=point.get("lat"),
                lon=point.get("lon"),
            )
        )
    enrollment = _get(design, "enrollmentInfo", "count")
    return TrialRecord(
        nct_id=nct_id,
        brief_title=title,
        source_format="api_v2_json",
        official_title=ident.get("officialTitle"),
        acronym=ident.get("acronym"),
        summary=_get(protocol, "descriptionModule", "briefSummary"),
        conditions=_strings(_get(protocol, "conditionsModule", "conditions")),
        keywords=_strings(_get(protocol, "conditionsModule", "keywords")),
        mesh_terms=[
            m["term"] for m in _get(study, "derivedSection", "conditionBrowseModule", "meshes") or []
        ],
        interventions=[
            {"type": str(i.get("type", "")), "name": str(i.get("name", ""))}
            for i in _get(protocol, "armsInterventionsModule", "interventions") or []
        ],
        phases=_strings(design.get("phases")),
        status=status_code(status.get("overallStatus")),
        study_type=design.get("studyType"),
        enrollment=int(enrollment) if isinstance(enrollment, int | float) else None,
        start_date=parse_date(_get(status, "startDateStruct", "date")),
        completion_date=parse_date(_get(status, "completionDateStruct", "date")),
        last_update=parse_date(_get(status, "lastUpdatePostDateStruct", "date")),
        status_verified=parse_date(status.get("statusVerifiedDate")),
        sponsor=_get(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name"),
        min_age_years=parse_age(eligibility.get("minimumAge")),
        max_age_years=parse_age(eligibility.get("maximumAge")),
        sex=_sex(eligibility.get("sex")),
        healthy_volunteers=eligibility.get("healthyVolunteers"),
        criteria_text=eligibility.get("eligibilityCriteria"),
        contacts=[_v2_contact(c) for c in contacts.get("centralContacts") or [] if isinstance(c, dict)],
        sites=sites,
    )


# ------------------------------------------------------------------------------------------ legacy XML


def _text(element: ET.Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _textblock(element: ET.Element, path: str) -> str | None:
    """A `<textblock>`: the legacy format indents it, so the common indentation is removed."""
    raw = element.findtext(path)
    if raw is None or not raw.strip():
        return None
    lines = raw.strip("\n").splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(line[cut:].rstrip() for line in lines).strip()


def _xml_contact(element: ET.Element | None, role: str | None = None) -> dict[str, str]:
    if element is None:
        return {}
    found: dict[str, str] = {}
    name = " ".join(filter(None, (_text(element, "first_name"), _text(element, "last_name"))))
    if name:
        found["name"] = name
    if role:
        found["role"] = role
    phone = _text(element, "phone")
    if phone:
        ext = _text(element, "phone_ext")
        found["phone"] = f"{phone} ext. {ext}" if ext else phone
    email = _text(element, "email")
    if email:
        found["email"] = email
    return found


def from_legacy_xml(root: ET.Element) -> TrialRecord:
    """A record from one `<clinical_study>` element (ClinicalTrials.gov legacy XML, TREC corpora)."""
    if root.tag != "clinical_study":
        raise RecordRejected(f"not a <clinical_study> document (root element <{root.tag}>)")
    nct_id = _checked_id(_text(root, "id_info/nct_id"))
    title = _text(root, "brief_title") or _text(root, "official_title")
    if not title:
        raise RecordRejected(f"{nct_id} has no title")
    sites = []
    for location in root.findall("location"):
        address = location.find("facility/address")
        contacts = [
            c
            for c in (
                _xml_contact(location.find("contact"), "CONTACT"),
                _xml_contact(location.find("contact_backup"), "CONTACT"),
            )
            if c
        ]
        sites.append(
            SiteRecord(
                facility=_text(location, "facility/name"),
                city=_text(address, "city"),
                state=_text(address, "state"),
                postal_code=_text(address, "zip"),
                country=_text(address, "country"),
                status=status_code(_text(location, "status")) if _text(location, "status") else None,
                contacts=contacts,
            )
        )
    enrollment = _text(root, "enrollment")
    eligibility = root.find("eligibility")
    healthy = _text(eligibility, "healthy_volunteers")
    central = [
        c
        for c in (
            _xml_contact(root.find("overall_contact"), "CONTACT"),
            _xml_contact(root.find("overall_contact_backup"), "CONTACT"),
        )
        if c
    ]
    return TrialRecord(
        nct_id=nct_id,
        brief_title=title,
        source_format="legacy_xml",
        official_title=_text(root, "official_title"),
        acronym=_text(root, "acronym"),
        summary=_textblock(root, "brief_summary/textblock"),
        conditions=[c.text.strip() for c in root.findall("condition") if c.text and c.text.strip()],
        keywords=[k.text.strip() for k in root.findall("keyword") if k.text and k.text.strip()],
        mesh_terms=[m.text.strip() for m in root.findall("condition_browse/mesh_term") if m.text],
        interventions=[
            {
                "type": (_text(i, "intervention_type") or "").upper(),
                "name": _text(i, "intervention_name") or "",
            }
            for i in root.findall("intervention")
        ],
        phases=phase_codes(_text(root, "phase")),
        status=status_code(_text(root, "overall_status")),
        study_type=(_text(root, "study_type") or "").upper().replace(" ", "_") or None,
        enrollment=int(enrollment) if enrollment and enrollment.isdigit() else None,
        start_date=parse_date(_text(root, "start_date")),
        completion_date=parse_date(_text(root, "completion_date")),
        last_update=parse_date(_text(root, "last_update_posted") or _text(root, "lastchanged_date")),
        status_verified=parse_date(_text(root, "verification_date")),
        sponsor=_text(root, "sponsors/lead_sponsor/agency"),
        min_age_years=parse_age(_text(eligibility, "minimum_age")),
        max_age_years=parse_age(_text(eligibility, "maximum_age")),
        sex=_sex(_text(eligibility, "gender")),
        healthy_volunteers={"yes": True, "no": False}.get((healthy or "").lower()),
        criteria_text=_textblock(eligibility, "criteria/textblock") if eligibility is not None else None,
        contacts=central,
        sites=sites,
    )
