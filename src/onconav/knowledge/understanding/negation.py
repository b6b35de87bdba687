"""How a mention relates to the patient: negated ("no evidence of"), a relative's ("her mother"), only
considered ("rule out"), uncertain, or the patient's own (affirmed, or written by a caregiver).
"""

from __future__ import annotations

from onconav.knowledge.explanation import MentionContext
from onconav.knowledge.understanding.reader import Cue, Mention, Reader

# How far a cue reaches, in words: a negation after the mention, and the cues that only reach a few words.
NEGATION_AFTER_WINDOW = 4
SHORT_WINDOW = 3
# "breast cancer in her mother": a relative named this many words after the mention.
RELATIVE_AFTER_WINDOW = 4
# "mother had breast cancer": the past verb within this many words of the relative, the mention within
# this many of the verb.
PAST_VERB_REACH = 3
PAST_VERB_GAP = 2
_PAST_VERB_BREAKERS = frozenset(
    {"for", "surgery", "chemo", "chemotherapy", "radiation", "treatment", "treated"}
)
# Contexts in which a mention is not the patient's condition at all.
_EXCLUDED: frozenset[str] = frozenset({"negated", "family-history", "hypothetical"})


def _list_ended(r: Reader, a: int, b: int, kind: str) -> bool:
    """Whether a negation's reach from word a to word b ends at a comma after a mention of another
    kind ("no brain mets on MRI, NSCLC stage IIIA"), while lists of one kind stay negated ("no liver,
    lung or bone metastases").
    """
    others = [m for m in r.mentions_by_sentence.get(r.sentence_of(a), []) if m[2] != kind and a <= m[0]]
    return any("," in r.gap(k) and any(m_e <= k for _, m_e, _ in others) for k in range(a + 1, b + 1))


def mention_context(
    r: Reader, s: int, e: int, start: int, kind: str = ""
) -> tuple[MentionContext, Cue | None]:
    """How a mention at words [s, e) relates to the patient, and the cue that says so."""
    cues = r.cues_by_sentence.get(r.sentence_of(s), [])
    window = r.t.phrasings.negation.window
    before = [c for c in cues if c.e <= s]
    after = [c for c in cues if c.s >= e]
    negation = next((c for c in reversed(before) if _negates_forward(r, c, s, kind, window)), None)
    if negation is None:
        negation = next((c for c in after if _negates_backward(r, c, e)), None)
    if negation is not None:
        return "negated", negation
    family = _family(r, s, e, start, before, cues)
    if family is not None:
        return family
    for role in ("hypothetical", "uncertain"):
        cue = next((c for c in reversed(before) if _qualifies(r, c, role, s, window)), None)
        if cue is not None:
            return ("hypothetical" if role == "hypothetical" else "uncertain"), cue
    return "affirmed", None


def _negates_forward(r: Reader, cue: Cue, s: int, kind: str, window: int) -> bool:
    if "neg-before" not in cue.kinds or "pseudo" in cue.kinds:
        return False
    reach = SHORT_WINDOW if "short" in cue.kinds else window
    return (
        s - cue.e <= reach
        and not r.any_between(r.terminator_counts, cue.e, s)
        and not _list_ended(r, cue.e, s, kind)
    )


def _negates_backward(r: Reader, cue: Cue, e: int) -> bool:
    if "neg-after" not in cue.kinds or "pseudo" in cue.kinds or cue.s - e > NEGATION_AFTER_WINDOW:
        return False
    # "NSCLC, EGFR negative": a biomarker in between takes the negation as its own status.
    return not r.any_between(r.terminator_counts, e, cue.s) and not r.any_between(r.mask_counts, e, cue.s)


def _qualifies(r: Reader, cue: Cue, role: str, s: int, window: int) -> bool:
    return (
        role in cue.kinds
        and "neg-before" not in cue.kinds
        and s - cue.e <= window
        and not r.any_between(r.terminator_counts, cue.e, s)
    )


def _family(
    r: Reader, s: int, e: int, start: int, before: list[Cue], cues: list[Cue]
) -> tuple[MentionContext, Cue | None] | None:
    """A relative's ("her mother had ...", "... in his father") or a caregiver's words ("my dad has ...")."""
    if any(a <= start < b for a, b in r.family_sections):
        return "family-history", None
    caregiver: Cue | None = None
    for cue in reversed(before):
        if r.any_between(r.patient_counts, cue.e, s) or r.t.family_breaks & set(r.words[cue.e : s]):
            break
        if "history" in cue.kinds:
            return "family-history", cue
        if "relative" not in cue.kinds:
            continue
        previous = r.cue_before(cue.s, cues)
        if previous is not None and "third-person" in previous.kinds and previous.e == cue.s:
            return "family-history", cue  # "her mother", "his wife": someone else's, in a note
        if r.words[cue.s] in r.t.not_history:
            caregiver = caregiver or cue
            continue
        verb = next(
            (c for c in cues if "past" in c.kinds and cue.e <= c.s <= cue.e + PAST_VERB_REACH and c.e <= s),
            None,
        )
        if (
            verb is not None
            and s - verb.e <= PAST_VERB_GAP
            and not set(r.words[verb.e : s]) & _PAST_VERB_BREAKERS
        ):
            return "family-history", cue
        caregiver = caregiver or cue
    # "breast cancer in her mother", "colon cancer (father)"
    for k in range(e, min(e + RELATIVE_AFTER_WINDOW, len(r.words))):
        if r.sentence[k] != r.sentence_of(s):
            break
        relative = next((c for c in cues if c.s == k and "relative" in c.kinds), None)
        if relative is None:
            continue
        if r.words[relative.s] in r.t.not_history:
            break
        leading = r.words[e:k]
        if (leading and leading[0] == "in") or "(" in r.gap(k):
            return "family-history", relative
        break
    if caregiver is not None:
        return "caregiver", caregiver
    return None


def set_context(r: Reader, mention: Mention) -> None:
    """Sets how the mention relates to the patient, and the cue that says so."""
    if mention.kind == "biomarker":
        # A biomarker's own negation is its status; only a relative's result is set aside.
        context, cue = mention_context(r, mention.s, mention.e, mention.start)
        if context == "family-history":
            mention.context = context
            mention.cue = r.cue_text(cue) if cue else "family history"
        elif mention.cue is not None and mention.status == "negative":
            mention.context = "negated"
        return
    kind = "metastatic" if mention.stage_source == "metastatic" else mention.kind
    context, cue = mention_context(r, mention.s, mention.e, mention.start, kind)
    mention.context = context
    if cue is not None:
        mention.cue = r.cue_text(cue)
        mention.cue_span = mention.cue_span if mention.kind == "metastatic-site" else (cue.s, cue.e)
    elif context == "family-history":
        mention.cue = "family history"


def is_eligible(mention: Mention) -> bool:
    """Whether the mention may be the patient's (it is not negated, a relative's or hypothetical)."""
    return mention.context not in _EXCLUDED
