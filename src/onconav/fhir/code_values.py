"""Token and string values of FHIR search parameters, in the directory's terms: comma-separated values,
`system|code` tokens, NPIs, and the knowledge catalogue's codes that specialty, service-type,
service-category and service names mean.
"""

from __future__ import annotations

from collections.abc import Callable

from onconav.fhir import mapping
from onconav.knowledge import service as knowledge


def values(raw: str) -> list[str]:
    """The comma-separated values of a parameter (any of them matches), blanks dropped."""
    stripped = [value.strip() for value in raw.split(",")]
    return [value for value in stripped if value]


def tokens(raw: str) -> list[tuple[str | None, str]]:
    """`system|code`, `|code` or `code` values as (system or None, code)."""
    found = []
    for value in values(raw):
        system, bar, code = value.rpartition("|")
        found.append((system if bar else None, code))
    return found


def npis(raw: str) -> tuple[str, ...]:
    return tuple(code for system, code in tokens(raw) if system in (None, "", mapping.NPI_SYSTEM) and code)


def specialty_codes(raw: str) -> list[str]:
    """onconav specialty codes meant by NUCC codes and/or onconav codes (with or without a system)."""
    known = knowledge.list_specialties()
    codes: list[str] = []
    for system, code in tokens(raw):
        if system in (None, "", mapping.NUCC_SYSTEM):
            codes += [s.code for s in known if code in s.nucc_taxonomy]
        if system in (None, "", mapping.SPECIALTY_SYSTEM):
            codes += [s.code for s in known if s.code == code]
    return codes


def service_codes_for_specialties(specialties: list[str]) -> list[str]:
    wanted = set(specialties)
    return [s.code for s in knowledge.list_services() if wanted & set(s.specialties)]


def service_type_codes(raw: str) -> list[str]:
    codes: list[str] = []
    for system, code in tokens(raw):
        if system in (None, "", mapping.SERVICE_SYSTEM):
            codes.append(code)
        if system in (None, "", mapping.CPT_SYSTEM):
            codes += [s.code for s in knowledge.list_services() if code in s.cpt]
    return codes


def service_category_codes(raw: str) -> list[str]:
    categories = {code for _, code in tokens(raw)}
    return [s.code for s in knowledge.list_services() if str(s.category) in categories]


def service_name_codes(value: str, modifier: str) -> list[str]:
    lowered = value.lower()
    codes = []
    for s in knowledge.list_services():
        name = s.name.lower()
        if (modifier == "exact" and s.name == value) or (modifier != "exact" and lowered in name):
            codes.append(s.code)
    return codes


# HealthcareService parameters answered by the knowledge catalogue's service codes.
HEALTHCARE_SERVICE_CODES: dict[str, Callable[[str, str], list[str]]] = {
    "name": lambda raw, modifier: [
        code for value in values(raw) for code in service_name_codes(value, modifier)
    ],
    "specialty": lambda raw, _: service_codes_for_specialties(specialty_codes(raw)),
    "service-type": lambda raw, _: service_type_codes(raw),
    "service-category": lambda raw, _: service_category_codes(raw),
}
