"""Diagnoses a note implies without naming them: the condition a medicine is taken for ("takes metformin":
diabetes), textbook signs ("barrel chest": COPD, "calf pain when walking": claudication, anti-dsDNA:
lupus, owl's-eye inclusions: CMV) and a depressive episode from its DSM-5 symptoms.

Implied conditions are added to the note's mentions as affirmed, in the sentence that implies them, so the
rule families treat them as said. Only clear implications are drawn: a medicine whose main indication is
the condition, signs that are (nearly) pathognomonic, and five of the nine DSM-5 symptoms.
"""

from __future__ import annotations

import re

from onconav.knowledge import service as knowledge
from onconav.trials.verdicts.measures import (
    FAHRENHEIT_FROM,
    NEUTROPHILS_PER_UL_FROM,
    PLATELETS_PER_UL_FROM,
    Reading,
    on_scale_of,
)
from onconav.trials.verdicts.text import Mention, Token, ancestors

# A medicine counts as taken when the sentence speaks of taking it, not of an allergy to it or a plan.
_TAKING = re.compile(
    r"\b(?:tak(?:es|ing)|on|receiv\w*|treated|prescribed|started|medications?|therapy|regimen|controlled?|"
    r"control with|uses?|using|daily|mg|dose|inhaled?|maintained)\b",
    re.I,
)
_ALLERGY_WORDS = frozenset(
    {"allergy", "allergic", "intolerance", "intolerant", "hypersensitivity", "reaction"}
)
_NEGATED_BEFORE = re.compile(r"\b(?:no|not|denie[sd]|without|negative|never)\b[^.;,]{0,25}$", re.I)

# Signs and findings that are (nearly) pathognomonic of a condition the note does not name.
SIGNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bbarrel[- ](?:shaped[- ])?chest", re.I), "copd"),
    (
        re.compile(
            r"\b(?:calf|calves|leg|legs|buttock|thigh)\s+(?:pain|cramp\w*|ache)\b[^.;]{0,40}?"
            r"\b(?:walk\w*|exerti\w*|exercis\w*|uphill)",
            re.I,
        ),
        "peripheral-artery-disease",
    ),
    (re.compile(r"\banti[- ]?ds[- ]?dna\b", re.I), "lupus"),
    (re.compile(r"\bowl'?s?[- ]eye", re.I), "cmv-infection"),
    (re.compile(r"\bhome (?:oxygen|o2)\b|\boxygen at home\b", re.I), "lung-disease"),
)

# A gestational age or a trimester is a pregnancy now ("G1P0 at 30 weeks' gestation", "12 weeks pregnant",
# "in her third trimester"), unless the sentence is about a birth: "born at 34 weeks of gestation"
# describes the baby, "delivered at 39 weeks" a pregnancy that is over.
_GESTATION = re.compile(
    r"\b\d{1,2}(?:\s*\d/7)?\s*-?\s*weeks?'?\s*(?:of\s+)?(?:gestation\b|gestational age|pregnan\w*)|"
    r"\bgestational age (?:of |is )?\d|\b(?:first|second|third|1st|2nd|3rd) trimester\b|"
    r"\bintrauterine pregnancy\b",
    re.I,
)
_BIRTH = re.compile(r"\b(?:born|birth|deliver\w*|preterm|premature|postpartum|ex-?\d)", re.I)


# DSM-5 major depressive episode: five of these nine, one of them depressed mood or loss of interest.
DEPRESSION_SYMPTOMS: dict[str, re.Pattern[str]] = {
    name: re.compile(rx, re.I)
    for name, rx in {
        "mood": r"depressed mood|feels? (?:sad|down|hopeless|empty)|sadness|hopeless",
        "interest": r"no longer enjoys?|loss of interest|lost interest|anhedonia|no interest|"
        r"no longer interested",
        "sleep": r"insomnia|hypersomnia|(?:increased|excessive|more|poor|difficulty) sleep|"
        r"sleeping (?:more|less)",
        "appetite": r"appetite|weight (?:gain|loss)|(?:gained|lost) weight",
        "psychomotor": r"psychomotor|restless|slowed down",
        "energy": r"fatigue|loss of energy|low energy|tired",
        "worth": r"guilt|worthless",
        "concentration": r"concentrat|indecisive|difficulty (?:thinking|focusing)",
        "suicide": r"suicid|thoughts of death",
    }.items()
}
DSM_MINIMUM = 5


def is_medication(concept: str) -> bool:
    """Whether a concept is a medicine or a class of medicines."""
    return concept in knowledge.clinical_lexicon().medicines


def taken_medications(tokens: list[Token], sentence_text: str, found: list[Mention]) -> list[Mention]:
    """The sentence's mentions without medicines named as an allergy ("allergic to penicillin")."""
    words = [t.word for t in tokens]
    kept = []
    for m in found:
        if is_medication(m.concept) and any(
            w in _ALLERGY_WORDS for w in words[max(0, m.first - 4) : m.first]
        ):
            continue
        kept.append(m)
    return kept


