"""Biomarkers a text names, with their status and value: "EGFR exon 19 deletion", "ER/PR negative",
"PD-L1 TPS 80%", "HER2 3+", "triple negative", "negative for EGFR, ALK and ROS1".
"""

from __future__ import annotations

import bisect
import re
from functools import cache

from onconav.knowledge.explanation import BiomarkerStatus
from onconav.knowledge.understanding.phrases import alternation
from onconav.knowledge.understanding.phrasings import BiomarkerSpec, load_phrasings
from onconav.knowledge.understanding.reader import Mention, Reader
from onconav.knowledge.understanding.tables import alias_key

# How far after a biomarker's name its status may be written, in characters: a name that counts only with
# a status must have it close by.
STATUS_REACH = 60
NEEDED_STATUS_REACH = 15
# How far before the name a prefix ("negative for") may stand, within the sentence.
SENTENCE_LOOK_BACK = 40
PREFIX_REACH = 30
# "PD-L1 expression positive": a positive noun's status word at most this far after it.
NOUN_STATUS_GAP = 25
# "KRAS G12C": a protein change this close after the gene's name.
PROTEIN_REACH = 12


@cache
def _status_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Status words after a biomarker (by category), negative prefixes, positive prefixes, therapy words."""
    st = load_phrasings().biomarker_status
    groups = [
        ("negative", st.negative),
        ("unknown", st.unknown),
        ("positive", st.positive),
        ("noun", st.positive_nouns),
    ]
    status = "|".join(f"(?P<{name}>{alternation(words)})" for name, words in groups)
    tail = r"[\s:\-]*(?:(?:an?|any|known|evidence\s+of|detectable|actionable|the)\s+)*$"
    return (
        re.compile(rf"(?<![A-Za-z0-9])(?:{status})(?![A-Za-z0-9])", re.IGNORECASE),
        re.compile(rf"(?<![A-Za-z0-9])(?:{alternation(st.negative_prefixes)}){tail}", re.IGNORECASE),
        re.compile(rf"(?<![A-Za-z0-9])(?:{alternation(st.positive_prefixes)}){tail}", re.IGNORECASE),
        re.compile(rf"^[\s\-]*(?:{alternation(st.therapy)})(?![A-Za-z0-9])", re.IGNORECASE),
    )


_SYMBOL_STATUS = re.compile(
    r"^\s*\(?\s*(?:(?P<pos>\+|pos\b)|(?P<neg>[-−](?![A-Za-z0-9])|neg\b))", re.IGNORECASE
)
_FOR_PREFIX = re.compile(r"(?:positive|negative|pos|neg)\s+for\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[;\n]|\.(?=\s|$)")
_PERCENT = re.compile(
    r"(?P<cmp>[<>≥≤]=?|greater than|less than|over|under)?\s*(?P<num>\d{1,3}(?:\.\d+)?)"
    r"(?:\s*[-–]\s*\d{1,3})?\s*%",
    re.IGNORECASE,
)
_CPS = re.compile(r"\bCPS\s*(?:of|:|=|score)?\s*(?P<cmp>[<>≥≤]=?)?\s*(?P<num>\d{1,3})", re.IGNORECASE)
_IHC = re.compile(r"(?:IHC\s*)?\b(?P<score>[0-3])\s*\+|IHC\s*(?P<zero>0)\b", re.IGNORECASE)
_EXON = re.compile(
    r"\bexon\s*\d+\s*(?:deletion|del|insertion|ins|skipping|mutation|alteration)?", re.IGNORECASE
)
_PROTEIN = re.compile(r"\b[ACDEFGHIKLMNPQRSTVWY]\d{1,4}(?:[ACDEFGHIKLMNPQRSTVWY]|del|fs)\b")
_LIST_GAP = re.compile(r"^[\s,/&+]*(?:and|or|&)?[\s,/]*$", re.IGNORECASE)
_TRIPLE = re.compile(
    r"(?<![A-Za-z])(?:triple[\s\-]*(?P<which>negative|positive)|(?P<tnbc>TNBC))(?![A-Za-z])", re.IGNORECASE
)


def biomarker_mentions(r: Reader) -> list[Mention]:
    """Every biomarker named with a status (or one that needs none), and those "triple negative" implies."""
    status_re, negative_prefix, positive_prefix, therapy = _status_patterns()
    text = r.text
    matches = list(r.t.biomarker_regex.finditer(text))
    triples = [m.start() for m in _TRIPLE.finditer(text)] if matches else []
    found: list[Mention] = []
    for index, match in enumerate(matches):
        alias = r.t.biomarker_aliases.get(alias_key(match.group()))
        if alias is None:
            continue
        spec = alias.spec
        limit = NEEDED_STATUS_REACH if spec.needs_status else STATUS_REACH
        next_start = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        later_triple = bisect.bisect_left(triples, match.end())
        next_start = min(next_start, triples[later_triple]) if later_triple < len(triples) else next_start
        sentence_end = _SENTENCE_END.search(text, match.end())
        window_end = min(next_start, match.end() + limit, sentence_end.start() if sentence_end else len(text))
        post = text[match.end() : window_end]
        cut = _FOR_PREFIX.search(post)
        if cut:
            post = post[: cut.start()]
        if therapy.search(post):
            continue  # "EGFR TKI" names a drug class
        previous_end = max(matches[index - 1].end(), found[-1].end if found else 0) if index else 0
        look_back = max(0, match.start() - SENTENCE_LOOK_BACK)
        sentence_start = max(look_back - 1, *(text.rfind(ch, look_back, match.start()) for ch in ".;\n")) + 1
        pre_start = max(previous_end, sentence_start, match.start() - PREFIX_REACH)
        pre = text[pre_start : match.start()]
        status, source, evidence_end, value = _biomarker_status(
            spec,
            post,
            negative_prefix.search(pre) is not None,
            positive_prefix.search(pre) is not None,
            status_re,
        )
        word = match.group()
        lower_case = not all(ch.isupper() for ch in word if ch.isalpha())
        mixed_case = lower_case and any(ch.isupper() for ch in word) and alias.alias.isupper()
        doubtful = (
            spec.needs_status
            or (spec.strict and lower_case)
            or mixed_case  # "eGFR" is the kidney filtration rate
            or (lower_case and bool(re.search(r"\s", word)))
        )
        start = match.start()
        prefix_cue = None
        if source == "prefix-negative":
            neg = negative_prefix.search(pre)
            if neg is not None:
                start = pre_start + neg.start()
                prefix_cue = neg.group().strip()
        end = match.end() + evidence_end
        s, e = r.span(start, end)
        mention = Mention(
            "biomarker", spec.name, s, e, start, end, status=status, value=value, status_from=source
        )
        mention.cue = prefix_cue
        mention.doubtful = doubtful
        found.append(mention)
    _share_list_status(text, found)
    found = [m for m in found if not (m.doubtful and m.status == "unknown")]
    for match in _TRIPLE.finditer(text):
        shared: BiomarkerStatus = (
            "positive" if (match.group("which") or "").lower() == "positive" else "negative"
        )
        s, e = r.span(match.start(), match.end())
        for name in ("ER", "PR", "HER2"):
            found.append(
                Mention(
                    "biomarker", name, s, e, match.start(), match.end(), status=shared, status_from="triple"
                )
            )
    return sorted(found, key=lambda m: m.start)


def _biomarker_status(
    spec: BiomarkerSpec, post: str, negative_prefix: bool, positive_prefix: bool, status_re: re.Pattern[str]
) -> tuple[BiomarkerStatus, str, int, str | None]:
    """Status, where it came from, how far into `post` the evidence reaches, and a value."""
    value, value_status, value_end = _biomarker_value(spec.name, post)
    if negative_prefix:
        return "negative", "prefix-negative", value_end, value
    symbol = _SYMBOL_STATUS.match(post)
    if symbol:
        return (
            ("positive" if symbol.group("pos") else "negative"),
            "symbol",
            max(symbol.end(), value_end),
            value,
        )
    noun_end: int | None = None
    for hit in status_re.finditer(post):
        kind = hit.lastgroup or ""
        if kind == "noun":
            if noun_end is None:
                noun_end = hit.end()
            continue
        if noun_end is not None and hit.start() - noun_end > NOUN_STATUS_GAP:
            break
        if value_status is not None and value_end <= hit.start():
            break  # "PD-L1 TPS 50%, triple negative ...": the value came first and decides
        return _as_status(kind), "post", max(hit.end(), value_end), value
    if value_status is not None:
        return value_status, "value", value_end, value
    if positive_prefix:
        return "positive", "prefix-positive", value_end, value
    if noun_end is not None:
        return "positive", "noun", max(noun_end, value_end), value
    if spec.implied is not None:
        return spec.implied, "implied", value_end, value
    return "unknown", "none", value_end, value


def _as_status(kind: str) -> BiomarkerStatus:
    """The status a group of the status regex stands for."""
    if kind == "negative":
        return "negative"
    if kind == "unknown":
        return "unknown"
    return "positive"


def _biomarker_value(name: str, post: str) -> tuple[str | None, BiomarkerStatus | None, int]:
    """A measured value after the name: a percentage or CPS, an IHC score, an exon or protein change."""
    if name in ("PD-L1", "ER", "PR", "HR"):
        cps = _CPS.search(post) if name == "PD-L1" else None
        percent = _PERCENT.search(post)
        hit = cps or percent
        if hit is not None:
            number = float(hit.group("num"))
            below = (hit.group("cmp") or "").lower() in ("<", "≤", "<=", "less than", "under")
            status: BiomarkerStatus = "negative" if number < 1 or (below and number <= 1) else "positive"
            text = re.sub(r"\s+", " ", hit.group().strip())
            return (f"CPS {hit.group('num')}" if hit is cps else text), status, hit.end()
        return None, None, 0
    if name == "HER2":
        ihc = _IHC.search(post)
        if ihc is not None:
            score = ihc.group("score") or ihc.group("zero")
            status = "positive" if score == "3" else "unknown" if score == "2" else "negative"
            return (f"{score}+" if ihc.group("score") else "0"), status, ihc.end()
        return None, None, 0
    exon = _EXON.search(post)
    if exon is not None:
        return re.sub(r"\s+", " ", exon.group().strip()), None, exon.end()
    protein = _PROTEIN.search(post)
    if protein is not None and protein.start() < PROTEIN_REACH:
        return protein.group(), None, protein.end()
    return None, None, 0


def _share_list_status(text: str, found: list[Mention]) -> None:
    """ "ER/PR negative", "negative for EGFR, ALK and ROS1": a list shares the status written once."""
    chains: list[list[Mention]] = []
    for mention in found:
        if chains and _LIST_GAP.match(text[chains[-1][-1].end : mention.start]):
            chains[-1].append(mention)
        else:
            chains.append([mention])
    for chain in chains:
        if len(chain) < 2:
            continue
        for i, mention in enumerate(chain):
            # A name that carries its own status ("MSS", "KRAS G12C") keeps it: the "mutant" of
            # "MSS, KRAS mutant" is the next marker's.
            if mention.status_from != "none":
                continue
            later = next(
                (m for m in chain[i + 1 :] if m.status_from in ("post", "noun", "symbol", "value")), None
            )
            if later is not None:
                mention.status, mention.status_from, mention.end = later.status, "list", later.end
            elif chain[0].status_from in ("prefix-negative", "prefix-positive"):
                mention.status, mention.status_from = chain[0].status, "list"
                mention.cue = chain[0].cue
