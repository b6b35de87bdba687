"""The findings of an Explanation, from the mentions `explain` kept: the condition with its codes, the
metastatic sites, one finding per biomarker, what was set aside (negated, a relative's...) and every span.
"""

from __future__ import annotations

from typing import Literal

from onconav.knowledge.explanation import (
    BiomarkerFinding,
    ConditionFinding,
    MatchedSpan,
    NegatedMention,
    SiteFinding,
)
from onconav.knowledge.understanding.reader import Mention, Reader

_REASONS: dict[str, Literal["negated", "family-history", "hypothetical", "uncertain"]] = {
    "negated": "negated",
    "family-history": "family-history",
    "hypothetical": "hypothetical",
    "uncertain": "uncertain",
}


def condition_finding(r: Reader, mention: Mention) -> ConditionFinding:
    """The condition a mention names, with the catalogue's codes for it."""
    condition = r.t.catalogue.conditions[mention.label]
    return ConditionFinding(
        code=condition.code,
        name=condition.name,
        oncotree=[ref.code for ref in condition.oncotree],
        icd10=list(condition.icd10),
        matched_text=r.text[mention.start : mention.end],
        exact=mention.exact,
        score=mention.score,
    )


def site_findings(r: Reader, sites: list[Mention]) -> list[SiteFinding]:
    """Each site the patient's cancer has spread to, once, in the order of the text."""
    found: dict[str, SiteFinding] = {}
    for site in sorted(sites, key=lambda m: m.start):
        if site.context in ("affirmed", "caregiver") and site.label not in found:
            found[site.label] = SiteFinding(site=site.label, matched_text=_spread_text(r, site))
    return list(found.values())


def _spread_text(r: Reader, site: Mention) -> str:
    """The site with the words of spread that name it ("brain mets", "spread to the liver")."""
    if site.cue_span is None:
        return r.text[site.start : site.end]
    s, e = min(site.s, site.cue_span[0]), max(site.e, site.cue_span[1])
    start, end = r.chars(s, e)
    return r.text[start:end]


def biomarker_findings(r: Reader, mentions: list[Mention]) -> list[BiomarkerFinding]:
    """One finding per biomarker: the last decisive status written, the last value given."""
    by_name: dict[str, BiomarkerFinding] = {}
    for mention in mentions:
        if mention.context == "family-history":
            continue
        current = by_name.get(mention.label)
        if current is not None and mention.status == "unknown":
            if mention.value and not current.value:
                by_name[mention.label] = current.model_copy(update={"value": mention.value})
            continue
        by_name[mention.label] = BiomarkerFinding(
            name=mention.label,
            status=mention.status,
            value=mention.value or (current.value if current else None),
            matched_text=r.text[mention.start : mention.end],
        )
    return list(by_name.values())


def negated_mentions(r: Reader, mentions: list[Mention]) -> list[NegatedMention]:
    """What the text names that is not the patient's: negated, a relative's, only considered."""
    found: list[NegatedMention] = []
    seen: set[tuple[str, str, int]] = set()
    for mention in sorted(mentions, key=lambda m: m.start):
        if mention.context not in ("negated", "family-history", "hypothetical", "uncertain"):
            continue
        key = (mention.kind, mention.label, mention.start)
        if key in seen:
            continue
        seen.add(key)
        text = (
            _spread_text(r, mention)
            if mention.kind == "metastatic-site"
            else r.text[mention.start : mention.end]
        )
        found.append(
            NegatedMention(
                kind=mention.kind,
                label=mention.label or "metastatic",
                matched_text=text,
                cue=mention.cue or "",
                reason=_REASONS[mention.context],
            )
        )
    return found


def matched_spans(r: Reader, mentions: list[Mention]) -> list[MatchedSpan]:
    """Every span understood, and the cues that set a mention aside, by position."""
    spans: dict[tuple[int, int, str, str], MatchedSpan] = {}
    for mention in mentions:
        label = mention.label or (mention.group or "")
        key = (mention.start, mention.end, mention.kind, label)
        spans.setdefault(
            key,
            MatchedSpan(
                text=r.text[mention.start : mention.end],
                start=mention.start,
                end=mention.end,
                kind=mention.kind,
                label=label,
                context=mention.context,
            ),
        )
        if mention.cue_span is not None and mention.context not in ("affirmed",):
            start, end = r.chars(*mention.cue_span)
            cue_key = (start, end, "cue", mention.context)
            spans.setdefault(
                cue_key,
                MatchedSpan(text=r.text[start:end], start=start, end=end, kind="cue", label=mention.context),
            )
    return sorted(spans.values(), key=lambda span: (span.start, -span.end))
