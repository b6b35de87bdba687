"""The one access policy: every access to every protected object is decided here. Default deny.

How to use it (from any domain's routes or services):

    from onconav.accounts import policy
    policy.authorize(session, principal, "read", case)      # raises NotFound / Forbidden, audits
    if policy.permits(session, principal, "read", case): ...  # a yes/no, no audit (e.g. to show a button)

Actions: read, list, count, export, create, update, delete (and any domain-specific verb; verbs not in
`READ_ACTIONS` count as changes for consent and token scopes). `resource` is an ORM object or a small
dataclass (such as `PatientData(patient_id)` for "this patient's data as a whole", used to create or list).

How a domain adds its objects (the cases domain registers case, document, message, opinion this way):

    @policy.rule(Case, entity_type="case", patient_of=lambda case: case.patient_id)
    def case_rule(session, principal, action, case) -> bool:
        return policy.patient_or_consented_caregiver(principal, case.patient_id, action) or ...

Name the module holding a domain's rules in `RULE_MODULES` below (one line per domain): it is imported
before the first decision. Several rules for one type are OR-ed; a type with no rule
is denied to everyone. `authorize`:
1. denies when the credential's scopes (integration tokens) do not cover the action;
2. asks the rules; when they allow, writes a success audit event (in the caller's transaction);
3. when they deny, answers NotFound if the caller may not even read the object (its existence is not
   revealed), else Forbidden; the request's transaction is rolled back and a "denied" audit event is
   committed on its own, so the attempt is on record even though the request fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from onconav.accounts import audit
from onconav.accounts.models import ApiToken as ApiTokenModel
from onconav.accounts.models import AuditEvent, CaregiverGrant, User, WebSession
from onconav.accounts.principal import READ_ACTIONS, Principal
from onconav.errors import Forbidden, NotFound

T = TypeVar("T")
Rule = Callable[[Session, Principal | None, str, Any], bool]


@dataclass(frozen=True)
class PatientData:
    """A patient's data as a whole: the resource for listing, counting or creating under a patient."""

    patient_id: str


@dataclass(frozen=True)
class Registration:
    """The rules of one resource type and how to audit it."""

    entity_type: str
    patient_of: Callable[[Any], str | None]
    entity_id_of: Callable[[Any], str | int | None]
    rules: tuple[Rule, ...]


_REGISTRY: dict[type, Registration] = {}


def register(
    resource_type: type[T],
    check: Callable[[Session, Principal | None, str, T], bool],
    *,
    entity_type: str,
    patient_of: Callable[[T], str | None],
    entity_id_of: Callable[[T], str | int | None] | None = None,
) -> None:
    """Add a rule for `resource_type` (OR-ed with the rules already there)."""
    existing = _REGISTRY.get(resource_type)
    rules = (*existing.rules, check) if existing else (check,)
    _REGISTRY[resource_type] = Registration(
        entity_type=entity_type,
        patient_of=patient_of,
        entity_id_of=entity_id_of or (lambda obj: getattr(obj, "id", None)),
        rules=rules,
    )


def rule(
    resource_type: type[T],
    *,
    entity_type: str,
    patient_of: Callable[[T], str | None],
    entity_id_of: Callable[[T], str | int | None] | None = None,
) -> Callable[[Callable[[Session, Principal | None, str, T], bool]], Callable[..., bool]]:
    """Decorator form of `register`."""

    def decorate(check: Callable[[Session, Principal | None, str, T], bool]) -> Callable[..., bool]:
        register(
            resource_type, check, entity_type=entity_type, patient_of=patient_of, entity_id_of=entity_id_of
        )
        return check

    return decorate


def registered_types() -> list[type]:
    """Every resource type with at least one rule (for tests and docs)."""
    load_rules()
    return list(_REGISTRY)


# Modules holding other domains' rules, imported before the first decision (one line per domain), e.g.
# "onconav.cases.access" for case, document, message and opinion.
RULE_MODULES: tuple[str, ...] = ("onconav.cases.access", "onconav.care.access", "onconav.quotes.access")
_loaded = False


def load_rules() -> None:
    """Import every module of RULE_MODULES once, so their @policy.rule registrations are in place."""
    global _loaded
    if not _loaded:
        import importlib

        for module in RULE_MODULES:
            importlib.import_module(module)
        _loaded = True


def _registration(resource: object) -> Registration | None:
    load_rules()
    for klass in type(resource).__mro__:
        found = _REGISTRY.get(klass)
        if found is not None:
            return found
    return None


def _rules_allow(session: Session, principal: Principal | None, action: str, resource: object) -> bool:
    registration = _registration(resource)
    if registration is None:
        return False
    return any(check(session, principal, action, resource) for check in registration.rules)


def permits(session: Session, principal: Principal | None, action: str, resource: object) -> bool:
    """True when `principal` may do `action` on `resource`; no audit event (use `authorize` to act)."""
    if principal is not None and not principal.token_allows(action):
        return False
    return _rules_allow(session, principal, action, resource)


