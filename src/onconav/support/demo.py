"""The shipped demo support listings: fictional services at real cities, every one marked as demo.

The rows live in `data/demo_support_services.csv`, in the operator's import format (docs/support-services.md);
their names, phone numbers (555-01xx) and websites (example.org) are invented and say so.
"""

from __future__ import annotations

from importlib import resources

DEMO_FILE = "demo_support_services.csv"


def demo_csv_text() -> str:
    """The demo listings file, as text."""
    return resources.files("onconav.support").joinpath("data", DEMO_FILE).read_text(encoding="utf-8")
