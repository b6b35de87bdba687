"""Deterministic generator of fictional demo trials for the cancers of the knowledge catalogue.

Every demo trial is marked as such: its id starts with `DEMO` (real ClinicalTrials.gov ids are `NCT`
and eight digits, so they cannot collide), its title starts with "Demo trial", its sponsor is
"onconav demo data", its source format is "demo" and its summary says it does not exist. Sites are at
the real cities of the directory demo, with fictional contacts (example.org e-mails, 555-01xx numbers).
Same size and seed, same records.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Literal

from onconav.directory import service as directory
from onconav.geo.schemas import Place
from onconav.knowledge import service as knowledge
from onconav.knowledge.schemas import Condition, Stage
from onconav.trials.records import SiteRecord, TrialRecord

DemoSize = Literal["tiny", "small", "large"]

DEMO_PREFIX = "DEMO"
DEMO_SPONSOR = "onconav demo data"
DEMO_FORMAT = "demo"
# Trials generated per catalogue condition.
TRIALS_PER_CONDITION: dict[str, int] = {"tiny": 3, "small": 12, "large": 40}
STATUSES = {"RECRUITING": 70, "NOT_YET_RECRUITING": 12, "ACTIVE_NOT_RECRUITING": 10, "COMPLETED": 8}
PHASES: list[tuple[list[str], int]] = [
    (["PHASE1"], 2),
    (["PHASE1", "PHASE2"], 2),
    (["PHASE2"], 4),
    (["PHASE3"], 2),
]
# Biomarkers demo trials may select for, by words of the condition's code (first match wins).
BIOMARKERS: list[tuple[str, list[str]]] = [
    ("small-cell-lung", []),
    (
        "lung",
        [
            "EGFR exon 19 deletion or exon 21 L858R mutation",
            "ALK rearrangement",
            "KRAS G12C mutation",
            "PD-L1 expression on at least 50% of tumor cells",
        ],
    ),
    (
        "breast",
        [
            "HER2-positive disease",
            "hormone receptor-positive, HER2-negative disease",
            "BRCA1 or BRCA2 mutation",
        ],
    ),
    ("colo", ["MSI-high or mismatch repair deficient tumor", "KRAS G12C mutation", "BRAF V600E mutation"]),
    ("rectal", ["MSI-high or mismatch repair deficient tumor"]),
    ("melanoma", ["BRAF V600E or V600K mutation"]),
    ("ovarian", ["BRCA1 or BRCA2 mutation"]),
    ("prostate", ["BRCA1, BRCA2 or ATM alteration"]),
    ("stomach", ["HER2-positive disease"]),
    ("esophageal", ["HER2-positive disease"]),
    ("thyroid", ["RET fusion"]),
]
# Breast cancer is not here: men get it too, so demo breast cancer trials take everyone.
FEMALE_ONLY = ("ovarian", "cervical", "uterine")
MALE_ONLY = ("prostate", "tunica-vaginalis")
AGENT_KINDS = (
    "antibody-drug conjugate",
    "oral targeted therapy",
    "checkpoint inhibitor",
    "bispecific antibody",
    "cancer vaccine",
)
APPROACHES = (
    "plus standard chemotherapy",
    "alone",
    "after radiation therapy",
    "plus immunotherapy",
    "versus standard of care",
)
GIVEN = (
    "Alex",
    "Maria",
    "Sam",
    "Priya",
    "Jordan",
    "Elena",
    "Chris",
    "Aisha",
    "Noah",
    "Lena",
    "Omar",
    "Grace",
)
FAMILY = ("Rivera", "Chen", "Okafor", "Novak", "Patel", "Schmidt", "Garcia", "Yilmaz", "Kim", "Moreau")


def is_demo_id(nct_id: str) -> bool:
    """Whether a trial id is one of the demo's."""
    return nct_id.upper().startswith(DEMO_PREFIX)


def planned_count(size: DemoSize) -> int:
    """How many demo trials a demo of this size holds."""
    return TRIALS_PER_CONDITION[size] * len(_conditions())


