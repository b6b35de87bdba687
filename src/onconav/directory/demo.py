"""Deterministic generator of a realistic but fictional directory at real city coordinates.

Same seed and size, same rows, byte for byte; records are plain dicts ready for bulk insertion.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

from onconav.directory.demo_names import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    ORGANIZATION_WORDS,
    STREET_WORDS,
)
from onconav.directory.indexing import OrganizationBundle
from onconav.geo import service as geo
from onconav.geo.schemas import Place
from onconav.knowledge import service as knowledge

DemoSize = Literal["tiny", "small", "large"]

# (target practitioners, minimum US city population, largest cities taken per destination country)
SIZES: dict[str, tuple[int, int, int]] = {
    "tiny": (300, 400_000, 2),
    "small": (2_000, 150_000, 5),
    "large": (1_000_000, 15_000, 30),
}
DESTINATION_COUNTRIES = ("TR", "DE", "ES", "IN", "MX")
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "US": ("en",),
    "TR": ("tr", "en"),
    "DE": ("de", "en"),
    "ES": ("es", "en"),
    "IN": ("hi", "en"),
    "MX": ("es", "en"),
}
EXTRA_LANGUAGES: dict[str, tuple[str, ...]] = {
    "US": ("es", "zh", "vi", "tl", "ar", "ru", "ko", "fr"),
    "TR": ("ar", "ru", "de", "az"),
    "DE": ("tr", "ar", "ru", "pl"),
    "ES": ("fr", "de", "ar", "ru"),
    "IN": ("ta", "bn", "mr", "ar"),
    "MX": ("fr", "pt"),
}
ORG_KIND_WORDS = {
    "cancer_center": "Cancer Institute",
    "hospital": "Medical Center",
    "clinic": "Oncology Clinic",
}
ORG_SIZE = {"cancer_center": (60, 120), "hospital": (15, 40), "clinic": (3, 10)}

# Specialty mix of the staff by kind of organization (weights).
# Specialty mix of the staff by kind of organization (weights); every catalogue specialty appears at
# cancer centers so that every service can be found somewhere in the demo.
STAFF_MIX: dict[str, dict[str, float]] = {
    "cancer_center": {
        "medical-oncology": 22,
        "radiation-oncology": 9,
        "surgical-oncology": 7,
        "thoracic-surgery": 5,
        "colorectal-surgery": 4,
        "interventional-pulmonology": 3,
        "palliative-medicine": 8,
        "psycho-oncology": 5,
        "oncology-social-work": 7,
        "oncology-nutrition": 5,
        "hematology": 5,
        "urology": 4,
        "breast-surgery": 4,
        "gynecologic-oncology": 3,
        "gastroenterology": 3,
        "interventional-radiology": 3,
        "hepatobiliary-pancreatic-surgery": 2,
        "neurosurgery": 2,
        "otolaryngology": 2,
        "dermatology": 2,
        "neuro-oncology": 1,
        "hepatology": 1,
        "transplant-surgery": 1,
        "plastic-surgery": 1,
        "endocrine-surgery": 1,
        "endocrinology": 1,
        "nuclear-medicine": 1,
        # Cardiology last, with half of the weight the line above had: the draws of every other specialty
        # stay as they were before it was added.
        "orthopedic-oncology": 0.5,
        "cardiology": 0.5,
    },
    "hospital": {
        "medical-oncology": 26,
        "radiation-oncology": 10,
        "surgical-oncology": 6,
        "thoracic-surgery": 5,
        "colorectal-surgery": 5,
        "interventional-pulmonology": 4,
        "palliative-medicine": 9,
        "psycho-oncology": 4,
        "oncology-social-work": 8,
        "oncology-nutrition": 5,
        "hematology": 5,
        "urology": 5,
        "breast-surgery": 4,
        "gynecologic-oncology": 2,
        "gastroenterology": 4,
        "interventional-radiology": 2,
        "otolaryngology": 2,
        "dermatology": 2,
        "endocrinology": 1,
    },
    "clinic": {
        "medical-oncology": 45,
        "radiation-oncology": 14,
        "palliative-medicine": 9,
        "hematology": 8,
        "oncology-social-work": 10,
        "oncology-nutrition": 7,
        "urology": 4,
        "dermatology": 3,
    },
}

# Every cancer center has at least these, in this order, before the random mix; hospitals these.
CORE_STAFF: dict[str, tuple[str, ...]] = {
    "cancer_center": (
        "medical-oncology",
        "thoracic-surgery",
        "radiation-oncology",
        "surgical-oncology",
        "palliative-medicine",
        "interventional-pulmonology",
        "oncology-social-work",
    ),
    "hospital": ("medical-oncology", "radiation-oncology"),
    "clinic": ("medical-oncology",),
}

# What a specialty performs: every catalogue service that names the specialty (procedures with
# probability 0.5 and a median yearly volume of 12, other services 0.8 without a count), then these
# choices on top. Volumes are invented demo figures, shown as such in the interface.
DEFAULT_PROCEDURE = (0.5, 12)
DEFAULT_SERVICE = (0.8, None)
PERFORMS: dict[str, dict[str, tuple[float, int | None]]] = {
    "thoracic-surgery": {
        "wedge-resection": (0.95, 30),
        "lobectomy": (0.9, 25),
        "segmentectomy": (0.6, 10),
        "pneumonectomy": (0.45, 4),
        "metastasectomy": (0.7, 12),
        "pleurectomy-decortication": (0.2, 5),
        "extrapleural-pneumonectomy": (0.06, 2),
        "pleurodesis": (0.8, 15),
        "indwelling-pleural-catheter": (0.5, 15),
        "second-opinion": (0.6, None),
        "telehealth": (0.4, None),
    },
    "surgical-oncology": {
        "metastasectomy": (0.6, 15),
        "cytoreductive-surgery-hipec": (0.2, 10),
        "second-opinion": (0.6, None),
        "telehealth": (0.4, None),
    },
    "colorectal-surgery": {
        "metastasectomy": (0.3, 8),
        "cytoreductive-surgery-hipec": (0.1, 6),
        "telehealth": (0.3, None),
    },
    "medical-oncology": {
        "systemic-therapy": (1.0, None),
        "second-opinion": (0.6, None),
        "telehealth": (0.6, None),
    },
    "radiation-oncology": {"sbrt": (0.7, 60), "brachytherapy": (0.45, 30), "second-opinion": (0.4, None)},
    "interventional-pulmonology": {"pleurodesis": (0.7, 20), "indwelling-pleural-catheter": (0.9, 25)},
    "palliative-medicine": {"palliative-care": (1.0, None), "telehealth": (0.5, None)},
    "psycho-oncology": {"counseling": (1.0, None), "support-groups": (0.5, None), "telehealth": (0.6, None)},
    "oncology-social-work": {"counseling": (0.8, None), "support-groups": (0.8, None)},
    "oncology-nutrition": {"nutrition": (1.0, None), "telehealth": (0.4, None)},
    "cardiology": {"pericardiocentesis": (0.8, 10)},
}
# Services added to the catalogue after the demo's layout was settled (issue 14) draw from a stream of
# their own, so that adding them does not reshuffle who performs everything else.
LATER_SERVICES = frozenset(
    {"pericardiectomy", "paracentesis", "radical-inguinal-orchiectomy", "pericardiocentesis"}
)
RARE_AT_CANCER_CENTERS = {
    "pleurectomy-decortication",
    "extrapleural-pneumonectomy",
    "cytoreductive-surgery-hipec",
}
CREDENTIALS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "psycho-oncology": ("Dr.", ("PhD", "PsyD")),
    "oncology-social-work": (None, ("LCSW", "MSW")),
    "oncology-nutrition": (None, ("RD", "RDN")),
}
PHYSICIAN_CREDENTIALS = ("MD", "MD", "MD", "MD, PhD", "DO")
VOLUME_UNKNOWN_SHARE = 0.3
CENTER_SUPPORT_SERVICES = ("counseling", "support-groups", "nutrition", "palliative-care", "second-opinion")


@dataclass(frozen=True)
class _Plan:
    index: int
    city: Place
    kind: str
    size: int


def demo_cities(size: DemoSize) -> list[Place]:
    """Real cities that receive demo organizations: US cities and medical-travel destinations."""
    _target, us_min, per_destination = SIZES[size]
    cities = geo.list_cities(country_codes=["US"], min_population=us_min)
    for country in DESTINATION_COUNTRIES:
        cities += geo.list_cities(country_codes=[country], min_population=100_000)[:per_destination]
    return cities


def _plan(size: DemoSize, seed: int) -> list[_Plan]:
    """Decide, for every organization, its city, kind and staff size."""
    target = SIZES[size][0]
    cities = demo_cities(size)
    rng = random.Random(f"{seed}:plan")
    weights = [max(c.population or 0, 10_000) ** 0.85 for c in cities]
    total_weight = sum(weights)
    average_staff = 22.0
    org_target = max(len(cities), round(target / average_staff))
    raw: list[tuple[Place, str, float]] = []
    for city, weight in zip(cities, weights, strict=True):
        count = max(1, round(org_target * weight / total_weight))
        for number in range(count):
            population = city.population or 0
            if (number == 0 and population >= 500_000) or (population >= 150_000 and rng.random() < 0.08):
                kind = "cancer_center"
            else:
                kind = "hospital" if rng.random() < 0.6 else "clinic"
            low, high = ORG_SIZE[kind]
            raw.append((city, kind, rng.uniform(low, high)))
    scale = target / sum(staff for _c, _k, staff in raw)
    return [
        _Plan(index=i, city=city, kind=kind, size=max(1, round(staff * scale)))
        for i, (city, kind, staff) in enumerate(raw)
    ]


@cache
def performs(specialty: str) -> dict[str, tuple[float, int | None]]:
    """Services a practitioner of `specialty` may perform: (probability, median yearly volume)."""
    choices: dict[str, tuple[float, int | None]] = {
        service.code: DEFAULT_PROCEDURE if service.category == "procedure" else DEFAULT_SERVICE
        for service in knowledge.list_services()
        if specialty in service.specialties
    }
    choices.update(PERFORMS.get(specialty, {}))
    return choices


def _pick_weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _languages(rng: random.Random, country: str, *, extra_chance: float) -> list[str]:
    languages = list(COUNTRY_LANGUAGES[country])
    for language in EXTRA_LANGUAGES[country]:
        if rng.random() < extra_chance:
            languages.append(language)
    if country == "US" and "es" not in languages and rng.random() < 0.5:
        languages.append("es")
    return languages


def _volume(rng: random.Random, median: int | None, kind: str) -> int | None:
    if median is None or rng.random() < VOLUME_UNKNOWN_SHARE:
        return None
    boost = {"cancer_center": 1.8, "hospital": 1.0, "clinic": 0.5}[kind]
    return max(1, round(median * boost * math.exp(rng.gauss(0.0, 0.5))))


def _organization_record(plan: _Plan, rng: random.Random, ids: dict[str, int]) -> OrganizationBundle:
    city = plan.city
    country = city.country_code
    us = country == "US"
    kind = plan.kind
    word = ORGANIZATION_WORDS[rng.randrange(len(ORGANIZATION_WORDS))]
    designations: list[str] = []
    if us and kind == "cancer_center" and rng.random() < 0.4:
        designations.append("nci")
    if us and kind != "clinic" and rng.random() < 0.7:
        designations.append("coc")
    if not us and kind != "clinic" and rng.random() < 0.6:
        designations.append("jci")
    org_id = ids["organization"] + plan.index
    location_id = ids["location"] + plan.index
    organization = {
        "id": org_id,
        "name": f"{word} {ORG_KIND_WORDS[kind]} of {city.city}",
        "kind": kind,
        "description": None,
        "phone": None,
        "website": None,
        "npi": None,
        "designations": designations,
        "tumor_board": kind == "cancer_center" or rng.random() < (0.7 if kind == "hospital" else 0.2),
        "clinical_trials": rng.random() < {"cancer_center": 0.95, "hospital": 0.4, "clinic": 0.1}[kind],
        "accepts_international": rng.random()
        < ({"cancer_center": 0.6, "hospital": 0.2, "clinic": 0.05}[kind] if us else 0.9),
        "languages": _languages(rng, country, extra_chance=0.25 if kind == "cancer_center" else 0.1),
        "is_demo": True,
    }
    location = {
        "id": location_id,
        "organization_id": org_id,
        "name": organization["name"],
        "line": f"{rng.randint(100, 9800)} {STREET_WORDS[rng.randrange(len(STREET_WORDS))]}",
        "city": city.city or city.name,
        "region": city.region,
        "region_code": city.region_code,
        "postal_code": None,
        "country_code": country,
        "country": city.country,
        # Spread organizations of one city over a few kilometres so they do not sit on one point.
        "lat": round(city.lat + rng.uniform(-0.03, 0.03), 6),
        "lon": round(city.lon + rng.uniform(-0.03, 0.03), 6),
    }
    return OrganizationBundle(organization=organization, location=location)


def _add_staff(
    record: OrganizationBundle,
    plan: _Plan,
    rng: random.Random,
    first_practitioner_id: int,
    first_role_id: int,
    later: random.Random,
) -> None:
    kind = plan.kind
    country = plan.city.country_code
    org = record.organization
    org_volumes: dict[str, int | None] = {}
    given = GIVEN_NAMES[country]
    family = FAMILY_NAMES[country]
    for number in range(plan.size):
        practitioner_id = first_practitioner_id + number
        role_id = first_role_id + number
        core = CORE_STAFF[kind]
        specialty = core[number] if number < len(core) else _pick_weighted(rng, STAFF_MIX[kind])
        prefix, credential_choices = CREDENTIALS.get(specialty, ("Dr.", PHYSICIAN_CREDENTIALS))
        spoken = [
            lang for lang in org["languages"] if lang in COUNTRY_LANGUAGES[country] or rng.random() < 0.4
        ]
        record.practitioners.append(
            {
                "id": practitioner_id,
                "prefix": prefix,
                "given_name": given[rng.randrange(len(given))],
                "family_name": family[rng.randrange(len(family))],
                "credentials": credential_choices[rng.randrange(len(credential_choices))],
                "gender": None,
                "npi": None,
                "languages": spoken or list(COUNTRY_LANGUAGES[country][:1]),
                "is_demo": True,
            }
        )
        record.roles.append(
            {
                "id": role_id,
                "practitioner_id": practitioner_id,
                "organization_id": org["id"],
                "location_id": record.location["id"],
                "specialty": specialty,
                "is_primary": True,
                "accepting_new_patients": rng.random() < 0.85,
            }
        )
        for service_code, (probability, median) in performs(specialty).items():
            if service_code in RARE_AT_CANCER_CENTERS and kind != "cancer_center":
                probability /= 3
            draw = later if service_code in LATER_SERVICES else rng
            if draw.random() >= probability:
                continue
            volume = _volume(draw, median, kind)
            record.role_services.append(
                {"role_id": role_id, "service_code": service_code, "annual_volume": volume}
            )
            if service_code not in org_volumes:
                org_volumes[service_code] = None
            if volume is not None:
                org_volumes[service_code] = (org_volumes[service_code] or 0) + volume
    if kind != "clinic":
        for service_code in CENTER_SUPPORT_SERVICES:
            org_volumes.setdefault(service_code, None)
    if rng.random() < 0.5:
        org_volumes.setdefault("telehealth", None)
    for service_code, volume in sorted(org_volumes.items()):
        record.services.append(
            {
                "organization_id": org["id"],
                "location_id": record.location["id"],
                "service_code": service_code,
                "annual_volume": volume,
            }
        )


def count_planned(size: DemoSize, seed: int = 0) -> tuple[int, int]:
    """(organizations, practitioners) a demo of this size will hold."""
    plans = _plan(size, seed)
    return len(plans), sum(p.size for p in plans)


def generate(
    size: DemoSize, *, seed: int = 0, first_ids: dict[str, int] | None = None
) -> Iterator[OrganizationBundle]:
    """Yield the demo organizations one by one, each with its location, services and staff.

    `first_ids` gives the first free id per table (organization, location, practitioner, practitioner_role)
    so a demo can be loaded
    beside other data; each organization draws from its own random stream, so the output does not depend
    on how the caller batches it.
    """
    ids = {"organization": 1, "location": 1, "practitioner": 1, "practitioner_role": 1, **(first_ids or {})}
    offset = 0
    for plan in _plan(size, seed):
        rng = random.Random(f"{seed}:org:{plan.index}")
        record = _organization_record(plan, rng, ids)
        later = random.Random(f"{seed}:org:{plan.index}:later")
        _add_staff(record, plan, rng, ids["practitioner"] + offset, ids["practitioner_role"] + offset, later)
        offset += plan.size
        yield record
