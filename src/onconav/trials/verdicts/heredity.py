"""Family histories of cancer and hereditary mutations, as hereditary-risk and screening trials ask them:
which cancer ("colorectal cancer" is met by a relative's colon cancer, through the OncoTree hierarchy;
a relative's prostate cancer is not breast cancer), which relatives (first-, second-, third-degree, after
the NCI dictionary; "two or more", "maternal side"), the age at the relative's diagnosis ("before age
50"), a mutation or syndrome known in the family ("her sister carries a BRCA1 mutation": a relative's
carrier status, never the patient's own), and a family history said negative or unknown (adopted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from onconav.i18n import N_
from onconav.trials import oncotree
from onconav.trials.verdicts.answers import NEI, Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import WORD_NUMBERS, CriterionFacts
from onconav.trials.verdicts.note import NoteFacts
from onconav.trials.verdicts.relatives import (
    FamilyStory,
    Relative,
    cancers_named,
    family_story,
    gene_label,
    genes_named,
    without_syndromes,
)
from onconav.trials.verdicts.text import ancestors

# What makes a criterion ask about the family.
# Relatives named for another reason: a donor, a caregiver, the study's staff.
_OTHER_RELATIVES = re.compile(
    r"\bdonors?\b|\bhla\b|\bcaregivers?\b|\bguardians?\b|\bconsent|\bstaff\b|\binvestigators?\b|"
    r"\bcontacts?\b|\bliving with\b|\bhousehold\b",
    re.I,
)
# A family history weighed by a model or a set of criteria ("lifetime risk of 20% or more by Tyrer-Cuzick",
# "meeting Amsterdam II criteria"): relatives with the cancer do not settle it.
_WEIGHED = re.compile(
    r"\brisk\b|%|\bmodels?\b|\bscores?\b|\bcriteria\b|\bguidelines?\b|\bnccn\b|\bamsterdam\b|"
    r"\bbethesda\b|\btyrer|\bgail\b|\bbrcapro\b|\bclaus\b|\bsuggestive\b|\bsuspect",
    re.I,
)
_FAMILY_ASK = re.compile(
    r"\bfamily history\b|\bfamilial\b|\b(?:first|second|third)[- ]degree\b|\brelatives?\b|"
    r"\bfamily members?\b|\bkindreds?\b|\bin the family\b|\bfamil(?:y|ies) with\b|"
    r"\b(?:mother|father|sister|brother|sibling|parent|daughter|aunt|uncle|cousin|grand\w+)s?\b",
    re.I,
)
_PERSONAL = re.compile(r"\bpersonal\b", re.I)
_MUTATION_ASK = re.compile(
    r"mutat|\bvariant|\bcarriers?\b|\bgermline\b|\bpathogenic\b|"
    r"(?:hereditary|familial|inherited) (?:cancer|tumou?r) (?:predisposition |susceptibility )?syndrome",
    re.I,
)
# Criteria about something else that a carrier status only qualifies ("olaparib for BRCA-mutated cancer",
# "colorectal cancer in a patient with Lynch syndrome"): the cancer or treatment rules answer them.
_OTHER_TOPIC = re.compile(
    r"\btreat|\btherap|\binhibitor|\bprior\b|\breceived|\bolaparib|\bparp\b|\bplatinum|\btumou?r\b|"
    r"\bsomatic\b|\bsurgery|\bcolectomy|\bmastectomy|\boophorectomy",
    re.I,
)
_DEGREE_ASK = re.compile(
    r"\b(first|second|third)(?:[- ]degree|\b(?=(?:[-, ]+(?:or|and|and/or)?\s*)"
    r"(?:first|second|third)[- ]degree))",
    re.I,
)
_CLOSE = re.compile(r"\bclose (?:blood )?relatives?\b", re.I)
_COUNT_ASK = re.compile(
    r"\b(?:at least|≥|>=|minimum of)\s*(one|two|three|four|\d)\b|\b(one|two|three|four|\d)\s+or\s+more\b|"
    r"\b(two|three|four|\d)\s+(?:(?:first|second|third)[- ]degree\s+|close\s+|blood\s+)*"
    r"(?:relatives|family members)\b|\bmultiple (?:relatives|family members)\b",
    re.I,
)
_AGE_ASK = re.compile(
    r"\b(?P<op>before|under|younger than|prior to|<|≤|<=|at or before|at or below|at or under|≤ ?age)"
    r"\s*(?:the\s+)?(?:age\s*(?:of\s*)?)?(?P<n>\d{2})\b|"
    r"\bage\s*(?P<op2><|≤|<=)\s*(?P<n2>\d{2})\b|"
    r"\b(?:age\s*)?(?P<n3>\d{2})\s*(?:years?(?: of age| old)?\s*)?"
    r"(?:or younger|or less|or under|or earlier)\b",
    re.I,
)
# "cancer susceptibility gene", "hereditary cancer syndrome": a mutation asked, no cancer.
_GENE_WORDS = re.compile(
    r"\b(?:cancer|tumou?r)[- ](?:susceptibility|predisposition|predisposing|risk)(?: \w+)?|"
    r"\b(?:hereditary|familial|inherited) (?:cancer|tumou?r) (?:\w+ )?syndromes?",
    re.I,
)
_SAME_SIDE = re.compile(r"\bsame side\b|\bsame (?:lineage|branch)\b", re.I)
# A brother, sister or child shares both sides of the family.
_BOTH_SIDES = frozenset({"sister", "brother", "sibling", "twin", "son", "daughter", "child"})
_SIDE_ASK = re.compile(r"\b(maternal|paternal)\b", re.I)
_SPECIFIC_KIN = re.compile(r"\b(mother|father|sister|brother|daughter|son|sibling|parent)s?\b", re.I)


@dataclass(frozen=True)
class FamilyAsk:
    """What a family-history criterion asks: cancer types (empty: none asked), genes (a mutation asked),
    whether of the family or of the patient, the degrees, how many relatives, the age limit at diagnosis
    (limit, inclusive) and the side."""

    cancers: tuple[str, ...]
    genes: tuple[str, ...] | None
    familial: bool
    own_too: bool
    degrees: frozenset[int] | None
    count: int
    age: tuple[int, bool] | None
    side: str | None
    same_side: bool = False  # "two or more relatives on the same side of the family"


def _number(word: str) -> int:
    return int(word) if word.isdigit() else WORD_NUMBERS.get(word.lower(), 2)


@lru_cache(maxsize=16_384)
def family_ask(text: str) -> FamilyAsk | None:
    """Read a criterion asking a family history of cancer or a hereditary mutation; None otherwise."""
    familial = bool(_FAMILY_ASK.search(without_syndromes(text))) and not _OTHER_RELATIVES.search(text)
    mutation = bool(_MUTATION_ASK.search(text))
    genes = genes_named(text)
    if (not familial and not genes) or _WEIGHED.search(text):
        return None
    cancers = cancers_named(_GENE_WORDS.sub(" ", text)) if familial else ()
    if not cancers and not (mutation or genes):
        return None
    degrees = {_DEGREE_NUMBERS[m.group(1).lower()] for m in _DEGREE_ASK.finditer(text)}
    if _CLOSE.search(text):
        degrees |= {1, 2, 3}
    if (
        not degrees
        and _SPECIFIC_KIN.search(text)
        and not re.search(r"\bgrand|\baunt|\buncle|\bcousin", text, re.I)
    ):
        degrees = {1}
    count = 1
    m = _COUNT_ASK.search(text)
    if m:
        word = next((g for g in m.groups() if g), None)
        count = _number(word) if word else 2
    age = None
    a = _AGE_ASK.search(text)
    if a:
        if a.group("n"):
            op, n = a.group("op").lower(), int(a.group("n"))
            age = (n, op.startswith(("≤", "<=", "at or")))
        elif a.group("n2"):
            age = (int(a.group("n2")), a.group("op2") != "<")
        else:
            age = (int(a.group("n3")), True)
    sides = {s.lower() for s in _SIDE_ASK.findall(text)}
    return FamilyAsk(
        cancers=cancers,
        genes=genes or (("ANY",) if mutation else None),
        familial=familial,
        own_too=bool(_PERSONAL.search(text)),
        degrees=frozenset(degrees) or None,
        count=count,
        age=age,
        side=next(iter(sides)) if len(sides) == 1 else None,
        same_side=bool(_SAME_SIDE.search(text)),
    )


_DEGREE_NUMBERS = {"first": 1, "second": 2, "third": 3}


def _cancer_fits(relative: Relative, asked: tuple[str, ...]) -> bool | None:
    """Whether a relative's cancer is one asked: True, None (the note's type is broader: "cancer"), False."""
    relations = [oncotree.best_relation(c, asked) for c in relative.cancers]
    if any(r in ("same", "broader") for r in relations):
        return True
    return None if "narrower" in relations else False


def _fits(relative: Relative, ask: FamilyAsk) -> bool | None:
    """Whether a relative is of the degree, side and age at diagnosis asked (None: the note does not say)."""
    if relative.degree == 0:
        return False
    answers: list[bool | None] = []
    if ask.degrees is not None:
        answers.append(None if relative.degree < 0 else relative.degree in ask.degrees)
    if ask.side is not None:
        if ask.same_side and relative.kin in _BOTH_SIDES:
            answers.append(True)
        else:
            answers.append(None if relative.side is None else relative.side == ask.side)
    if ask.age is not None:
        limit, inclusive = ask.age
        if relative.ages is None:
            answers.append(None)
        else:
            low, high = relative.ages
            if high < limit or (inclusive and high == limit):
                answers.append(True)
            elif low > limit or (low == limit and not inclusive):
                answers.append(False)
            else:
                answers.append(None)
    if False in answers:
        return False
    return None if None in answers else True


def _cancer_verdict(note: NoteFacts, story: FamilyStory, ask: FamilyAsk, kind: Kind) -> Found:
    name = ", ".join(oncotree.name_of(c) for c in ask.cancers)
    if (
        ask.own_too
        and note.cancer_types
        and oncotree.best_relation(note.cancer_types[0], ask.cancers)
        in (
            "same",
            "broader",
        )
    ):
        return positive_label(kind), None, (N_("The patient has %(cancer)s."), {"cancer": name})
    if ask.same_side and ask.side is None:
        # one side at a time; the answer of the side that comes closest
        answers = [
            _cancer_verdict(note, story, replace(ask, side=side), kind) for side in ("maternal", "paternal")
        ]
        order = {positive_label(kind): 0, NEI: 1}
        return min(answers, key=lambda a: order.get(a[0], 2) if a else 3)
    met = maybe = 0
    evidence: int | None = None
    failed: Relative | None = None
    for relative in story.relatives:
        cancer = _cancer_fits(relative, ask.cancers)
        if cancer is False or not relative.cancers or relative.degree == 0:
            continue
        fits = _fits(relative, ask)
        if cancer is True and fits is True:
            met += relative.count
            evidence = relative.sentence if evidence is None else evidence
            if met >= ask.count:
                return (
                    positive_label(kind),
                    evidence,
                    (N_("The note gives a relative with %(cancer)s."), {"cancer": name})
                    if relative.degree < 0
                    else (
                        N_("The note gives a relative (%(kin)s) with %(cancer)s."),
                        {"kin": relative.kin, "cancer": name},
                    ),
                )
        elif fits is not False:
            maybe += relative.count
        else:
            failed = failed or relative
    if maybe and met + maybe >= ask.count:
        return (
            NEI,
            evidence,
            (
                N_(
                    "The note gives a relative with %(cancer)s but not all the criterion asks (degree, side, "
                    "age at diagnosis)."
                ),
                {"cancer": name},
            ),
        )
    if failed is not None or met:
        shown = failed.sentence if failed is not None else evidence
        return (
            negative_label(kind),
            shown,
            (
                N_(
                    "The relatives the note gives with %(cancer)s are not the degree, number or age at "
                    "diagnosis the criterion asks."
                ),
                {"cancer": name},
            ),
        )
    if story.unknown is not None:
        return NEI, story.unknown, N_("The note says the family history is unknown.")
    for sentence, types in story.negative:
        # "no family history of colorectal cancer" rules out colon cancer; "of colon cancer" not rectal
        if not types or all(oncotree.best_relation(c, types) in ("same", "broader") for c in ask.cancers):
            return negative_label(kind), sentence, N_("The note says the family history is negative.")
    if ask.own_too:
        return None
    # A family history is the relatives': the patient's own cancer does not answer it (`cancer.py` would).
    return (
        negative_label(kind) if kind == "exclusion" else NEI,
        None,
        (N_("The note names no relative with %(cancer)s."), {"cancer": name}),
    )


def _genes_fit(have: tuple[str, ...], asked: tuple[str, ...]) -> bool | None:
    if "ANY" in asked:
        return True
    if set(have) & set(asked):
        return True
    both = {"BRCA1", "BRCA2"}
    if "BRCA" in have and both & set(asked):
        return None
    return bool("BRCA" in asked and both & set(have))


def _mutation_verdict(story: FamilyStory, ask: FamilyAsk, kind: Kind, text: str) -> Found:
    assert ask.genes is not None
    if ask.familial and not ask.own_too:
        fits = [(r, _genes_fit(r.genes, ask.genes)) for r in story.relatives if r.genes and r.degree != 0]
        for relative, fit in fits:
            if fit and _fits(relative, ask) is not False:
                gene = gene_label(relative.genes)
                return (
                    positive_label(kind),
                    relative.sentence,
                    (N_("The note gives a relative with %(gene)s."), {"gene": gene}),
                )
        if any(fit is None for _r, fit in fits):
            return NEI, None, N_("The note does not say which gene the relative's mutation is in.")
        if fits:
            relative = fits[0][0]
            return (
                negative_label(kind),
                relative.sentence,
                (
                    N_("The mutation the note gives in the family is another: %(gene)s."),
                    {"gene": gene_label(relative.genes)},
                ),
            )
        if story.unknown is not None:
            return NEI, story.unknown, N_("The note says the family history is unknown.")
        if story.negative and not fits:
            return (
                negative_label(kind),
                story.negative[0][0],
                N_("The note says the family history is negative."),
            )
        return None
    if ask.cancers or _OTHER_TOPIC.search(text):
        return None
    for sentence, gene, positive in story.own_genes:
        fit = _genes_fit((gene,), ask.genes)
        if fit and "ANY" not in ask.genes:
            label = positive_label(kind) if positive else negative_label(kind)
            return label, sentence, (N_("The note gives the patient's own %(gene)s result."), {"gene": gene})
    kin = next(
        (
            r
            for r in story.relatives
            if r.genes and r.degree != 0 and _genes_fit(r.genes, ask.genes) is not False
        ),
        None,
    )
    if kin is not None:
        return (
            NEI,
            kin.sentence,
            (
                N_("A relative has %(gene)s; the note does not give the patient's own carrier status."),
                {"gene": gene_label(kin.genes)},
            ),
        )
    return None


def _patients_cancer_sentences(note: NoteFacts) -> frozenset[int]:
    """The sentences naming a cancer the concept reader gives the patient and none it gives a relative."""
    cancers = [m for m in note.mentions if "cancer" in ancestors(m.concept)]
    family = {m.sentence for m in cancers if m.polarity == "family"}
    return frozenset(m.sentence for m in cancers if m.polarity == "affirmed" and m.sentence not in family)


def family_cancer(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A criterion asking a family history of cancer or a hereditary mutation, against the note's family."""
    ask = family_ask(criterion.text)
    if ask is None:
        return None
    story = family_story(note.sentences, _patients_cancer_sentences(note))
    if criterion.negated_subject:
        # "No family history of colorectal cancer": the family history asked, its answer turned over
        other: Kind = "exclusion" if kind == "inclusion" else "inclusion"
        found = _answer(note, story, ask, other, criterion.text)
        if found is None or found[0] == NEI:
            return found
        turned = negative_label(kind) if found[0] == positive_label(other) else positive_label(kind)
        return turned, found[1], found[2]
    return _answer(note, story, ask, kind, criterion.text)


def _answer(note: NoteFacts, story: FamilyStory, ask: FamilyAsk, kind: Kind, text: str) -> Found:
    if ask.genes is None:
        return _cancer_verdict(note, story, ask, kind)
    found = _mutation_verdict(story, ask, kind, text)
    if not (ask.familial and ask.cancers) or (found is not None and found[0] == positive_label(kind)):
        return found
    # "a family history of breast cancer or a known BRCA mutation in the family": either alternative
    other = _cancer_verdict(note, story, ask, kind)
    if other is not None and other[0] == positive_label(kind):
        return other
    if found is None or other is None:
        return other or found
    if found[0] == other[0]:
        return found
    return NEI, other[1], other[2]


__all__ = ["FamilyAsk", "family_ask", "family_cancer"]
