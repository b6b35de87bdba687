"""The cancer type through the OncoTree hierarchy (a solid tumour includes a ductal carcinoma; a subtype is
not its sibling), biomarkers read as what they are (a HER2-positive receptor status is not a HER2
mutation) and metastatic sites named one by one ("cardiac metastases" are not lung metastases).
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials import oncotree
from onconav.trials.verdicts.answers import NEI, Found, Kind, negative_label, positive_label
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.note import NoteFacts

# Biomarkers whose "positive" is a receptor or protein status (IHC, ISH), not a mutation of the gene.
RECEPTORS = frozenset({"HER2", "ER", "PR", "HR", "AR", "PD-L1"})
_GENE_NAMES = {"HER2": r"her-?2(?:/neu)?|erbb-?2", "ER": r"\ber\b|estrogen", "PR": r"\bpr\b|progesterone"}
_MUTATION = re.compile(
    r"mutat|mutant|exon\s*\d+|insertion|deletion|substitution|\bvariant|point|activating|"
    r"\b[A-Z]\d{2,4}[A-Z]\b",
    re.I,
)
# How far after (or before) a gene's name its alteration is said, in characters.
ALTERATION_REACH = 40
# Sites a criterion names before "metastases", as the knowledge reader names note sites.
# Organs whose metastases are "visceral" (not bone, lymph nodes, skin or soft tissue).
VISCERA = frozenset(
    {"liver", "lung", "adrenal", "peritoneum", "pleura", "kidney", "pancreas", "spleen", "ovary"}
)
_SITES = {
    "visceral": "visceral",
    "cardiac": "heart",
    "heart": "heart",
    "pericardial": "heart",
    "brain": "brain",
    "cns": "brain",
    "cerebral": "brain",
    "leptomeningeal": "leptomeninges",
    "liver": "liver",
    "hepatic": "liver",
    "bone": "bone",
    "osseous": "bone",
    "lung": "lung",
    "pulmonary": "lung",
    "adrenal": "adrenal",
    "peritoneal": "peritoneum",
}
_SITE_METASTASES = re.compile(
    r"\b(" + "|".join(_SITES) + r")\s+(?:metasta\w*|mets|involvement|spread)|metasta\w* (?:to|in) the (\w+)",
    re.I,
)


def alteration(text: str, name: str) -> str:
    """How a text states a biomarker: "mutation" (of the gene) or "status" (receptor, expression or
    amplification)."""
    if name.split()[0] not in RECEPTORS:
        return "status"
    pattern = _GENE_NAMES.get(name, rf"\b{re.escape(name)}\b")
    for m in re.finditer(pattern, text, re.I):
        around = text[max(0, m.start() - ALTERATION_REACH // 2) : m.end() + ALTERATION_REACH]
        if _MUTATION.search(around):
            return "mutation"
    return "status"


def _hormone_receptor(note: NoteFacts) -> str | None:
    """HR status from ER and PR: positive when either is, negative when both are."""
    er, pr = note.biomarkers.get("ER"), note.biomarkers.get("PR")
    if "positive" in (er, pr):
        return "positive"
    if er == "negative" and pr == "negative":
        return "negative"
    return None


def _ras(note: NoteFacts) -> str | None:
    """RAS status from KRAS and NRAS: positive (mutated) when either is, wild-type when both are."""
    kras, nras = note.biomarkers.get("KRAS"), note.biomarkers.get("NRAS")
    if "positive" in (kras, nras) or note.biomarkers.get("KRAS G12C") == "positive":
        return "positive"
    if kras == "negative" and nras == "negative":
        return "negative"
    return None


def _status_in_note(note: NoteFacts, name: str) -> str | None:
    """The note's status of a biomarker, from its parts (HR from ER and PR, RAS from KRAS and NRAS) or its
    group (a "RAS wild-type" tumour has no KRAS or NRAS mutation)."""
    have = note.biomarkers.get(name)
    if have is not None:
        return have
    if name == "HR":
        return _hormone_receptor(note)
    if name == "RAS":
        return _ras(note)
    if name in ("KRAS", "NRAS", "KRAS G12C") and note.biomarkers.get("RAS") == "negative":
        return "negative"
    return None


def biomarkers(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Each biomarker the criterion names against the note's: a different status decides; a mutation asked
    where the note gives a receptor status (or the reverse) stays open."""
    agreed = 0
    for name, status in criterion.biomarkers:
        have = _status_in_note(note, name)
        gene, shown = name.split()[0], name
        if have is None and gene != name and note.biomarkers.get(gene) == "negative":
            have, shown = "negative", gene  # a wild-type gene has none of its variants ("BRAF negative")
        if status == "unknown" or have in (None, "unknown"):
            continue
        asked, given = alteration(criterion.text, name), alteration(note.text, name)
        if asked != given:
            return (
                NEI,
                _sentence_with(note, name),
                (
                    N_(
                        "The note gives the %(biomarker)s %(given)s, not the %(asked)s this criterion "
                        "asks for."
                    ),
                    {"biomarker": name, "given": _words(given), "asked": _words(asked)},
                ),
            )
        if have != status:
            return (
                negative_label(kind),
                _sentence_with(note, shown),
                (
                    N_(
                        "The note gives %(biomarker)s %(have)s; this criterion asks for %(biomarker)s "
                        "%(status)s."
                    ),
                    {"biomarker": name, "have": str(have), "status": status},
                ),
            )
        agreed += 1
    if agreed and agreed == len([b for b in criterion.biomarkers if b[1] != "unknown"]):
        name = criterion.biomarkers[0][0]
        return (
            positive_label(kind),
            _sentence_with(note, name),
            (N_("The note gives the %(biomarker)s status this criterion asks for."), {"biomarker": name}),
        )
    return None


