"""The suite's shared fixtures live in tests/support and are registered here, once: each folder's
conftest.py holds only what is its own. Run it all with `python -m pytest -n 2 --dist loadfile`.
"""

pytest_plugins = [
    "tests.support.data",
    "tests.support.databases",
    "tests.support.web",
    "tests.support.accounts",
    "tests.support.mailbox",
    "tests.support.browser",
]
