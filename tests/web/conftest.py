"""Fixtures for the web tests: the app served for real (`live_server`, tests/conftest.py) and Debian's
Chromium driven by Playwright (`chromium`, tests/conftest.py, shared by every browser test of a run).
"""
