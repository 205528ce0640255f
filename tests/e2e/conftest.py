"""Each end-to-end test answers for the sockets it leaves open: garbage is collected after it, so that an
unclosed connection is reported against the test that left it, not a later one."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def collected_after() -> Iterator[None]:
    yield
    gc.collect()
