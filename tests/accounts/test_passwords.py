"""Argon2id hashes with the configured cost; leaked, trivial and personal passwords are refused."""

from __future__ import annotations

import pytest

from onconav.accounts import passwords
from onconav.config import get_settings
from onconav.errors import InvalidInput


def test_default_cost_is_argon2id_64_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONCONAV_ARGON2_MEMORY_KIB")
    monkeypatch.delenv("ONCONAV_ARGON2_TIME_COST")
    get_settings.cache_clear()
    digest = passwords.hash_password("a long and unusual passphrase")
    assert digest.startswith("$argon2id$v=19$m=65536,t=3,p=1$")
    assert passwords.verify_password(digest, "a long and unusual passphrase")
    assert not passwords.verify_password(digest, "a long and unusual passphrasE")
    # Two hashes of one password differ (random salt).
    assert passwords.hash_password("a long and unusual passphrase") != digest


def test_missing_hash_never_verifies() -> None:
    assert not passwords.verify_password(None, "anything at all here")


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "qwerty123456",
        "1qaz2wsx3edc",
        "Q1W2E3R4T5Y6",
        "aaaaaaaaaaaaaaa",
        "abcdefghijklmnop",
        "x" * 129,
    ],
)
def test_short_common_keyboard_repeated_or_overlong_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput):
        passwords.check_password_policy(password)


def test_a_password_made_of_the_users_email_is_refused() -> None:
    with pytest.raises(InvalidInput):
        passwords.check_password_policy("maria.gonzalez1987", user_inputs=("maria.gonzalez1987@example.org",))


@pytest.mark.parametrize("password", ["correct horse battery staple 42", "Vk8#pQ2!zr9Lm4"])
def test_long_passphrases_and_random_passwords_are_accepted(password: str) -> None:
    passwords.check_password_policy(password)