def _conditions() -> list[Condition]:
    return [c for c in knowledge.list_conditions() if any(s.group != "0" for s in knowledge.stages_of(c))]


def _biomarkers(condition: Condition) -> list[str]:
    for word, markers in BIOMARKERS:
        if word in condition.code:
            return markers
    return []


def _sex(condition: Condition) -> str:
    if any(word in condition.code for word in FEMALE_ONLY):
        return "FEMALE"
    return "MALE" if any(word in condition.code for word in MALE_ONLY) else "ALL"


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _contact(rng: random.Random, role: str) -> dict[str, str]:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    return {
        "name": f"{given} {family} (fictional)",
        "role": role,
        "phone": f"+1 555-01{rng.randrange(100):02d}",
        "email": f"{given.lower()}.{family.lower()}@example.org",
    }


def _stage_text(stage: Stage) -> str:
    if stage.group in ("limited", "extensive"):
        return f"{stage.name.lower()} disease"
    if stage.group == "IV":
        return "stage IV (metastatic) disease"
    if stage.group == "III":
        return "stage III disease not amenable to curative surgery"
    return f"{stage.name} disease"


def _criteria(
    rng: random.Random, condition: Condition, stage: Stage, marker: str | None
) -> tuple[str, int, int]:
    """ClinicalTrials.gov-style eligibility text, with the minimum and maximum age it sets."""
    min_age = 18
    max_age = rng.choice((0, 0, 0, 75, 80))
    ecog = rng.choice((1, 1, 2))
    prior = rng.choice((0, 1, 2, 3))
    age_line = f"Age {min_age} years or older" if not max_age else f"Age {min_age} to {max_age} years"
    inclusion = [
        age_line,
        f"Histologically or cytologically confirmed {condition.name.lower()}",
        f"{_stage_text(stage)[0].upper()}{_stage_text(stage)[1:]}",
    ]
    if marker:
        inclusion.append(f"Documented {marker} by a certified laboratory")
    inclusion += [
        f"ECOG performance status of 0 to {ecog}",
        "At least one measurable lesion per RECIST 1.1",
        "Absolute neutrophil count ≥ 1,500/µL",
        f"Platelet count ≥ {rng.choice((75, 100))},000/µL",
        "Hemoglobin ≥ 9 g/dL",
        f"Creatinine clearance ≥ {rng.choice((30, 45, 60))} mL/min",
        "Total bilirubin ≤ 1.5 × upper limit of normal",
        "Able to understand and willing to sign a written informed consent",
    ]
    if prior == 0:
        exclusion = ["Any prior systemic therapy for advanced disease"]
    else:
        exclusion = [f"More than {prior} prior lines of systemic therapy for advanced disease"]
    exclusion += [
        rng.choice(
            (
                "Untreated or symptomatic brain metastases",
                "Known active central nervous system metastases",
                "Brain metastases, unless treated and stable for at least 4 weeks",
            )
        ),
        "Active autoimmune disease that required systemic treatment in the past 2 years",
        "Another malignancy within the past 3 years, except treated basal cell carcinoma of the skin",
        "Uncontrolled hypertension or heart failure (NYHA class III or IV)",
        "Active hepatitis B, hepatitis C or HIV infection",
    ]
    if _sex(condition) != "MALE":
        exclusion.append("Pregnant or breastfeeding")
    text = (
        "Inclusion Criteria:\n\n"
        + "\n".join(f"* {line}" for line in inclusion)
        + "\n\nExclusion Criteria:\n\n"
        + "\n".join(f"* {line}" for line in exclusion)
    )
    return text, min_age, max_age


