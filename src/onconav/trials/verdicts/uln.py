"""A note's liver and kidney values against the upper limit of normal: given as a multiple of it ("ALT 5 x
ULN", "transaminases elevated to 4 times the upper limit of normal"), or with the laboratory's own limit
beside the value ("ALT 150 U/L (ULN 40)", "(reference range 7-56)"), which then replaces the typical limits
of `limits.py`.
"""

from __future__ import annotations

import re

# A note's value given in multiples of the upper limit of normal ("ALT 5 x ULN", "4 times the upper limit
# of normal", "3x normal"): its unit.
TIMES_ULN = "xuln"
_TIMES_ULN_READ = re.compile(
    r"\s*(?:x|×|times|-fold)\s*(?:the\s+)?(?:institutional\s+|local\s+)?"
    r"(?:uln\b|upper\s+limit|normal\b|nl\b)",
    re.I,
)
# Words that lead to a value in multiples: "ALT elevated to 5 times the upper limit of normal".
_RAISED_TO = re.compile(
    r"\s*(?:(?:is|was|were|are)\s+)?(?:elevated|raised|increased|rose|rising)\s+(?:to|at)\s+", re.I
)
# The note's own upper limit after a value: "(ULN 40)", "(normal < 40 U/L)", "(reference range 7-56)",
# "(upper limit of normal 33)", "(N: 0.2-1.2)".
_OWN_ULN = re.compile(
    r"\s*[(\[]\s*(?:uln|upper limit(?: of normal)?|normal(?: range)?|reference(?: range)?|ref\.?(?: range)?|"
    r"nl|n)\s*(?:[:=]|is|of)?\s*(?:<|≤|<=|up to|less than|below)?\s*(?:\d+(?:\.\d+)?\s*(?:-|–|to)\s*)?"
    + r"(\d+(?:\.\d+)?)\s*(?:[a-zµ/0-9^]+)?[^()\[\]\d]{0,20}[)\]]",
    re.I,
)


def is_multiple(after: str, end: int) -> bool:
    """Whether the number ending at `end` counts multiples of the upper limit of normal ("5 x ULN")."""
    return bool(_TIMES_ULN_READ.match(after, end))


def raised_multiple(after: str) -> float | None:
    """The multiple of "elevated to 4 times the upper limit of normal" at the start of `after`."""
    raised = _RAISED_TO.match(after)
    times = re.match(r"(\d+(?:\.\d+)?)", after[raised.end() :]) if raised else None
    if raised is None or times is None or not _TIMES_ULN_READ.match(after, raised.end() + times.end()):
        return None
    return float(times.group(1))


def own_upper_limit(after: str, end: int) -> float | None:
    """The upper limit of normal the note gives in brackets just after a value ending at `end`."""
    own = _OWN_ULN.match(after, end)
    return float(own.group(1)) if own else None
