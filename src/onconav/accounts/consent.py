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
from onconav.accounts.users import get_user_by_email, normalize_email
from onconav.db import utcnow
from onconav.errors import InvalidInput


def grant_caregiver(
    session: Session, *, principal: Principal, caregiver_email: str, scope: str, days: int | None = None
) -> CaregiverGrant:
    """The patient's consent that the caregiver with this e-mail acts for them within `scope`.

    When the address has no caregiver account, the consent waits for one (an invitation): it starts to
    count once a caregiver account confirms that address. The answer is the same either way, so granting
    consent tells the patient nothing about who has an account.
    """
    if not principal.is_patient:
        raise InvalidInput("Only patients give consent to caregivers.")
    try:
        scope_value = ConsentScope(scope)
    except ValueError:
        raise InvalidInput("Choose the scope read or write.") from None
    if days is not None and not 1 <= days <= 3660:
        raise InvalidInput("Consent lasts from 1 to 3,660 days, or until you revoke it.")
    address = normalize_email(caregiver_email)
    caregiver = get_user_by_email(session, email=address)
    usable = caregiver is not None and caregiver.role == Role.caregiver and caregiver.deleted_at is None
    caregiver_id = caregiver.id if caregiver is not None and usable else None
    now = utcnow()
    for existing in session.scalars(
        select(CaregiverGrant).where(
            CaregiverGrant.patient_id == principal.user_id,
            CaregiverGrant.invited_email == address,
            CaregiverGrant.revoked_at.is_(None),
        )
    ):
        existing.revoked_at = now  # one live consent per caregiver: the new one replaces it
    grant = CaregiverGrant(
        patient_id=principal.user_id,
        caregiver_id=caregiver_id,
        invited_email=address,
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
        detail=f"scope={scope_value.value}" + ("" if caregiver_id else " invitation"),
    )
    return grant


def attach_invitations(session: Session, *, user: User) -> int:
    """A caregiver account confirmed its address: the live consents waiting for it start to count."""
    if user.role != Role.caregiver or user.deleted_at is not None:
        return 0
    attached = 0
    for grant in session.scalars(
        select(CaregiverGrant).where(
            CaregiverGrant.invited_email == normalize_email(user.email),
            CaregiverGrant.caregiver_id.is_(None),
            CaregiverGrant.revoked_at.is_(None),
        )
    ):
        grant.caregiver_id = user.id
        attached += 1
        audit.record(
            session,
            event_type="consent.accept",
            action="U",
            actor_id=user.id,
            actor_role=user.role,
            patient_id=grant.patient_id,
            entity_type="consent",
            entity_id=grant.id,
        )
    return attached


def keep_grant(session: Session, *, principal: Principal, grant: CaregiverGrant) -> None:
    """The patient reviewed a consent marked for review and keeps it (the caller authorized the change)."""
    if grant.needs_review:
        grant.needs_review = False
        audit.record(
            session,
            event_type="consent.review",
            action="U",
            principal=principal,
            patient_id=grant.patient_id,
            entity_type="consent",
            entity_id=grant.id,
            detail="kept",
        )


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


def consent_notifications(session: Session, *, grant: CaregiverGrant) -> Outcome:
    """Tell the patient and the caregiver that a consent between them changed (no details in the mail); an
    address without a caregiver account is invited to sign up as one instead."""
    patient = session.get(User, grant.patient_id)
    caregiver = session.get(User, grant.caregiver_id) if grant.caregiver_id else None
    mails = []
    if patient is not None and patient.deleted_at is None:
        review = link("/account/consents")
        mails.append(Notification("consent_changed", patient.email, patient.locale, review))
    if caregiver is not None and caregiver.deleted_at is None:
        mails.append(
            Notification("consent_received", caregiver.email, caregiver.locale, link("/account/consents"))
        )
    elif caregiver is None and grant.invited_email and grant.revoked_at is None:
        locale = patient.locale if patient is not None else "en"
        mails.append(Notification("consent_invitation", grant.invited_email, locale, link("/sign-up")))
    return Outcome(tuple(mails))
