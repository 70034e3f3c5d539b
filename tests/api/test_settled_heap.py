"""A serving process settles its heap once started (api/bootstrap.py ``settle_heap``): what is alive then is
frozen out of the cyclic collector, so a full collection under load walks only what requests made (README
"Command benchmark": 65–80 ms → 5 ms per full collection). Apps built by tests are left as they are."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite runs with its heap as it was


def test_a_serving_app_freezes_what_is_alive_once_started(services: Any, unfrozen: None) -> None:
    app = create_app(services, serving=True)
    assert gc.get_freeze_count() == 0
    with TestClient(app) as client:
        assert gc.get_freeze_count() > 10_000  # modules, routes, rule tables: the process's lasting heap
        held = gc.get_freeze_count()
        assert client.get("/health").status_code == 200
        assert gc.get_freeze_count() <= held  # settled once, at start, not per request (frozen objects may still be freed)


def test_an_app_built_for_tests_leaves_the_collector_alone(services: Any, unfrozen: None) -> None:
    with TestClient(create_app(services)) as client:
        assert client.get("/health").status_code == 200
        assert gc.get_freeze_count() == 0
