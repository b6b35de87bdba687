"""Fixtures for the web tests: `live_server` and `chromium` are in tests/conftest.py (one Playwright per
test process, shared by every test folder).
"""
