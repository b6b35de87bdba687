"""Reader-facing names of the knowledge vocabularies (modalities, intents, stage groups), for gettext.

The data files hold codes; faces show these names, translated where they are shown.
"""

from __future__ import annotations

from onconav.i18n import N_

MODALITY_LABELS: dict[str, str] = {
    "surgery": N_("Surgery"),
    "chemotherapy": N_("Chemotherapy"),
    "radiation-therapy": N_("Radiation therapy"),
    "targeted-therapy": N_("Targeted therapy"),
    "immunotherapy": N_("Immunotherapy"),
    "hormone-therapy": N_("Hormone therapy"),
    "stem-cell-transplant": N_("Stem cell transplant"),
    "ablation": N_("Ablation"),
    "active-surveillance": N_("Active surveillance"),
    "palliative-care": N_("Palliative and supportive care"),
    "clinical-trial": N_("Clinical trial"),
}
INTENT_LABELS: dict[str, str] = {
    "curative": N_("Aims to cure"),
    "complete-removal": N_("Aims to remove all visible cancer"),
    "life-prolonging": N_("Aims to control the cancer and prolong life"),
    "symptom-relief": N_("Aims to relieve symptoms and improve comfort"),
}
INTENT_ORDER = ("curative", "complete-removal", "life-prolonging", "symptom-relief")
