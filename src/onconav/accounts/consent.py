"""Caregiver consent: a patient's recorded, revocable grant that a caregiver reads (`read`) or also acts on
(`write`) their data, optionally until a date; who is told when it changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.accounts import audit
from onconav.accounts.models import CaregiverGrant, User
from onconav.accounts.notify import Notification, Outcome, link
from onconav.accounts.principal import Principal
from onconav.accounts.roles import ConsentScope, Role
from onconav.accounts.users import get_user_by_email
from onconav.db import utcnow
from onconav.errors import InvalidInput


def grant_caregiver(
    session: Session, *, principal: Principal, caregiver_email: str, scope: str, days: int | None = None
) -> CaregiverGrant:
    """The patient's consent that the caregiver with this e-mail acts for them within `scope`."""
    if not principal.is_patient:
        raise InvalidInput("Only patients give consent to caregivers.")
    try:
        scope_value = ConsentScope(scope)
    except ValueError:
        raise InvalidInput("Choose the scope read or write.") from None
    if days is not None and not 1 <= days <= 3660:
        raise InvalidInput("Consent lasts from 1 to 3,660 days, or until you revoke it.")
    caregiver = get_user_by_email(session, email=caregiver_email)
    if caregiver is None or caregiver.role != Role.caregiver or caregiver.deleted_at is not None:
        raise InvalidInput(
            "No caregiver account has this e-mail address; ask them to sign up as a caregiver first."
        )
    now = utcnow()
    for existing in session.scalars(
        select(CaregiverGrant).where(
            CaregiverGrant.patient_id == principal.user_id,
            CaregiverGrant.caregiver_id == caregiver.id,
            CaregiverGrant.revoked_at.is_(None),
        )
    ):
        existing.revoked_at = now  # one live consent per caregiver: the new one replaces it
    grant = CaregiverGrant(
        patient_id=principal.user_id,
        caregiver_id=caregiver.id,
        scope=scope_value.value,
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        event_type="consent.create",
        action="C",
        principal=principal,
        patient_id=principal.user_id,
        entity_type="consent",
        entity_id=grant.id,
        detail=f"scope={scope_value.value}",
    )
    return grant


def list_grants(session: Session, *, principal: Principal) -> list[CaregiverGrant]:
    """The live consents the principal gave (patient) or received (caregiver)."""
    column = CaregiverGrant.patient_id if principal.is_patient else CaregiverGrant.caregiver_id
    now = utcnow()
    live = (CaregiverGrant.expires_at.is_(None)) | (CaregiverGrant.expires_at > now)
    return list(
        session.scalars(
            select(CaregiverGrant)
            .where(column == principal.user_id, CaregiverGrant.revoked_at.is_(None), live)
            .order_by(CaregiverGrant.created_at)
        )
    )


def scopes_by_patient(session: Session, *, caregiver_id: str) -> dict[str, set[str]]:
    """What a caregiver may do now: patient id -> granted scopes, from live consents of active patients."""
    now = utcnow()
    grants: dict[str, set[str]] = {}
    rows = session.scalars(
        select(CaregiverGrant).where(
            CaregiverGrant.caregiver_id == caregiver_id, CaregiverGrant.revoked_at.is_(None)
        )
    )
    for grant in rows:
        if grant.expires_at is not None and grant.expires_at <= now:
            continue
        patient = session.get(User, grant.patient_id)
        if patient is None or patient.deleted_at is not None or patient.disabled_at is not None:
            continue
        grants.setdefault(grant.patient_id, set()).add(grant.scope)
    return grants


def get_grant(session: Session, *, grant_id: str) -> CaregiverGrant | None:
    """The consent with this id, or None."""
    return session.get(CaregiverGrant, grant_id)


def revoke_grant(session: Session, *, principal: Principal, grant: CaregiverGrant) -> None:
    """End a consent (the caller has been authorized to delete it)."""
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()


def end_all_grants(session: Session, *, user_id: str, now: datetime) -> None:
    """End every live consent the user gave or received (the account is being deleted)."""
    for grant in session.scalars(
        select(CaregiverGrant).where(
            (CaregiverGrant.patient_id == user_id) | (CaregiverGrant.caregiver_id == user_id),
            CaregiverGrant.revoked_at.is_(None),
        )
    ):
        grant.revoked_at = now


def consent_notifications(session: Session, *, patient_id: str, caregiver_id: str) -> Outcome:
    """Tell the patient and the caregiver that a consent between them changed (no details in the mail)."""
    people = [session.get(User, patient_id), session.get(User, caregiver_id)]
    kinds = ("consent_changed", "consent_received")
    return Outcome(
        tuple(
            Notification(kind, person.email, person.locale, link("/account/consents"))
            for kind, person in zip(kinds, people, strict=True)
            if person is not None and person.deleted_at is None
        )
    )
