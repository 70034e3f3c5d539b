"""Two commands on the same record at the same moment (BAB V.A, Formulir 5.1: every participant of an
activity answers the questionnaire, often in the same minutes after the closing session).

A command sent without ``If-Match`` does not pin a version: when another command changed the same
record between its read and its commit, nothing of it was recorded, and the pipeline runs it again on
the newer state (every rule checked again) instead of answering 409. A command sent *with* ``If-Match``
asked for optimistic concurrency and still gets the 409. On both stores."""
from __future__ import annotations

import threading
from typing import Any

from api import commands
from tests.support.evaluation import POOR, answers, build, d


def _body(w: Any, officer: str) -> dict[str, Any]:
    return {"officer_id": w.ids[officer], "answers": answers(POOR[officer]), "effective_date": d(4, 15).isoformat()}


def _interleave(api: Any, monkeypatch: Any, other: Any) -> list[int]:
    """Before the first commit reaches the store, ``other`` (another request) is recorded first."""
    commits = api.services.commits
    real = commits.submit
    calls: list[int] = []

    def submit(unit: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            t = threading.Thread(target=other)
            t.start()
            t.join()
        return real(unit)

    monkeypatch.setattr(commits, "submit", submit)
    return calls


def test_formulir_5_1_two_participants_at_the_same_moment_are_both_recorded(api, monkeypatch):
    w = build(api)
    url = f"/evaluations/activities/{w.activities['pelatihan']}/questionnaires"
    other: list[Any] = []
    calls = _interleave(api, monkeypatch, lambda: other.append(api.post(url, json=_body(w, "muda"), headers=w.pk["muda"])))

    first = api.post(url, json=_body(w, "pertama"), headers=w.pk["pertama"])

    assert other[0].status_code == 201, other[0].text
    assert first.status_code == 201, first.text
    assert len(calls) == 3  # ours, the other's, ours again on the newer state
    f51 = api.get(f"/evaluations/activities/{w.activities['pelatihan']}", headers=w.hr).json()["formulir_5_1"]
    assert f51["respondents"] == 2


def test_the_rules_are_checked_again_on_the_newer_state(api, monkeypatch):
    """The concurrent command was the same participant's questionnaire (sent twice from two tabs): the
    run on the newer state finds it answered already and refuses — one questionnaire per participant."""
    w = build(api)
    url = f"/evaluations/activities/{w.activities['pelatihan']}/questionnaires"
    other: list[Any] = []
    _interleave(api, monkeypatch, lambda: other.append(api.post(url, json=_body(w, "pertama"), headers=w.pk["pertama"])))

    first = api.post(url, json=_body(w, "pertama"), headers=w.pk["pertama"])

    assert other[0].status_code == 201, other[0].text
    assert first.status_code == 409, first.text
    assert first.json().get("field") == "officer_id"  # the rule's refusal, not a concurrency conflict
    f51 = api.get(f"/evaluations/activities/{w.activities['pelatihan']}", headers=w.hr).json()["formulir_5_1"]
    assert f51["respondents"] == 1


def test_with_if_match_the_caller_gets_the_conflict(api, monkeypatch):
    w = build(api)
    hr = w.hr
    officer = w.ids["pertama"]
    current = api.get(f"/officers/{officer}", headers=hr)
    assert current.status_code == 200, current.text
    etag = current.headers["etag"]
    url = f"/officers/{officer}/corrections"
    other: list[Any] = []
    body = {"reason": "Sesuai SK CPNS", "changes": {"name": "Siti R. Rahayu"}}
    _interleave(api, monkeypatch, lambda: other.append(api.post(url, json=body, headers=hr)))

    pinned = api.post(url, json={**body, "changes": {"name": "Siti Rahayu Lestari"}}, headers={**hr, "If-Match": etag})

    assert other[0].status_code in (200, 201), other[0].text
    assert pinned.status_code == 409, pinned.text
    assert commands.CONFLICT_RETRIES >= 1
