"""Where the cancer has spread: words of distant spread ("metastatic", "mets", "spread to") as stage IV
mentions, the sites they name ("liver and bone metastases"), and sites said to be involved.
"""

from __future__ import annotations

from onconav.knowledge.understanding.reader import Mention, Reader

# "metastases to the lungs": a connector within this many words after the spread word.
SITE_CONNECTOR_WINDOW = 5
# "to the left lower lobe of the lung": at most this many filler words before a site.
SITE_FILLER_LIMIT = 4
# "multiple liver metastases": at most this many such words between a site and the spread word.
SITE_QUALIFIER_LIMIT = 2
_SITE_QUALIFIERS = ("multiple", "several", "new", "distant", "bilateral")
# "lymph nodes were positive": the word of involvement within this many words after the site.
INVOLVEMENT_WINDOW = 4
_INVOLVEMENT_GAP = frozenset({"was", "were", "is", "are", "biopsy", "biopsies", "also", "all", "both", "be"})


def spread_mentions(r: Reader, conditions: list[Mention]) -> tuple[list[Mention], list[Mention]]:
    """Words of distant spread (as stage mentions) and the sites they name."""
    t = r.t
    words = r.corrected
    stages: list[Mention] = []
    sites: list[Mention] = []
    for s, e, kind in t.spread.find(words):
        exact = words[s:e] == r.words[s:e]
        named = _sites_after(r, e, kind == "spread") + _sites_before(r, s)
        if kind != "metastatic" and not named:
            continue  # "amyloid deposits", "spread" alone: not a statement of distant spread
        for site_s, site_e, site in named:
            start, end = r.chars(site_s, site_e)
            mention = Mention("metastatic-site", site, site_s, site_e, start, end, exact=exact)
            mention.cue_span = (s, e)
            sites.append(mention)
        if kind == "site-only":
            continue
        start, end = r.chars(s, e)
        mention = Mention("stage", "metastatic", s, e, start, end, exact=exact, stage_source="metastatic")
        mention.group = "IV"
        mention.regional = bool(named) and all(site == "lymph nodes" for _, _, site in named)
        mention.sites = tuple(site for _, _, site in named)
        stages.append(mention)
    in_names = {i for c in conditions for i in range(c.s, c.e)}
    sites.extend(m for m in _involved_sites(r) if not in_names & set(range(m.s, m.e)))
    return stages, sites


def _site_chain(r: Reader, j: int) -> list[tuple[int, int, str]]:
    """Sites from word j on, joined by "and", "or" and commas ("the lungs and liver")."""
    t = r.t
    words = r.corrected
    chain: list[tuple[int, int, str]] = []
    while j < len(words):
        k = j
        while k < len(words) and words[k] in t.site_fillers and k - j < SITE_FILLER_LIMIT:
            k += 1
        hit = t.sites.match_at(words, k) if k < len(words) else None
        if hit is None:
            break
        chain.append((k, hit[0], hit[1]))
        j = hit[0]
        if j < len(words) and words[j] in ("and", "or"):
            j += 1
        elif j < len(words) and "," in r.gap(j):
            continue
        else:
            break
    return chain


def _sites_after(r: Reader, e: int, connected: bool) -> list[tuple[int, int, str]]:
    """ "metastases to the lungs", "metastatic pancreatic adenocarcinoma to the liver"."""
    t = r.t
    words = r.corrected
    if connected:
        return _site_chain(r, e)
    sentence = r.sentence_of(max(e - 1, 0))
    for j in range(e, min(e + SITE_CONNECTOR_WINDOW, len(words))):
        if r.sentence[j] != sentence or t.spread.match_at(words, j) is not None:
            break
        if words[j] in t.site_connectors:
            return _site_chain(r, j + 1)
    return []


def _sites_before(r: Reader, s: int) -> list[tuple[int, int, str]]:
    """ "liver and bone metastases", "neck node: metastatic carcinoma"."""
    t = r.t
    words = r.corrected
    chain: list[tuple[int, int, str]] = []
    end = s
    while end > 0:
        k = end
        while k > 0 and words[k - 1] in _SITE_QUALIFIERS and end - k < SITE_QUALIFIER_LIMIT:
            k -= 1
        hit = t.sites.ending_at(words, k, longest=3)
        if hit is None or r.sentence[hit[0]] != r.sentence_of(s):
            break
        chain.append((hit[0], k, hit[1]))
        end = hit[0]
        if end > 0 and words[end - 1] in ("and", "or"):
            end -= 1
        elif not (end > 0 and "," in r.gap(end)):
            break
    return chain


def _involved_sites(r: Reader) -> list[Mention]:
    """ "bone marrow involvement", "lymph nodes were positive", "5 positive lymph nodes"."""
    t = r.t
    words = r.words
    found = []
    for s, e, site in t.sites.find(words):
        sentence = r.sentence[s]
        after: list[str] = []
        for i in range(e, min(e + INVOLVEMENT_WINDOW, len(words))):
            if r.sentence[i] != sentence:
                break
            after.append(words[i])
            if words[i] not in _INVOLVEMENT_GAP:
                break
        before = words[max(0, s - 2) : s]
        involved = bool(after) and after[-1] in t.involvement
        if site == "lymph nodes" and "positive" in before:
            involved = True
        if involved:
            start, end = r.chars(s, e)
            found.append(Mention("metastatic-site", site, s, e, start, end, source="involvement"))
    return found
