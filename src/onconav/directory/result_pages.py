"""What the results and profile pages show beyond the API's answer: doctors grouped under their center,
contact details and referral facts, and the condition, stage and biomarkers the person named, kept in links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.directory.models import Location, Organization, PractitionerRole
from onconav.directory.schemas import AcceptedPlanRead, SearchResultRead
from onconav.directory.statements import compiled, in_list, in_values, padded
from onconav.errors import InvalidInput
from onconav.knowledge import service as knowledge

MAX_QUERY_LENGTH = 200  # a search names a procedure, condition or specialty: a sentence at most
MAX_BIOMARKERS_LENGTH = 200
INSURANCE_SHOWN = 3  # plans a result card names before "and N more"
# Stage groups and sub-stages as the knowledge base names them: "IV", "IIIA", "0", "limited", "extensive".
STAGE_PATTERN = re.compile(r"(?:0|I{1,3}[A-C]?[1-3]?|IV[A-C]?|limited|extensive)", re.IGNORECASE)


@dataclass(frozen=True)
class Contact:
    """How to reach a provider, as its sources list it (None: not listed)."""

    phone: str | None = None
    website: str | None = None
    accepting_new_patients: bool | None = None  # None: the source does not say
    accepts_international: bool | None = None  # None: not a center (a doctor's own listing says nothing)


@dataclass
class ResultGroup:
    """One numbered entry of the results list: a center (or a doctor on their own) and, inside it, the
    relevant doctors who work there. `lead` is the center's own result when it is one."""

    number: int
    organization_id: int | None
    name: str
    url: str
    lead: SearchResultRead | None
    members: list[SearchResultRead] = field(default_factory=list)

    @property
    def first(self) -> SearchResultRead:
        """The result that places the group (the center, else its best doctor)."""
        return self.lead or self.members[0]

    @property
    def results(self) -> list[SearchResultRead]:
        """Every result in the group, the center first."""
        return ([self.lead] if self.lead else []) + self.members


def check_query_length(query: str) -> None:
    """Refuse a search text too long to be a search (a pasted letter), with a message that says so."""
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            "That search is too long: use at most %(max)s characters, for example a cancer type and its "
            "stage.",
            field="q",
            max=MAX_QUERY_LENGTH,
        )


def group_results(results: list[SearchResultRead]) -> list[ResultGroup]:
    """Doctors under their center, the center once, groups in the order of their first result.

    A center placed by one of its doctors (the center itself not in the results) still heads the group,
    linked to its profile, so that eight doctors of one hospital are one entry, not eight.
    """
    groups: list[ResultGroup] = []
    by_organization: dict[int, ResultGroup] = {}
    for result in results:
        key = result.organization_id
        group = by_organization.get(key) if key is not None else None
        if group is None:
            if result.kind == "organization":
                group = ResultGroup(len(groups) + 1, result.id, result.name, result.url, lead=result)
            elif key is not None and result.organization:
                group = ResultGroup(len(groups) + 1, key, result.organization, f"/organizations/{key}", None)
            else:  # a doctor practising on their own is a group of one
                group = ResultGroup(len(groups) + 1, None, result.name, result.url, None)
            groups.append(group)
            if key is not None:
                by_organization[key] = group
            if result.kind == "organization":
                continue
        elif result.kind == "organization" and group.lead is None:
            group.lead = result
            continue
        group.members.append(result)
    return groups


def contacts_of(session: Session, results: list[SearchResultRead]) -> dict[tuple[str, int], Contact]:
    """Phone, website and referral facts of each result, by (kind, id), in two queries."""
    org_ids = {r.organization_id for r in results if r.organization_id is not None}
    practitioner_ids = {r.id for r in results if r.kind == "practitioner"}
    # Statements compiled once (statements.py): the page is served as often as the search.
    connection = session.connection()
    o, loc, role = Organization.__table__.c, Location.__table__.c, PractitionerRole.__table__.c
    wanted_orgs = padded(sorted(org_ids))
    organizations = (
        {
            row.id: row
            for row in compiled(
                connection,
                ("contacts-organizations", len(wanted_orgs)),
                lambda: select(o.id, o.phone, o.website, o.accepts_international).where(
                    o.id.in_(in_list("o", len(wanted_orgs)))
                ),
            ).execute(connection, in_values("o", wanted_orgs))
        }
        if wanted_orgs
        else {}
    )
    wanted_people = padded(sorted(practitioner_ids))
    roles = (
        {
            (row.practitioner_id, row.organization_id): row
            for row in compiled(
                connection,
                ("contacts-roles", len(wanted_people)),
                lambda: (
                    select(role.practitioner_id, role.organization_id, role.accepting_new_patients, loc.phone)
                    .select_from(
                        PractitionerRole.__table__.outerjoin(Location.__table__, loc.id == role.location_id)
                    )
                    .where(role.practitioner_id.in_(in_list("p", len(wanted_people))))
                ),
            ).execute(connection, in_values("p", wanted_people))
        }
        if wanted_people
        else {}
    )
    contacts: dict[tuple[str, int], Contact] = {}
    for result in results:
        org = organizations.get(result.organization_id) if result.organization_id is not None else None
        if result.kind == "organization":
            contacts[("organization", result.id)] = Contact(
                phone=org.phone if org else None,
                website=web_address(org.website if org else None),
                accepts_international=bool(org and org.accepts_international),
            )
            continue
        held = roles.get((result.id, result.organization_id))
        contacts[("practitioner", result.id)] = Contact(
            phone=(held.phone if held else None) or (org.phone if org else None),
            website=web_address(org.website if org else None),
            accepting_new_patients=None
            if held is None or held.accepting_new_patients is None
            else bool(held.accepting_new_patients),
        )
    return contacts


