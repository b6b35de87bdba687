"""Whether a trial is for the patient's cancer: its conditions against the patient's cancer type through the
OncoTree hierarchy, or, for basket trials, an inclusion criterion that names the patient's cancer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from onconav.knowledge import service as knowledge
from onconav.trials import oncotree
from onconav.trials.models import Trial

# Condition names that mean "any cancer" ("Cancer", "Advanced Malignant Neoplasm", "Metastatic Tumors").
_ANY_CANCER_WORDS = frozenset(
    {
        *("cancer", "cancers", "carcinoma", "carcinomas", "tumor", "tumors", "tumour", "tumours", "neoplasm"),
        *(
            "neoplasms",
            "malignancy",
            "malignancies",
            "malignant",
            "advanced",
            "metastatic",
            "adult",
            "refractory",
        ),
        *("recurrent", "unresectable", "locally", "relapsed", "stage", "iv", "iii", "and", "or", "of", "the"),
    }
)
_CANCER_NOUNS = frozenset(
    {
        *("cancer", "cancers", "carcinoma", "carcinomas", "tumor", "tumors", "tumour", "tumours"),
        *("neoplasm", "neoplasms", "malignancy", "malignancies"),
    }
)
# Points of the condition match, by how the trial's cancer relates to the patient's (share of the maximum).
RELATION_SHARE = {"same": 1.0, "broader": 0.85, "narrower": 0.7, "basket": 0.65, "any": 0.55}


@dataclass(frozen=True)
class ConditionMatch:
    """How a trial's cancer types relate to the patient's, and the trial's words that say so."""

    relation: str  # "same", "broader", "narrower", "basket" (its eligibility admits it), "any" (any cancer)
    trial_condition: str  # the trial's condition (or criterion) that matched

    @property
    def share(self) -> float:
        """The share of the condition points this relation earns."""
        return RELATION_SHARE[self.relation]


@lru_cache(maxsize=16_384)
def condition_types(condition: str) -> tuple[str, ...]:
    """The cancer types a trial condition names; "any cancer" when it names cancer and nothing narrower."""
    named = oncotree.types_named(condition)
    if named:
        return named
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", condition)}
    if words and words <= _ANY_CANCER_WORDS and words & _CANCER_NOUNS:
        return (oncotree.ANY_CANCER,)
    return ()


@lru_cache(maxsize=16_384)
def condition_biomarkers(condition: str) -> tuple[tuple[str, str], ...]:
    """The receptor or biomarker statuses a condition names ("Triple Negative Breast Cancer": ER, PR and
    HER2 negative)."""
    return tuple((b.name, b.status) for b in knowledge.explain(condition).biomarkers if b.status != "unknown")


def _conflicts(condition: str, patient_biomarkers: dict[str, str]) -> bool:
    """Whether the condition names a biomarker status the patient's tumour does not have."""
    return any(
        patient_biomarkers.get(name) not in (None, "unknown", status)
        for name, status in condition_biomarkers(condition)
    )


def condition_match(
    trial: Trial, patient_types: tuple[str, ...], patient_biomarkers: dict[str, str] | None = None
) -> ConditionMatch | None:
    """The best relation of the trial's conditions (then title, then inclusion criteria) to the patient's
    cancer, or None when the trial is for another disease. A condition that names receptors the patient's
    tumour does not have ("triple-negative" for a HER2-positive one) does not match."""
    best: ConditionMatch | None = None
    order = ("same", "broader", "narrower", "basket", "any")
    markers = patient_biomarkers or {}
    conflicted = False
    for text in [*trial.conditions, trial.brief_title]:
        if markers and _conflicts(text, markers):
            conflicted = conflicted or any(_relation(patient_types, t) for t in condition_types(text))
            continue
        for trial_type in condition_types(text):
            found = _relation(patient_types, trial_type)
            if found is not None and (best is None or order.index(found) < order.index(best.relation)):
                best = ConditionMatch(found, text)
    if (best is not None and best.relation != "any") or conflicted:
        return best  # a trial for the patient's cancer with other receptors is not a basket for it
    for item in trial.criteria:
        if item.get("kind") == "exclusion":
            continue
        text = str(item.get("text", ""))
        if markers and _conflicts(text, markers):
            continue
        named = [t for t in oncotree.types_named(text) if t not in (oncotree.SOLID, oncotree.ANY_CANCER)]
        if any(oncotree.best_relation(p, named) in ("same", "broader") for p in patient_types):
            return ConditionMatch("basket", text)
    return best


def _relation(patient_types: tuple[str, ...], trial_type: str) -> str | None:
    if trial_type in (oncotree.ANY_CANCER, oncotree.SOLID):
        return "any" if any(oncotree.relation(p, trial_type) for p in patient_types) else None
    found = [oncotree.relation(p, trial_type) for p in patient_types]
    for relation in ("same", "broader", "narrower"):
        if relation in found:
            return relation
    return None
