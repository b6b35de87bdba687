"""The cancer rule family: brain metastases, the cancer named and its histologic type, stage, prior lines
of therapy and biomarkers, against the cancer the note describes.
"""

from __future__ import annotations

import re

from onconav.i18n import N_
from onconav.trials import oncotree
from onconav.trials.verdicts.answers import NEI, Found, Kind, concept_named, negative_label, positive_label
from onconav.trials.verdicts.brain import brain_metastases
from onconav.trials.verdicts.conditions import concept_state, is_treatment
from onconav.trials.verdicts.criterion import CriterionFacts
from onconav.trials.verdicts.extent import disease_extent
from onconav.trials.verdicts.measures import compare
from onconav.trials.verdicts.note import NoteFacts, cancer_family
from onconav.trials.verdicts.tumours import OTHER_CANCER, biomarkers, cancer_types, metastatic_sites

# Criteria name stage groups I-IV; limited-stage small cell lung cancer counts as III, extensive as IV.
# Limited and extensive disease stage the Veterans Administration Lung Study Group's staging of small cell
# lung cancer only: another cancer's stage does not answer it.
_SCLC_STAGING = re.compile(r"\b(?:limited|extensive)\b[\w\s-]{0,20}\b(?:stage|disease)\b", re.I)
_GROUP_OF_STAGE = {"I": "I", "II": "II", "III": "III", "IV": "IV", "limited": "III", "extensive": "IV"}


