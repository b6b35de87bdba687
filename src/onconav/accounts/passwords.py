"""Password hashing (Argon2id) and the password policy: long enough, not trivial, not known breached.

Breached passwords: the 30,000 most common leaked passwords shipped inside the `zxcvbn` package (offline),
matched case-insensitively; trivial ones: zxcvbn's guessability score below 3, which also catches
passwords made of the user's own e-mail or name.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from onconav.config import get_settings
from onconav.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3


@cache
def _hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
    )


def hasher() -> PasswordHasher:
    """The Argon2id hasher with the configured cost."""
    settings = get_settings()
    return _hasher(settings.argon2_memory_kib, settings.argon2_time_cost)


def hash_password(password: str) -> str:
    """The Argon2id hash (PHC string, random salt) of `password`."""
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash is verified against a dummy to take the same time."""
    if password_hash is None:
        password_hash = _dummy_hash()
        password = password + "\x00never"
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return hash_password("onconav dummy password for timing")


@cache
def _breached() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def check_password_policy(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Raise InvalidInput, with what would be accepted, when `password` may not be used."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("Use a password of at least %(length)s characters.", length=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise InvalidInput("Use a password of at most %(length)s characters.", length=MAX_LENGTH)
    if password.lower() in _breached():
        raise InvalidInput(
            "This password appears in lists of leaked passwords; choose another one, such as a few "
            "unrelated words."
        )
    from zxcvbn import zxcvbn

    inputs = [part for value in user_inputs for part in (value, *value.replace("@", " ").split())]
    # zxcvbn's cost grows with length; the first 64 characters decide the score well enough.
    if zxcvbn(password[:64], user_inputs=inputs)["score"] < MIN_SCORE:
        raise InvalidInput(
            "This password is too easy to guess; add more unrelated words or characters, and avoid your "
            "name or e-mail address."
        )