def _sites(rng: random.Random, cities: list[Place], weights: list[float]) -> list[SiteRecord]:
    count = rng.choice((1, 1, 2, 3, 4, 6))
    chosen: dict[str, Place] = {}
    for city in rng.choices(cities, weights=weights, k=count * 2):
        chosen.setdefault(city.name, city)
        if len(chosen) == count:
            break
    return [
        SiteRecord(
            facility=f"{city.city or city.name} Demo Cancer Center (fictional)",
            city=city.city or city.name,
            state=city.region,
            postal_code=city.postal_code,
            country=city.country,
            status=rng.choice(("RECRUITING", "RECRUITING", "RECRUITING", "NOT_YET_RECRUITING")),
            contacts=[_contact(rng, "CONTACT"), _contact(rng, "PRINCIPAL_INVESTIGATOR")],
            lat=city.lat,
            lon=city.lon,
        )
        for city in chosen.values()
    ]


def _trial(
    number: int, rng: random.Random, condition: Condition, cities: list[Place], weights: list[float]
) -> TrialRecord:
    stages = [s for s in knowledge.stages_of(condition) if s.group != "0"]  # no drug trials in situ
    late = [s for s in stages if s.group in ("III", "IV", "extensive")] or stages
    stage = rng.choice(late if rng.random() < 0.8 else stages)
    markers = _biomarkers(condition)
    marker = rng.choice(markers) if markers and rng.random() < 0.6 else None
    agent = f"ONC-{rng.randrange(100, 1000)}"
    kind = rng.choice(AGENT_KINDS)
    approach = rng.choice(APPROACHES)
    options = knowledge.options_of(condition, stage.code)
    modalities = sorted({o.modality for o in options})
    phases, _ = rng.choices(PHASES, weights=[w for _, w in PHASES])[0]
    status = _weighted(rng, STATUSES)
    start_year = 2025 if status in ("RECRUITING", "NOT_YET_RECRUITING") else rng.choice((2021, 2022, 2023))
    start = f"{start_year}-{rng.randrange(1, 13):02d}"
    criteria, min_age, max_age = _criteria(rng, condition, stage, marker)
    who = f"{stage.name} {condition.name}" + (f" with {marker}" if marker else "")
    interventions = [{"type": "DRUG", "name": f"{agent} (fictional {kind})"}]
    if modalities and approach != "alone":
        interventions.append({"type": "OTHER", "name": f"Standard {modalities[0].replace('-', ' ')}"})
    return TrialRecord(
        nct_id=f"{DEMO_PREFIX}{number:08d}",
        brief_title=f"Demo trial: {agent}, a fictional {kind}, {approach} in {who}",
        official_title=(
            f"A fictional {' / '.join(p.replace('PHASE', 'Phase ') for p in phases)} study of {agent} "
            f"{approach} in {who} (onconav demo data, not a real trial)"
        ),
        summary=(
            "This trial is fictional demo data generated by onconav to show how trial matching works. "
            "It does not exist: do not contact its sites."
        ),
        conditions=[condition.name, *condition.synonyms[:2]],
        keywords=[stage.name, *(m for m in [marker] if m), "onconav demo"],
        interventions=interventions,
        phases=phases,
        status=status,
        study_type="INTERVENTIONAL",
        enrollment=rng.choice((24, 40, 60, 120, 300, 600)),
        start_date=start,
        completion_date=f"{start_year + rng.choice((2, 3, 4))}-{rng.randrange(1, 13):02d}",
        last_update="2026-01-15",
        sponsor=DEMO_SPONSOR,
        min_age_years=float(min_age),
        max_age_years=float(max_age) if max_age else None,
        sex=_sex(condition),
        healthy_volunteers=False,
        criteria_text=criteria,
        contacts=[_contact(rng, "CONTACT")],
        sites=_sites(rng, cities, weights),
        source_format=DEMO_FORMAT,
    )


def generate(size: DemoSize, *, seed: int = 0) -> Iterator[TrialRecord]:
    """Yield the demo trials; each draws from its own random stream, so the output is stable."""
    cities = directory.demo_cities(size)
    weights = [float(c.population or 100_000) ** 0.5 for c in cities]
    number = 0
    for condition in _conditions():
        for index in range(TRIALS_PER_CONDITION[size]):
            number += 1
            rng = random.Random(f"{seed}:trial:{condition.code}:{index}")
            yield _trial(number, rng, condition, cities, weights)