def authorize(
    session: Session,
    principal: Principal | None,
    action: str,
    resource: object,
    *,
    audit_success: bool = True,
    detail: str | None = None,
) -> None:
    """Allow `action` on `resource` or raise NotFound/Forbidden; audits both outcomes (see module doc)."""
    registration = _registration(resource)
    entity_type = registration.entity_type if registration else type(resource).__name__.lower()
    patient_id = registration.patient_of(resource) if registration else None
    entity_id = registration.entity_id_of(resource) if registration else None
    if permits(session, principal, action, resource):
        if audit_success:
            audit.record(
                session,
                event_type=f"{entity_type}.{action}",
                action=action,
                principal=principal,
                patient_id=patient_id,
                entity_type=entity_type,
                entity_id=entity_id,
                detail=detail,
            )
        return
    # Forbidden only to whoever may read the object anyway; everyone else must not learn it exists.
    may_know = action not in READ_ACTIONS and _rules_allow(session, principal, "read", resource)
    # Nothing of the request is kept; the denied attempt is, in a transaction of its own.
    audit.record_in_own_transaction(
        session,
        event_type=f"{entity_type}.{action}",
        action=action,
        outcome="denied",
        principal=principal,
        patient_id=patient_id,
        entity_type=entity_type,
        entity_id=entity_id,
    )
    if may_know:
        raise Forbidden("You may not do this.")
    raise NotFound("Not found.")


def missing(session: Session, principal: Principal | None, *, entity_type: str, entity_id: str) -> NotFound:
    """The answer to an id that names nothing: the same NotFound as for an object the caller may not know
    of, and a "denied" audit event (committed on its own, like a denial), since a miss may be a guess."""
    audit.record_in_own_transaction(
        session,
        event_type=f"{entity_type}.lookup",
        action="R",
        outcome="denied",
        principal=principal,
        entity_type=entity_type,
        entity_id=entity_id[:64],
        detail="unknown id",
    )
    return NotFound("Not found.")


# ---- Building blocks for rules -------------------------------------------------------------------


def patient_or_consented_caregiver(principal: Principal | None, patient_id: str | None, action: str) -> bool:
    """The patient themself, or a caregiver whose consent from that patient covers `action`."""
    if principal is None or patient_id is None:
        return False
    return principal.is_self(patient_id) or principal.may_act_for(patient_id, action)


# ---- The accounts domain's own objects -----------------------------------------------------------


@rule(
    PatientData,
    entity_type="patient",
    patient_of=lambda data: data.patient_id,
    entity_id_of=lambda d: d.patient_id,
)
def _patient_data(session: Session, principal: Principal | None, action: str, data: PatientData) -> bool:
    if action in {"read_access_log", "manage_consent"}:
        return principal is not None and principal.is_self(data.patient_id)
    return patient_or_consented_caregiver(principal, data.patient_id, action)


def _patient_of_user(user: User) -> str | None:
    return user.id if user.role == "patient" else None


@rule(User, entity_type="user", patient_of=_patient_of_user)
def _user_account(session: Session, principal: Principal | None, action: str, user: User) -> bool:
    if principal is None or user.deleted_at is not None:
        return False
    if principal.is_self(user.id):
        return True
    if principal.role == "admin":
        return action in {"read", "list", "update"}  # an administrator disables accounts, never deletes
    return action == "read" and principal.may_act_for(user.id, "read")


@rule(CaregiverGrant, entity_type="consent", patient_of=lambda grant: grant.patient_id)
def _caregiver_grant(
    session: Session, principal: Principal | None, action: str, grant: CaregiverGrant
) -> bool:
    if principal is None:
        return False
    if principal.is_self(grant.patient_id):
        return True
    # The caregiver sees the grant and may end it, never widen it.
    mine = grant.caregiver_id is not None and principal.is_self(grant.caregiver_id)
    return mine and action in {"read", "delete"}


@rule(WebSession, entity_type="session", patient_of=lambda _session: None)
def _web_session(session: Session, principal: Principal | None, action: str, web_session: WebSession) -> bool:
    return principal is not None and principal.is_self(web_session.user_id) and principal.token_scopes is None


@rule(ApiTokenModel, entity_type="api_token", patient_of=lambda _token: None)
def _api_token(session: Session, principal: Principal | None, action: str, token: ApiTokenModel) -> bool:
    return principal is not None and principal.is_self(token.user_id) and principal.token_scopes is None


@rule(AuditEvent, entity_type="audit_event", patient_of=lambda event: event.patient_id)
def _audit_event(session: Session, principal: Principal | None, action: str, event: AuditEvent) -> bool:
    return (
        principal is not None
        and action == "read"
        and event.patient_id is not None
        and principal.is_self(event.patient_id)
    )
