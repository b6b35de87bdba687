"""The suite's shared machinery, registered once as pytest plugins by tests/conftest.py: databases on both
backends, the app and its clients, users of every role, Chromium, a live server, a mailbox, the datasets.

Tests import helpers from here (`from tests.support.accounts import Account, bearer`), never from a conftest.
"""
