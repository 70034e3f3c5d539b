"""Who may do what on an activity (BAB III): the guard functions of core/activities.py, on their own."""
from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from core.activities import (
    COACH,
    Activity,
    can_approve_provider,
    can_manage_activity,
    can_read_activity,
    can_record_assignment,
    can_record_attendance,
    can_record_community,
    can_record_meeting,
    can_schedule,
    can_sign_contract,
    can_submit_report,
    is_coach,
)
from core.activities.state import Coach, Participant
from core.errors import Forbidden
from core.events import Actor

PK, SUP = "199001012015011001", "197503032000011003"


def actor(*roles: str, agency: str | None = "kemnaker", nip: str | None = None, subject: str = "s") -> Actor:
    return Actor(subject=subject, name=subject, roles=frozenset(roles), agency=agency, nip=nip)


def activity(monitored_by: str = "hr", scheduled_by: str = "hr") -> Activity:
    a = Activity.__new__(Activity)
    Activity.__init__(a, agency="kemnaker", year=2026, pathway="x", variant=None, title="T", competency=None, method="klasikal",
                      provider_kind="own_unit", provider_name="P", accreditation_ref="A", place="J", start=date(2026, 1, 5),
                      end=date(2026, 1, 6), international=False, planned_jp=8, budget=None, funding_source=None, plan_id=None,
                      plan_row_id=None, plan_revision=None, monitoring_form="3.3", monitored_by=monitored_by,
                      scheduled_by=scheduled_by, evidence_required=(), requires_provider_approval=True, requires_coach=False,
                      plugin="x", plugin_version="1", ruleset_version="r")
    oid = uuid4()
    a.participants[oid] = Participant(officer_id=oid, nip=PK, name="Siti", position="Pengantar Kerja Ahli Pertama",
                                      level="ahli_pertama", employee_type="PNS", supervisor_nip=SUP, urgency_rank=1, planned_jp=8)
    a.coach = Coach(kind="coach", subject="coach-1", name="Hendra", nip=None, institution="Kemnaker")
    return a


def participant(a: Activity) -> Participant:
    return next(iter(a.participants.values()))


def test_hr_of_the_agency_manages_bab_iii_preparation():
    assert can_manage_activity(actor("hr"), "kemnaker", "x") == "hr"
    with pytest.raises(Forbidden):
        can_manage_activity(actor("hr", agency="lain"), "kemnaker", "x")
    with pytest.raises(Forbidden):
        can_manage_activity(actor("officer", nip=PK), "kemnaker", "x")


def test_provider_approved_by_head_or_ppk_iii_a_5_a_3_and_iii_b_5_a_3():
    assert can_approve_provider(actor("head"), "kemnaker") == "head"
    assert can_approve_provider(actor("ppk"), "kemnaker") == "ppk"
    with pytest.raises(Forbidden):
        can_approve_provider(actor("hr"), "kemnaker")


def test_assignment_letter_recorded_by_hr_head_or_pyb():
    assert {can_record_assignment(actor(r), "kemnaker") for r in ("hr", "head", "pyb")} == {"hr", "head", "pyb"}
    with pytest.raises(Forbidden):
        can_record_assignment(actor("supervisor", nip=SUP), "kemnaker")


def test_formulir_3_3_by_hr_or_for_self_study_by_the_direct_supervisor_iii_e_5_c():
    hr_monitored, sup_monitored = activity("hr"), activity("supervisor")
    assert can_record_attendance(actor("hr"), hr_monitored, participant(hr_monitored)) == "hr"
    with pytest.raises(Forbidden):
        can_record_attendance(actor("supervisor", nip=SUP), hr_monitored, participant(hr_monitored))
    assert can_record_attendance(actor("supervisor", nip=SUP), sup_monitored, participant(sup_monitored)) == "supervisor"
    with pytest.raises(Forbidden):
        can_record_attendance(actor("supervisor", nip="197202022000031004"), sup_monitored, participant(sup_monitored))
    with pytest.raises(Forbidden):
        can_record_attendance(actor("supervisor", nip=SUP, agency="lain"), sup_monitored, participant(sup_monitored))


def test_coach_is_the_recorded_subject_in_the_agency_formulir_3_4():
    a = activity()
    coach = actor("supervisor", subject="coach-1")
    assert is_coach(coach, a) and can_record_meeting(coach, a) == COACH
    assert not is_coach(actor("supervisor", subject="coach-1", agency="lain"), a)
    assert not is_coach(actor("pyb", subject="coach-1"), a)  # the token must carry supervisor or officer
    assert can_record_meeting(actor("hr"), a) == "hr"
    with pytest.raises(Forbidden):
        can_record_meeting(actor("supervisor", subject="coach-2"), a)


def test_learning_contract_signed_by_coachee_and_coach_iii_d_3():
    a = activity()
    p = participant(a)
    assert can_sign_contract(actor("officer", nip=PK), a, p) == ("officer", "coachee")
    assert can_sign_contract(actor("supervisor", subject="coach-1"), a, p) == (COACH, "coach")
    with pytest.raises(Forbidden):
        can_sign_contract(actor("hr"), a, p)


def test_reports_by_the_officer_or_hr_on_behalf():
    a = activity()
    p = participant(a)
    assert can_submit_report(actor("officer", nip=PK), a, p) == "officer"
    assert can_submit_report(actor("hr"), a, p) == "hr"
    with pytest.raises(Forbidden):
        can_submit_report(actor("officer", nip="198505052010032002"), a, p)


def test_schedule_by_hr_the_self_studying_officer_iii_e_5_b_or_the_community_iii_f_5_b():
    assert can_schedule(actor("hr"), activity()) == "hr"
    with pytest.raises(Forbidden):
        can_schedule(actor("officer", nip=PK), activity())
    assert can_schedule(actor("officer", nip=PK), activity(scheduled_by="participant")) == "officer"
    with pytest.raises(Forbidden):
        can_schedule(actor("supervisor", nip=SUP), activity(scheduled_by="participant"))
    assert can_schedule(actor("supervisor", nip=SUP), activity(scheduled_by="community")) == "supervisor"


def test_community_records_by_members_supervisors_or_hr_iii_f():
    a = activity("supervisor", "community")
    assert can_record_community(actor("officer", nip=PK), a) == "officer"
    assert can_record_community(actor("supervisor", nip=SUP), a) == "supervisor"
    with pytest.raises(Forbidden):
        can_record_community(actor("officer", nip="198505052010032002"), a)


def test_reading_an_activity():
    a = activity()
    assert can_read_activity(actor("pembina", agency=None), a) == "pembina"
    assert can_read_activity(actor("ppk"), a) == "ppk"
    assert can_read_activity(actor("officer", nip=PK), a) == "officer"
    assert can_read_activity(actor("supervisor", nip=SUP), a) == "supervisor"
    assert can_read_activity(actor("officer", subject="coach-1", nip="197001012000011009"), a) == COACH
    for outsider in (actor("officer", nip="198505052010032002"), actor("hr", agency="lain")):
        with pytest.raises(Forbidden):
            can_read_activity(outsider, a)
