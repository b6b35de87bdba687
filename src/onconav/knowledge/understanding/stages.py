"""Stages a text names ("stage IIIB", "T2N1M0", "extensive-stage", "DCIS"), qualifiers ("recurrent",
"locally advanced"), and which stage is that of the patient's condition.
"""

from __future__ import annotations

import re

from onconav.knowledge.explanation import StageFinding
from onconav.knowledge.schemas import StageGroup
from onconav.knowledge.understanding.conditions import attached
from onconav.knowledge.understanding.negation import is_eligible
from onconav.knowledge.understanding.reader import Mention, Reader

SHORT_TEXT_WORDS = 12  # a search phrase rather than a note
# "CKD stage 3": words of another disease's staging this close to a stage.
NON_CANCER_STAGE_WINDOW = 4
# When a text names several stages, the most advanced is the patient's.
_STAGE_RANK: dict[str, float] = {"0": 0, "I": 1, "II": 2, "limited": 2.5, "III": 3, "IV": 4, "extensive": 4.5}
_GROUPS: dict[str, StageGroup] = {
    "0": "0",
    "I": "I",
    "II": "II",
    "III": "III",
    "IV": "IV",
    "limited": "limited",
    "extensive": "extensive",
}
_STAGE = re.compile(
    r"(?<![A-Za-z])(?:(?:stage|stg|stge|satge|stag)s?[\s:\-.]*(?:(?:is|was|of)\s+)?"
    r"|(?:re-?)?staged\s+as\s+(?:clinical\s+|pathologic(?:al)?\s+)?)"
    r"(?:(?P<roman>iv|i{1,3}|0)|(?P<arabic>[0-4])|(?P<word>zero|one|two|three|four))"
    r"(?:-?(?P<letter>[abc])(?P<digit>[1-3])?)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ORDINAL_STAGE = re.compile(
    r"(?<![A-Za-z])(?P<ord>1st|2nd|3rd|4th|first|second|third|fourth)[\s\-]+stage\b", re.IGNORECASE
)
_TNM = re.compile(
    r"(?<![A-Za-z0-9])[cpyra]{0,2}T(?:is|[0-4x][a-d]?)\s*[cpyra]{0,2}N[0-3x][a-c]?\s*[cpyra]{0,2}M(?P<m>[01x])"
    r"(?:[a-c][12]?)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_LIMITED_EXTENSIVE = re.compile(
    r"(?<![A-Za-z])(?:(?P<le>limited|extensive)[\s\-]+(?P<what>stage|disease)|(?P<abbr>ls|es|ld|ed)[\s\-]*sclc)"
    r"(?![A-Za-z])",
    re.IGNORECASE,
)
_IN_SITU = re.compile(r"(?<![A-Za-z])(?:in[\s\-]situ|dcis)(?![A-Za-z])", re.IGNORECASE)
_ROMAN = {"0": "0", "i": "I", "ii": "II", "iii": "III", "iv": "IV"}
_ARABIC = {
    "0": "0",
    "1": "I",
    "2": "II",
    "3": "III",
    "4": "IV",
    "zero": "0",
    "one": "I",
    "two": "II",
    "three": "III",
    "four": "IV",
    "1st": "I",
    "2nd": "II",
    "3rd": "III",
    "4th": "IV",
    "first": "I",
    "second": "II",
    "third": "III",
    "fourth": "IV",
}


def stage_mentions(r: Reader) -> list[Mention]:
    """Stages written out, ordinal, TNM, limited or extensive, in situ; not those of other diseases."""
    found: list[Mention] = []
    text = r.text
    for match in _STAGE.finditer(text):
        number = match.group("roman") or match.group("arabic") or match.group("word")
        group = _ROMAN.get(number.lower()) or _ARABIC[number.lower()]
        letter = (match.group("letter") or "").upper()
        substage = f"{group}{letter}{match.group('digit') or ''}" if letter else None
        found.append(_stage(r, match.start(), match.end(), group, "explicit", substage=substage))
    for match in _ORDINAL_STAGE.finditer(text):
        found.append(_stage(r, match.start(), match.end(), _ARABIC[match.group("ord").lower()], "explicit"))
    for match in _TNM.finditer(text):
        found.append(_stage(r, match.start(), match.end(), "IV" if match.group("m") == "1" else None, "tnm"))
    for match in _LIMITED_EXTENSIVE.finditer(text):
        word = (match.group("le") or match.group("abbr") or "").lower()
        group = "limited" if word in ("limited", "ls", "ld") else "extensive"
        mention = _stage(r, match.start(), match.end(), group, "limited-extensive")
        mention.needs_sclc = (match.group("what") or "").lower() == "disease"
        found.append(mention)
    for match in _IN_SITU.finditer(text):
        found.append(_stage(r, match.start(), match.end(), "0", "in-situ"))
    # Stages of other diseases ("CKD stage 3", "Hoehn-Yahr stage I") are not cancer stages.
    kept = []
    for mention in found:
        if mention.stage_source == "explicit":
            a = max(0, mention.s - NON_CANCER_STAGE_WINDOW)
            b = min(len(r.words), mention.e + NON_CANCER_STAGE_WINDOW)
            if r.t.stage_contexts.find(r.words[a:b]):
                continue
        kept.append(mention)
    return kept


def _stage(
    r: Reader, start: int, end: int, group: str | None, source: str, *, substage: str | None = None
) -> Mention:
    """A stage mention of characters [start, end)."""
    s, e = r.span(start, end)
    return Mention(
        "stage", group or "", s, e, start, end, stage_source=source, substage=substage, group=_as_group(group)
    )


