"""Operator commands: `onconav users create|list|disable|reset-second-factor`, `audit verify|export`,
`keys init|rotate`.

Passwords are read from standard input, never from the command line (it would stay in shell history).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from onconav.cli_support import console, database_session, errors, fail
from onconav.errors import OnconavError

users_app = typer.Typer(help="Accounts: create, list, disable, reset a second factor.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys (envelope encryption).", no_args_is_help=True)


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="The e-mail address the user signs in with.")],
    role: Annotated[
        str, typer.Option(help="patient, caregiver, coordinator, specialist, center_staff, admin")
    ],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    practitioner_id: Annotated[int | None, typer.Option(help="Directory practitioner (specialists).")] = None,
    organization_id: Annotated[
        int | None, typer.Option(help="Directory organization (center staff).")
    ] = None,
) -> None:
    """Create a verified account; the password is read from standard input (first line)."""
    from onconav.accounts import service

    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        with database_session() as session:
            user = service.create_user(
                session,
                email=email,
                password=password,
                role=role,
                display_name=name,
                practitioner_id=practitioner_id,
                organization_id=organization_id,
                verified=True,
                source_ip="cli",
            )
            service.attach_invitations(session, user=user)  # consents waiting for this caregiver
            user_id, address = user.id, user.email
    except OnconavError as error:
        fail(error)
    console.print(f"Created {role} account {address} (id {user_id}).", highlight=False)


@users_app.command("list")
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """Every account: e-mail, role, state."""
    from onconav.accounts import service

    with database_session() as session:
        users = service.list_users(session)
        rows = [
            {
                "id": user.id,
                "email": user.email,
                "role": user.role,
                "verified": user.email_verified_at is not None,
                "second_factor": user.totp_enabled_at is not None,
                "disabled": user.disabled_at is not None,
                "created_at": user.created_at.isoformat(),
            }
            for user in users
        ]
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row) + "\n")
        return
    table = Table("e-mail", "role", "verified", "2FA", "state", "created", title=f"{len(rows)} accounts")
    for row in rows:
        table.add_row(
            str(row["email"]),
            str(row["role"]),
            "yes" if row["verified"] else "no",
            "yes" if row["second_factor"] else "no",
            "disabled" if row["disabled"] else "active",
            str(row["created_at"])[:16],
        )
    console.print(table)


@users_app.command("disable")
def users_disable(email: Annotated[str, typer.Argument(help="The account's e-mail address.")]) -> None:
    """Stop an account from signing in and end its sessions and tokens."""
    from onconav.accounts import service

    try:
        with database_session() as session:
            service.disable_user(session, email=email, source_ip="cli")
    except OnconavError as error:
        fail(error)
    console.print(f"Disabled {email}.", highlight=False)


@users_app.command("reset-second-factor")
def users_reset_second_factor(
    email: Annotated[str, typer.Argument(help="The account's e-mail address.")],
) -> None:
    """Turn off the second factor of an owner locked out of their account (audited, the owner is told by
    e-mail, every session and token ends). Check who is asking before you do it."""
    from onconav.accounts import actions

    try:
        with database_session() as session:
            actions.reset_second_factor(session, email=email)
    except OnconavError as error:
        fail(error)
    console.print(
        f"Reset the second factor of {email}; its sessions and tokens ended and its owner was told.",
        highlight=False,
    )


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole audit chain; exit status 0 only when it is intact (1 when it is broken)."""
    from onconav.accounts import audit

    with database_session() as session:
        report = audit.verify(session)
    if report.intact:
        console.print(f"Audit log intact: {report.events:,} events verified.")
        return
    for problem in report.problems[:50]:
        errors.print(f"[red]{problem}[/]", highlight=False)
    errors.print(f"Audit log BROKEN: {len(report.problems)} problem(s) in {report.events:,} events.")
    raise typer.Exit(code=1)


@audit_app.command("export")
def audit_export() -> None:
    """Print every event as a FHIR R4 AuditEvent, one JSON object per line."""
    from onconav.accounts import audit

    with database_session() as session:
        for event in audit.iter_all(session):
            sys.stdout.write(json.dumps(audit.to_fhir(event)) + "\n")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """New master key: re-wrap every data key with it, start a new data key, drop unused master keys."""
    from onconav.accounts import crypto

    try:
        with database_session() as session:
            report = crypto.rotate_master_key(session)
        with database_session() as session:
            removed = crypto.prune_master_keys(session)
    except OnconavError as error:
        fail(error)
    console.print(
        f"Master key {report.new_master_key_id} is current; "
        f"{report.rewrapped_data_keys} data key(s) re-wrapped; "
        f"new data key {report.new_data_key_id}; {len(removed)} old master key(s) removed.",
        highlight=False,
    )


@keys_app.command("init")
def keys_init() -> None:
    """Create the keyring (ONCONAV_KEY_FILE) before the first start; refuses when one exists."""
    from onconav.accounts import crypto
    from onconav.config import get_settings

    path = get_settings().effective_key_file
    try:
        crypto.create_keyring(path)
    except crypto.KeyringExists:
        errors.print(
            f"[bold red]Error:[/] a keyring already exists at {path}; it was left as it is "
            "(`onconav keys rotate` adds a new master key to it).",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=2) from None
    console.print(
        f"Created the keyring {path} (readable by its owner only). Back it up apart from the database: "
        "without it, the encrypted data cannot be read.",
        highlight=False,
        soft_wrap=True,
    )
