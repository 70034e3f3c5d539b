"""A pytest plugin that records, per operationId, the first 2xx JSON request/answer seen through the test
client — the source of the OpenAPI examples (api/openapi_examples.json).

    PYTHONPATH=tests/support PENGKOM_CAPTURE=/tmp/captured.json .venv/bin/python -m pytest -p capture_examples \
        -k "not postgres" tests/api/test_planning_flow.py tests/api/test_evaluation_flow.py …
    .venv/bin/python -m tests.support.capture_examples /tmp/captured.json   # adds the missing ones to api/openapi_examples.json

Examples already in the file are kept: only operations without one get the captured pair (trimmed: lists
to two items, long texts shortened).
"""
import json
import os
import re
import sys
from pathlib import Path

from litestar.testing import TestClient

OUT = os.environ.get("PENGKOM_CAPTURE", "/tmp/pengkom-captured.json")
EXAMPLES = Path(__file__).resolve().parents[2] / "api" / "openapi_examples.json"
_seen = json.load(open(OUT)) if os.path.exists(OUT) else {}
_routes = None
_orig = TestClient.request


def _templates(client):
    global _routes
    if _routes is None:
        r = _orig(client, "GET", "/schema/openapi.json")
        doc = r.json()
        _routes = []
        for path, item in doc["paths"].items():
            rx = re.compile("^" + re.sub(r"\\\{\w+\\\}", r"[^/]+", re.escape(path.rstrip("/"))) + "/?$")
            for m, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    _routes.append((m.upper(), rx, op["operationId"], path.count("{")))
        _routes.sort(key=lambda t: t[3])
    return _routes


def request(self, method, url, *a, **kw):
    r = _orig(self, method, url, *a, **kw)
    try:
        if 200 <= r.status_code < 300:
            path = r.request.url.path
            for m, rx, oid, _ in _templates(self):
                if m == method.upper() and rx.match(path):
                    ct = r.headers.get("content-type", "")
                    if oid not in _seen and "json" in ct:
                        body = kw.get("json")
                        if body is None and kw.get("content") is not None:
                            try:
                                body = json.loads(kw["content"])
                            except ValueError:
                                body = None
                        _seen[oid] = {"status": r.status_code, "url": str(r.request.url), "request": body, "response": r.json()}
                    break
    except Exception as e:
        print("capture failed", e)
    return r


TestClient.request = request


def pytest_sessionfinish(session, exitstatus):
    with open(OUT, "w") as f:
        json.dump(_seen, f, indent=1, default=str)


def trim(value, depth=0):
    if isinstance(value, dict):
        return {k: trim(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [trim(v, depth + 1) for v in value[:2]]
    if isinstance(value, str) and len(value) > 240:
        return value[:240] + "…"
    return value


def merge(captured: dict, into: Path = EXAMPLES) -> int:
    """Add the captured pairs of operations that have no example yet; returns how many were added."""
    current = json.loads(into.read_text(encoding="utf-8")) if into.exists() else {}
    added = 0
    for oid, pair in sorted(captured.items()):
        have = current.get(oid)
        if have is not None and have.get("response") is not None:
            continue
        current[oid] = {"request": trim((have or {}).get("request") or pair.get("request")), "response": trim(pair.get("response"))}
        added += 1
    into.write_text(json.dumps(dict(sorted(current.items())), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return added


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(f"{merge(json.load(f))} examples added to {EXAMPLES}")