def qualifier_mentions(r: Reader) -> list[Mention]:
    """Words that qualify a stage without fixing its group ("recurrent", "locally advanced")."""
    found = []
    for s, e, label in r.t.qualifiers.find(r.words):
        start, end = r.chars(s, e)
        found.append(Mention("stage", label, s, e, start, end, stage_source="qualifier"))
    return found


def choose_stage(
    r: Reader,
    chosen: Mention | None,
    conditions: list[Mention],
    stages: list[Mention],
    qualifiers: list[Mention],
) -> StageFinding | None:
    """The chosen condition's stage: the most advanced stage named for it, with its TNM and qualifiers."""
    t = r.t
    lineage = set(t.ancestors(chosen.label)) if chosen else set()
    usable: list[Mention] = []
    for stage in stages:
        if stage.context not in ("affirmed", "caregiver"):
            continue
        owner = attached(r, stage, conditions)
        if owner is not None:
            if not is_eligible(owner):
                continue  # the stage of a relative's or a negated cancer
            if chosen is not None and not lineage & set(t.ancestors(owner.label)):
                continue  # the stage of another of the patient's cancers
        elif chosen is None and stage.stage_source != "metastatic" and not _about_cancer(r, stage):
            continue  # "breast bulb in stage 1" (Tanner) in a note that names no cancer
        usable.append(stage)
    small_cell = chosen is not None and _is_small_cell(r, chosen.label)
    candidates: list[tuple[StageGroup, Mention]] = []
    for stage in usable:
        group: StageGroup | None = stage.group
        if group is None or (stage.stage_source == "metastatic" and stage.regional):
            continue
        if stage.needs_sclc and not small_cell:
            continue
        if small_cell and stage.stage_source == "metastatic":
            group = "extensive"  # distant spread of small cell lung cancer is extensive stage
        elif stage.stage_source == "metastatic" and chosen is not None:
            group = _spread_group(r, chosen.label, stage) or group
        candidates.append((group, stage))
    if small_cell and any(g in ("limited", "extensive") for g, _ in candidates):
        candidates = [(g, m) for g, m in candidates if g in ("limited", "extensive")]
    tnm = next((m for m in usable if m.stage_source == "tnm"), None)
    labels = []
    for q in qualifiers:
        owner = attached(r, q, conditions)
        # "Recurrent UTIs" says nothing of the cancer: a qualifier must stand by the condition it qualifies.
        belongs = owner is not None and bool(lineage & set(t.ancestors(owner.label)))
        if chosen is None:
            belongs = len(r.words) <= SHORT_TEXT_WORDS
        if belongs and q.context in ("affirmed", "caregiver") and q.label not in labels:
            labels.append(q.label)
    if not candidates:
        if tnm is None and not labels:
            return None
        shown = tnm or next(q for q in qualifiers if q.label == labels[0])
        return StageFinding(
            group=None,
            substage=None,
            matched_text=r.text[shown.start : shown.end],
            tnm=_tnm_text(r, tnm),
            qualifiers=labels,
        )
    rank = max(_STAGE_RANK[g] for g, _ in candidates)
    best = [(g, m) for g, m in candidates if _STAGE_RANK[g] == rank]
    chosen_group, mention = next(((g, m) for g, m in best if m.substage), best[0])
    return StageFinding(
        group=chosen_group,
        substage=mention.substage if mention.group == chosen_group else None,
        matched_text=r.text[mention.start : mention.end],
        tnm=_tnm_text(r, tnm),
        qualifiers=labels,
    )


def _spread_group(r: Reader, code: str, stage: Mention) -> StageGroup | None:
    """The stage group a cancer's own stages give spread to the sites named ("ovarian cancer spread to the
    omentum" is stage III), or None when any named site means distant spread.
    """
    table: dict[str, StageGroup] = {}
    for ancestor in reversed(r.t.ancestors(code)):
        condition = r.t.catalogue.conditions.get(ancestor)
        if condition is not None:
            table.update(condition.spread_stages)
    sites = [s for s in stage.sites if s != "lymph nodes"]
    if not sites or not all(site in table for site in sites):
        return None
    return max((table[site] for site in sites), key=lambda g: _STAGE_RANK[g])


def _about_cancer(r: Reader, stage: Mention) -> bool:
    """A short text, or a cancer word in the stage's sentence."""
    if len(r.words) <= SHORT_TEXT_WORDS:
        return True
    if r.cancer_sentences is None:
        r.cancer_sentences = {r.sentence[s] for s, _, _ in r.t.heads.find(r.words)}
    return r.sentence_of(stage.s) in r.cancer_sentences


def _as_group(name: str | None) -> StageGroup | None:
    """The stage group a name stands for, typed."""
    return _GROUPS.get(name) if name else None


def _tnm_text(r: Reader, mention: Mention | None) -> str | None:
    """The TNM as written, without spaces ("T2 N1 M0" -> "T2N1M0")."""
    return re.sub(r"\s+", "", r.text[mention.start : mention.end]) if mention else None


def _is_small_cell(r: Reader, code: str) -> bool:
    """Small cell lung cancer, or a condition staged limited/extensive rather than I-IV."""
    if "small-cell-lung-cancer" in r.t.ancestors(code):
        return True
    condition = r.t.catalogue.conditions.get(code)
    groups = {s.group for s in condition.stages} if condition else set()
    return "extensive" in groups and "IV" not in groups