def _words(alteration_kind: str) -> str:
    return "mutation status" if alteration_kind == "mutation" else "receptor status"


# "Other", "prior" or "second" malignancies: the cancer the patient is being treated for is not one of them.
OTHER_CANCER = re.compile(
    r"\b(?:other|another|second|prior|previous|additional|concurrent|concomitant|synchronous)\s+"
    r"(?:\w+\s+)?(?:malignan\w*|cancers?|neoplas\w*|primary|invasive malignan\w*)",
    re.I,
)


def cancer_types(note: NoteFacts, criterion: CriterionFacts) -> Found:
    """Inclusion by the cancer types the criterion names, through the OncoTree hierarchy."""
    asked = criterion.cancer_types
    if not asked or not note.cancer_types or criterion.negated_subject or OTHER_CANCER.search(criterion.text):
        return None
    relations = [oncotree.best_relation(patient, asked) for patient in note.cancer_types]
    found = [r for r in relations if r is not None]
    patient = oncotree.name_of(note.cancer_types[0])
    wanted = ", ".join(oncotree.name_of(code) for code in asked)
    sentence = _cancer_sentence(note)
    if not found:
        return (
            "not included",
            sentence,
            (N_("The note names %(patient)s, not %(wanted)s."), {"patient": patient, "wanted": wanted}),
        )
    if "same" not in found and "broader" not in found:
        return (
            NEI,
            sentence,
            (
                N_("The note names %(patient)s without saying whether it is %(wanted)s."),
                {"patient": patient, "wanted": wanted},
            ),
        )
    return (
        "included",
        sentence,
        (N_("The note names %(patient)s, a kind of %(wanted)s."), {"patient": patient, "wanted": wanted}),
    )


def metastatic_sites(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Metastases at a named site ("known cardiac metastases") against the sites the note gives."""
    m = _SITE_METASTASES.search(criterion.text)
    if m is None or note.cancer is None:
        return None
    site = _SITES.get((m.group(1) or m.group(2) or "").lower())
    if site is None or site == "brain":
        return None  # brain metastases have their own rule
    if site == "visceral" and note.metastatic_sites & VISCERA:
        return (
            positive_label(kind),
            _cancer_sentence(note),
            (
                N_("The note reports metastases to the %(site)s."),
                {"site": sorted(note.metastatic_sites & VISCERA)[0]},
            ),
        )
    if site in note.metastatic_sites:
        return (
            positive_label(kind),
            _cancer_sentence(note),
            (N_("The note reports metastases to the %(site)s."), {"site": site}),
        )
    if kind == "exclusion" and site == "visceral":
        return "not excluded", _cancer_sentence(note), N_("The note reports no visceral metastases.")
    if kind == "exclusion":
        return (
            "not excluded",
            _cancer_sentence(note),
            (N_("The note reports no metastases to the %(site)s."), {"site": site}),
        )
    return (
        NEI,
        None,
        (
            N_("The note does not say whether there are metastases to the %(site)s."),
            {"site": "visceral organs" if site == "visceral" else site},
        ),
    )


def _cancer_sentence(note: NoteFacts) -> int | None:
    return next(
        (m.sentence for m in note.mentions if m.concept == "cancer" and m.polarity == "affirmed"), None
    )


def _sentence_with(note: NoteFacts, name: str) -> int | None:
    pattern = re.compile(_GENE_NAMES.get(name, rf"\b{re.escape(name)}\b"), re.I)
    return next((i for i, s in enumerate(note.sentences) if pattern.search(s)), None)
