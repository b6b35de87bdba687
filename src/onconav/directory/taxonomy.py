"""NUCC provider taxonomy codes mapped to onconav specialties and organization kinds.

The mapping is data: data/nucc_taxonomy.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class TaxonomyCode:
    """One NUCC code and what onconav makes of it."""

    code: str
    name: str
    entity: str  # individual | organization
    specialty: str | None  # a knowledge specialty code
    imported: bool  # an NPPES record carrying it is imported
    kind: str | None = None  # organizations: hospital | cancer_center | clinic
    note: str | None = None


@cache
def codes() -> dict[str, TaxonomyCode]:
    """Every mapped code, by code."""
    text = resources.files("onconav.directory").joinpath("data/nucc_taxonomy.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return {
        code: TaxonomyCode(
            code=code,
            name=entry["name"],
            entity=entry["entity"],
            specialty=entry.get("specialty"),
            imported=bool(entry["import"]),
            kind=entry.get("kind"),
            note=entry.get("note"),
        )
        for code, entry in data["codes"].items()
    }


def get(code: str) -> TaxonomyCode | None:
    """The mapping of one code (None when the code is not relevant to cancer care)."""
    return codes().get(code.strip().upper())


@cache
def imported_codes() -> frozenset[str]:
    """Codes that make an NPPES record worth importing."""
    return frozenset(code for code, entry in codes().items() if entry.imported)


def specialties_of(taxonomy_codes: list[str]) -> list[str]:
    """The distinct catalogue specialties of some codes, in the codes' order (primary first)."""
    result: list[str] = []
    for code in taxonomy_codes:
        entry = get(code)
        if entry is not None and entry.specialty and entry.specialty not in result:
            result.append(entry.specialty)
    return result


def organization_kind(taxonomy_codes: list[str]) -> str:
    """The organization kind of an organization with these codes: a hospital code wins, else a clinic."""
    kinds = [entry.kind for code in taxonomy_codes if (entry := get(code)) is not None and entry.kind]
    if "hospital" in kinds:
        return "hospital"
    return "clinic"
