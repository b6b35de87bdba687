"""The conditions a text names: catalogue terms, organ patterns ("carcinoma of the left breast"), masses
with a cancer word nearby, typo-corrected terms; and which of them is the patient's condition.
"""

from __future__ import annotations

import dataclasses

from rapidfuzz import fuzz

from onconav.knowledge.understanding.negation import is_eligible, mention_context
from onconav.knowledge.understanding.phrases import P, Phrases
from onconav.knowledge.understanding.reader import Mention, Reader
from onconav.knowledge.understanding.tables import ConditionTerm

# A corrected phrase must stay this close (0-100) to the term it became.
FUZZY_PHRASE_CUTOFF = 80.0
ORGAN_FILLER_LIMIT = 8  # "carcinoma of the left upper outer quadrant of the breast"
# How sure a condition found from an organ is: "carcinoma of the breast", or a mass beside a cancer word.
PATTERN_SCORE = 95.0
INFERRED_SCORE = 85.0
# "mass in the sigmoid colon": the organ within this many words before or after the mass word.
MASS_ORGAN_BEFORE = 3
MASS_ORGAN_AFTER = 5
# "metastatic carcinoma in the liver": words of spread this close before a head noun.
METASTATIC_LOOKBACK = 2
_METASTATIC_BEFORE = frozenset({"metastatic", "metastasis", "metastases", "secondary"})
# Corrected words are looked for in phrases within this many words of them.
TYPO_REACH = 8
STAGE_ATTACH_WINDOW = 6
SALIENCE_WINDOW = 8
# How much a mention counts towards being the patient's condition, by context and by how it was found,
# and what adds to it: a stage beside it, being the first named, a diagnostic cue; a cue of a remote past
# ("history of") weighs it down.
_CONTEXT_WEIGHT: dict[str, float] = {"affirmed": 1.0, "caregiver": 0.9, "uncertain": 0.4}
_SOURCE_WEIGHT: dict[str, float] = {"term": 1.0, "pattern": 0.9, "inferred": 0.6}
STAGED_BONUS = 1.0
FIRST_MENTION_BONUS = 0.3
DIAGNOSTIC_BONUS = 0.5
REMOTE_FACTOR = 0.3


def condition_mentions(r: Reader) -> list[Mention]:
    """Exact terms, organ patterns and inferred organ masses, then typo-corrected terms."""
    t = r.t
    found: list[Mention] = []
    for s, e, term in t.terms.find(r.words):
        if term.code is None:
            continue
        if term.capital_only and not _capitals(r, s, e):
            continue
        found.append(_condition(r, term.code, s, e, "term"))
        found.extend(_coordinated(r, term, s))
    found = _merge(found, _organ_patterns(r))
    found = _merge(found, _organ_masses(r))
    return _with_typos(r, found)


