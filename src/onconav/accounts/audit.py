"""The audit log: append-only, tamper-evident (an HMAC-SHA256 hash chain), shaped like FHIR AuditEvent.

`record(session, ...)` adds an event in the caller's transaction, so an access and its event commit
together or not at all. `record_in_own_transaction(session, ...)` is for what must stay on record although
the request fails (a denied access, a failed sign-in): it drops the request's work and commits the event
alone. Each event's hash covers its fields and the previous event's hash, keyed by a
secret derived from the keyring (outside the database), so an edit, a deletion, an insertion or a
reordering breaks the chain and cannot be re-sealed without the keyring. `verify(session)` walks the
chain (`onconav audit verify`). Events never carry medical content: only ids, types and outcomes.
Events are chained when their transaction commits (see "Appending at commit" below); `to_fhir` (from
`audit_fhir`) maps one to a FHIR AuditEvent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import event as orm_events
from sqlalchemy import select, update
from sqlalchemy.orm import Session, SessionTransaction

from onconav.accounts.audit_fhir import to_fhir as to_fhir  # re-exported: `audit.to_fhir`
from onconav.accounts.crypto import derive_secret
from onconav.accounts.models import AuditEvent, AuditHead, User
from onconav.db import Base, make_session_factory, new_id, unit_of_work, utcnow

if TYPE_CHECKING:
    from onconav.accounts.principal import Principal

log = logging.getLogger("onconav")

GENESIS_HASH = "0" * 64
HEAD_ID = 1
Outcome = Literal["success", "denied", "failure"]
# FHIR AuditEvent.action codes.
ACTION_CODES = frozenset("CRUDE")
POLICY_ACTIONS = {
    "read": "R",
    "list": "R",
    "count": "R",
    "export": "R",
    "create": "C",
    "update": "U",
    "delete": "D",
}


def action_code(action: str) -> str:
    """The FHIR action code (C R U D E) of a policy action name (read, list, update ...)."""
    return POLICY_ACTIONS.get(action, "E")


def _canonical(event: AuditEvent) -> bytes:
    fields = {
        "sequence": event.sequence,
        "id": event.id,
        "recorded_at": event.recorded_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "event_type": event.event_type,
        "action": event.action,
        "outcome": event.outcome,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "patient_id": event.patient_id,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "source_ip": event.source_ip,
        "detail": event.detail,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def record_own_account_change(
    session: Session, *, user: User, event_type: str, source_ip: str | None
) -> None:
    """Record that a user changed their own account (verified the address, reset the password, turned on
    the second factor) without a signed-in principal: the user is both the actor and the entity."""
    record(
        session,
        event_type=event_type,
        action="U",
        actor_id=user.id,
        actor_role=user.role,
        entity_type="user",
        entity_id=user.id,
        source_ip=source_ip,
    )


def record_in_own_transaction(session: Session, *, extra_rows: Iterable[Base] = (), **event: Any) -> None:
    """Record an event that must survive the request's rollback (a denial, a failed sign-in).

    The request's unit of work, which is failing, is rolled back first (so nothing of it is kept and it
    holds no lock), then the event and `extra_rows` (e.g. sign-in throttle rows) are written and committed
    in a short transaction of their own. The caller raises afterwards.
    """
    session.rollback()
    with unit_of_work(make_session_factory(session.get_bind())) as own:
        own.add_all(list(extra_rows))
        record(own, **event)


def seal(key: bytes, previous_hash: str, event: AuditEvent) -> str:
    """The chained hash of `event` after `previous_hash`."""
    return hmac.new(key, previous_hash.encode() + b"\n" + _canonical(event), hashlib.sha256).hexdigest()


def record(
    session: Session,
    *,
    event_type: str,
    action: str = "E",
    outcome: Outcome = "success",
    principal: Principal | None = None,
    actor_id: str | None = None,
    actor_role: str | None = None,
    patient_id: str | None = None,
    entity_type: str | None = None,
    entity_id: str | int | None = None,
    source_ip: str | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Record an event in the session's transaction (who, what, when, from where, outcome, whose data).

    The event is kept with the session and chained when the transaction commits (`_append_at_commit`):
    it commits with the work it describes or not at all. Until then it has no place in the chain (no
    sequence, no hash). `action` is a FHIR code (C R U D E) or a policy action name; `detail` must never
    hold medical content.
    """
    if action not in ACTION_CODES:
        action = action_code(action)
    if principal is not None:
        actor_id = actor_id or principal.user_id
        actor_role = actor_role or principal.role.value
        source_ip = source_ip or principal.source_ip
    event = AuditEvent(
        id=new_id(),
        recorded_at=utcnow(),
        event_type=event_type[:60],
        action=action,
        outcome=outcome,
        actor_id=actor_id,
        actor_role=actor_role,
        patient_id=patient_id,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id)[:64],
        source_ip=(source_ip or None) and source_ip[:64],
        detail=(detail or None) and detail[:500],
        previous_hash="",
        hash="",
    )
    if not session.in_transaction():
        session.begin()  # the events belong to this transaction: dropped if it ends without a commit
    session.info.setdefault(PENDING_EVENTS, []).append(event)
    return event


