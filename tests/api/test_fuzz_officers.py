"""No input produces a 5xx: random JSON bodies, headers and query strings against the officer routes."""
from __future__ import annotations

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.support.data import officer_body

json_scalars = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
json_values = st.recursive(json_scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4), max_leaves=12)
fields = st.sampled_from(sorted(officer_body()) + ["effective_date", "extra"])


def _sqlite_api(tmp_path_factory):
    from litestar.testing import TestClient

    from api.app import create_app
    from api.bootstrap import build
    from tests.conftest import Api, new_settings

    services = build(new_settings("sqlite", tmp_path_factory.mktemp("fuzz")))
    return Api(TestClient(create_app(services), raise_server_exceptions=False), services)


def test_random_register_bodies_never_5xx(tmp_path_factory):
    api = _sqlite_api(tmp_path_factory)
    hr = api.as_("hr")
    with api.client:
        @hsettings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.dictionaries(fields, json_values, max_size=6), st.booleans())
        def check(overrides, start_valid):
            body = (officer_body() if start_valid else {}) | overrides
            r = api.post("/officers/", json=body, headers=hr)
            assert r.status_code < 500, r.text
            if r.status_code >= 400:
                assert r.headers["content-type"].startswith("application/problem+json")

        check()
    api.services.close()


def test_random_bytes_queries_and_headers_never_5xx(tmp_path_factory):
    api = _sqlite_api(tmp_path_factory)
    hr = api.as_("hr")
    with api.client:
        oid = api.post("/officers/", json=officer_body(), headers=hr).json()["id"]

        @hsettings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.binary(max_size=200), st.text(max_size=20), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
               st.sampled_from([f"/officers/{oid}/history/credit-points", f"/officers/{oid}/corrections", "/officers/",
                                f"/officers/{oid}/history/performance"]))
        def check(raw, q, header, path):
            r = api.post(path, content=raw, headers={**hr, "content-type": "application/json", "If-Match": header, "Idempotency-Key": header})
            assert r.status_code < 500, r.text
            r = api.get("/officers/", params={"q": q, "limit": q, "level": q}, headers=hr)
            assert r.status_code < 500, r.text

        check()
    api.services.close()
