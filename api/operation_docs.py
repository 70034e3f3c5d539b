"""Per operation (by operationId): the description naming its form and guideline section, the typed
response, and examples — applied to the OpenAPI document by api/contract.py.

Why this module is longer than ~500 lines (when it is): one entry per operation of the API (about 150), kept in one table so the
contract reads in one place and a route's entry is found by its operationId. A route may instead give
``description=`` on its decorator (naming its Formulir and BAB); its entry here then still names the
response type. Examples come from api/openapi_examples.json (real requests and answers of the
narrative tests, trimmed; ``tests/support/capture_examples.py`` fills in those of new routes).

Sections are of the guideline (Pedoman 2023, docs/guideline.md): BAB I definitions, BAB II planning
(II.A profile and gap analyses, II.B proposals, verification and Formulir 2.6, II.C validation and
submission), BAB III development activities, BAB IV funding, BAB V evaluation (V.A administrative,
V.B result, V.C impact, V.D the recap).
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from api import responses as r

#: The success answer is a file (CSV, XLSX, JSON Lines, or an uploaded PDF/JPEG/PNG), not JSON.
FILE = "file"
EXPORT_MEDIA = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
UPLOAD_MEDIA = ["application/pdf", "image/jpeg", "image/png"]


class Doc(NamedTuple):
    form: str  # "Formulir 2.2", "Formulir 2.3, 2.4" — or "" for a route of no form
    section: str  # "BAB II.A.1" — or "" for an operational route (health, tokens, the chain)
    text: str  # who calls it and what it records or answers
    response: Any = None  # a Struct of api/responses.py, FILE, or None for a command's CommandResult
    summary: str | None = None  # replaces the decorator's summary when given


def D(form: str, section: str, text: str, response: Any = None, summary: str | None = None) -> Doc:
    return Doc(form, section, text, response, summary)


OPS = "an operational route"
OPERATIONS: dict[str, Doc] = {
    # -- system ------------------------------------------------------------------------------------------------------
    "health": D("", "", "Liveness for load balancers: answers 200 while the process serves, without touching the database. "
                "Anonymous callers get only the status; an auditor's token also gets the store and where it is.", r.Health),
    "ready": D("", "", "Readiness: the event store answers and the read models are current. 200 `ready` or `rebuilding` (the "
               "read models being rebuilt answer their own reads with 503); 503 `degraded` (a read model stopped) or "
               "`unavailable` (the store does not answer). Details (log position, lag) only for an auditor's token.", r.Readiness),
    "whoAmI": D("", "", "The identity your token carries, as every event you record will name it: subject, name, roles, "
                "agency, unit, NIP.", r.Identity),
    "catalogue": D("Formulir 2.5, 2.6", "BAB II.A, Tabel 3.1, Tabel 5.1",
                   "The reference catalogue with its version ids: the 15 competencies and their kinds, the levels, Tabel 3.1 "
                   "(pathways allowed per competency × level), the Formulir 2.5 performance-gap matrix, the Tabel 5.1 reaction "
                   "bands, credit-point coefficients, level ↔ golongan, the JP limits and LAN's JP conversion defaults.",
                   r.Catalogue),
    "chainHead": D("", "", "The signed head of the hash chain over the whole event log (POSITION:DIGEST:SIGNATURE, Ed25519). "
                   "Keep it outside pengkom; `pengkom verify --chain --expect HEAD` later proves the log up to it is unchanged. "
                   "503 while the chain is not caught up with the log.", r.SignedChainHead),
    "chainPublicKey": D("", "", "The Ed25519 public key (PEM) that signs chain heads, with its key id and the signed text's "
                        "layout, to check a kept head without pengkom.", r.ChainPublicKey),
    # -- officers, Formulir 2.2 (BAB II.A.1) ---------------------------------------------------------------------------
    "registerOfficer": D("Formulir 2.2", "BAB II.A.1",
                         "The HR unit registers an officer: NIP (validated digit by digit), name, birth place and date, sex, "
                         "PNS/PPPK, position, level, golongan, agency, unit and direct supervisor. 201 with the Registered "
                         "event; a second registration of the same NIP is 409.", r.CommandResult),
    "listOfficers": D("Formulir 2.2", "BAB II.A.1",
                      "The officers you may see, searchable by part of a name or NIP (`q`; 17 digits or more is a whole NIP, "
                      "matched exactly) or by exact NIP (`nip`), and filtered by level, unit, employee type and (national "
                      "roles) agency; each search hit says what it matched (`matched_on`), an unknown level or employee "
                      "type is 422 listing the valid codes. A supervisor sees their direct subordinates, an officer themself.",
                      r.OfficerList),
    "getOfficer": D("Formulir 2.2", "BAB II.A.1",
                    "Formulir 2.2 of one officer: identity, placement and the four histories (jabatan, pengembangan "
                    "kompetensi, hasil penilaian kinerja, angka kredit). `?as_of=` reads it as it stood at a moment of the "
                    "log; `ETag` is the version to send back as `If-Match`.", r.Formulir22),
    "getOfficerEvents": D("Formulir 2.2", "BAB II.A.1", "Every event recorded on the officer, in order, with its full "
                          "provenance (who, role, on whose behalf, request id, recorded at, effective date).", r.EventList),
    "correctOfficer": D("Formulir 2.2", "BAB II.A.1",
                        "Correct profile fields (`changes`) with a reason, naming the version corrected; the officer may "
                        "correct their own personal fields, the HR unit any. A correction is a new event: nothing is "
                        "rewritten.", r.CommandResult),
    "changeOfficerPlacement": D("Formulir 2.2", "BAB II.A.1",
                                "The HR unit records a new placement (promotion, move, new direct supervisor) from its "
                                "effective date: a new fact, not a correction.", r.CommandResult),
    "withdrawOfficer": D("Formulir 2.2", "BAB II.A.1", "The HR unit withdraws a registration made in error (a wrong NIP is "
                         "never edited), with a reason.", r.CommandResult),
    "recordPositionHistory": D("Formulir 2.2", "BAB II.A.1", "Record an entry of riwayat jabatan (year, position, level, "
                               "unit); the officer or the HR unit. 201 with its `entry_id`.", r.HistoryEntryRecorded,
                               "Formulir 2.2 riwayat jabatan: record a position held"),
    "recordDevelopmentHistory": D("Formulir 2.2", "BAB II.A.1", "Record an entry of riwayat pengembangan kompetensi (year, "
                                  "competency, form, pathway, JP, provider). 201 with its `entry_id`.", r.HistoryEntryRecorded,
                                  "Formulir 2.2 riwayat pengembangan kompetensi: record a development activity"),
    "recordPerformanceHistory": D("Formulir 2.2", "BAB II.A.1", "Record an entry of riwayat hasil penilaian kinerja (year, "
                                  "predikat). 201 with its `entry_id`.", r.HistoryEntryRecorded,
                                  "Formulir 2.2 riwayat hasil penilaian kinerja: record a year's predikat"),
    "recordCreditPoints": D("Formulir 2.2, 2.6", "BAB II.A.1", "Record an entry of riwayat angka kredit (year, credit "
                            "points). 201 with its `entry_id`.", r.HistoryEntryRecorded,
                            "Formulir 2.2 riwayat angka kredit: record a year's credit points"),
    "correctHistoryEntry": D("Formulir 2.2", "BAB II.A.1", "Correct a history entry's fields, with a reason; the entry keeps "
                             "its id and names the correcting version.", r.CommandResult),
    "retractHistoryEntry": D("Formulir 2.2", "BAB II.A.1", "Retract a history entry recorded in error, with a reason (it "
                             "stays in the events, no longer in the form).", r.CommandResult),
    # -- audit ----------------------------------------------------------------------------------------------------------
    "searchAudit": D("", "BAB I (accountability of the cycle)",
                     "The audit trail: who did what, in which role, on whose behalf, with which request, when and effective "
                     "when — filtered by agency, aggregate, event type (an unknown one is 422 listing the valid names), "
                     "subject, dates (`from` / `to`: timestamps or dates in Jakarta); `?as_of=` reads the trail up to a "
                     "moment of the log. National roles read across agencies.", r.AuditTrail),
    "getAggregateAudit": D("", "BAB I (accountability of the cycle)",
                           "The audit trail of one officer, plan, activity or evaluation record.", r.AuditTrail),
    # -- instruments and assessments, Formulir 2.3/2.4 (BAB II.A.2) ------------------------------------------------------
    "listInstruments": D("Formulir 2.3, 2.4", "BAB II.A.2", "The 180° assessment instruments published by the Instansi "
                         "Pembina and their versions.", r.InstrumentList),
    "getInstrument": D("Formulir 2.3, 2.4", "BAB II.A.2", "One instrument version (the latest unless `?version=`): its "
                       "questions per competency and level and the standard scores.", r.Instrument),
    "publishInstrumentVersion": D("Formulir 2.3, 2.4", "BAB II.A.2", "The Instansi Pembina publishes a new version of the "
                                  "180° instrument: questions per competency and level, standard scores. 201 with "
                                  "`instrument_version`.", r.InstrumentPublished),
    "scoreAsSupervisor": D("Formulir 2.3", "BAB II.A.2", "The direct supervisor scores every question of the officer's "
                           "level with a whole number 0–10, on one instrument version.", r.CommandResult),
    "scoreSelf": D("Formulir 2.4", "BAB II.A.2", "The officer scores every question of their level 0–10 (self assessment), "
                   "separately from the supervisor.", r.CommandResult),
    "closeGapAnalysis": D("Formulir 2.3, 2.4", "BAB II.A.2", "The HR unit or the Instansi Pembina closes the competency-gap "
                          "analysis with explicit weights of the supervisor's and the self scores.", r.CommandResult),
    "getAssessment": D("Formulir 2.3, 2.4", "BAB II.A.2", "Formulir 2.3 and 2.4 as filled, and the competency-gap analysis "
                       "once closed (combined score, target, gap per competency).", r.AssessmentForms),
    # -- performance gap, Formulir 2.5 (BAB II.A.3) ----------------------------------------------------------------------
    "recordPerformanceReview": D("Formulir 2.5", "BAB II.A.3", "The direct supervisor rates last year's work targets (SKP) "
                                 "on hasil kerja and perilaku kerja; the matrix gives the predikat and the gap level.",
                                 r.CommandResult),
    "signPerformanceReview": D("Formulir 2.5", "BAB II.A.3", "Item 12: the direct supervisor signs Formulir 2.5.",
                               r.CommandResult),
    "getPerformanceReview": D("Formulir 2.5", "BAB II.A.3", "Formulir 2.5 of one officer for one year.", r.Formulir25),
    # -- proposals, Formulir 2.1 (BAB II.B) -------------------------------------------------------------------------------
    "addProposalItem": D("Formulir 2.1", "BAB II.B", "The officer or the direct supervisor adds an item (competency or "
                         "performance gap, form, pathway allowed by Tabel 3.1, target time). 201 with its `item_id`.",
                         r.ProposalItemAdded),
    "changeProposalItem": D("Formulir 2.1", "BAB II.B", "Change an item; the signatures of a signed proposal are voided "
                            "(recorded as voided, to sign again).", r.CommandResult),
    "removeProposalItem": D("Formulir 2.1", "BAB II.B", "Remove an item, with a reason; voids signatures like a change.",
                            r.CommandResult),
    "signProposal": D("Formulir 2.1", "BAB II.B", "Sign Formulir 2.1: the officer (item 19) or the direct supervisor (item "
                      "20), as the token says.", r.CommandResult),
    "considerProposal": D("Formulir 2.1", "BAB II.B", "A consideration up the hierarchy: the position of who considers and "
                          "a note.", r.CommandResult),
    "forwardProposal": D("Formulir 2.1", "BAB II.B", "The direct supervisor or the HR unit forwards the signed proposal to "
                         "the PyB for the recap into Formulir 2.6.", r.CommandResult),
    "getProposal": D("Formulir 2.1", "BAB II.B", "Formulir 2.1 of one officer for one plan year: items, signatures, voided "
                     "signatures, considerations, forwarding.", r.Formulir21),
    "listForwardedProposals": D("Formulir 2.1", "BAB II.B", "The forwarded proposals of an agency for a plan year: what the "
                                "HR unit recaps into Formulir 2.6 rows.", r.ProposalList),
    # -- the plan, Formulir 2.6 (BAB II.B–C) -----------------------------------------------------------------------------------
    "listPlans": D("Formulir 2.6", "BAB II.B–C", "The plans you may read: your agency's, or — national roles — each plan "
                   "as submitted to you (its submissions and the revision of the latest).", r.PlanList),
    "getPlan": D("Formulir 2.6", "BAB II.B–C", "Formulir 2.6 as it stands: rows with their JP conversion, totals, findings "
                 "of checks a–f, the verification team and meetings, the head's signature, budgets, revisions, validations "
                 "and submissions (each with its log position and signed chain head). National roles read the plan as "
                 "submitted to them; `?as_of=` at a moment of the log. Rows come a page at a time (`limit`, default 100; "
                 "`cursor`: the `page.next_cursor` of the page before), each page with the findings about its rows (the "
                 "first page also those about no row); totals and `open_findings` count the whole plan on every page.",
                 r.Formulir26),
    "getValidatedPlan": D("Formulir 2.6", "BAB II.C", "Formulir 2.6 of one validated revision, exactly as the PPK validated "
                          "it.", r.Formulir26),
    "registerPlanBudget": D("Formulir 2.6", "BAB II.B.4, BAB IV", "The HR unit registers the budget available for the plan "
                            "year from one funding source (APBN, APBD, other lawful source); check (e) compares rows to it.",
                            r.CommandResult),
    "addPlanRow": D("Formulir 2.6", "BAB II.B.3–4", "The HR unit or the PyB recaps a row (officer, competency, pathway, "
                    "programme, provider, schedule, budget and source, JP) into the plan; checks a–f rerun. 201 with its "
                    "`row_id`.", r.PlanRowAdded),
    "changePlanRow": D("Formulir 2.6", "BAB II.B.3–4", "Change a whole row, with a reason; checks a–f rerun and the head's "
                       "signature is voided.", r.CommandResult),
    "patchPlanRow": D("Formulir 2.6", "BAB II.B.3", "Change only some fields of a row (absent: kept; null: cleared), with a "
                      "mandatory reason: the same RowChanged event and rules as a change of the whole row, checks a–f rerun; "
                      "`If-Match` pins the plan's version.", r.CommandResult),
    "removePlanRow": D("Formulir 2.6", "BAB II.B.3–4", "Remove a row, with a reason; checks a–f rerun.", r.CommandResult),
    "rerunPlanChecks": D("Formulir 2.6", "BAB II.B.4", "Rerun checks a–f (e.g. after a curriculum standard was registered); "
                         "new findings are recorded with the rule-set version.", r.CommandResult),
    "acceptFinding": D("Formulir 2.6", "BAB II.B.4", "The PyB accepts a finding of checks a–f with a written reason (it "
                       "stays visible, resolved).", r.CommandResult),
    "appointTeamMember": D("Formulir 2.6", "BAB II.B.4", "The PyB appoints a member of the verification team and the unit "
                           "they represent. 201 with its `member_id`.", r.TeamMemberAppointed),
    "releaseTeamMember": D("Formulir 2.6", "BAB II.B.4", "Release a team member, with a reason.", r.CommandResult),
    "recordTeamMeeting": D("Formulir 2.6", "BAB II.B.4", "Record a verification-team meeting: date, attendees, minutes. 201 "
                           "with its `meeting_id`.", r.TeamMeetingRecorded),
    "signPlan": D("Formulir 2.6", "BAB II.B.8", "Items 13–14: the head of the work unit signs Formulir 2.6 (name, NIP, "
                  "place).", r.CommandResult),
    "validatePlan": D("Formulir 2.6", "BAB II.C", "The PPK validates the plan once every finding is resolved; the revision "
                      "is locked (totals and rule versions recorded).", r.CommandResult),
    "openPlanRevision": D("Formulir 2.6", "BAB II.C", "The PyB opens a numbered revision of a validated plan, with a reason.",
                          r.CommandResult),
    "submitPlan": D("Formulir 2.6", "BAB II.C", "Record the submission of the validated plan to the Instansi Pembina or LAN, "
                    "with its date (due by the end of Q3 of the year before).", r.CommandResult),
    "listCurriculumStandards": D("Formulir 2.6", "BAB II.B.4 (check c)", "The curriculum standards registered by the "
                                 "Instansi Pembina, per competency and level.", r.CurriculumStandards),
    "registerCurriculumStandard": D("Formulir 2.6", "BAB II.B.4 (check c)", "The Instansi Pembina registers a curriculum "
                                    "standard for a competency at a level (check c compares rows to it).", r.CommandResult),
    "withdrawCurriculumStandard": D("Formulir 2.6", "BAB II.B.4 (check c)", "Withdraw a curriculum standard, with a "
                                    "reason.", r.CommandResult),
    "planningDeadlines": D("Formulir 2.2–2.6", "BAB II.A–C (deadlines)", "Per agency and plan year, judged at `?today=`: "
                           "each planning step due, done, done late or overdue by how many days, with findings.",
                           r.Deadlines),
    # -- pathways and JP (BAB I, BAB III) ----------------------------------------------------------------------------------------
    "listPathways": D("", "BAB III, Tabel 3.1", "The installed pathways (built-in and plugins) with their rules, evidence "
                      "required, monitoring form and JP conversion.", r.PathwayList),
    "getPathway": D("", "BAB III", "One pathway: its rules, the guideline section it follows, its JP rule.", r.Pathway),
    "getJpTable": D("Formulir 2.6", "BAB I.E angka 7 (JP)", "The agency's JP conversion table: LAN defaults overlaid with "
                    "its own versioned settings.", r.JpTable),
    "configureJpTable": D("Formulir 2.6", "BAB I.E angka 7 (JP)", "The HR unit sets the agency's JP conversion values "
                          "(versioned, with a reason). 201 with the resulting `jp_table`.", r.JpTableConfigured),
    "getOfficerLedger": D("", "BAB I.E angka 7 (JP), BAB III", "An officer's JP ledger for a year: every credit with the "
                          "rule, plugin and table versions used; planned JP; the PNS minimum (20) and PPPK cap (24).",
                          r.OfficerLedger),
    "getAgencyLedger": D("", "BAB I.E angka 7 (JP), BAB III", "The agency's JP summary for a year: per officer and per "
                         "pathway, officers below the PNS minimum and over the PPPK cap. Officers come a page at a time in "
                         "name order (`limit`, default 100; `cursor`: the `page.next_cursor` of the page before); the "
                         "totals count the whole agency on every page.", r.AgencyLedger),
    # -- activities (BAB III) --------------------------------------------------------------------------------------------------------
    "createActivity": D("Formulir 2.6", "BAB III", "The HR unit creates an activity of a pathway — from a plan row or "
                        "unplanned — with provider, place, dates, planned JP, budget and funding source. The pathway plugin "
                        "checks it.", r.CommandResult),
    "listActivities": D("Formulir 3.3, 3.4", "BAB III", "The activities of your agency, searchable by part of the title, "
                        "provider or place (`q`; each hit says what it matched in `matched_on`) and filtered by year and "
                        "pathway (an unknown pathway is 422 listing the registered ones).", r.ActivityList),
    "getActivity": D("Formulir 3.3, 3.4", "BAB III", "An activity: preparation (provider approval, letters, schedule, coach), "
                     "participants with their attendance, meetings, reports and certificates, completion. `ETag` is its "
                     "version.", r.Activity),
    "getActivityEvents": D("Formulir 3.3, 3.4", "BAB III", "Every event of the activity, with provenance.", r.EventList),
    "approveProvider": D("", "BAB III.A–B", "The head of the agency (or the PPK) approves the provider or benchmarking host "
                         "(date and approver).", r.CommandResult),
    "recordProposalLetter": D("", "BAB III.A", "The HR unit records the proposal letter (surat pengusulan) to the provider: "
                              "number and date.", r.CommandResult),
    "selectParticipant": D("", "BAB III.A", "The HR unit selects a participant with their urgency ranking and reason.",
                           r.CommandResult),
    "deselectParticipant": D("", "BAB III.A", "Withdraw a participant, with a reason.", r.CommandResult),
    "recordAssignmentLetter": D("", "BAB III.A", "A participant's assignment letter (surat penugasan): number, date, signer.",
                                r.CommandResult),
    "scheduleSessions": D("Formulir 3.3", "BAB III.A", "Schedule the session dates (and minutes per session), agreed with "
                          "the provider where the pathway requires it.", r.CommandResult, "Schedule the session dates"),
    "recordAttendance": D("Formulir 3.3", "BAB III (monitoring)", "Attendance of one participant at one session: full, "
                          "partial or absent, with a note (read only by the HR unit, the supervisor and the participant).",
                          r.CommandResult),
    "recordSessionAttendance": D("Formulir 3.3", "BAB III (monitoring)", "Attendance of a whole session in one request, one "
                                 "event per participant with its own provenance, the rules of one at a time; all or nothing — "
                                 "a bad row records nothing and is named (`participants[i].…`). The answer lists who is "
                                 "`still_missing` that day.", r.SessionAttendanceRecorded),
    "correctAttendance": D("Formulir 3.3", "BAB III (monitoring)", "Correct recorded attendance, with a reason.",
                           r.CommandResult),
    "assignCoach": D("Formulir 3.4", "BAB III.E", "Assign the coach or mentor (name, institution, criteria, assignment "
                     "letter).", r.CommandResult),
    "proposeLearningContract": D("Formulir 3.4", "BAB III.E", "Draw up a coaching/mentoring learning contract: meetings "
                                 "agreed and goals.", r.CommandResult),
    "signLearningContract": D("Formulir 3.4", "BAB III.E", "The coachee or the coach agrees to the learning contract.",
                              r.CommandResult),
    "recordMeeting": D("Formulir 3.4", "BAB III.E", "A coaching/mentoring meeting held: date, duration, notes. 201 with its "
                       "`meeting_id`.", r.MeetingRecorded),
    "correctMeeting": D("Formulir 3.4", "BAB III.E", "Correct a meeting, with a reason.", r.CommandResult),
    "retractMeeting": D("Formulir 3.4", "BAB III.E", "Retract a meeting recorded in error, with a reason.", r.CommandResult),
    "getActivityMonitoring": D("Formulir 3.3, 3.4", "BAB III (monitoring)", "Formulir 3.3 (attendance) or 3.4 "
                               "(coaching/mentoring meetings) rows and the pathway's findings judged at `?today=` (e.g. a "
                               "report missing two weeks after the end).", r.Monitoring),
    "provideMaterials": D("", "BAB III.F", "Learning material provided by the HR unit (self study).", r.CommandResult),
    "setTopics": D("", "BAB III.F", "The topics of a community of practice.", r.CommandResult),
    "recordDiscussionNotes": D("", "BAB III.F", "Community of practice: the discussion notes of one topic.", r.CommandResult),
    "submitGroupReport": D("", "BAB III.F", "Community of practice: the group report.", r.CommandResult),
    "submitReport": D("", "BAB III, BAB V.A", "The officer's report on the activity (date handed in; due within two weeks "
                      "of the end).", r.CommandResult),
    "submitCoachReport": D("Formulir 3.4", "BAB III.E", "The coach's or mentor's report on a coachee.", r.CommandResult),
    "recordRecap": D("Formulir 3.3, 3.4", "BAB III (monitoring)", "The HR unit's recap of monitoring and reports.",
                     r.CommandResult),
    "uploadCertificate": D("", "BAB III (evidence)", "Upload a certificate or statement (PDF, JPEG or PNG, multipart) with "
                           "its number, issuer and date; stored content-addressed. 201 with its `sha256` and "
                           "`certificate_id`.", r.CertificateUploaded),
    "getActivityFile": D("", "BAB III (evidence)", "Download an uploaded certificate or statement by its SHA-256.", FILE),
    "completeActivity": D("", "BAB III, BAB I.E angka 7 (JP)", "Complete participants: the pathway plugin checks the "
                          "evidence and credits their JP (recording the rule and the JP table version).", r.CommandResult,
                          "Complete participants: the pathway plugin credits their JP"),
    # -- evaluation (BAB V) ----------------------------------------------------------------------------------------------------------
    "submitQuestionnaire": D("Formulir 5.1", "BAB V.A", "The officer's reaction questionnaire (eight items scored 1–4, open "
                             "answers), or a paper one entered by the HR unit; one per participant.", r.CommandResult),
    "computeAdministrativeForm": D("Formulir 5.2", "BAB V.A", "The HR unit computes every completed participant's Formulir "
                                   "5.2 row from the recorded events.", r.CommandResult),
    "overrideAdministrativeCell": D("Formulir 5.2", "BAB V.A", "The HR unit sets a cell otherwise, with a reason kept "
                                    "beside the computed value.", r.CommandResult),
    "verifyAdministrativeForm": D("Formulir 5.2", "BAB V.A", "The HR unit verifies reports, questionnaires and the matrix.",
                                  r.CommandResult),
    "signAdministrativeForm": D("Formulir 5.2", "BAB V.A.2", "Formulir 5.2 signed by the PPK or the head of the agency "
                                "(the capacity is recorded).", r.CommandResult),
    "listAdministrativeEvaluations": D("Formulir 5.1, 5.2", "BAB V.A", "Formulir 5.1 results and 5.2 of your agency's "
                                       "activities (national roles: any agency).", r.EvaluationList),
    "getAdministrativeEvaluation": D("Formulir 5.1, 5.2", "BAB V.A", "Formulir 5.1 weights with their Tabel 5.1 bands and "
                                     "Formulir 5.2 of one activity, with its evaluation deadlines judged at `?today=`.",
                                     r.AdministrativeEvaluation),
    "scheduleEkspose": D("Formulir 5.3", "BAB V.B", "The HR unit schedules the ekspose (presentation) and prepares Formulir "
                         "5.3 (its indicators).", r.CommandResult),
    "rescheduleEkspose": D("Formulir 5.3", "BAB V.B", "Move the ekspose before any Formulir 5.3 is recorded, with a reason.",
                           r.CommandResult),
    "recordCompetencyAssessment": D("Formulir 5.3", "BAB V.B", "Formulir 5.3 of one assessor (entered by the HR unit, or "
                                    "by the assessor): a score per indicator. 201 with its `assessment_id`.",
                                    r.AssessmentRecorded),
    "signResultRecap": D("Formulir 5.4", "BAB V.B", "The HR official signs the Formulir 5.4 recap (totals, averages, final "
                         "competency score).", r.CommandResult),
    "getResultEvaluation": D("Formulir 5.3, 5.4", "BAB V.B", "The ekspose, every Formulir 5.3 and the Formulir 5.4 recap of "
                             "one officer's activity.", r.ResultEvaluation),
    "selfAssessImpact": D("Formulir 5.5", "BAB V.C", "Columns 5–11: the officer's self assessment of the activity's impact "
                          "(a new one supersedes until the supervisor assessed).", r.CommandResult),
    "supervisorAssessImpact": D("Formulir 5.5", "BAB V.C", "The direct supervisor's separate assessment (add or remove "
                                "items, a note).", r.CommandResult),
    "recordImpactDialogue": D("Formulir 5.5", "BAB V.C", "The supervisor–officer dialogue: each confirmation, addition, "
                              "removal and note its own event.", r.CommandResult),
    "signImpactEvaluation": D("Formulir 5.5", "BAB V.C", "Columns 12–13: the officer or the direct supervisor signs, after "
                              "the dialogue.", r.CommandResult),
    "uploadImpactEvidence": D("Formulir 5.5", "BAB V.C", "Attach an evidence file (PDF, JPEG or PNG, multipart); items cite "
                              "it by SHA-256. 201 with `sha256`, `size`, `content_type`.", r.EvidenceUploaded),
    "getImpactEvidence": D("Formulir 5.5", "BAB V.C", "Download an evidence file attached to Formulir 5.5.", FILE),
    "getImpactEvaluation": D("Formulir 5.5", "BAB V.C", "Formulir 5.5 as the officer wrote it, as the supervisor assessed it "
                             "and as agreed, with the dialogue and signatures.", r.ImpactEvaluation),
    "computeRecap": D("", "BAB V.D", "The HR unit computes the yearly recap from the three evaluations of the year's "
                      "activities.", r.CommandResult),
    "finaliseRecap": D("", "BAB V.D", "The HR unit finalises the recap with its written analysis.", r.CommandResult),
    "submitRecap": D("", "BAB V.D", "The finalised recap is submitted to the Instansi Pembina (in Q1 of the next year).",
                     r.CommandResult),
    "listRecaps": D("", "BAB V.D", "The evaluation recaps you may read: your agency's, or (national roles) the submitted "
                    "ones across agencies.", r.RecapList),
    "getRecap": D("", "BAB V.D", "The recap: fit of competency kinds and forms, dominant patterns, programmes and "
                  "providers, recommendations, fit per level.", r.EvaluationRecap),
    # -- agencies and national reporting -----------------------------------------------------------------------------------------
    "registerAgency": D("", "BAB I–II (Instansi Pembina)", "The Instansi Pembina registers an agency in the directory: code, "
                        "name, kind, province.", r.CommandResult),
    "changeAgency": D("", "BAB I–II (Instansi Pembina)", "Record new official details of an agency, with a reason.",
                      r.CommandResult),
    "listAgencies": D("", "BAB I–II (Instansi Pembina)", "The agency directory, filtered by kind and province and searchable "
                      "by part of a code or name (`q`; each hit says what it matched in `matched_on`).",
                      r.AgencyList),
    "getAgency": D("", "BAB I–II (Instansi Pembina)", "One agency of the directory.", r.Agency),
    "listProvinces": D("", "BAB I–II (Instansi Pembina)", "The 38 provinces (codes and names) and the agency kinds.",
                       r.Provinces),
    "getNationalRecap": D("Formulir 2.6, 5.1–5.5", "BAB II.C, BAB V.D", "The national recap for a year: per agency and for "
                          "the country — plans and their stages, deadlines, JP, budgets, gap analyses, evaluations. Agency "
                          "roles: their own agency.", r.NationalRecap),
    "getNationalAgency": D("Formulir 2.6, 5.1–5.5", "BAB II.C, BAB V.D", "Drill-down: one agency's recap and its officers "
                           "with their year's figures.", r.NationalAgency),
    "getGapAnalysis": D("Formulir 2.3, 2.4", "BAB II.A.2", "The Instansi Pembina's 180° analysis across agencies: gaps by "
                        "competency and level, and per officer.", r.GapAnalysis),
    # -- exports (CSV / XLSX) -----------------------------------------------------------------------------------------------------
    "exportFormulir22": D("Formulir 2.2", "BAB II.A.1", "Formulir 2.2 of one officer as CSV or XLSX.", FILE),
    "exportOfficers": D("Formulir 2.2", "BAB II.A.1", "The agency's officers in the bulk-import layout.", FILE),
    "exportFormulir21": D("Formulir 2.1", "BAB II.B", "Formulir 2.1 of one officer and plan year.", FILE),
    "exportFormulir2324": D("Formulir 2.3, 2.4", "BAB II.A.2", "Formulir 2.3, 2.4 and the gap analysis.", FILE),
    "exportFormulir25": D("Formulir 2.5", "BAB II.A.3", "Formulir 2.5 of one officer and year.", FILE),
    "exportFormulir26": D("Formulir 2.6", "BAB II.B–C", "Formulir 2.6 with budget totals and the signature block.", FILE),
    "exportFormulir26Revision": D("Formulir 2.6", "BAB II.C", "Formulir 2.6 of one validated revision.", FILE),
    "exportMonitoring": D("Formulir 3.3, 3.4", "BAB III (monitoring)", "Formulir 3.3 or 3.4 of one activity.", FILE),
    "exportOfficerLedger": D("", "BAB I.E angka 7 (JP)", "An officer's JP ledger for a year.", FILE),
    "exportAgencyLedger": D("", "BAB I.E angka 7 (JP)", "The agency's JP summary for a year.", FILE),
    "exportAudit": D("", "BAB I (accountability of the cycle)", "The audit trail.", FILE),
    "exportFormulir5152": D("Formulir 5.1, 5.2", "BAB V.A", "Formulir 5.1 weights and 5.2 of one activity.", FILE),
    "exportFormulir5354": D("Formulir 5.3, 5.4", "BAB V.B", "Formulir 5.3 and the 5.4 recap.", FILE),
    "exportFormulir55": D("Formulir 5.5", "BAB V.C", "Formulir 5.5 (as agreed, assessed or written).", FILE),
    "exportEvaluationRecap": D("", "BAB V.D", "The yearly evaluation recap and recommendations.", FILE),
    "exportNationalRecap": D("Formulir 2.6, 5.1–5.5", "BAB II.C, BAB V.D", "The national recap.", FILE),
    "exportNationalAgency": D("Formulir 2.6, 5.1–5.5", "BAB II.C, BAB V.D", "One agency's recap with its officers.", FILE),
    "exportGapAnalysis": D("Formulir 2.3, 2.4", "BAB II.A.2", "The 180° analysis across agencies.", FILE),
    "exportSiasnCourses": D("Formulir 2.2", "BAB III (JP credited)", "SIASN-shaped course history (CSV, XLSX or JSON Lines).",
                            FILE),
    # -- bulk import -------------------------------------------------------------------------------------------------------------------
    "importOfficers": D("Formulir 2.2", "BAB II.A.1", "Import officers and their histories from CSV or XLSX (the body is the "
                        "file). Every row is checked first by the API's own rules; any problem: 422 listing every one by "
                        "row and column (or the error file, `Accept: text/csv`), nothing recorded. `?dry_run=true` checks "
                        "only.", r.ImportResult),
}

#: How every export answers: the file, with the log position and signed chain head it was computed at.
EXPORT_NOTE = ("The file states the log position and signed chain head it was computed at (stamp rows, headers "
               "`X-Pengkom-Position`, `X-Pengkom-Chain-Head`); `pengkom verify --export FILE` re-derives it. Format: "
               "`?format=csv|xlsx` or `Accept`.")
EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")


@cache
def examples() -> dict[str, Any]:
    """Real requests and answers by operationId (api/openapi_examples.json)."""
    if not EXAMPLES_FILE.exists():
        return {}
    loaded: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return loaded


def guideline_line(doc: Doc) -> str:
    form = doc.form or "none (no form of the guideline)"
    section = f"Pedoman 2023, {doc.section}" if doc.section else "none — an operational route"
    return f"**Form:** {form} · **Guideline:** {section}"
