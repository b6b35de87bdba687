"""Accounts tests: every test has a keyring of its own and cheap Argon2 (the real cost is checked in
test_passwords). The database (`engine`, `factory`), the app (`client`) and the users (`make_account`,
`patient`..., `bearer`, `sign_in`) come from tests/support.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def own_keyring(accounts_settings: Path) -> Path:
    """`accounts_settings` for every test (test_api_fuzz replaces it with one keyring for its module)."""
    return accounts_settings
