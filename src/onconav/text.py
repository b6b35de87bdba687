"""Text folding shared by every domain that matches what people type against names.

Folding makes "München", "munchen" and "MUNCHEN!" the same key.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: accents stripped, punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", ascii_only).strip()


def slugify(text: str) -> str:
    """A URL slug: folded words joined by hyphens."""
    return fold(text).replace(" ", "-")
