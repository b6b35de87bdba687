"""Dates of a follow-up plan, computed from the end of treatment and a template's schedules.

A template item with a schedule becomes one dated item per occurrence within the horizon the plan shows
(`HORIZON_MONTHS` after the end of treatment; later years are for the care team to plan); an item without
a schedule becomes one undated item ("your care team sets the date").
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from onconav.knowledge.schemas import FollowupTemplate

HORIZON_MONTHS = 60  # the years the plan shows dates for: five


@dataclass(frozen=True)
class PlannedItem:
    """An item of a plan before it is stored."""

    kind: str
    title: str
    detail: str
    due_on: dt.date | None
    source: str | None


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` plus whole months (the 31st becomes the month's last day when the month is shorter)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def planned_items(template: FollowupTemplate, *, treatment_end: dt.date) -> list[PlannedItem]:
    """The template's items with their dates from `treatment_end`, dated ones in date order first."""
    dated: list[PlannedItem] = []
    undated: list[PlannedItem] = []
    for item in template.items:
        source = str(template.sources[item.source].url)
        if item.schedule is None:
            undated.append(PlannedItem(item.kind, item.title, item.detail, None, source))
            continue
        last = min(item.schedule.last_month or HORIZON_MONTHS, HORIZON_MONTHS)
        month = item.schedule.first_month
        while month <= last:
            due = add_months(treatment_end, month)
            dated.append(PlannedItem(item.kind, item.title, item.detail, due, source))
            month += item.schedule.every_months
    dated.sort(key=lambda planned: planned.due_on or dt.date.max)
    return dated + undated
