"""Reference data built before a server process takes its first request: the place index, the knowledge
catalogue and the text-understanding tables, which otherwise load lazily inside someone's request.
"""

from __future__ import annotations

import gc

from onconav.geo import service as geo
from onconav.knowledge import service as knowledge


def warm_up_reference_data() -> None:
    """Build the place, knowledge and text-understanding tables now, then exempt them from garbage
    collection: otherwise a full collection walks their ~0.5 M objects in the middle of a request
    (about 280 ms, measured by benchmarks/trials.py)."""
    geo.resolve_place("Boston, MA")
    knowledge.list_conditions()
    knowledge.clinical_lexicon()
    knowledge.explain("stage 4 lung adenocarcinoma with brain metastases, EGFR positive")
    gc.collect()
    gc.freeze()
