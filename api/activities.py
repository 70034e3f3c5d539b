"""Activities (BAB III): create and prepare, record monitoring (Formulir 3.3 / 3.4), reports and
certificates, complete (JP credited by the pathway plugin); read an activity and its monitoring.

Certificate uploads get their own body limit (``PENGKOM_UPLOAD_MAX_BYTES``, 10 MiB by default) on
a router built from the settings; every other route keeps the app's 1 MiB JSON limit.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody, Parameter
from litestar.response import Stream

from api import activity_bodies as b
from api import asof, reading
from api.bootstrap import Services
from api.commands import event_view, expected_version, run
from api.dates import check_dates
from api.filters import one_of
from api.schemas import Body
from api.scope import activity_in_scope, listing_scope, require_agency_reader
from api.settings import Settings
from core.activities import Activity, can_submit_report
from core.errors import Invalid, NotFound
from core.events import Actor
from core.evidence import FileStore
from core.i18n import msg
from plugins.manager import PathwayPlugins

Req = Request[Actor, Any, Any]
#: Room for the multipart envelope and form fields around the file itself.
MULTIPART_OVERHEAD = 256 * 1024


# -- helpers ----------------------------------------------------------------------------------------------


def _activity(services: Services, actor: Actor, aid: UUID) -> Activity:
    agg: Activity = activity_in_scope(services, actor, aid)
    return agg


def _pathways(services: Services) -> PathwayPlugins:
    assert services.pathways is not None, "the API is built with its pathway plugins"
    return services.pathways


def _files(services: Services) -> FileStore:
    assert services.files is not None, "the API is built with its file store"
    return services.files


def _fields(data: Body) -> tuple[dict[str, Any], date | None]:
    fields = msgspec.structs.asdict(data)
    return fields, fields.pop("effective_date")


def _jsonable(value: Any) -> Any:
    return msgspec.to_builtins(value)


def activity_document(services: Services, agg: Activity) -> dict[str, Any]:
    facts = agg.facts()
    doc = _jsonable(facts)
    doc.update(version=agg.version, status="completed" if agg.completed_on else "open",
               monitoring_form=agg.monitoring_form, monitored_by=agg.monitored_by, scheduled_by=agg.scheduled_by,
               evidence_required=list(agg.evidence_required), plugin=agg.plugin, plan_id=agg.plan_id,
               plan_row_id=agg.plan_row_id, proposal_letter=_jsonable(agg.proposal_letter), coach=_jsonable(agg.coach),
               missing_evidence={str(oid): services.app.activities.missing_evidence(agg, p)
                                 for oid, p in agg.participants.items() if p.pending})
    return doc


def _command(services: Services, request: Req, data: Body, aid: UUID, verb: Any, *, status: int = 200,
             result: Any = None) -> Response[Any]:
    _activity(services, request.user, aid)
    version = expected_version(request)
    fields, effective = _fields(data)
    return run(services, request, data, lambda ctx: [verb(ctx, aid, expected_version=version, **fields)],
               effective=effective, status=status, result=result)


class ActivityController(Controller):
    path = "/activities"
    tags = ["activities"]

    @post("/", operation_id="createActivity", summary="Create an activity of a pathway (unplanned or from a plan row)",
          status_code=201, sync_to_thread=True)
    def create(self, request: Req, services: NamedDependency[Services], data: JSONBody[b.CreateActivity]) -> Response[Any]:
        fields, effective = _fields(data)
        agency = fields.pop("agency") or request.user.agency
        if agency is None:
            raise Invalid("Name the agency the activity belongs to.", field="agency")
        return run(services, request, data, lambda ctx: [services.app.activities.create(ctx, _pathways(services), agency=agency, **fields)],
                   effective=effective, status=201)

    @get("/", operation_id="listActivities", summary="Activities of your agency (BAB III), searchable", sync_to_thread=True,
         description="The agency's development activities (BAB III). `q` searches a part of the title, the provider or the "
                     "place (any case); each hit then carries `matched_on` naming which. `pathway` takes a registered "
                     "pathway code (GET /pathways); an unknown one is refused (422) with the valid codes.")
    def list(self, request: Req, services: NamedDependency[Services], agency: FromQuery[str | None] = None,
             year: Annotated[int | None, Parameter(ge=1960, le=2100)] = None,
             pathway: Annotated[str | None, Parameter(max_length=60, description="a pathway code (GET /pathways)")] = None,
             q: Annotated[str | None, Parameter(min_length=1, max_length=100, description="part of the title, provider or place")] = None,
             limit: Annotated[int, Parameter(ge=1, le=500)] = 50, offset: Annotated[int, Parameter(ge=0)] = 0) -> dict[str, Any]:
        from core.catalogue import Pathway
        from projections.monitoring import list_activities

        pathway = one_of(pathway, _pathways(services).codes(), "pathway", enum=Pathway)
        services.projector.require_current("monitoring")
        actor = request.user
        scope = listing_scope(actor, agency)
        require_agency_reader(actor, "The list of activities (open an activity you take part in by its id)")
        rows, total = list_activities(services.views, agency=scope, year=year, pathway=pathway, q=q.strip() if q else None,
                                      limit=limit, offset=offset)
        return {"items": rows, "total": total, "limit": limit, "offset": offset}

    @get("/{activity_id:uuid}", operation_id="getActivity", summary="An activity: preparation, participants, evidence",
         sync_to_thread=True)
    def read(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID]) -> Response[Any]:
        agg = _activity(services, request.user, activity_id)
        doc = activity_document(services, agg)
        reading.redact_document(doc, reading.readable_notes(request.user, agg))
        return Response(doc, headers={"ETag": f'"{agg.version}"'})

    @get("/{activity_id:uuid}/events", operation_id="getActivityEvents", summary="Every event of the activity, with provenance",
         sync_to_thread=True)
    def events(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID]) -> dict[str, Any]:
        agg = _activity(services, request.user, activity_id)
        readable = reading.readable_notes(request.user, agg)
        events = services.app.stored_events(activity_id)
        return {"id": str(activity_id), "version": events[-1].originator_version if events else 0,
                "events": [reading.redact_event(event_view(e), readable) for e in events]}

    @get("/{activity_id:uuid}/monitoring", operation_id="getActivityMonitoring",
         summary="Formulir 3.3 / 3.4 rows and the pathway's findings judged at a day (?today=)", sync_to_thread=True)
    def monitoring(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                   today: Annotated[date | None, Parameter(description=asof.REFERENCE_DATE_DOC)] = None) -> dict[str, Any]:
        from projections.monitoring import activity_row, formulir_3_3, formulir_3_4

        asof.refuse_renamed(request)
        agg = _activity(services, request.user, activity_id)
        services.projector.require_current("monitoring")
        when = today or datetime.now(UTC).date()
        row = activity_row(services.views, str(activity_id))
        readable = reading.readable_notes(request.user, agg)
        findings = _pathways(services).findings(reading.facts_without_notes(agg.facts(), readable), when)
        body: dict[str, Any] = {
            "activity_id": str(activity_id), "title": agg.title, "pathway": agg.pathway, "agency": agg.agency,
            "satuan_kerja": agg.agency, "today": when.isoformat(), "monitoring_form": agg.monitoring_form,
            "monitored_by": agg.monitored_by, "version": row["version"] if row else agg.version,
            "formulir_3_3": formulir_3_3(services.views, str(activity_id)),
            "findings": [f.as_dict() for f in findings],
        }
        reading.redact_formulir_3_3(body["formulir_3_3"], readable)
        if agg.monitoring_form == "3.4":
            body["formulir_3_4"] = formulir_3_4(services.views, str(activity_id))
        return body

    @get("/{activity_id:uuid}/files/{sha256:str}", operation_id="getActivityFile", summary="An uploaded certificate or statement",
         sync_to_thread=True)
    def file(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], sha256: FromPath[str]) -> Stream:
        agg = _activity(services, request.user, activity_id)
        if sha256 not in agg.files:
            raise NotFound(msg("No file {sha256} is recorded on this activity.", sha256=sha256), field="sha256")
        ctype = next((e.content_type for e in services.app.stored_events(activity_id)
                      if isinstance(e, Activity.CertificateRecorded) and e.sha256 == sha256), "application/octet-stream")
        stored = _files(services).open(sha256)  # streamed in chunks from the deployment's file store (core/evidence.py)
        return Stream(stored.chunks, media_type=ctype, headers={"ETag": f'"{sha256}"', "Content-Length": str(stored.size),
                                                                "Cache-Control": "private, max-age=86400, immutable"})

    # -- preparation ----------------------------------------------------------------------------------

    @post("/{activity_id:uuid}/provider-approval", operation_id="approveProvider", status_code=200,
          summary="The head (or PPK) approves the provider or benchmarking host", sync_to_thread=True)
    def approve(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                data: JSONBody[b.ApproveProvider]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.approve_provider)

    @post("/{activity_id:uuid}/proposal-letter", operation_id="recordProposalLetter", status_code=200,
          summary="The proposal letter (surat pengusulan) to the provider", sync_to_thread=True)
    def proposal(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                 data: JSONBody[b.ProposalLetter]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.send_proposal_letter)

    @post("/{activity_id:uuid}/sessions", operation_id="scheduleSessions", status_code=200, summary="b.Schedule session dates", sync_to_thread=True)
    def sessions(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                 data: JSONBody[b.Schedule]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.schedule)

    @post("/{activity_id:uuid}/participants", operation_id="selectParticipant",
          summary="Select a participant with their urgency ranking", status_code=201, sync_to_thread=True)
    def select(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
               data: JSONBody[b.SelectParticipant]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.select_participant, status=201)

    @post("/{activity_id:uuid}/participants/deselection", operation_id="deselectParticipant", status_code=200,
          summary="Withdraw a participant, with a reason", sync_to_thread=True)
    def deselect(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                 data: JSONBody[b.Deselect]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.deselect_participant)

    @post("/{activity_id:uuid}/assignment-letters", operation_id="recordAssignmentLetter",
          summary="A participant's assignment letter (surat penugasan)", status_code=201, sync_to_thread=True)
    def assignment(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                   data: JSONBody[b.AssignmentLetter]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.issue_assignment, status=201)

    @post("/{activity_id:uuid}/coach", operation_id="assignCoach", status_code=200, summary="Assign the coach or mentor", sync_to_thread=True)
    def coach(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
              data: JSONBody[b.AssignCoach]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.assign_coach)

    @post("/{activity_id:uuid}/learning-contracts", operation_id="proposeLearningContract",
          summary="Draw up a learning contract: meetings agreed and goals", status_code=201, sync_to_thread=True)
    def contract(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                 data: JSONBody[b.ProposeContract]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.propose_contract, status=201)

    @post("/{activity_id:uuid}/learning-contracts/signatures", operation_id="signLearningContract", status_code=200,
          summary="The coachee or the coach agrees to the learning contract", sync_to_thread=True)
    def sign(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
             data: JSONBody[b.SignContract]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.sign_contract)

    @post("/{activity_id:uuid}/materials", operation_id="provideMaterials", status_code=200, summary="Learning material from the HR unit",
          sync_to_thread=True)
    def materials(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                  data: JSONBody[b.Materials]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.provide_materials)

    @post("/{activity_id:uuid}/topics", operation_id="setTopics", status_code=200, summary="The topics of a community of practice",
          sync_to_thread=True)
    def topics(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
               data: JSONBody[b.Topics]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.set_topics)

    # -- monitoring -----------------------------------------------------------------------------------

    @post("/{activity_id:uuid}/attendance", operation_id="recordAttendance", summary="Formulir 3.3: attendance of one session",
          status_code=201, sync_to_thread=True)
    def attendance(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                   data: JSONBody[b.AttendanceBody]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.record_attendance, status=201)

    @post("/{activity_id:uuid}/attendance/sessions", operation_id="recordSessionAttendance",
          summary="Formulir 3.3: attendance of a whole session, every participant in one request", status_code=201,
          sync_to_thread=True,
          description="Formulir 3.3 (BAB III, Tahap Monitoring) for one session date and all its participants at once: one "
                      "AttendanceRecorded event per participant, each with its own provenance and checked by the same rules "
                      "as POST …/attendance. All or nothing: if any participant's row breaks a rule, nothing is recorded and "
                      "the problem names the row (field participants[i].…, participant, participant_index). The answer "
                      "lists the assigned participants still without attendance on that date (still_missing).")
    def session_attendance(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                           data: JSONBody[b.SessionAttendance]) -> Response[Any]:
        def still_missing(aggregates: Any) -> dict[str, Any]:
            agg = aggregates[0]
            return {"session_date": data.session_date.isoformat(), "recorded": len(data.participants),
                    "still_missing": [str(oid) for oid, p in agg.participants.items()
                                      if p.pending and p.assignment is not None and data.session_date not in p.attendance]}

        _activity(services, request.user, activity_id)
        version = expected_version(request)
        rows = [msgspec.structs.asdict(row) for row in data.participants]
        return run(services, request, data, lambda ctx: [services.app.activities.record_session_attendance(
            ctx, activity_id, session_date=data.session_date, participants=rows, expected_version=version)],
            effective=data.effective_date, status=201, result=still_missing)

    @post("/{activity_id:uuid}/attendance/corrections", operation_id="correctAttendance", status_code=200,
          summary="Correct recorded attendance, with a reason", sync_to_thread=True)
    def correct_attendance(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                           data: JSONBody[b.AttendanceCorrection]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.correct_attendance)

    @post("/{activity_id:uuid}/meetings", operation_id="recordMeeting", summary="Formulir 3.4: a coaching/mentoring meeting held",
          status_code=201, sync_to_thread=True)
    def meeting(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                data: JSONBody[b.MeetingBody]) -> Response[Any]:
        _activity(services, request.user, activity_id)
        version = expected_version(request)
        fields, effective = _fields(data)
        out: dict[str, Any] = {}

        def verb(ctx: Any) -> list[Activity]:
            agg, mid = services.app.activities.record_meeting(ctx, activity_id, expected_version=version, **fields)
            out["meeting_id"] = str(mid)
            return [agg]

        return run(services, request, data, verb, effective=effective, status=201, result=lambda _: out)

    @post("/{activity_id:uuid}/meetings/corrections", operation_id="correctMeeting", status_code=200, summary="Correct a meeting, with a reason",
          sync_to_thread=True)
    def correct_meeting(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                        data: JSONBody[b.MeetingCorrection]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.correct_meeting)

    @post("/{activity_id:uuid}/meetings/retractions", operation_id="retractMeeting", status_code=200,
          summary="Retract a meeting recorded in error, with a reason", sync_to_thread=True)
    def retract_meeting(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                        data: JSONBody[b.MeetingRetraction]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.retract_meeting)

    # -- reporting ------------------------------------------------------------------------------------

    @post("/{activity_id:uuid}/reports", operation_id="submitReport", summary="The officer's report (date handed in)",
          status_code=201, sync_to_thread=True)
    def report(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
               data: JSONBody[b.ReportBody]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.submit_report, status=201)

    @post("/{activity_id:uuid}/coach-reports", operation_id="submitCoachReport", summary="The coach/mentor's report",
          status_code=201, sync_to_thread=True)
    def coach_report(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                     data: JSONBody[b.CoachReport]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.submit_coach_report, status=201)

    @post("/{activity_id:uuid}/discussion-notes", operation_id="recordDiscussionNotes",
          summary="Community of practice: discussion notes of one topic", status_code=201, sync_to_thread=True)
    def discussion(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                   data: JSONBody[b.DiscussionNotes]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.record_discussion_notes, status=201)

    @post("/{activity_id:uuid}/group-report", operation_id="submitGroupReport", summary="Community of practice: the group report",
          status_code=201, sync_to_thread=True)
    def group_report(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                     data: JSONBody[b.Summary]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.submit_group_report, status=201)

    @post("/{activity_id:uuid}/recap", operation_id="recordRecap", summary="The HR unit's recap of monitoring and reports",
          status_code=201, sync_to_thread=True)
    def recap(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
              data: JSONBody[b.Summary]) -> Response[Any]:
        return _command(services, request, data, activity_id, services.app.activities.record_recap, status=201)

    @post("/{activity_id:uuid}/completion", operation_id="completeActivity", status_code=200,
          summary="b.Complete participants: the pathway plugin credits their JP", sync_to_thread=True)
    def complete(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                 data: JSONBody[b.Complete]) -> Response[Any]:
        agg = _activity(services, request.user, activity_id)
        version = expected_version(request)
        table = services.app.jp_tables.table_for(agg.agency)
        return run(services, request, data, lambda ctx: [services.app.activities.complete(
            ctx, activity_id, _pathways(services), table, officer_ids=data.officer_ids, expected_version=version)],
            effective=data.effective_date)


class CertificateController(Controller):
    """The upload route, mounted on a router with the upload body limit."""

    path = "/activities"
    tags = ["activities"]

    @post("/{activity_id:uuid}/certificates", operation_id="uploadCertificate",
          summary="Upload a certificate or statement (PDF, JPEG or PNG) with its number, issuer and date",
          status_code=201, sync_to_thread=True)
    def upload(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
               data: MultipartBody[b.CertificateUpload]) -> Response[Any]:
        agg = _activity(services, request.user, activity_id)
        check_dates(data)
        version = expected_version(request)
        upload = data.file
        if not isinstance(upload, UploadFile):
            raise Invalid("Send the certificate as the form field 'file' of a multipart/form-data request.", field="file")
        # Check who may upload before the file touches the store; the store reads it in chunks.
        p = agg.participants.get(data.officer_id)
        if p is not None:
            can_submit_report(request.user, agg, p)
        stored = _files(services).put(upload.file, upload.content_type, upload.filename)
        fields: dict[str, Any] = {"officer_id": data.officer_id, "kind": data.kind, "number": data.number, "issuer": data.issuer,
                  "issued_on": data.issued_on, "programme_jp": data.programme_jp}
        fingerprint = {**fields, "sha256": stored.sha256}
        out: dict[str, Any] = {"sha256": stored.sha256, "size": stored.size, "content_type": stored.content_type}

        def verb(ctx: Any) -> list[Activity]:
            agg2, cid = services.app.activities.record_certificate(
                ctx, activity_id, sha256=stored.sha256, content_type=stored.content_type, size=stored.size,
                filename=(upload.filename or None) and upload.filename[:200], expected_version=version, **fields)
            out["certificate_id"] = str(cid)
            return [agg2]

        return run(services, request, fingerprint, verb, effective=data.effective_date, status=201, result=lambda _: out)


def activity_routes(settings: Settings) -> list[Any]:
    """The activity controllers; the upload route allows bodies up to the upload limit."""
    return [ActivityController,
            Router(path="/", route_handlers=[CertificateController],
                   request_max_body_size=settings.upload_max_bytes + MULTIPART_OVERHEAD)]
