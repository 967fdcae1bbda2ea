"""Settings shared by every test module.

The result cache of the runs the tests make (in-process or in subprocesses, which inherit
the environment) goes to one temporary directory for the session, not into the working
directory of each test or the checkout.  Tests of the cache's own location unset
SHAPELINT_CACHE_DIR themselves.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_cache_dir(tmp_path_factory):
    saved = os.environ.get("SHAPELINT_CACHE_DIR")
    os.environ["SHAPELINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("shapelint_cache"))
    yield
    if saved is None:
        os.environ.pop("SHAPELINT_CACHE_DIR", None)
    else:
        os.environ["SHAPELINT_CACHE_DIR"] = saved
