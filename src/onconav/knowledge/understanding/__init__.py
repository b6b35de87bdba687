"""Reading a patient's words or a clinical note (`explain`): the cancer named, its stage, where it has
spread, biomarkers, and what is negated or a relative's rather than the patient's.

Modules, in the order a text goes through them: `phrasings` (the curated vocabulary file), `phrases` and
`tables` (what words are looked up in), `reader` (one text's words and cues), the finders `biomarkers`,
`conditions`, `stages` and `spread`, `negation` (each mention's context), `findings` (the result), and
`explainer`, which runs them. Only `explain` is for the rest of the knowledge domain.
"""

from onconav.knowledge.understanding.explainer import explain

__all__ = ["explain"]
