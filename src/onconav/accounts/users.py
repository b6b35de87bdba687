"""Account records: e-mail and role parsing, looking users up, creating and listing accounts, and e-mail to
users on behalf of other domains. The bottom of accounts: consent, credentials and sign-in build on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from onconav.accounts import audit, notify
from onconav.accounts.models import User
from onconav.accounts.passwords import check_password_policy, hash_password
from onconav.accounts.principal import Principal
from onconav.accounts.roles import Role
from onconav.db import utcnow
from onconav.errors import InvalidInput, NotFound

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    """The e-mail address as stored (trimmed, lower case), or InvalidInput."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not EMAIL_PATTERN.match(cleaned):
        raise InvalidInput("Enter a valid e-mail address, such as name@example.org.")
    return cleaned


def parse_role(role: str) -> Role:
    """The Role named `role`, or InvalidInput listing the roles."""
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(
            "Unknown role %(role)s; choose one of %(choices)s.",
            role=role,
            choices=", ".join(r.value for r in Role),
        ) from None


def get_user_by_email(session: Session, *, email: str) -> User | None:
    """The account with this e-mail address, or None."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return None
    return session.scalars(select(User).where(User.email == address)).first()


def get_user_or_raise(session: Session, *, user_id: str) -> User:
    """The account with this id, or NotFound."""
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("Not found.")
    return user


def get_active_user(session: Session, *, user_id: str) -> User | None:
    """The account with this id when it may act (neither disabled nor deleted), or None."""
    user = session.get(User, user_id)
    if user is None or user.disabled_at is not None or user.deleted_at is not None:
        return None
    return user


def users_by_id(session: Session, *, user_ids: Iterable[str]) -> dict[str, User]:
    """The accounts among `user_ids` that exist, by id (to name people on a page)."""
    return {user_id: user for user_id in set(user_ids) if (user := session.get(User, user_id)) is not None}


def _check_links(
    session: Session, role: Role, practitioner_id: int | None, organization_id: int | None
) -> None:
    from onconav.directory import service as directory

    if role is Role.specialist:
        if practitioner_id is None:
            raise InvalidInput("A specialist account needs the directory practitioner it belongs to.")
        directory.get_practitioner_or_raise(session, practitioner_id=practitioner_id)
    elif practitioner_id is not None:
        raise InvalidInput("Only specialist accounts are linked to a practitioner.")
    if role is Role.center_staff:
        if organization_id is None:
            raise InvalidInput("A center staff account needs the directory organization it belongs to.")
        directory.get_organization_or_raise(session, organization_id=organization_id)
    elif organization_id is not None:
        raise InvalidInput("Only center staff accounts are linked to an organization.")


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: Role | str,
    display_name: str = "",
    practitioner_id: int | None = None,
    organization_id: int | None = None,
    verified: bool = False,
    locale: str = "en",
    created_by: Principal | None = None,
    source_ip: str | None = None,
) -> User:
    """A new account; the password must pass the policy. Raises InvalidInput when the e-mail is taken."""
    address = normalize_email(email)
    role = parse_role(role) if isinstance(role, str) else role
    if len(display_name) > 200:
        raise InvalidInput("Use a name of at most %(length)s characters.", length=200)
    check_password_policy(password, user_inputs=(address, display_name))
    _check_links(session, role, practitioner_id, organization_id)
    if get_user_by_email(session, email=address) is not None:
        raise InvalidInput("An account with this e-mail address already exists.")
    now = utcnow()
    user = User(
        email=address,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role.value,
        practitioner_id=practitioner_id,
        organization_id=organization_id,
        locale=locale,
        email_verified_at=now if verified else None,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        event_type="account.create",
        action="C",
        principal=created_by,
        actor_id=None if created_by else user.id,
        actor_role=None if created_by else user.role,
        patient_id=user.id if role is Role.patient else None,
        entity_type="user",
        entity_id=user.id,
        source_ip=source_ip,
        detail=f"role={role.value}",
    )
    return user


def list_users(session: Session, *, limit: int = 1000) -> list[User]:
    """Accounts, oldest first (operators: `onconav users list`)."""
    return list(
        session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.created_at).limit(limit))
    )


def staff_of_organization(session: Session, *, organization_id: int) -> list[str]:
    """The ids of the active center staff accounts of a directory organization."""
    query = select(User.id).where(
        User.role == "center_staff",
        User.organization_id == organization_id,
        User.disabled_at.is_(None),
        User.deleted_at.is_(None),
    )
    return list(session.scalars(query.order_by(User.created_at)))


def add_mail_messages(messages: Mapping[str, tuple[str, str]]) -> None:
    """Register e-mail kinds of another domain: kind -> (subject, body with %(link)s), English msgids."""
    notify.MESSAGES.update(messages)


def mail_users(session: Session, *, user_ids: Iterable[str], kind: str, path: str) -> None:
    """E-mail each active user of `user_ids` the message `kind`, in their language, linking to `path` on
    onconav; sent once the request's transaction commits, never when it rolls back."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return
    users = session.scalars(
        select(User).where(User.id.in_(wanted), User.disabled_at.is_(None), User.deleted_at.is_(None))
    )
    link = notify.link(path)
    notify.queue(
        session,
        [notify.Notification(kind=kind, to=user.email, locale=user.locale, link=link) for user in users],
    )
