"""TOTP against the RFC 6238 test vectors (SHA-1, last six digits), drift, and single use."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import segno
from fastapi.testclient import TestClient

from onconav.accounts import second_factor, totp
from tests.support.accounts import Account, csrf_of

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


def test_the_key_is_shown_in_groups_of_four() -> None:
    assert second_factor.key_groups("ABCDEFGHIJ") == ["ABCD", "EFGH", "IJ"]
    assert "".join(second_factor.key_groups(RFC_SECRET)) == RFC_SECRET


def _dark_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules a segno SVG path draws: "M x y" moves, "m dx dy" moves by, "h n" draws n modules."""
    path = re.search(r'stroke="#000" d="([^"]+)"', svg)
    assert path is not None, svg[:300]
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.group(1)):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            dark.update((int(x) + i, int(y)) for i in range(int(float(first))))
            x += float(first)
    return dark


def _expected_modules(uri: str, border: int = 4) -> set[tuple[int, int]]:
    matrix = segno.make(uri, error="m").matrix
    return {
        (col + border, row + border) for row, line in enumerate(matrix) for col, bit in enumerate(line) if bit
    }


def test_enrolment_shows_a_qr_code_of_the_otpauth_link_with_the_key_and_issuer(
    client: TestClient, make_account: Callable[..., Account]
) -> None:
    staff = make_account("coordinator", second_factor=False)
    client.post(
        "/sign-in",
        data={"email": staff.email, "password": staff.password, "csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    page = client.get("/account/second-factor")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    shown = page.text.split('id="totp-secret"')[1].split("</code>")[0]
    groups = re.findall(r"<span>([A-Z2-7]+)</span>", shown)
    assert all(len(group) == 4 for group in groups[:-1])
    secret = "".join(groups)
    uri = totp.provisioning_uri(secret, staff.email)
    query = parse_qs(urlparse(uri).query)
    assert query["secret"] == [secret] and query["issuer"] == ["onconav"]
    assert unquote(urlparse(uri).path) == f"/onconav:{staff.email}"
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>") + len("</svg>")]
    assert 'role="img"' in svg and "<title>QR code for your authenticator app" in svg
    assert "style" not in svg and "<script" not in svg  # the Content-Security-Policy allows neither inline
    assert _dark_modules(svg) == _expected_modules(uri)
    assert _dark_modules(svg) != _expected_modules(totp.provisioning_uri(totp.new_secret(), staff.email))
