"""Helpers of the deployment tests: the environment a settings object came from, free ports, polling."""
from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any

from api.settings import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """The PENGKOM_* variables that give ``settings`` (for a subprocess or ``Settings.from_env()``)."""
    env = {"PENGKOM_DATA_DIR": str(settings.data_dir), "PENGKOM_PATHWAY_PLUGINS": settings.pathway_plugins}
    if settings.jwt_secret:
        env["PENGKOM_JWT_SECRET"] = settings.jwt_secret
    if settings.chain_signing_key_file:
        env["PENGKOM_CHAIN_SIGNING_KEY_FILE"] = settings.chain_signing_key_file
    if settings.database_url:
        env |= {"PENGKOM_DATABASE_URL": settings.database_url, "PENGKOM_PG_SCHEMA": settings.pg_schema}
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str, timeout: float = 5.0) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except OSError as e:
            last = e
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s (last: {last!r})")
