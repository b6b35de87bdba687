"""Public surface of the accounts domain: users and mail to them, sign-in, the second factor, sessions and
tokens with the Principal they stand for, caregiver consent and the account life cycle.

Other domains import from here (and from `policy`, `audit`, `crypto`, `principal`, `roles`), never from the
modules behind it (`users`, `sign_in`, `second_factor`, `credentials`, `consent`, `life_cycle`), whose
internals may change. Functions take a session and never commit.
"""

from __future__ import annotations

from onconav.accounts.consent import (
    consent_notifications,
    get_grant,
    grant_caregiver,
    list_grants,
    revoke_grant,
)
from onconav.accounts.credentials import (
    NewCredential,
    Unauthenticated,
    create_integration_token,
    end_session,
    end_token,
    get_token,
    get_web_session,
    issue_access_token,
    list_sessions,
    list_tokens,
    pending_user,
    principal_for,
    revoke_session,
    revoke_token,
    session_principal,
    start_session,
    token_digest,
    token_principal,
    web_session_for,
)
from onconav.accounts.life_cycle import (
    change_password,
    delete_account,
    disable_user,
    request_password_reset,
    reset_password,
    sign_up,
    verify_email,
)
from onconav.accounts.second_factor import (
    begin_totp_enrolment,
    confirm_totp_enrolment,
    pending_totp_secret,
    provisioning_uri,
    verify_totp,
)
from onconav.accounts.sign_in import (
    SecondFactorRequired,
    TooManyAttempts,
    authenticate,
    check_throttle,
    complete_second_factor,
    prune_login_failures,
)
from onconav.accounts.users import (
    add_mail_messages,
    create_user,
    get_user_by_email,
    get_user_or_raise,
    list_users,
    mail_users,
    normalize_email,
    parse_role,
    users_by_id,
)

__all__ = [
    "NewCredential",
    "SecondFactorRequired",
    "TooManyAttempts",
    "Unauthenticated",
    "add_mail_messages",
    "authenticate",
    "begin_totp_enrolment",
    "change_password",
    "check_throttle",
    "complete_second_factor",
    "confirm_totp_enrolment",
    "consent_notifications",
    "create_integration_token",
    "create_user",
    "delete_account",
    "disable_user",
    "end_session",
    "end_token",
    "get_grant",
    "get_token",
    "get_user_by_email",
    "get_user_or_raise",
    "get_web_session",
    "grant_caregiver",
    "issue_access_token",
    "list_grants",
    "list_sessions",
    "list_tokens",
    "list_users",
    "mail_users",
    "normalize_email",
    "parse_role",
    "pending_totp_secret",
    "pending_user",
    "principal_for",
    "provisioning_uri",
    "prune_login_failures",
    "request_password_reset",
    "reset_password",
    "revoke_grant",
    "revoke_session",
    "revoke_token",
    "session_principal",
    "sign_up",
    "start_session",
    "token_digest",
    "token_principal",
    "users_by_id",
    "verify_email",
    "verify_totp",
    "web_session_for",
]
