"""`explain`: one text read by every finder (biomarkers first, so their status words are not taken for
negations), each mention given its context, then the patient's condition and stage chosen.
"""

from __future__ import annotations

from onconav.knowledge.explanation import Explanation
from onconav.knowledge.understanding.biomarkers import biomarker_mentions
from onconav.knowledge.understanding.conditions import choose_condition, condition_mentions
from onconav.knowledge.understanding.findings import (
    biomarker_findings,
    condition_finding,
    matched_spans,
    negated_mentions,
    site_findings,
)
from onconav.knowledge.understanding.negation import set_context
from onconav.knowledge.understanding.reader import Reader
from onconav.knowledge.understanding.spread import spread_mentions
from onconav.knowledge.understanding.stages import choose_stage, qualifier_mentions, stage_mentions
from onconav.knowledge.understanding.tables import current_tables


def explain(text: str) -> Explanation:
    """What `text` (a search phrase or a whole clinical note) says about the patient's cancer."""
    tables = current_tables()
    r = Reader(text, tables)
    biomarkers = biomarker_mentions(r)
    for mention in biomarkers:
        for i in range(mention.s, min(mention.e, len(r.masked))):
            r.masked[i] = True
    r.find_cues()
    conditions = condition_mentions(r)
    stages = stage_mentions(r)
    spread_stages, sites = spread_mentions(r, conditions)
    stages += spread_stages
    qualifiers = qualifier_mentions(r)
    r.note_mentions([*conditions, *stages, *sites])
    for mention in [*conditions, *stages, *sites, *biomarkers, *qualifiers]:
        set_context(r, mention)
    for site in sites:
        # A site is as negated as the spread word that names it ("no liver or bone metastases").
        if site.cue_span is not None and site.context in ("affirmed", "caregiver"):
            spread = next((m for m in spread_stages if (m.s, m.e) == site.cue_span), None)
            if spread is not None and spread.context not in ("affirmed", "caregiver"):
                site.context, site.cue = spread.context, spread.cue
    chosen, others = choose_condition(r, conditions, stages)
    stage = choose_stage(r, chosen, conditions, stages, qualifiers)
    return Explanation(
        text=text,
        condition=condition_finding(r, chosen) if chosen else None,
        stage=stage,
        metastatic_sites=site_findings(r, sites),
        biomarkers=biomarker_findings(r, biomarkers),
        negated=negated_mentions(r, [*conditions, *stages, *sites, *biomarkers]),
        matched=matched_spans(r, [*conditions, *stages, *sites, *biomarkers, *qualifiers]),
        other_conditions=[condition_finding(r, m) for m in others],
    )
