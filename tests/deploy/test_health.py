"""Health checks per service (issue 13): the projection worker answers on its own port — liveness,
lag and metrics — and ``pengkom probe`` turns any health URL into a container health check."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.cli import main
from api.ops import WorkerState, serve_worker_health
from projections.runner import Tracking
from tests.deploy.support import free_port, get_json, settings_env, wait_for
from tests.support.data import PK_AHLI_MUDA, PK_AHLI_PERTAMA, officer_body
from tests.support.record import T0, ctx, hr

ROOT = Path(__file__).resolve().parents[2]


def record_without_catch_up(services, nips: list[str]) -> int:
    """Record officers the way a bulk import would: into the log, no read model touched."""
    from datetime import date

    for i, nip in enumerate(nips):
        body = officer_body(nip)
        body["birth_date"] = date.fromisoformat(body["birth_date"])
        services.app.record(services.app.officers.register(ctx(hr(), T0, f"bulk-{i}"), **body))
    return int(services.app.recorder.max_notification_id() or 0)


def test_worker_state_liveness_stall_and_failure():
    state = WorkerState(stall_after=0.2)
    assert state.health() == (200, state.health()[1]) and state.health()[1]["status"] == "starting"
    behind = {"officers": Tracking("officers", 1, 10, False), "audit": Tracking("audit", 1, 12, False)}
    state.observe(ok=True, head=12, tracking=behind, leader=True)
    status, body = state.health()
    assert status == 200 and body["status"] == "ok" and body["leader"] and body["max_lag"] == 2
    assert state.lag_document()["projection_lag"] == {"audit": 0, "officers": 2}
    time.sleep(0.3)
    state.observe(ok=True, head=12, tracking=behind, leader=True)  # leading, behind, and nothing advanced
    status, body = state.health()
    assert status == 503 and body["status"] == "stalled" and "2 events behind" in body["detail"]
    state.observe(ok=True, head=12, tracking={n: Tracking(n, 1, 12, False) for n in behind}, leader=True)
    status, body = state.health()
    assert status == 200 and body["events_advanced"] == 2 and body["max_lag"] == 0
    # Standing by while another process leads: healthy, whatever the lag.
    time.sleep(0.3)
    state.observe(ok=True, head=20, tracking={n: Tracking(n, 1, 12, False) for n in behind}, leader=False)
    assert state.health()[1]["status"] == "standby" and state.health()[0] == 200
    # The store away: failing, with the reason; back: healthy again.
    state.observe(ok=False, error="OperationalError")
    status, body = state.health()
    assert status == 503 and body["status"] == "failing" and "OperationalError" in body["error"]
    state.observe(ok=True, head=20, tracking={n: Tracking(n, 1, 20, False) for n in behind}, leader=True)
    assert state.health()[0] == 200
    assert "pengkom_projection_lag_events" in state.metrics() and "pengkom_worker_up 1" in state.metrics()
    # The loop itself stopped looking: stalled.
    time.sleep(0.3)
    status, body = state.health()
    assert status == 503 and "has not looked at the store" in body["detail"]


def test_probe_exit_codes(capsys):
    state = WorkerState(stall_after=60)
    server = serve_worker_health(state, "127.0.0.1", 0)
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        assert main(["probe", f"{url}/health"]) == 0
        state.observe(ok=False, error="RuntimeError")
        assert main(["probe", f"{url}/health"]) == 1
        assert "UNHEALTHY" in capsys.readouterr().out
        assert main(["probe", f"{url}/nothing"]) == 1
    finally:
        server.shutdown()
        server.server_close()
    assert main(["probe", f"http://127.0.0.1:{free_port()}/health", "--timeout", "1"]) == 1
    assert "does not answer" in capsys.readouterr().out


def test_probe_does_not_import_the_application():
    """The container health check runs `pengkom probe` every 10 s with 4 s allowed: importing the
    application took over 3.5 s on the busy 2-core machine, and healthy replicas were marked unhealthy
    (found by `make deploy-test`). The probe imports no web framework, database driver or application."""
    code = ("import sys; from api.cli import main; main(['probe', sys.argv[1], '--timeout', '1']); "
            "print(sorted(m for m in ('litestar', 'core.application', 'api.bootstrap', 'psycopg', 'uvicorn') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code, f"http://127.0.0.1:{free_port()}/ready"], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "does not answer" in r.stdout and r.stdout.strip().endswith("[]"), r.stdout


def test_the_worker_serves_its_liveness_and_lag_on_its_own_port(services, settings):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PENGKOM_")} | settings_env(settings)
    worker = subprocess.Popen([sys.executable, "-m", "api.cli", "follow", "--interval", "0.2", "--health-port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: get_json(f"{base}/health")[1]["leader"], 60, "the worker leading")
        before = int(services.app.recorder.max_notification_id() or 0)
        head = record_without_catch_up(services, [PK_AHLI_PERTAMA, PK_AHLI_MUDA])
        lag = wait_for(lambda: (d := get_json(f"{base}/lag")[1])["log_position"] == head and d["max_lag"] == 0 and d, 60,
                       "the worker applying the new events")
        assert set(lag["projection_lag"]) == set(services.projector.tracking()) and lag["stopped"] == {} and lag["leader"]
        status, health = get_json(f"{base}/health")
        assert status == 200 and health["status"] == "ok" and health["events_advanced"] == head - before
        assert min(t.position for t in services.projector.tracking().values()) == head  # the worker applied them
        assert subprocess.run([sys.executable, "-m", "api.cli", "probe", f"{base}/health"], cwd=ROOT, env=env,
                              capture_output=True).returncode == 0
        # `docker stop` sends SIGTERM: the worker leaves its loop and exits 0.
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    err = worker.stderr.read() if worker.stderr else ""
    assert f"health on http://127.0.0.1:{port}/health" in err


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_api_health_routes_answer_without_a_token(api, path):
    # The API replicas' container health check probes /ready (200 unless the store fails or a read
    # model stopped); /health is plain liveness. Both answer anonymous callers.
    assert api.get(path).status_code == 200


def test_the_compose_replicas_stand_by_for_the_worker():
    """docker/compose.yaml: the worker applies the log; the API replicas (PENGKOM_PROJECTOR=standby)
    start no projector process of their own and lead only while the worker is down."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert [services[s]["environment"].get("PENGKOM_PROJECTOR") for s in ("api1", "api2", "worker")] == ["standby", "standby", None]
    assert "pengkom follow" in " ".join(services["worker"]["command"])
