"""Second opinions: cases, their documents (intake by content), workflow states and written opinions.

Other domains call `onconav.cases.service` and use `onconav.cases.schemas`; the rest of the package is the
domain's own business (its faces call `onconav.cases.actions`).
"""
