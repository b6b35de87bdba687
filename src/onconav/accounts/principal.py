"""Who is asking: the small immutable Principal every route receives from `onconav.web.dependencies`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from onconav.accounts.roles import ConsentScope, Role

READ_ACTIONS = frozenset({"read", "list", "count", "export", "read_access_log"})


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user as the policy sees them.

    `acting_for` maps each patient id that consented to this user as caregiver to the granted scopes
    (`read`, `write`); `token_scopes` is None for a browser session or sign-in token, else the scopes of
    the integration token used. `session_id` / `token_id` name the credential used; `source_ip` is where
    the request came from (for the audit log); `proved_at` is when the credential last proved who it is
    interactively (a browser's sign-in or step-up, a sign-in token's issue; None for integration tokens).
    """

    user_id: str
    role: Role
    practitioner_id: int | None = None
    organization_id: int | None = None
    acting_for: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    token_scopes: frozenset[str] | None = None
    second_factor: bool = False
    session_id: str | None = None
    token_id: str | None = None
    source_ip: str | None = None
    proved_at: datetime | None = None

    @property
    def is_patient(self) -> bool:
        return self.role is Role.patient

    def is_self(self, user_id: str) -> bool:
        """True when `user_id` is this principal's own account."""
        return self.user_id == user_id

    def may_act_for(self, patient_id: str, action: str) -> bool:
        """True when the patient's consent covers `action` (read-like actions need `read`, others `write`)."""
        scopes = self.acting_for.get(patient_id)
        if not scopes:
            return False
        if action in READ_ACTIONS:
            return ConsentScope.read in scopes or ConsentScope.write in scopes
        return ConsentScope.write in scopes

    @property
    def is_integration(self) -> bool:
        """True when the request came with an integration token (a script, never a person at a browser)."""
        return self.token_scopes is not None

    def token_allows(self, action: str) -> bool:
        """True when the credential used (integration token scopes) covers `action`."""
        if self.token_scopes is None:
            return True
        needed = "read" if action in READ_ACTIONS else "write"
        return needed in self.token_scopes


def freeze_grants(grants: Mapping[str, set[str] | frozenset[str]]) -> Mapping[str, frozenset[str]]:
    """An immutable copy of patient id -> scopes."""
    return MappingProxyType({patient: frozenset(scopes) for patient, scopes in grants.items()})