def _medication_condition(concept: str) -> str | None:
    """The condition taking this medicine (or a medicine of its class) implies, if any."""
    implied = knowledge.clinical_lexicon().implied_by_medication
    for key in ancestors(concept):
        if key in implied:
            return implied[key]
    return None


def implied_in_sentence(sentence_text: str, index: int, found: list[Mention]) -> list[Mention]:
    """Conditions one sentence implies through the medicines it says are taken and the signs it reports."""
    out: list[Mention] = []
    if _TAKING.search(sentence_text):
        for m in found:
            condition = _medication_condition(m.concept) if m.polarity == "affirmed" else None
            if condition is not None:
                out.append(Mention(condition, index, m.first, m.last, "affirmed"))
    for pattern, condition in SIGNS:
        hit = pattern.search(sentence_text)
        if hit and not _NEGATED_BEFORE.search(sentence_text[: hit.start()]):
            out.append(Mention(condition, index, 0, 0, "affirmed"))
    hit = _GESTATION.search(sentence_text)
    if hit and not _BIRTH.search(sentence_text) and not _NEGATED_BEFORE.search(sentence_text[: hit.start()]):
        out.append(Mention("pregnancy", index, 0, 0, "affirmed"))
    return out


def implied_depression(sentences: tuple[str, ...]) -> Mention | None:
    """A major depressive episode when the note reports five DSM-5 symptoms, one of them mood or interest."""
    seen: dict[str, int] = {}
    for i, sentence in enumerate(sentences):
        for name, pattern in DEPRESSION_SYMPTOMS.items():
            hit = pattern.search(sentence)
            if hit and name not in seen and not _NEGATED_BEFORE.search(sentence[: hit.start()]):
                seen[name] = i
    if len(seen) < DSM_MINIMUM or not {"mood", "interest"} & set(seen):
        return None
    return Mention("depression", seen.get("mood", seen.get("interest", 0)), 0, 0, "affirmed")


# Values below (or above) which a measurement is itself a diagnosis, by the usual definitions: anaemia
# (WHO: haemoglobin under 13 g/dL in men, 12 in women, 11 in pregnancy), thrombocytopenia (platelets under
# 150 x 10^9/L), neutropenia (neutrophils under 1.5 x 10^9/L), fever (38.0 °C or more) and hypotension
# (systolic pressure under 90 mmHg); in adults tachycardia (heart rate over 100/min) and hypoxaemia (oxygen
# saturation under 90 %).
ANEMIA_HB = {"male": 13.0, "female": 12.0, "pregnant": 11.0}
THROMBOCYTOPENIA_PLT = 150.0
NEUTROPENIA_ANC = 1.5
FEVER_C = 38.0
HYPOTENSION_SYSTOLIC = 90.0
TACHYCARDIA_RATE = 100.0
HYPOXIA_SATURATION = 90.0
ADULT = 18.0


def implied_by_readings(
    readings: tuple[Reading, ...], sex: str | None, pregnant: bool, age: float | None = None
) -> list[Mention]:
    """Conditions the note's own measurements establish (heart rate and saturation only in adults, whose
    normal ranges are fixed)."""
    # Bounds beside the limits leave out values that cannot be real (misread numbers).
    out: list[Mention] = []
    adult = age is not None and age >= ADULT
    for r in readings:
        condition: str | None = None
        if r.measure == "hemoglobin":
            limit = ANEMIA_HB["pregnant" if pregnant else (sex or "female")]
            grams_per_dl = on_scale_of("hemoglobin", r.value, limit)
            condition = "anemia" if 2 < grams_per_dl < limit else None
        elif r.measure == "platelets":
            thousands = r.value if r.value < PLATELETS_PER_UL_FROM else r.value / 1000
            condition = "thrombocytopenia" if 0 < thousands < THROMBOCYTOPENIA_PLT else None
        elif r.measure == "neutrophils":
            billions = r.value if r.value < NEUTROPHILS_PER_UL_FROM else r.value / 1000
            condition = "neutropenia" if 0 < billions < NEUTROPENIA_ANC else None
        elif r.measure == "temperature":
            celsius = r.value if r.value < FAHRENHEIT_FROM else (r.value - 32) * 5 / 9
            condition = "fever" if celsius >= FEVER_C else None
        elif r.measure == "systolic-bp":
            condition = "hypotension" if 30 <= r.value < HYPOTENSION_SYSTOLIC else None
        elif r.measure == "heart-rate" and adult:
            condition = "tachycardia" if TACHYCARDIA_RATE < r.value < 300 else None
        elif r.measure == "oxygen-saturation" and adult:
            condition = "hypoxia" if 40 <= r.value < HYPOXIA_SATURATION else None
        if condition is not None:
            out.append(Mention(condition, r.sentence, 0, 0, "affirmed"))
    return out
