"""The suite's shared fixtures live in tests/support and are registered here, once: each folder's
conftest.py holds only what is its own. Run it all with `python -m pytest -n 2 --dist loadfile`.
"""

import os

pytest_plugins = [
    "tests.support.data",
    "tests.support.databases",
    "tests.support.web",
    "tests.support.accounts",
    "tests.support.mailbox",
    "tests.support.browser",
]

# The server's answer cache is off for the suite: many tests search, change the directory through its
# services (not over HTTP, which would empty the cache) and search again. tests/web/test_answer_cache.py turns
# it on; set the variable to run the whole suite with it on.
os.environ.setdefault("ONCONAV_ANSWER_CACHE_ENTRIES", "0")
