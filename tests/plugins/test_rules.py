"""The JP conversions by unit (docs/guideline.md; plugins/rules.py) and the common findings of BAB III."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.errors import Invalid
from core.jp_table import DEFAULT_TABLE
from core.pathways import AttendanceFact, CertificateFact, MeetingFact, Session
from plugins import rules
from plugins.builtin.seminar import SEMINAR
from plugins.contract import PathwayContract

D = date(2025, 3, 3)


def facts(definition=SEMINAR, sessions=3, minutes=360, international=False):
    activity = PathwayContract().sample_activity(definition)
    ss = tuple(Session(on=D + timedelta(days=i), minutes=minutes) for i in range(sessions))
    return dataclasses.replace(activity, sessions=ss, start=ss[0].on, end=ss[-1].on, international=international)


def attend(*statuses, minutes=None):
    return tuple(AttendanceFact(session_date=D + timedelta(days=i), status=s, minutes_attended=m, note=None)
                 for i, (s, m) in enumerate(zip(statuses, minutes or [None] * len(statuses), strict=True)))


def person(activity, **over):
    return dataclasses.replace(activity.participants[0], **over)


def test_per_day_seminar_4_jp_a_day_partial_credits_minutes_jp_md():
    a = facts()
    p = person(a, attendance=attend("hadir_full", "hadir_tidak_full", "tidak_hadir", minutes=[None, 100, None]))
    c = rules.per_day_credit("seminar", a, p, DEFAULT_TABLE)
    assert c.jp == 4 + 2 and c.detail == {"per_day": "4", "days_full": 1, "days_partial": 1, "days_absent": 1}
    # A partial day never credits more than a full one; international seminar is 6 a day.
    p = person(a, attendance=attend("hadir_tidak_full", minutes=[400]))
    assert rules.per_day_credit("seminar", a, p, DEFAULT_TABLE).jp == 4
    ai = facts(international=True)
    assert rules.per_day_credit("seminar", ai, person(ai, attendance=attend("hadir_full", "hadir_full")), DEFAULT_TABLE).jp == 12


def test_at_most_per_day_e_learning_3_self_study_2_jp_md():
    a = facts(minutes=None)
    p = person(a, attendance=attend("hadir_full", "hadir_full", "hadir_tidak_full", minutes=[300, 60, 50]))
    assert rules.per_day_credit("e_learning", a, p, DEFAULT_TABLE, capped=True).jp == 3 + 1 + 1
    assert rules.per_day_credit("belajar_mandiri", a, p, DEFAULT_TABLE, capped=True).jp == 2 + 1 + 1
    # A full day without minutes (and no session length) credits the cap.
    assert rules.per_day_credit("komunitas_belajar", a, person(a, attendance=attend("hadir_full")), DEFAULT_TABLE,
                                capped=True).jp == 2


def test_per_session_coaching_2_jp_at_most_2_meetings_a_month_jp_md():
    a = facts()
    meetings = tuple(MeetingFact(meeting_id=__import__("uuid").uuid4(), on=d, duration_minutes=60, notes="n")
                     for d in (date(2025, 3, 1), date(2025, 3, 8), date(2025, 3, 15), date(2025, 4, 2)))
    c = rules.per_session_credit("coaching", a, person(a, meetings=meetings), DEFAULT_TABLE)
    assert c.jp == (2 + 1) * 2 and c.detail["meetings_held"] == 4 and c.detail["meetings_credited"] == 3
    with pytest.raises(Invalid, match="unconfirmed"):
        rules.per_session_credit("coaching", facts(international=True), person(a, meetings=meetings), DEFAULT_TABLE)


def test_per_activity_benchmarking_10_prorated_by_full_sessions_jp_md():
    a = facts(sessions=4)
    full = person(a, attendance=attend("hadir_full", "hadir_full", "hadir_full", "hadir_full"))
    assert rules.per_activity_credit("patok_banding", a, full, DEFAULT_TABLE).jp == 10
    part = person(a, attendance=attend("hadir_full", "hadir_full", "hadir_tidak_full", "tidak_hadir", minutes=[None, None, 60, None]))
    assert rules.per_activity_credit("patok_banding", a, part, DEFAULT_TABLE).jp == 5
    assert rules.per_activity_credit("magang", facts(sessions=4, international=True), part, DEFAULT_TABLE).jp == 12  # 24 × 2/4


def test_programme_hours_pelatihan_certificate_jp_or_minutes_jp_md():
    a = facts(minutes=360)
    cert = (CertificateFact(kind="sertifikat", number="1", issuer="x", issued_on=D, programme_jp=30, sha256="0" * 64),)
    full = person(a, attendance=attend("hadir_full", "hadir_full", "hadir_full"), certificates=cert)
    assert rules.programme_credit("pelatihan", a, full, DEFAULT_TABLE).jp == 30
    ai = facts(international=True)
    assert rules.programme_credit("pelatihan", ai, full, DEFAULT_TABLE).jp == 36  # +20%
    part = person(a, attendance=attend("hadir_full", "hadir_tidak_full", "hadir_full", minutes=[None, 90, None]), certificates=cert)
    assert rules.programme_credit("pelatihan", a, part, DEFAULT_TABLE).jp == (360 + 90 + 360) // 45  # 18 ≤ 30
    unknown = facts(minutes=None)
    with pytest.raises(Invalid, match="length of the sessions"):
        rules.programme_credit("pelatihan", unknown, person(unknown, attendance=attend("hadir_tidak_full", "hadir_full",
                                                                                       minutes=[30, None])), DEFAULT_TABLE)


def test_findings_absence_partial_unrecorded_and_two_week_deadline():
    a = facts()
    p = person(a, attendance=attend("tidak_hadir", "hadir_tidak_full", minutes=[None, 60]), report_submitted_on=None,
               certificates=())
    a = dataclasses.replace(a, participants=(p,))
    codes = [f.code for f in rules.common_findings(SEMINAR, a, a.end)]
    assert codes == ["absent", "partial_attendance", "attendance_not_recorded"]
    late = [f.code for f in rules.common_findings(SEMINAR, a, a.end + timedelta(days=15))]
    assert late[-2:] == ["report_missing", "certificate_missing"]
    assert "report_missing" not in [f.code for f in rules.common_findings(SEMINAR, a, a.end + timedelta(days=14))]


def test_detail_must_be_json():
    assert rules.detail_is_json({"a": [1, "x", None, True, 1.5]})
    assert not rules.detail_is_json({"a": Decimal(1)}) and not rules.detail_is_json({1: 2}) and not rules.detail_is_json(float("nan"))


@pytest.mark.parametrize("module, section", [
    ("pelatihan", "III.A.5.a.6"), ("seminar", "III.A.5.a.6"), ("workshop", "III.A.5.a.6"), ("bimtek", "III.A.5.a.6"),
    ("e_learning", "III.C.5.a.5"), ("patok_banding", "III.B.5.a.7"),
])
def test_the_proposal_letter_check_is_one_shared_pathway_check_iii_a_5_a_6(module, section):
    """Surat pengusulan before completion: six built-in pathways ask plugins.rules.proposal_letter_problems."""
    import importlib

    plugin = importlib.import_module(f"plugins.builtin.{module}")
    definition = next(iter(plugin.pengkom_register_pathways()))
    a = dataclasses.replace(facts(definition), proposal_letter_number=None, schedule_agreed_with_provider=True)
    problems = plugin.pengkom_validate_activity(a, "complete")
    assert [p for p in problems if "surat pengusulan" in p] == rules.proposal_letter_problems(
        a, "complete", section, to="the host" if module == "patok_banding" else "the provider")
    assert rules.proposal_letter_problems(a, "create", section) == []
    assert not any("surat pengusulan" in p for p in plugin.pengkom_validate_activity(
        dataclasses.replace(a, proposal_letter_number="PROP-1"), "complete"))
