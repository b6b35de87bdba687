"""What a user is to onconav (`Role`) and what a caregiver may do for a patient (`ConsentScope`).

Other domains read these vocabularies from here; the accounts policy decides what each role may do.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user is to onconav; the policy module decides what each may do."""

    patient = "patient"
    caregiver = "caregiver"
    coordinator = "coordinator"
    specialist = "specialist"
    center_staff = "center_staff"
    admin = "admin"


# Roles that must sign in with a second factor (TOTP).
SECOND_FACTOR_ROLES = frozenset({Role.coordinator, Role.specialist, Role.center_staff, Role.admin})


class ConsentScope(StrEnum):
    """What a caregiver may do for a patient: `read` sees the patient's data, `write` also acts for them."""

    read = "read"
    write = "write"
