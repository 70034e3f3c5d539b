"""Errors carry a stable code and a kind; api/problems.py alone turns a kind into an HTTP status (issue 8 item 9)."""
from __future__ import annotations

from typing import Any

import pytest

from api.problems import STATUS_OF_KIND
from core.errors import KINDS, Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthenticated, Unavailable


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_every_error_class_has_a_mapped_kind_and_no_http_status() -> None:
    import api.app  # noqa: F401  (imports every module that defines errors)
    import core.evidence  # noqa: F401
    import plugins.manager  # noqa: F401
    import projections.runner  # noqa: F401

    classes = _subclasses(DomainError)
    assert {c.__name__ for c in classes} >= {"Invalid", "NotFound", "Rebuilding", "Stalled", "FileTooLarge", "PluginError"}
    for cls in [DomainError, *classes]:
        assert cls.kind in STATUS_OF_KIND, cls
        assert not isinstance(getattr(cls, "status", None), int), f"{cls.__name__} still carries an HTTP status"
    assert set(STATUS_OF_KIND) == set(KINDS)


def test_codes_default_from_the_class_and_can_be_given() -> None:
    assert Invalid("x", field="nip").code == "invalid"
    assert NotFound("x").code == "not_found"
    assert NotFound("x", code="officer.not_found").code == "officer.not_found"
    assert Unavailable("x").kind == "unavailable"
    e = Invalid("x", kind="conflict")
    assert e.kind == "conflict" and isinstance(e, Invalid)
    with pytest.raises(ValueError):
        Invalid("x", kind="teapot")
    assert [STATUS_OF_KIND[c.kind] for c in (Invalid, NotFound, Conflict, Forbidden, Unauthenticated, Unavailable)] == \
        [422, 404, 409, 403, 401, 503]


def test_problem_json_names_the_code(api: Any) -> None:
    r = api.get("/officers/00000000-0000-0000-0000-000000000001", headers=api.as_("hr"))
    assert r.status_code == 404
    body = r.json()
    assert body["code"] and body["kind"] == "not_found"
    r = api.get("/nowhere", headers=api.as_("hr"))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
