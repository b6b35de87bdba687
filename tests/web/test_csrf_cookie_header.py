"""The CSRF cookie's Set-Cookie value is written without SimpleCookie on every request: the same text."""

from __future__ import annotations

import secrets

import pytest

from onconav.web import csrf


@pytest.mark.parametrize("secure", [False, True])
def test_the_cookie_header_is_what_simple_cookie_writes(secure: bool) -> None:
    scope = {
        "type": "http",
        "scheme": "https" if secure else "http",
        "server": ("example.org", 443) if secure else ("127.0.0.1", 8000),
        "path": "/",
        "query_string": b"",
        "headers": [(b"host", b"example.org" if secure else b"127.0.0.1:8000")],
    }
    assert csrf.cookie_is_secure(scope) is secure
    for _ in range(500):
        value = secrets.token_urlsafe(32)
        assert csrf._cookie_header(value, scope) == csrf._simple_cookie_header(value, secure)
