"""TOTP against the RFC 6238 test vectors (SHA-1, last six digits), drift, and single use."""

from __future__ import annotations

import base64

import pytest

from onconav.accounts import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "287082"),
        (1111111109, "081804"),
        (1111111111, "050471"),
        (1234567890, "005924"),
        (2000000000, "279037"),
    ],
)
def test_codes_match_the_rfc_6238_test_vectors(unix_time: int, code: str) -> None:
    assert totp.code_at(RFC_SECRET, totp.current_step(unix_time)) == code


def test_a_code_is_accepted_once_and_up_to_one_step_late() -> None:
    now = 1234567890.0
    step = totp.current_step(now)
    assert totp.matching_step(RFC_SECRET, "005924", after_step=None, now=now) == step
    assert totp.matching_step(RFC_SECRET, "005924", after_step=step, now=now) is None  # used once already
    previous = totp.code_at(RFC_SECRET, step - 1)
    assert totp.matching_step(RFC_SECRET, previous, after_step=None, now=now) == step - 1
    assert (
        totp.matching_step(RFC_SECRET, totp.code_at(RFC_SECRET, step - 2), after_step=None, now=now) is None
    )
    assert totp.matching_step(RFC_SECRET, "005 924", after_step=None, now=now) == step  # as apps show it
    assert totp.matching_step(RFC_SECRET, "abcdef", after_step=None, now=now) is None


def test_provisioning_uri_names_onconav_and_the_account() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, "ana@example.org")
    assert uri.startswith("otpauth://totp/onconav%3Aana%40example.org?secret=")
    assert len(totp.new_secret()) == 32
