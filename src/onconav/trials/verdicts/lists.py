"""Criteria that are lists: a parent ("Must not have any of the following:", "At least one of:") governs its
indented children, and its own verdict is theirs combined (any of, all of, none of).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from onconav.i18n import N_
from onconav.trials.verdicts.answers import NA, NEI, Kind
from onconav.trials.verdicts.judging import Verdict

Judge = Callable[[object, str, Kind], Verdict]

_NONE_OF = re.compile(
    r"\bmust not\b|\bmay not\b|\bcannot\b|\bshould not\b|\bnot (?:have|be|meet)\b|\bnone of\b|"
    r"\bno history of\b|"
    r"\bineligible\b|\bnot (?:be )?eligible\b|\bwill be excluded\b|\bare excluded\b|^\W*(?:no|without)\b",
    re.I,
)
_ANY_OF = re.compile(r"\b(?:at least one|one or more|any (?:one )?of|either|one of the following)\b", re.I)
# A parent with this many words before its list ("Patients must have a solid tumour and meet one of the
# following:") asks something itself; a shorter one only introduces the list.
OWN_CONTENT_WORDS = 6
_LIST_INTRO = re.compile(r"\b(?:the following|following|as follows)\b|:\s*$", re.I)
# A child that is an annotation of its list ("NOTE: warfarin may not be started", "Note: patients may
# continue ..."), not one of its options: it never decides the parent.
_ANNOTATION = re.compile(r"^\W*(?:note|nb|n\.b\.|please note)\b\s*[:.-]", re.I)
# Inclusion words for what an exclusion answer means, and back.
_AS_INCLUSION = {"excluded": "not included", "not excluded": "included"}


def mode(parent_text: str, kind: Kind) -> str:
    """How a parent combines its children: "none" (must not have any), "any" (at least one) or "all"."""
    if kind == "inclusion" and _NONE_OF.search(parent_text):
        return "none"
    if _ANY_OF.search(parent_text):
        return "any"
    return "all"


def _combine(labels: list[str], kind: Kind, how: str) -> str:
    """The parent's label from its children's (already in the parent's vocabulary)."""
    yes, no = ("included", "not included") if kind == "inclusion" else ("excluded", "not excluded")
    live = [label for label in labels if label != NA]
    if not live:
        return NA
    if kind == "exclusion":
        # An exclusion list excludes when any child does, and clears the patient only when every child does.
        how = "any"
    if how == "any":
        if yes in live:
            return yes
        return no if all(label == no for label in live) else NEI
    if no in live:
        return no
    return yes if all(label == yes for label in live) else NEI


def judge_items(note: object, items: Sequence[tuple[Kind, str, int]], judge: Judge) -> list[Verdict]:
    """A verdict for each (kind, text, level) in order; parents of indented lists take their children's."""
    verdicts: list[Verdict | None] = [None] * len(items)
    for i, (kind, text, _level) in enumerate(items):
        parent = _parent(items, i)
        # Under "Must not have any of the following:" each item is what the patient must not have.
        if parent is not None and kind == "inclusion" and mode(items[parent][1], "inclusion") == "none":
            found = judge(note, text, "exclusion")
            label = _AS_INCLUSION.get(found.label, found.label)
            verdicts[i] = replace(found, label=label)
        else:
            verdicts[i] = judge(note, text, kind)
    for i in reversed(range(len(items))):
        children = [
            j
            for j in range(i + 1, len(items))
            if _parent(items, j) == i and not _ANNOTATION.match(items[j][1])
        ]
        if not children:
            continue
        kind, text, _level = items[i]
        labels = [v.label for j in children if (v := verdicts[j]) is not None]
        label = _combine(labels, kind, mode(text, kind))
        own = verdicts[i]
        intro = _LIST_INTRO.search(text)
        own_words = len(re.findall(r"\w+", text[: intro.start()] if intro else text))
        failed_or_not_applicable = ("not included", "excluded", NA)
        if own is not None and own_words >= OWN_CONTENT_WORDS and own.label in failed_or_not_applicable:
            # The parent's own requirement fails, or is not for this patient ("Women of childbearing
            # potential must have a negative pregnancy test ...; a female of childbearing potential is any
            # woman who:" for a man), whatever its list says; what its list details is not the patient's
            # either when the requirement does not apply.
            if own.label == NA:
                for j in _descendants(items, i):
                    child = verdicts[j]
                    if child is not None:
                        verdicts[j] = replace(
                            child,
                            label=NA,
                            reason=f"Part of a criterion that does not apply: {text}",
                            reason_template=N_("Part of a criterion that does not apply: %(item)s"),
                            reason_details=(("item", text),),
                        )
            continue
        deciding = next((j for j in children if (v := verdicts[j]) is not None and v.label == label), None)
        decided_by = items[deciding][1] if deciding is not None else ""
        child = verdicts[deciding] if deciding is not None else None
        evidence = child.evidence if child is not None else None
        verdicts[i] = Verdict(
            label=label,
            evidence=evidence,
            reason=f"Decided by its list: {decided_by}" if decided_by else "Decided by its list.",
            reason_template=N_("Decided by its list: %(item)s") if decided_by else N_("Decided by its list."),
            reason_details=(("item", decided_by),) if decided_by else (),
        )
    return [v for v in verdicts if v is not None]


def _descendants(items: Sequence[tuple[Kind, str, int]], index: int) -> list[int]:
    """The items indented under item `index` (its children, theirs, ...)."""
    kind, _text, level = items[index]
    found = []
    for j in range(index + 1, len(items)):
        if items[j][0] != kind or items[j][2] <= level:
            break
        found.append(j)
    return found


def _parent(items: Sequence[tuple[Kind, str, int]], index: int) -> int | None:
    """The nearest earlier item of the same kind with a smaller level."""
    kind, _text, level = items[index]
    if level <= 0:
        return None
    for j in range(index - 1, -1, -1):
        if items[j][0] != kind:
            return None
        if items[j][2] < level:
            return j
    return None
