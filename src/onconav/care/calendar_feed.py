"""The plan's private calendar feed (RFC 5545, built with `icalendar`): an unguessable address that a
calendar app subscribes to, revocable by issuing a new one or turning it off.

The token is 32 random bytes (URL-safe); only its SHA-256 is stored, so the database alone cannot rebuild a
feed address, and the address is shown once. Events are all-day, titled "Appointment in your onconav
plan", with a link to the plan page and no medical word (calendar apps sync the feed to servers outside
onconav and show it on lock screens).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.care.models import CarePlan
from onconav.db import utcnow

PRODUCT_ID = "-//onconav//follow-up plan//EN"
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """The SHA-256 of a feed token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_feed_token(session: Session, *, plan: CarePlan) -> str:
    """A new feed token for the plan (any earlier address stops working); shown once, stored as a hash."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    plan.feed_token_sha256 = token_hash(token)
    plan.feed_created_at = utcnow()
    session.flush()
    return token


def revoke_feed(session: Session, *, plan: CarePlan) -> None:
    """Turn the plan's feed off: its address answers 404 from now on."""
    plan.feed_token_sha256 = None
    plan.feed_created_at = None
    session.flush()


def plan_by_feed_token(session: Session, *, token: str) -> CarePlan | None:
    """The plan whose live feed token this is, or None."""
    if not token or len(token) > 100:
        return None
    return session.scalars(select(CarePlan).where(CarePlan.feed_token_sha256 == token_hash(token))).first()


def feed_calendar(
    session: Session, *, plan: CarePlan, plan_url: str, now: dt.datetime | None = None
) -> bytes:
    """The plan's dated items still to do as an iCalendar file (skipped and done items are left out)."""
    stamp = now or utcnow()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "onconav follow-up")
    for item in plan.items:
        if item.due_on is None or item.status != "planned":
            continue
        event = icalendar.Event()
        event.add("uid", f"{item.id}@onconav")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.due_on)
        event.add("dtend", item.due_on + dt.timedelta(days=1))
        event.add("summary", "Appointment in your onconav plan")
        event.add("description", "Open your plan for the details: " + plan_url)
        event.add("url", plan_url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
