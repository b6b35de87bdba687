"""Imports every domain's ORM models so that `Base.metadata` knows all tables (Alembic, tests)."""

from __future__ import annotations


def import_all_models() -> None:
    """Register every table on the shared metadata."""
    import onconav.accounts.models
    import onconav.care.models
    import onconav.cases.models
    import onconav.directory.models
    import onconav.fhir.models
    import onconav.quotes.models
    import onconav.support.models
    import onconav.trials.models  # noqa: F401
