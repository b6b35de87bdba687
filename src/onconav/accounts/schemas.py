"""Accounts API input and output (Pydantic)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenRequest(BaseModel):
    """Sign-in for scripts and apps."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, description="The account's e-mail address.")
    password: str = Field(min_length=1, max_length=1024)
    totp: str | None = Field(
        default=None, max_length=12, description="Code from the authenticator app, where the account has one."
    )


class TokenResponse(BaseModel):
    """A bearer token for `Authorization: Bearer <access_token>`."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class AccountRead(BaseModel):
    """The signed-in account."""

    id: str
    email: str
    display_name: str
    role: str
    practitioner_id: int | None
    organization_id: int | None
    second_factor_enabled: bool
    created_at: datetime


class SessionRead(BaseModel):
    """A signed-in browser."""

    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip_address: str | None
    user_agent: str | None
    current: bool


class IntegrationTokenCreate(BaseModel):
    """A named, scoped token for a script or integration."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    scopes: list[Literal["read", "write"]] = Field(min_length=1, max_length=2)
    days: int | None = Field(default=90, ge=1, le=366, description="Lifetime in days; null: until revoked.")


class IntegrationTokenRead(BaseModel):
    """An integration token (its secret is shown only once, on creation)."""

    id: str
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class IntegrationTokenCreated(IntegrationTokenRead):
    """The new token, with its secret (shown once)."""

    token: str


class ConsentCreate(BaseModel):
    """A patient's consent that a caregiver acts for them."""

    model_config = ConfigDict(extra="forbid")

    caregiver_email: str = Field(min_length=3, max_length=320)
    scope: Literal["read", "write"]
    days: int | None = Field(default=None, ge=1, le=3660, description="Null: until revoked.")


class ConsentRead(BaseModel):
    """A live consent, seen by its patient or its caregiver."""

    id: str
    patient_id: str
    caregiver_id: str | None = Field(
        description="The caregiver's account, shown to the caregiver only: the patient sees the address they "
        "typed, so that consent tells nothing about who has an account."
    )
    caregiver_email: str | None = Field(description="The address the patient typed (the patient's view).")
    scope: str
    created_at: datetime
    expires_at: datetime | None
    needs_review: bool = Field(
        description="Granted while an integration token could grant consent: the patient should keep it "
        "(POST .../keep) or revoke it."
    )


class AccessLogEntry(BaseModel):
    """One access to the patient's data."""

    id: str
    recorded_at: datetime
    event_type: str
    action: str
    outcome: str
    actor_id: str | None
    actor_role: str | None
    source_ip: str | None


class RegistrationRequest(BaseModel):
    """Sign-up of a patient or caregiver; the account is active once the e-mail address is confirmed."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    role: Literal["patient", "caregiver"] = "patient"
    display_name: str = Field(default="", max_length=200)


class EmailTokenRequest(BaseModel):
    """The token from a link sent by e-mail."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)


class PasswordResetRequest(BaseModel):
    """Ask for a password-reset link."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)


class PasswordResetConfirm(BaseModel):
    """A new password, with the token from the reset link."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    """A new password, knowing the current one."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class AccountDeletion(BaseModel):
    """Deleting the account needs its password."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)


class SecondFactorEnrolment(BaseModel):
    """A TOTP secret to enter in an authenticator app (not active until confirmed)."""

    secret: str
    otpauth_uri: str


class SecondFactorCode(BaseModel):
    """A code from the authenticator app."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=6, max_length=12)


class Accepted(BaseModel):
    """A request taken in; the same answer whatever the address (no account enumeration)."""

    message: str
