"""The TOTP second factor: enrolment (a secret stored encrypted, turned on by a first right code) and the
check of a code, each accepted once.
"""

from __future__ import annotations

import segno
from sqlalchemy.orm import Session

from onconav.accounts import audit, crypto, totp
from onconav.accounts.models import User
from onconav.db import utcnow
from onconav.errors import InvalidInput

KEY_GROUP = 4  # characters per group when the key is shown for typing
QR_SCALE = 5  # pixels per QR module: about 225 px, easy for a phone camera


def _totp_context(user: User) -> str:
    return f"user.totp_secret:{user.id}"


def begin_totp_enrolment(session: Session, *, user: User) -> str:
    """A new TOTP secret stored encrypted (not yet active); returns it for the authenticator app."""
    if user.totp_enabled_at is not None:
        raise InvalidInput("A second factor is already set up for this account.")
    secret = totp.new_secret()
    user.totp_secret = crypto.encrypt_field(session, secret, context=_totp_context(user))
    return secret


def pending_totp_secret(session: Session, *, user: User) -> str | None:
    """The secret being enrolled (to show it again), or None."""
    if user.totp_secret is None or user.totp_enabled_at is not None:
        return None
    return crypto.decrypt_field(session, user.totp_secret, context=_totp_context(user)).decode()


def verify_totp(session: Session, *, user: User, code: str) -> bool:
    """True when `code` is the user's current code; a code is accepted once."""
    if user.totp_secret is None:
        return False
    secret = crypto.decrypt_field(session, user.totp_secret, context=_totp_context(user)).decode()
    step = totp.matching_step(secret, code, after_step=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def confirm_totp_enrolment(session: Session, *, user: User, code: str, source_ip: str | None = None) -> None:
    """Activate the second factor once the user proves the app shows the right code."""
    if user.totp_secret is None or user.totp_enabled_at is not None:
        raise InvalidInput("Start setting up the second factor first.")
    if not verify_totp(session, user=user, code=code):
        raise InvalidInput("The code from your authenticator app is not right; try the next one.")
    user.totp_enabled_at = utcnow()
    audit.record_own_account_change(
        session, user=user, event_type="account.second_factor", source_ip=source_ip
    )


def provisioning_uri(secret: str, *, user: User) -> str:
    """The otpauth:// link an authenticator app reads (as text or QR code) for this user's secret."""
    return totp.provisioning_uri(secret, user.email)


def key_groups(secret: str) -> list[str]:
    """The secret in groups of four characters, easier to type into an authenticator app."""
    return [secret[start : start + KEY_GROUP] for start in range(0, len(secret), KEY_GROUP)]


def provisioning_qr_svg(uri: str, *, title: str) -> str:
    """The otpauth:// URI as a QR code in inline SVG, drawn on the server (no JavaScript, no image request).

    segno writes presentation attributes only (fill, stroke, transform), no style attribute or element,
    so the Content-Security-Policy (style-src 'self') holds; `title` is the image's accessible name.
    """
    code = segno.make(uri, error="m")
    svg = code.svg_inline(
        scale=QR_SCALE, border=4, dark="#000", light="#fff", title=title, svgclass="totp-qr"
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)
