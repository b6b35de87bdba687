"""Place-name keys: shared text folding plus the abbreviations of place names (St., Mt., Ft.).

Index keys and queries go through `name_key`, so "St. Louis" and "Saint Louis" meet.
"""

from __future__ import annotations

import re

from onconav.text import fold

# Abbreviations of the first word(s) of place names, so "St. Louis" and "Saint Louis" share a key.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_ABBREVIATION = re.compile(r"\b(?:st|ste|mt|ft)\b")


def _expand_match(match: re.Match[str]) -> str:
    return _ABBREVIATIONS[match.group(0)]


def expand(folded: str) -> str:
    """Spell out the common abbreviations in an already folded name."""
    return _ABBREVIATION.sub(_expand_match, folded)


def name_key(text: str) -> str:
    """The key under which a place name is indexed and looked up."""
    return expand(fold(text))