# Appending at commit --------------------------------------------------------------------------------------
# The chain has one end (the `audit_head` row), so appends are one at a time. Taking the head when an event
# is recorded (early in a request) held it until the request's commit, so audited requests ran one after
# the other for their whole length, each holding a pooled connection while it waited (issue 17: 2 req/s at
# 64 connections). The events of a transaction are therefore kept with the session and appended as the
# last step before COMMIT: the request's own changes are flushed first, then the head row is taken (an
# UPDATE: PostgreSQL locks the row until COMMIT, from any process; SQLite takes its single write lock), the
# events are numbered, hashed and inserted, the head is moved, and the transaction commits. The head is
# held for a few statements and the COMMIT, not for the request.

PENDING_EVENTS = "onconav.audit.pending_events"


@orm_events.listens_for(Session, "before_commit")
def _append_at_commit(session: Session) -> None:
    """Chain and insert the events recorded in this transaction, just before it commits."""
    pending: list[AuditEvent] | None = session.info.pop(PENDING_EVENTS, None)
    if not pending:
        return
    session.flush()  # the request's own work first: the head is then held only for the append
    append_events(session, pending)


@orm_events.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends without committing (rolled back, closed) drops the events it recorded."""
    if transaction.parent is None:
        session.info.pop(PENDING_EVENTS, None)


def append_events(session: Session, events: list[AuditEvent]) -> None:
    """Take the head of the chain, append `events` after it in order, and move the head (same transaction)."""
    head = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(sequence=AuditHead.sequence + len(events))
        .returning(AuditHead.sequence, AuditHead.hash)
    ).first()
    if head is None:  # a database made without the migration's first row
        session.add(AuditHead(id=HEAD_ID, sequence=0, hash=GENESIS_HASH))
        session.flush()
        append_events(session, events)
        return
    last_sequence, previous_hash = head
    key = derive_secret("audit")
    for sequence, event in enumerate(events, start=last_sequence - len(events) + 1):
        event.sequence = sequence
        event.previous_hash = previous_hash
        event.hash = seal(key, previous_hash, event)
        previous_hash = event.hash
        _checkpoint_after_commit(session, sequence, event.hash)
    session.add_all(events)
    session.flush()
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=previous_hash))


@dataclass
class VerifyReport:
    """What `verify` found: the number of events checked and each break in the chain."""

    events: int = 0
    problems: list[str] = field(default_factory=list)
    checkpoint: Checkpoint | None = None  # the newest signed checkpoint the log was compared with

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(session: Session, *, batch: int = 1000) -> VerifyReport:
    """Walk the whole chain in order and report every event that does not follow from the one before."""
    key = derive_secret("audit")
    report = VerifyReport()
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.sequence).execution_options(yield_per=batch)
    ).scalars()
    for event in rows:
        report.events += 1
        if event.sequence != expected_sequence:
            report.problems.append(
                f"event {expected_sequence} is missing (the next one is {event.sequence})"
                if event.sequence > expected_sequence
                else f"event {event.sequence} is out of order"
            )
        if event.previous_hash != previous_hash:
            report.problems.append(f"event {event.sequence} does not follow the event before it")
        if not hmac.compare_digest(seal(key, event.previous_hash, event), event.hash):
            report.problems.append(f"event {event.sequence} was changed after it was recorded")
        previous_hash = event.hash
        expected_sequence = event.sequence + 1
    head = session.get(AuditHead, HEAD_ID)
    head_sequence = head.sequence if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    if head_sequence != expected_sequence - 1 or head_hash != previous_hash:
        report.problems.append(
            f"the chain ends at event {expected_sequence - 1} but its head says {head_sequence}: "
            "events were removed or added outside onconav"
        )
    _compare_with_checkpoint(session, report)
    return report


def events_for_patient(
    session: Session, *, patient_id: str, limit: int = 100, before_sequence: int | None = None
) -> list[AuditEvent]:
    """The newest events about one patient's data (for the patient's "who accessed my data" page)."""
    query = select(AuditEvent).where(AuditEvent.patient_id == patient_id)
    if before_sequence is not None:
        query = query.where(AuditEvent.sequence < before_sequence)
    return list(session.scalars(query.order_by(AuditEvent.sequence.desc()).limit(limit)))


def iter_all(session: Session) -> Iterator[AuditEvent]:
    """Every event in chain order (exports)."""
    yield from session.execute(
        select(AuditEvent).order_by(AuditEvent.sequence).execution_options(yield_per=1000)
    ).scalars()


# Checkpoints: the head anchored outside the database ----------------------------------------------------
# Deleting the newest events and moving the head back leaves a chain that is consistent in itself; only
# something kept outside the database can tell. Every `audit_checkpoint_every` events, after the commit,
# and when `onconav serve` stops, the head (sequence and hash) is appended to a file of the data directory
# (mode 0600, opened for appending only), each line signed with an HMAC under a key derived from the
# keyring. `verify` compares the log with the newest line whose signature holds.


@dataclass(frozen=True)
class Checkpoint:
    """One signed line of the checkpoint file: the head of the log at a moment."""

    sequence: int
    hash: str
    written_at: str


def _checkpoint_mac(sequence: int, head_hash: str, written_at: str) -> str:
    message = f"{sequence}\n{head_hash}\n{written_at}".encode()
    return hmac.new(derive_secret("audit-checkpoint"), message, hashlib.sha256).hexdigest()


def _checkpoint_file() -> Path:
    from onconav.config import get_settings

    return get_settings().effective_audit_checkpoint_file


def write_checkpoint(sequence: int, head_hash: str) -> None:
    """Append a signed checkpoint of the head (sequence, hash) to the checkpoint file, flushed to disk."""
    path = _checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    written_at = utcnow().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    line = json.dumps(
        {
            "sequence": sequence,
            "hash": head_hash,
            "written_at": written_at,
            "mac": _checkpoint_mac(sequence, head_hash, written_at),
        },
        sort_keys=True,
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def checkpoint_head(session: Session) -> Checkpoint | None:
    """Write a checkpoint of the current head (at shutdown); None when the log is empty."""
    head = session.get(AuditHead, HEAD_ID)
    if head is None or head.sequence == 0:
        return None
    write_checkpoint(head.sequence, head.hash)
    return latest_checkpoint()[0]


def _checkpoint_after_commit(session: Session, sequence: int, head_hash: str) -> None:
    from onconav.config import get_settings

    every = get_settings().audit_checkpoint_every
    if every <= 0 or sequence % every:
        return
    # Only a committed head is anchored: a rolled-back event would look like a deletion.
    orm_events.listen(
        session, "after_commit", lambda _session: _safe_checkpoint(sequence, head_hash), once=True
    )


def _safe_checkpoint(sequence: int, head_hash: str) -> None:
    try:
        write_checkpoint(sequence, head_hash)
    except OSError as error:  # the request's work is committed; say so loudly, never fail it afterwards
        log.error("Could not write the audit checkpoint of event %s: %s", sequence, type(error).__name__)


def latest_checkpoint() -> tuple[Checkpoint | None, list[str]]:
    """The newest checkpoint whose signature holds, and a problem for each line that does not."""
    path = _checkpoint_file()
    if not path.exists():
        return None, []
    newest: Checkpoint | None = None
    problems: list[str] = []
    with open(path, encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                fields = json.loads(line)
                point = Checkpoint(int(fields["sequence"]), str(fields["hash"]), str(fields["written_at"]))
                valid = hmac.compare_digest(
                    _checkpoint_mac(point.sequence, point.hash, point.written_at), str(fields["mac"])
                )
            except (ValueError, KeyError, TypeError):
                valid = False
            if not valid:
                problems.append(f"checkpoint line {number} is damaged or not signed with this keyring")
                continue
            if newest is None or point.sequence > newest.sequence:
                newest = point
    return newest, problems


def _compare_with_checkpoint(session: Session, report: VerifyReport) -> None:
    point, problems = latest_checkpoint()
    report.problems.extend(problems)
    report.checkpoint = point
    if point is None:
        return
    anchored = session.scalar(select(AuditEvent.hash).where(AuditEvent.sequence == point.sequence))
    head = session.get(AuditHead, HEAD_ID)
    if anchored is None or (head is not None and head.sequence < point.sequence):
        report.problems.append(
            f"the checkpoint of {point.written_at} recorded {point.sequence} events but the log ends at "
            f"event {head.sequence if head else 0}: the newest events were deleted (the log was truncated)"
        )
    elif not hmac.compare_digest(anchored, point.hash):
        report.problems.append(
            f"event {point.sequence} differs from the checkpoint of {point.written_at}: the log was rewritten"
        )