def _capitals(r: Reader, s: int, e: int) -> bool:
    """Whether words [s, e) are written in capitals ("ALL", not "all")."""
    start, end = r.chars(s, e)
    letters = [ch for ch in r.text[start:end] if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _condition(
    r: Reader, code: str, s: int, e: int, source: str, *, exact: bool = True, score: float = 100.0
) -> Mention:
    """A condition mention of words [s, e)."""
    start, end = r.chars(s, e)
    return Mention("condition", code, s, e, start, end, exact=exact, score=score, source=source)


def _coordinated(r: Reader, term: ConditionTerm, s: int) -> list[Mention]:
    """ "breast and ovarian cancer": the first organ shares the head of the second."""
    t = r.t
    if term.organ is None or term.head is None or s < 2 or r.words[s - 1] not in ("and", "or"):
        return []
    hit = t.organs.ending_at(r.words, s - 1, longest=2)
    if hit is None:
        return []
    code = t.resolve(term.head, hit[1])
    return [_condition(r, code, hit[0], s - 1, "pattern")] if code else []


def _organ_patterns(r: Reader) -> list[Mention]:
    """ "carcinoma of the left breast", "adenocarcinoma arising in Barrett's esophagus"."""
    t = r.t
    words = r.words
    found = []
    for i in range(len(words)):
        head = t.heads.match_at(words, i)
        if head is None or head[0] >= len(words):
            continue
        connector = t.connectors.match_at(words, head[0])
        if connector is None:
            continue
        # "metastatic carcinoma in the liver" names where it spread, not where it began.
        if words[head[0]] in ("in", "within", "involving") and (
            _METASTATIC_BEFORE & set(words[max(0, i - METASTATIC_LOOKBACK) : i])
        ):
            continue
        j = connector[0]
        for _ in range(ORGAN_FILLER_LIMIT + 1):
            if j >= len(words) or r.sentence[j] != r.sentence[i]:
                break
            organ = t.organs.match_at(words, j)
            if organ is not None:
                code = t.resolve(head[1], organ[1])
                if code:
                    found.append(_condition(r, code, i, organ[0], "pattern", score=PATTERN_SCORE))
                break
            if words[j] not in t.organ_fillers:
                break
            j += 1
    return found


def _organ_masses(r: Reader) -> list[Mention]:
    """A mass in an organ and a cancer word in the same or the next sentence ("mass in the sigmoid
    colon; biopsy showed adenocarcinoma"): the cancer of that organ, counted with less weight.
    """
    t = r.t
    words = r.words
    histologies = [
        (s, e, head)
        for s, e, head in t.histology.find(words)
        if not _METASTATIC_BEFORE & set(words[max(0, s - METASTATIC_LOOKBACK) : s])
        and mention_context(r, s, e, r.starts[s])[0] in ("affirmed", "caregiver")
    ]
    if not histologies:
        return []
    by_sentence: dict[int, list[tuple[int, int, int]]] = {}
    for histology in histologies:
        by_sentence.setdefault(r.sentence[histology[0]], []).append(histology)
    found = []
    for m, m_end, _ in t.mass_words.find(words):
        organ: tuple[int, int, str] | None = None
        for k in range(m, max(m - MASS_ORGAN_BEFORE, 0), -1):
            hit = t.organs.ending_at(words, k, longest=3)
            if hit is not None:
                organ = (hit[0], m_end, hit[1])
                break
            if words[k - 1] not in t.organ_fillers:
                break
        if organ is None and m_end < len(words) and words[m_end] in ("in", "of", "at", "within", "involving"):
            j = m_end + 1
            for _ in range(MASS_ORGAN_AFTER):
                if j >= len(words):
                    break
                organ_hit = t.organs.match_at(words, j)
                if organ_hit is not None:
                    organ = (m, organ_hit[0], organ_hit[1])
                    break
                if words[j] not in t.organ_fillers:
                    break
                j += 1
        if organ is None:
            continue
        sentence = r.sentence[m]
        for s, _e, head in by_sentence.get(sentence, []) + by_sentence.get(sentence + 1, []):
            code = t.resolve(head, organ[2])
            if code:
                mention = _condition(r, code, organ[0], organ[1], "inferred", score=INFERRED_SCORE)
                mention.cue_span = (s, _e)
                found.append(mention)
                break
    return found


def _merge(kept: list[Mention], extra: list[Mention]) -> list[Mention]:
    """Adds mentions that overlap nothing kept, or that are longer than everything they overlap."""
    result = list(kept)
    for mention in sorted(extra, key=lambda m: m.s - m.e):
        overlapping = [k for k in result if k.s < mention.e and mention.s < k.e]
        if all(mention.e - mention.s > k.e - k.s for k in overlapping):
            result = [k for k in result if k not in overlapping] + [mention]
    return sorted(result, key=lambda m: m.s)


def _with_typos(r: Reader, exact: list[Mention]) -> list[Mention]:
    """Terms found only once typos are corrected. They never replace an exact hit, except to make it
    more specific ("plueral mesothelioma" around the exact "mesothelioma").
    """
    t = r.t
    changed = {i for i, (a, b) in enumerate(zip(r.words, r.corrected, strict=True)) if a != b}
    if not changed:
        return exact
    result = list(exact)
    for s, e, term in _find_near(t.terms, r.corrected, changed):
        if term.code is None or not changed & set(range(s, e)):
            continue
        score = fuzz.ratio(" ".join(r.words[s:e]), " ".join(r.corrected[s:e]))
        if score < FUZZY_PHRASE_CUTOFF:
            continue
        overlapping = [m for m in result if m.s < e and s < m.e]
        refines = all(
            s <= m.s and m.e <= e and m.label != term.code and m.label in t.ancestors(term.code)
            for m in overlapping
        )
        if overlapping and not refines:
            continue
        result = [m for m in result if m not in overlapping]
        result.append(_condition(r, term.code, s, e, "term", exact=False, score=round(score, 1)))
    return sorted(result, key=lambda m: m.s)


def _find_near(
    table: Phrases[P], words: list[str], positions: set[int], reach: int = TYPO_REACH
) -> list[tuple[int, int, P]]:
    """Matches that cover one of some positions (the corrected words), looked for only around them."""
    windows: list[list[int]] = []
    for position in sorted(positions):
        if windows and position - reach <= windows[-1][1]:
            windows[-1][1] = position + reach + 1
        else:
            windows.append([max(0, position - reach), position + reach + 1])
    found: list[tuple[int, int, P]] = []
    for start, end in windows:
        for s, e, payload in table.find(words[start:end]):
            if positions & set(range(start + s, start + e)):
                found.append((start + s, start + e, payload))
    return found


def _distance(a: Mention, b: Mention) -> int:
    """Words between two mentions (0 when they overlap)."""
    if a.e <= b.s:
        return b.s - a.e
    if b.e <= a.s:
        return a.s - b.e
    return 0


def attached(r: Reader, stage: Mention, conditions: list[Mention]) -> Mention | None:
    """The condition mention a stage mention belongs to: the nearest in its sentence, if close."""
    by_sentence = r.conditions_by_sentence
    if by_sentence is None:
        by_sentence = r.conditions_by_sentence = {}
        for c in conditions:
            by_sentence.setdefault(r.sentence_of(c.s), []).append(c)
    near = [
        c for c in by_sentence.get(r.sentence_of(stage.s), []) if _distance(c, stage) <= STAGE_ATTACH_WINDOW
    ]
    return min(near, key=lambda c: _distance(c, stage), default=None)


def choose_condition(
    r: Reader, conditions: list[Mention], stages: list[Mention]
) -> tuple[Mention | None, list[Mention]]:
    """The patient's condition: the lineage (condition and its subtypes) that the text is most about,
    then its most specific mention. Returns it and the best mention of each other lineage.
    """
    t = r.t
    eligible = [m for m in conditions if is_eligible(m)]
    if any(m.exact for m in eligible):
        eligible = [m for m in eligible if m.exact]
    if not eligible:
        return None, []
    bonus: dict[int, float] = {}
    for stage in stages:
        if stage.context in ("affirmed", "caregiver") and stage.stage_source != "qualifier":
            owner = attached(r, stage, conditions)
            if owner is not None:
                bonus[id(owner)] = STAGED_BONUS
    lineage_score: dict[str, float] = {}
    lineage_first: dict[str, int] = {}
    for n, mention in enumerate(eligible):
        weight = _CONTEXT_WEIGHT.get(mention.context, 1.0) * _SOURCE_WEIGHT.get(mention.source, 1.0)
        weight += bonus.get(id(mention), 0.0) + (FIRST_MENTION_BONUS if n == 0 else 0.0)
        weight += DIAGNOSTIC_BONUS if _cue_before(r, mention, "diagnostic") else 0.0
        if _cue_before(r, mention, "remote"):
            weight *= REMOTE_FACTOR
        root = t.ancestors(mention.label)[-1]
        lineage_score[root] = lineage_score.get(root, 0.0) + weight
        lineage_first.setdefault(root, mention.s)
    ranked = sorted(lineage_score, key=lambda root: (-lineage_score[root], lineage_first[root]))
    best = [_most_specific(r, [m for m in eligible if t.ancestors(m.label)[-1] == root]) for root in ranked]
    chosen = _refined(r, best[0], [m for m in eligible if t.ancestors(m.label)[-1] == ranked[0]])
    return chosen, best[1:]


def _cue_before(r: Reader, mention: Mention, role: str) -> bool:
    """Whether a cue of this role ("diagnostic", "remote") stands shortly before the mention."""
    cues = r.cues_by_sentence.get(r.sentence_of(mention.s), [])
    return any(role in c.kinds and c.e <= mention.s and mention.s - c.e <= SALIENCE_WINDOW for c in cues)


def _most_specific(r: Reader, mentions: list[Mention]) -> Mention:
    """The deepest code named (affirmed mentions first), then the most named, then the first."""
    t = r.t
    sure = [m for m in mentions if m.context in ("affirmed", "caregiver")] or mentions
    counts: dict[str, int] = {}
    for mention in sure:
        counts[mention.label] = counts.get(mention.label, 0) + 1
    return min(sure, key=lambda m: (-len(t.ancestors(m.label)), -counts[m.label], m.s))


def _refined(r: Reader, chosen: Mention, lineage: list[Mention]) -> Mention:
    """A more specific subtype when a telling word stands in a sentence that names the condition
    ("lung cancer ... adenocarcinoma", "VATS pleural biopsy showed mesothelioma").
    """
    t = r.t
    targets: set[str] = set()
    sentences = {r.sentence_of(m.s) for m in lineage}
    for sources, words, target in t.refinements:
        if chosen.label not in sources or chosen.label not in t.ancestors(target):
            continue
        for s, e, _ in words.find(r.words):
            if r.sentence[s] in sentences and mention_context(r, s, e, r.starts[s])[0] in (
                "affirmed",
                "caregiver",
            ):
                targets.add(target)
    if len(targets) != 1:
        return chosen
    return dataclasses.replace(chosen, label=targets.pop())
