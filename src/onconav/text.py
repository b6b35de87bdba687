"""Text folding shared by every domain that matches what people type against names.

Queries and index keys go through the same functions, so "São Paulo", "sao-paulo" and "SAO PAULO" meet.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode decomposition leaves alone but that people type without their stroke or ligature.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "ı": "i",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "Þ": "th",
        "ß": "ss",
    }
)
# Apostrophes vanish rather than split words: "Coeur d'Alene" and "Coeur dAlene" should agree.
_APOSTROPHES = re.compile(r"['’‘`´ʻʼʹ]")
# The combining-mark blocks NFKD produces for accented Latin, Greek and Cyrillic letters.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_NON_WORD = re.compile(r"(?:\W|_)+")
_NON_ASCII_WORD = re.compile(r"[^0-9a-z]+")


def _strip_marks(text: str) -> str:
    text = _APOSTROPHES.sub("", text)
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_FOLD)))


def fold(text: str) -> str:
    """Lower case, accents and apostrophes removed, every other non-alphanumeric run made one space."""
    if text.isascii() and text.isalpha():
        return text.lower()
    return _NON_WORD.sub(" ", _strip_marks(text).casefold()).strip()


def slug_words(text: str) -> str:
    """Lowercase ASCII words of `text` joined by '-'; characters with no ASCII form are dropped."""
    return "-".join(_NON_ASCII_WORD.sub(" ", fold(text)).split())
