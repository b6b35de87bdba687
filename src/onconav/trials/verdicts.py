"""Placeholder for the per-criterion verdict engine (the `criteria` branch replaces this file at merge).

Only the interface is fixed here: `read_note` parses a note once, `judge` gives one criterion a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class NoteFacts:
    """What a patient note says (placeholder: only the text)."""

    text: str


@dataclass(frozen=True)
class Verdict:
    """One criterion's verdict, the note sentence supporting it and a short reason."""

    label: str
    evidence: str | None
    reason: str


def read_note(text: str) -> NoteFacts:
    """Parse a patient note once."""
    return NoteFacts(text=text)


def judge(note: NoteFacts, criterion_text: str, kind: Literal["inclusion", "exclusion"]) -> Verdict:
    """The verdict on one criterion (placeholder: always not enough information)."""
    return Verdict(label="not enough information", evidence=None, reason="placeholder")
