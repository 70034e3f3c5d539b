"""Several processes starting together on a fresh store (two API replicas and a projection worker,
as docker/compose.yaml runs them) all come up: schema set-up takes turns instead of colliding."""
from __future__ import annotations

import threading

from api.bootstrap import build


def test_concurrent_start_ups_on_a_fresh_store_all_succeed(settings):
    errors: list[BaseException] = []
    built = []
    gate = threading.Barrier(4)

    def start() -> None:
        try:
            gate.wait()
            built.append(build(settings))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert len(built) == 4
        assert {tuple(sorted(s.projector.positions())) for s in built} == {tuple(sorted(built[0].projector.positions()))}
    finally:
        for s in built:
            s.close()