def cancer(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """The cancer named (histology), stage, biomarkers and brain metastases, when the note has a cancer."""
    if note.cancer is None:
        return _no_cancer(note, criterion, kind)
    if "brain" in criterion.metastatic_sites or "brain-metastases" in criterion.concepts:
        return brain_metastases(note, criterion, kind)
    found = metastatic_sites(note, criterion, kind)
    if found is not None:
        return found
    if kind == "inclusion":
        found = disease_extent(note, criterion, kind) or _cancer_type(note, criterion)
        if found is not None and found[0] == "included" and criterion.treatment_naive:
            # "Chemonaive for NSCLC": the right cancer, but the treatment it must not have had decides.
            untreated = _therapy_lines(note, criterion, kind)
            if untreated is not None and untreated[0] == "not included":
                return untreated
        if found is not None and found[0] == "included":
            # The right cancer with the wrong receptors is not the cancer asked for (TNBC, HER2-positive).
            found = biomarkers(note, criterion, kind) or found
            castration = _castration(note, criterion, kind)
            if found[0] == "included" and castration is not None:
                return castration
            if found[0] == "included" and (unmet := _course_not_stated(note, criterion)) is not None:
                return unmet
            return found
        if found is not None:
            return found
    if (
        criterion.stages
        and note.stage in _GROUP_OF_STAGE
        and criterion.cancer is None
        and not (_SCLC_STAGING.search(criterion.text) and "small-cell" not in note.histologies)
    ):
        inside = _GROUP_OF_STAGE[note.stage] in criterion.stages
        if criterion.negated_subject:
            inside = not inside  # "No stage IV or recurrent disease": the stage named is what must not be
        return (
            (positive_label(kind) if inside else negative_label(kind)),
            _cancer_sentence(note),
            N_("The note gives the stage."),
        )
    found = _therapy_lines(note, criterion, kind)
    if found is not None:
        return found
    return biomarkers(note, criterion, kind)


# Any word of a note that may be about a cancer, found or suspected: then the note has not ruled it out.
_TUMOUR_WORDS = re.compile(
    r"cancer|carcinoma|tumou?r|malignan|neoplas|\bmass|nodul|lesion|metasta|\w+(?<!granul)omas?\b|leuk|lymphom|"
    r"myelo|blast|oncolog|chemo|radiother|(?-i:\b(?:CA|MDS|CLL|ALL|AML|CML|XRT)\b)",
    re.I,
)


# A criterion asking the diagnosis itself (confirmed, staged, spread), not screening for or risk of it.
_DIAGNOSIS_ASKED = re.compile(
    r"histolog|cytolog|patholog|biopsy[- ]proven|confirmed|documented|\bstage|metasta|advanced|recurrent|"
    r"relapsed|refractory|unresectable|inoperable",
    re.I,
)
_NOT_A_DIAGNOSIS = re.compile(r"screen|risk|prevent|suspect|famil|relative|vaccin|survivor|history of", re.I)


def _no_cancer(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """An inclusion asking a cancer of a patient whose note describes an illness and no cancer, nor any
    tumour, mass or cancer treatment: not included (a thorough note names the cancer a patient has)."""
    if (
        kind != "inclusion"
        or not (criterion.cancer_types or criterion.cancer)
        or criterion.negated_subject
        or OTHER_CANCER.search(criterion.text)
        or not _DIAGNOSIS_ASKED.search(criterion.text)
        or _NOT_A_DIAGNOSIS.search(criterion.text)
        or _TUMOUR_WORDS.search(note.text)
    ):
        return None
    return "not included", None, N_("The note describes no cancer.")


# Prostate cancer that grows despite castration, or still answers to it: asked by a criterion, told by a
# note in words ("castration-resistant") or by a rising PSA or growth while on androgen deprivation.
_ASKS_RESISTANT = re.compile(
    r"castrat\w*[- ]resistant|\bcrpc\b|hormone[- ]refractory|androgen[- ]independent", re.I
)
_ASKS_SENSITIVE = re.compile(
    r"(?:hormone|castrat\w*)[- ](?:sensitive|naive)|\b(?:m?hspc|m?cspc)\b|androgen[- ]dependent", re.I
)
_NOTE_RESISTANT = re.compile(
    _ASKS_RESISTANT.pattern
    + r"|\b(?:psa|disease)\b[^\n;]{0,40}\b(?:rose|rising|increas\w*|progress\w*)\b[^\n;]{0,40}"
    r"\b(?:despite|on|while on|during)\b[^\n;]{0,30}\b(?:adt|androgen deprivation|castrat\w*|leuprolide|"
    r"goserelin|degarelix)|\bcastrate (?:level )?testosterone",
    re.I,
)
_NOTE_SENSITIVE = re.compile(
    _ASKS_SENSITIVE.pattern + r"|\bnot (?:yet )?(?:received|started) (?:adt|androgen)", re.I
)


def _castration(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Castration-resistant or hormone-sensitive prostate cancer asked, against what the note tells."""
    resistant, sensitive = _ASKS_RESISTANT.search(criterion.text), _ASKS_SENSITIVE.search(criterion.text)
    if bool(resistant) == bool(sensitive):
        return None
    told = (
        "resistant"
        if _NOTE_RESISTANT.search(note.text)
        else "sensitive"
        if _NOTE_SENSITIVE.search(note.text)
        else None
    )
    if told is None:
        return (
            NEI,
            _cancer_sentence(note),
            N_("The note does not say whether the cancer still answers to castration."),
        )
    holds = (told == "resistant") == bool(resistant)
    return (
        positive_label(kind) if holds else negative_label(kind),
        _cancer_sentence(note),
        N_("The note tells whether the cancer still answers to castration."),
    )


# What a criterion may ask of the cancer's course besides its type: a progression, a relapse, a failed or
# completed treatment. The note must say it too.
_COURSE = re.compile(
    r"\b(?:progress\w*|refractory|relaps\w*|recurr\w*|resistan\w*|fail\w*|intoleran\w*|"
    r"complet\w*(?!\s+(?:resect|excis|remov))|"
    r"survivors?)\b",
    re.I,
)

# A note that tells of a treatment and of the disease spreading or growing since tells a progression.
_TREATED = re.compile(r"\b(?:treated|received|underwent|after|s/p|status post|resected|completed)\b", re.I)
_SPREAD_SINCE = re.compile(
    r"\bnow (?:with|has|shows|presents|demonstrates|reveals)\b|"
    r"\bnew (?:\w+ )?(?:lesions?|metasta\w*|nodules?|masses)|\bgr[eo]w\w*|\benlarg\w*|"
    r"\bprogress\w*|\brecurr\w*|\brelaps\w*|\bspread\b",
    re.I,
)


def _course_not_stated(note: NoteFacts, criterion: CriterionFacts) -> Found:
    """The right cancer, but a treatment or a course of it the criterion asks that the note does not state
    ("breast cancer survivors who completed endocrine therapy", "NSCLC progressing after platinum")."""
    for mention in criterion.mentions:
        if mention.polarity != "affirmed" or not is_treatment(mention.concept):
            continue
        state = concept_state(note, (mention.concept,))
        if state is None or state[0] != "affirmed":
            return (
                NEI,
                _cancer_sentence(note),
                (
                    N_("The note names this cancer but not %(concept)s, which this criterion asks."),
                    concept_named(mention),
                ),
            )
    course = _COURSE.search(criterion.text)
    if (
        course is not None
        and not re.search(rf"\b{course.group(0)[:5]}", note.text, re.I)
        and not (_TREATED.search(note.text) and _SPREAD_SINCE.search(note.text))
    ):
        return (
            NEI,
            _cancer_sentence(note),
            N_("The note names this cancer but not the course the criterion asks."),
        )
    return None


_CANCER_HISTOLOGIES = frozenset({"lymphoma", "melanoma", "sarcoma"})


def _cancer_type(note: NoteFacts, criterion: CriterionFacts) -> Found:
    """Inclusion by the cancer named, its histologic type and its stage."""
    if OTHER_CANCER.search(criterion.text):
        return None  # "no other prior malignancy except skin cancer": not the cancer asked for
    # Lymphoma, melanoma and sarcoma are cancers of their own, which the OncoTree types compare.
    histologies = criterion.histologies - (_CANCER_HISTOLOGIES if criterion.cancer_types else frozenset())
    if histologies and note.histologies and criterion.negated_subject and _NO_TYPE.match(criterion.text):
        # "No undifferentiated small cell carcinoma": the type named is the one the tumour must not be.
        if _conflicting(histologies, note.histologies):
            return "included", _cancer_sentence(note), N_("The note gives another histologic type.")
        if histologies <= _typed(note.histologies):
            return "not included", _cancer_sentence(note), N_("The note gives this histologic type.")
        return None
    if histologies and note.histologies and _conflicting(histologies, note.histologies):
        return "not included", _cancer_sentence(note), N_("The note gives a different histologic type.")
    if histologies & _EXCLUSIVE_TYPES and (other := _not_a_carcinoma(note)) is not None:
        if criterion.negated_subject and _NO_TYPE.match(criterion.text):
            return "included", _cancer_sentence(note), N_("The note gives another histologic type.")
        # Adenocarcinoma, squamous, large- and small-cell carcinoma are epithelial cancers; a glioma, a
        # leukaemia, a lymphoma, a myeloma, a sarcoma or a melanoma is none of them (WHO classifications).
        return (
            "not included",
            _cancer_sentence(note),
            (N_("The note names %(cancer)s, which is not a carcinoma."), {"cancer": other}),
        )
    by_type = cancer_types(note, criterion)
    if by_type is not None:
        stage = _GROUP_OF_STAGE.get(note.stage or "")
        if (
            by_type[0] == "included"
            and criterion.stages
            and stage is not None
            and stage not in criterion.stages
        ):
            return "not included", _cancer_sentence(note), N_("The note gives a different stage.")
        return by_type
    if criterion.cancer is None:
        if criterion.histologies & _typed(note.histologies) and not criterion.stages:
            return "included", _cancer_sentence(note), N_("The note gives this histologic type.")
        untyped = not note.histologies or (
            note.histologies == {"non-small-cell"} and histologies <= _NSCLC_TYPES
        )
        if histologies & _EXCLUSIVE_TYPES and untyped and not criterion.negated_subject:
            # "Adenocarcinoma" asked of "lung cancer": the pathology has not said which type it is.
            return NEI, _cancer_sentence(note), N_("The note does not give the cancer's histologic type.")
        return None
    family = note.cancer_family
    if criterion.cancer in family:
        stage = _GROUP_OF_STAGE.get(note.stage or "")
        if criterion.stages and stage is not None and stage not in criterion.stages:
            return "not included", _cancer_sentence(note), N_("The note gives a different stage.")
        return "included", _cancer_sentence(note), N_("The note names this cancer.")
    if not set(cancer_family(criterion.cancer)) & set(family) and criterion.cancer_types:
        return "not included", _cancer_sentence(note), N_("The note names a different cancer.")
    return None


# A type and its complement: a tumour cannot be both.
_COMPLEMENTS = (("squamous", "non-squamous"), ("small-cell", "non-small-cell"))
# The main carcinoma types of one organ: a tumour is one of them.
_EXCLUSIVE_TYPES = frozenset({"adenocarcinoma", "squamous", "large-cell", "small-cell"})


# Glandular carcinomas named by their growth pattern (WHO: invasive ductal carcinoma of the breast, ductal
# adenocarcinoma of the pancreas, lobular carcinoma are adenocarcinomas).
_GLANDULAR = frozenset({"ductal", "lobular"})
# "No small cell carcinoma" (not "Non-metastatic adenocarcinoma", whose negation is the spread's).
_NO_TYPE = re.compile(r"^\W*(?:no|without|not)\s", re.I)
# The types of non-small cell lung carcinoma (WHO 2021).
_NSCLC_TYPES = frozenset({"adenocarcinoma", "squamous", "large-cell", "non-squamous", "non-small-cell"})


def _typed(have: frozenset[str]) -> frozenset[str]:
    """The note's histologic types with those they are kinds of (a ductal carcinoma is an adenocarcinoma)."""
    return have | {"adenocarcinoma"} if have & _GLANDULAR else have


# Cancers that are not carcinomas: of blood, lymph or the central nervous system's glia, of connective
# tissue, of melanocytes.
_NON_EPITHELIAL_TISSUES = frozenset({"MYELOID", "LYMPH", "BRAIN"})
_NON_EPITHELIAL = re.compile(
    r"sarcoma|melanoma|lymphoma|leuka?emia|glioma|myeloma|astrocytoma|lymphoid|myeloid", re.I
)


def _not_a_carcinoma(note: NoteFacts) -> str | None:
    """The name of the patient's cancer when every type the note gives is not a carcinoma."""
    if not note.cancer_types or note.histologies & _EXCLUSIVE_TYPES or "carcinoma" in note.text.lower():
        return None
    names = []
    for code in note.cancer_types:
        node = oncotree.cancer_type(code)
        if node is None:
            return None
        lineage_names = " ".join(oncotree.name_of(c) for c in oncotree.lineage(code))
        if node.tissue not in _NON_EPITHELIAL_TISSUES and not _NON_EPITHELIAL.search(lineage_names):
            return None
        names.append(oncotree.name_of(code))
    return ", ".join(names)


def _conflicting(asked: frozenset[str], have: frozenset[str]) -> bool:
    """Whether the histologic types a criterion asks for rule out those the note gives: none shared,
    squamous asked of a non-squamous tumour (or the reverse), or adenocarcinoma asked of a squamous one."""
    have = _typed(have)
    if "non-small-cell" in have and not have & _EXCLUSIVE_TYPES and asked <= _NSCLC_TYPES:
        return False  # a non-small cell carcinoma whose type the note does not give may be any of them
    if asked.isdisjoint(have):
        return True
    for kind, complement in _COMPLEMENTS:
        if kind in asked and complement in have and kind not in have:
            return True
        if complement in asked and kind in have and complement not in have:
            return True
    wanted, given = asked & _EXCLUSIVE_TYPES, have & _EXCLUSIVE_TYPES
    return bool(wanted and given and wanted.isdisjoint(given))


# A course of the disease a criterion may ask beside the lines ("progressive disease after two lines").
_PROGRESSION = re.compile(r"progress|refractory|relaps|recurr|\bfail|resistan|\brose\b|\brising\b", re.I)


def _therapy_lines(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """Prior lines of systemic therapy, and treatment-naive criteria, against what the note says."""
    if note.prior_lines is None:
        asked = criterion.prior_lines
        if kind == "inclusion" and asked is not None and not compare(1, asked.op, asked.count):
            # "at least two prior lines": a treatment the note names is not a count of lines
            return NEI, None, N_("The note does not say how many lines of treatment were given.")
        return _treated_though_naive_asked(note, criterion, kind)
    if criterion.prior_lines is not None:
        met = compare(note.prior_lines, criterion.prior_lines.op, criterion.prior_lines.count)
        if (
            met
            and kind == "inclusion"
            and _PROGRESSION.search(criterion.text)
            and not _PROGRESSION.search(note.text)
        ):
            return NEI, None, N_("The note counts the lines given but does not say the disease progressed.")
        return (
            (positive_label(kind) if met else negative_label(kind)),
            None,
            N_("The note says how many lines were given."),
        )
    # "No prior systemic therapy" as an inclusion asks the same as "treatment-naive".
    if criterion.treatment_naive and (not criterion.negated_subject or kind == "inclusion"):
        naive = note.prior_lines == 0
        return (
            (positive_label(kind) if naive else negative_label(kind)),
            None,
            N_("The note says whether treatment was given."),
        )
    return None


_CHEMOTHERAPY_NAMED = re.compile(r"\bchemo", re.IGNORECASE)
_SYSTEMIC_THERAPIES = ("systemic-therapy",)


def _treated_though_naive_asked(note: NoteFacts, criterion: CriterionFacts, kind: Kind) -> Found:
    """A treatment-naive criterion for a note that names the treatment as given (carboplatin is a
    chemotherapy), though it does not count the lines."""
    if not criterion.treatment_naive or criterion.negated_subject or kind != "inclusion":
        return None
    wanted = ("chemotherapy",) if _CHEMOTHERAPY_NAMED.search(criterion.text) else _SYSTEMIC_THERAPIES
    state = concept_state(note, wanted)
    if state is None or state[0] != "affirmed":
        return None
    return "not included", state[1], N_("The note says this treatment was given.")


def _cancer_sentence(note: NoteFacts) -> int | None:
    return next(
        (m.sentence for m in note.mentions if m.concept == "cancer" and m.polarity == "affirmed"), None
    )