@dataclass(frozen=True)
class InsuranceLine:
    """A result card's short line on insurance accepted: the first plans ("Medicare (Golden State Health)"),
    how many more, and the newest source with its date."""

    plans: list[str]
    more: int
    source_note: str | None
    as_of: str | None


def insurance_lines(accepted: dict[int, list[AcceptedPlanRead]]) -> dict[int, InsuranceLine]:
    """The insurance line of each organization that accepts plans, by organization id."""
    lines = {}
    for organization_id, plans in accepted.items():
        named = list(dict.fromkeys(f"{plan.plan_type_label} ({plan.payer})" for plan in plans))
        newest = max(plans, key=lambda plan: plan.as_of or "")
        lines[organization_id] = InsuranceLine(
            named[:INSURANCE_SHOWN], max(len(named) - INSURANCE_SHOWN, 0), newest.source_note, newest.as_of
        )
    return lines


def location_phones(session: Session, location_ids: list[int]) -> dict[int, str]:
    """The phone of each listed location that has one (a practitioner's profile shows them)."""
    query = select(Location.id, Location.phone).where(
        Location.id.in_(location_ids), Location.phone.is_not(None)
    )
    return {location_id: phone for location_id, phone in session.execute(query) if phone}


def web_address(website: str | None) -> str | None:
    """A website as a link: sources give "www.example.org" without a scheme; anything else is dropped."""
    if not website or not website.strip() or any(c.isspace() for c in website.strip()):
        return None
    address = website.strip()
    if address.lower().startswith(("http://", "https://")):
        return address
    return None if ":" in address.split("/", 1)[0] else f"https://{address}"


@dataclass(frozen=True)
class SearchContext:
    """The condition, stage and biomarkers a person named, carried into every link the results offer."""

    condition_code: str | None = None
    condition_name: str | None = None
    stage: str | None = None  # as named: the sub-stage when there is one ("IIIA"), else the group ("IV")
    stage_code: str | None = None  # the knowledge base's stage page, when the condition has that stage
    biomarkers: tuple[str, ...] = ()

    @property
    def stage_url(self) -> str | None:
        """The stage's page (/conditions/<slug>/stages/<code>)."""
        if self.condition_code and self.stage_code:
            return f"/conditions/{quote(self.condition_code)}/stages/{quote(self.stage_code)}"
        return None

    def trials_url(self, near: str) -> str | None:
        """Clinical trials for the condition and stage near the place typed."""
        if not self.condition_name:
            return None
        query = {"condition": self.condition_name, "stage": self.stage or "", "near": near}
        if self.biomarkers:
            query["biomarkers"] = ", ".join(self.biomarkers)
        return "/trials?" + urlencode({k: v for k, v in query.items() if v})

    @property
    def second_opinion_url(self) -> str | None:
        """The second-opinion form, prefilled with the condition and stage."""
        if not self.condition_code:
            return None
        query = {"condition": self.condition_code, "stage": self.stage_code or ""}
        return "/cases?" + urlencode({k: v for k, v in query.items() if v}) + "#new-case"

    def url_parameters(self) -> dict[str, str]:
        """What a readable results URL carries so that the context survives (?stage=IV&biomarkers=...)."""
        found = {"stage": self.stage or "", "biomarkers": ", ".join(self.biomarkers)}
        return {key: value for key, value in found.items() if value}


def context_from_text(text: str) -> SearchContext:
    """The condition, stage and biomarkers the query names, as the knowledge base reads them."""
    try:
        found = knowledge.explain(text)
    except InvalidInput:
        return SearchContext()
    if found.condition is None:
        return SearchContext()
    stage = found.stage.substage or found.stage.group if found.stage else None
    biomarkers = tuple(
        " ".join(part for part in (marker.name, marker.status) if part) for marker in found.biomarkers
    )
    return context_for(found.condition.code, stage, biomarkers)


def context_from_parameters(condition_code: str | None, stage: str, biomarkers: str) -> SearchContext:
    """The context a readable URL carries (?stage=IV&biomarkers=EGFR positive), checked: what does not
    look like a stage or is too long is ignored rather than shown."""
    stage = stage.strip()
    named = stage if STAGE_PATTERN.fullmatch(stage) else None
    markers = (
        tuple(m.strip() for m in biomarkers.split(",") if m.strip())
        if len(biomarkers) <= MAX_BIOMARKERS_LENGTH
        else ()
    )
    if condition_code is None:
        return SearchContext()
    return context_for(condition_code, named, markers)


def context_for(condition_code: str, stage: str | None, biomarkers: tuple[str, ...]) -> SearchContext:
    """The context of a condition of the catalogue, with the stage page when the condition has that stage."""
    condition = knowledge.get_condition(condition_code)
    if condition is None:
        return SearchContext()
    stage_code = None
    if stage:
        roman = stage[0] in "0IViv"
        stage = stage.upper() if roman else stage.lower()
        group = re.sub(r"[A-C][1-3]?$", "", stage) if roman else stage
        found = knowledge.stage_for(condition, group=group, substage=stage)
        stage_code = found.code if found else None
    return SearchContext(condition.code, condition.name, stage, stage_code, biomarkers)
