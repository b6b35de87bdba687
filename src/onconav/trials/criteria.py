"""Splitting a trial's eligibility text into inclusion and exclusion criteria.

Handles bullets, numbering, nested lists, wrapped lines, headings and their variants ("Key Inclusion
Criteria", "INCLUSION CRITERIA:", "Non-inclusion criteria", "Patients must not...:") and text with no
heading at all (then every criterion is an inclusion criterion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["inclusion", "exclusion"]

# A list marker: bullets, "1.", "1)", "(1)", "a.", "a)", "(a)", "i.", "ii)".
_MARKER = re.compile(
    r"^(?:[*\-•·◦▪‣o](?=\s)|\d{1,3}[.)](?!\d)|\(\d{1,3}\)|[a-zA-Z][.)](?=\s)|\([a-zA-Z]\)|"
    r"(?:i{1,3}|iv|vi{0,3}|ix|x)[.)](?=\s))\s*"
)
_EXCLUSION_HEADING = re.compile(
    r"\b(exclusion|exclusionary|non[- ]?inclusion|ineligibility|excluded|not\s+(?:be\s+)?eligible|"
    r"must\s+not|will\s+not\s+be\s+(?:included|enrolled|eligible))\b",
    re.IGNORECASE,
)
_INCLUSION_HEADING = re.compile(
    r"\b(inclusion|eligibility|eligible|included|must|should|disease\s+characteristics|"
    r"patient\s+characteristics|prior\s+concurrent\s+therapy)\b",
    re.IGNORECASE,
)
# A line that is only a heading: "Inclusion Criteria", "- KEY EXCLUSION CRITERIA:", "**Inclusion:**",
# "Transplant Inclusion:", "Inclusion Criteria Stage 1", "Exclusion criteria for part B".
_HEAD_WORD = r"(?:inclusion|exclusion|non[- ]?inclusion|eligibility|ineligibility)"
_BARE_HEADING = re.compile(
    rf"^(?:[\w-]+\s+){{0,2}}?{_HEAD_WORD}(?:\s*/\s*{_HEAD_WORD})?"
    r"(?:\s*(?:criteria|criterion|requirements)(?:\s+[^.;]{0,50})?)?\s*:?$",
    re.IGNORECASE,
)
_ESCAPED = re.compile(r"\\([<>=*_#\-.\[\]()~^+!|`{}])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Criterion:
    """One criterion: its kind, its text (wrapped lines joined) and its nesting level (0 at the top)."""

    kind: Kind
    text: str
    level: int = 0


@dataclass
class _Item:
    kind: Kind
    indent: int
    marked: bool
    lines: list[str]


def _heading_kind(line: str, *, sentence: bool) -> Kind | None:
    """The kind a heading line announces, or None when the line is not a heading; a sentence ending with
    a colon counts only when `sentence` (it starts a paragraph).
    """
    stripped = line.strip().strip("*_#").strip()
    if not stripped:
        return None
    if _BARE_HEADING.match(stripped):
        return "exclusion" if _EXCLUSION_HEADING.search(stripped) else "inclusion"
    # "Patients must meet all of the following criteria:" - a short sentence ending with a colon.
    if stripped.endswith(":") and len(stripped) <= 160 and not _MARKER.match(stripped):
        if _EXCLUSION_HEADING.search(stripped):
            return "exclusion"
        if _INCLUSION_HEADING.search(stripped) and re.search(r"criteri|following|eligib", stripped, re.I):
            return "inclusion"
        if re.fullmatch(r"[A-Z][A-Z \-/,&()]+:", stripped):  # "DISEASE CHARACTERISTICS:"
            return "inclusion"
    return None


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _ESCAPED.sub(r"\1", text)).strip()


def _levels(items: list[_Item]) -> list[int]:
    """Nesting level of each item from its indentation within its run of marked items."""
    levels: list[int] = []
    stack: list[int] = []
    for item in items:
        if not item.marked:
            stack = []
            levels.append(0)
            continue
        while stack and item.indent < stack[-1]:
            stack.pop()
        if not stack or item.indent > stack[-1]:
            stack.append(item.indent)
        levels.append(len(stack) - 1)
    return levels


def parse_criteria(text: str | None) -> list[Criterion]:
    """The criteria in an eligibility text, in order, each with its kind and nesting level."""
    if not text:
        return []
    kind: Kind = "inclusion"
    items: list[_Item] = []
    current: _Item | None = None
    blank_before = True
    for raw in text.replace("\r\n", "\n").replace("\t", "    ").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            blank_before = True
            continue
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        unmarked = _MARKER.sub("", body, count=1).strip("*_# ")
        starts_paragraph = blank_before or current is None
        heading = _heading_kind(
            unmarked if _BARE_HEADING.match(unmarked) else body, sentence=starts_paragraph
        )
        if heading is not None:
            kind = heading
            current = None
            blank_before = True
            continue
        marker = _MARKER.match(body)
        if marker is not None:
            current = _Item(kind, indent, True, [body[marker.end() :]])
            items.append(current)
        elif current is not None and not blank_before:
            current.lines.append(body)  # a wrapped line continues the item above
        elif current is not None and current.marked and indent > current.indent:
            current.lines.append(body)  # an indented paragraph inside a list item
        else:
            current = _Item(kind, indent, False, [body])
            items.append(current)
        blank_before = False
    criteria = []
    for item, level in zip(items, _levels(items), strict=True):
        cleaned = _clean(" ".join(item.lines))
        if cleaned and re.search(r"\w", cleaned):
            criteria.append(Criterion(kind=item.kind, text=cleaned, level=level))
    return criteria
