"""Administrative evaluation (BAB V.A: Formulir 5.1 questionnaires, Formulir 5.2) per activity, and result
evaluation (BAB V.B: the ekspose, Formulir 5.3 per assessor, the Formulir 5.4 recap) per officer and activity."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from api import asof
from api.bootstrap import Services
from api.commands import expected_version, run
from api.schemas import Body, Reason
from api.scope import listing_scope, officer_for_command, readable_officer, require_agency_reader
from core.activities import Activity
from core.errors import NotFound
from core.evaluation.administrative import can_read_evaluation, evaluation_id
from core.evaluation.common import check_agency, load_activity
from core.evaluation.result import result_id
from core.events import Actor
from core.i18n import msg
from projections.evaluation_deadlines import evaluation_findings, evaluation_items
from projections.evaluations import administrative, administrative_list, result

Req = Request[Actor, Any, Any]
AsOf = Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Answer = Annotated[str, msgspec.Meta(max_length=2000)]
OptYear = Annotated[int | None, Parameter(ge=2000, le=2100)]


# -- request bodies ----------------------------------------------------------------------------------------


class Questionnaire(Body):
    """Formulir 5.1: part A, each statement (by code, see docs/evaluation.md) answered 1 (tidak puas) to 4 (sangat puas);
    part B, three open answers. The officer hands in their own; the HR unit enters a paper form on their behalf."""

    officer_id: UUID
    answers: Annotated[dict[str, Any], msgspec.Meta(description="statement code -> 1, 2, 3 or 4", examples=[{
        "materi_kualitas": 3, "materi_kesesuaian_tugas": 4, "penyelenggaraan_sesuai_jadwal": 3, "penyelenggaraan_tepat_waktu": 3,
        "sarana_ruang_kelas": 2, "sarana_suasana_belajar": 3, "instruktur_bahasa": 4, "instruktur_penyampaian": 4}])]
    suka_tidak_suka: Answer | None = None
    perbaikan: Answer | None = None
    lainnya: Answer | None = None


class Compute(Body):
    """Compute Formulir 5.2 from the recorded events (the validated plan rows against the activity)."""


class Override(Body):
    """Set one Formulir 5.2 cell otherwise than computed; the reason is printed beside the computed value."""

    officer_id: UUID
    cell: Annotated[str, msgspec.Meta(description="jenis, jalur, penyelenggara, jadwal, anggaran or jam_pelajaran")]
    sesuai: bool
    reason: Reason


class Verify(Body):
    qualitative_summary: Annotated[str, msgspec.Meta(max_length=10_000, description="item (14): the programme's qualitative result")] | None = None


class Sign52(Body):
    """Formulir 5.2 item (15): the signer's name; the capacity (PPK or head of the agency) comes from the token's role."""

    name: Text
    place: Text
    nip: str | None = None


class Ekspose(Body):
    """V.B.5.a: date and place of the ekspose and the indicators to score (none: the guideline's three criteria)."""

    held_on: date
    place: Text
    indicators: Annotated[list[str], msgspec.Meta(max_length=20)] | None = None
    competency: str | None = None


class Reschedule(Body):
    held_on: date
    place: Text
    reason: Reason


class Assessment(Body):
    """Formulir 5.3 of one assessor: position (item 1), capacity, a score 0–10 per indicator id (item 8)."""

    assessor_name: Text
    assessor_position: Text
    capacity: Annotated[str, msgspec.Meta(description="supervisor, colleague or hr_representative")]
    scores: Annotated[dict[str, Any], msgspec.Meta(description="indicator id (I1, I2 …) -> 0–10", examples=[{"I1": 8, "I2": 7, "I3": 9}])]
    assessor_nip: str | None = None


class Sign54(Body):
    """Formulir 5.4 item (11): the HR official (pejabat pengelola SDM) who signs the recap."""

    name: Text
    position: Text
    nip: str | None = None


# -- helpers ---------------------------------------------------------------------------------------------


def activity_for(services: Services, actor: Actor, activity_id: UUID) -> Activity:
    activity = load_activity(services.app, activity_id)
    check_agency(actor, activity.agency, f"activity with id {activity_id}")
    return activity


def _events(agg: Any) -> list[Any]:
    return [agg]


# -- administrative evaluation ---------------------------------------------------------------------------------


class AdministrativeEvaluationController(Controller):
    path = "/evaluations/activities"
    tags = ["evaluation"]

    @get("/", operation_id="listAdministrativeEvaluations", sync_to_thread=True,
         summary="Formulir 5.1 results and 5.2 of your agency's activities (national roles: any agency)")
    def list(self, request: Req, services: NamedDependency[Services], year: OptYear = None,
             agency: FromQuery[Annotated[str, msgspec.Meta(max_length=100)] | None] = None) -> dict[str, Any]:
        actor = request.user
        scope = listing_scope(actor, agency)
        require_agency_reader(actor, "The agency's administrative evaluations")
        services.projector.require_current("evaluations")
        return {"items": administrative_list(services.views, agency=scope, year=year)}

    @get("/{activity_id:uuid}", operation_id="getAdministrativeEvaluation", sync_to_thread=True,
         summary="Formulir 5.1 weights (Tabel 5.1 bands) and Formulir 5.2 of one activity, with its evaluation deadlines")
    def read(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], as_of: AsOf = None,
             today: FromQuery[date | None] = None) -> Response[Any]:
        activity = activity_for(services, request.user, activity_id)
        can_read_evaluation(request.user, activity)
        doc, point, head = asof.read_model(services, ["evaluations"], lambda st: administrative(st, str(activity_id)),
                                           as_of=as_of, aggregate_ids=[evaluation_id(activity_id)])
        if doc is None:
            if point is not None:
                raise NotFound(msg("Nothing of the evaluation of {title!r} was recorded yet at log position {position}.",
                                   title=activity.title, position=point.position))
            doc = {"activity_id": str(activity_id), "agency": activity.agency, "year": activity.year, "version": 0,
                   "activity": {"id": str(activity_id), "title": activity.title, "pathway": activity.pathway},
                   "formulir_5_1": {"respondents": 0, "handed_in": [], "results": None, "open_answers": []},
                   "formulir_5_2": {"nama_instansi": activity.agency, "rows": [], "status": "open", "verification": None,
                                    "signature": None}}
        if point is None:
            services.projector.require_current("deadlines")
            items = evaluation_items(services.views, agency=activity.agency, year=activity.year,
                                     today=today or datetime.now(UTC).date(), activity_id=str(activity_id))
            doc["deadlines"] = items
            doc["findings"] = evaluation_findings(items)
        return asof.respond(doc, point, head, headers=None if point else {"ETag": f'"{doc["version"]}"'})

    @post("/{activity_id:uuid}/questionnaires", operation_id="submitQuestionnaire", status_code=201, sync_to_thread=True,
          summary="Formulir 5.1: the officer's questionnaire (or a paper one entered by the HR unit)")
    def questionnaire(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                      data: JSONBody[Questionnaire]) -> Response[Any]:
        activity_for(services, request.user, activity_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: _events(services.app.evaluations.administrative.submit_questionnaire(
            ctx, activity_id, officer_id=data.officer_id, answers=data.answers, suka_tidak_suka=data.suka_tidak_suka,
            perbaikan=data.perbaikan, lainnya=data.lainnya, expected_version=version)), effective=data.effective_date, status=201)

    @post("/{activity_id:uuid}/form-5-2", operation_id="computeAdministrativeForm", status_code=200, sync_to_thread=True,
          summary="Formulir 5.2: compute every completed participant's row from the recorded events")
    def compute(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                data: JSONBody[Compute]) -> Response[Any]:
        activity_for(services, request.user, activity_id)
        version = expected_version(request)
        rules = services.pathways
        assert rules is not None, "the services are built with the pathway plugins"
        return run(services, request, data, lambda ctx: _events(services.app.evaluations.administrative.compute_rows(
            ctx, activity_id, rules, expected_version=version)), effective=data.effective_date)

    @post("/{activity_id:uuid}/form-5-2/overrides", operation_id="overrideAdministrativeCell", status_code=200, sync_to_thread=True,
          summary="Formulir 5.2: the HR unit sets a cell otherwise, with a reason kept beside the computed value")
    def override(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                 data: JSONBody[Override]) -> Response[Any]:
        activity_for(services, request.user, activity_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: _events(services.app.evaluations.administrative.override_cell(
            ctx, activity_id, officer_id=data.officer_id, cell=data.cell, sesuai=data.sesuai, reason=data.reason,
            expected_version=version)), effective=data.effective_date)

    @post("/{activity_id:uuid}/form-5-2/verification", operation_id="verifyAdministrativeForm", status_code=200, sync_to_thread=True,
          summary="Formulir 5.2: the HR unit verifies the reports, questionnaires and the matrix")
    def verify(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
               data: JSONBody[Verify]) -> Response[Any]:
        activity_for(services, request.user, activity_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: _events(services.app.evaluations.administrative.verify(
            ctx, activity_id, qualitative_summary=data.qualitative_summary, expected_version=version)),
            effective=data.effective_date)

    @post("/{activity_id:uuid}/form-5-2/signature", operation_id="signAdministrativeForm", status_code=200, sync_to_thread=True,
          summary="Formulir 5.2 signed by the PPK or the head of the agency (the capacity is recorded)")
    def sign(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
             data: JSONBody[Sign52]) -> Response[Any]:
        activity_for(services, request.user, activity_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: _events(services.app.evaluations.administrative.sign(
            ctx, activity_id, name=data.name, place=data.place, nip=data.nip, expected_version=version)),
            effective=data.effective_date)


# -- result evaluation --------------------------------------------------------------------------------------------


def visible_officer_activity(services: Services, actor: Actor, activity_id: UUID, officer_id: UUID) -> None:
    """For commands: another agency's officer or activity is 'not found'; the domain guards decide the rest."""
    officer_for_command(services, actor, officer_id)
    activity_for(services, actor, activity_id)


class ResultEvaluationController(Controller):
    path = "/evaluations/results"
    tags = ["evaluation"]

    @get("/{activity_id:uuid}/{officer_id:uuid}", operation_id="getResultEvaluation", sync_to_thread=True,
         summary="The ekspose, every Formulir 5.3 and the Formulir 5.4 recap of one officer's activity")
    def read(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], officer_id: FromPath[UUID],
             as_of: AsOf = None) -> Response[Any]:
        row = readable_officer(services, request.user, officer_id)
        activity = activity_for(services, request.user, activity_id)
        if activity.agency != row["agency"]:
            raise NotFound(msg("Officer {officer_id} has no activity {activity_id}.", officer_id=officer_id, activity_id=activity_id))
        doc, point, head = asof.read_model(services, ["evaluations"], lambda st: result(st, str(activity_id), str(officer_id)),
                                           as_of=as_of, aggregate_ids=[result_id(activity_id, officer_id)])
        if doc is None:
            when = msg(" at log position {position}", position=point.position) if point else ""
            raise NotFound(msg("No ekspose of {name} for {title!r} was scheduled{when}; the HR unit schedules it.",
                               name=row['name'], title=activity.title, when=when))
        return asof.respond(doc, point, head, headers=None if point else {"ETag": f'"{doc["version"]}"'})

    @post("/{activity_id:uuid}/{officer_id:uuid}/ekspose", operation_id="scheduleEkspose", status_code=201, sync_to_thread=True,
          summary="The HR unit schedules the ekspose and prepares Formulir 5.3 (indicators)")
    def schedule(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                 officer_id: FromPath[UUID], data: JSONBody[Ekspose]) -> Response[Any]:
        visible_officer_activity(services, request.user, activity_id, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: _events(services.app.evaluations.results.schedule(
            ctx, activity_id, officer_id, held_on=data.held_on, place=data.place, indicators=data.indicators,
            competency=data.competency, expected_version=version)), effective=data.effective_date, status=201)

    @post("/{activity_id:uuid}/{officer_id:uuid}/ekspose/rescheduling", operation_id="rescheduleEkspose", status_code=200, sync_to_thread=True,
          summary="Move the ekspose (before any Formulir 5.3 is recorded), with a reason")
    def reschedule(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                   officer_id: FromPath[UUID], data: JSONBody[Reschedule]) -> Response[Any]:
        visible_officer_activity(services, request.user, activity_id, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: _events(services.app.evaluations.results.reschedule(
            ctx, activity_id, officer_id, held_on=data.held_on, place=data.place, reason=data.reason,
            expected_version=version)), effective=data.effective_date)

    @post("/{activity_id:uuid}/{officer_id:uuid}/assessments", operation_id="recordCompetencyAssessment", status_code=201,
          sync_to_thread=True, summary="Formulir 5.3 of one assessor (entered by the HR unit, or by the assessor)")
    def assess(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], officer_id: FromPath[UUID],
               data: JSONBody[Assessment]) -> Response[Any]:
        visible_officer_activity(services, request.user, activity_id, officer_id)
        version = expected_version(request)
        out: dict[str, Any] = {}

        def verb(ctx: Any) -> list[Any]:
            agg, aid = services.app.evaluations.results.record_assessment(
                ctx, activity_id, officer_id, assessor_name=data.assessor_name, assessor_position=data.assessor_position,
                capacity=data.capacity, scores=data.scores, assessor_nip=data.assessor_nip, expected_version=version)
            out["assessment_id"] = str(aid)
            return [agg]

        return run(services, request, data, verb, effective=data.effective_date, status=201, result=lambda _: out)

    @post("/{activity_id:uuid}/{officer_id:uuid}/signature", operation_id="signResultRecap", status_code=200, sync_to_thread=True,
          summary="Formulir 5.4: the HR official signs the recap (totals, averages, final competency score)")
    def sign(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], officer_id: FromPath[UUID],
             data: JSONBody[Sign54]) -> Response[Any]:
        visible_officer_activity(services, request.user, activity_id, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: _events(services.app.evaluations.results.sign_recap(
            ctx, activity_id, officer_id, name=data.name, position=data.position, nip=data.nip, expected_version=version)),
            effective=data.effective_date)


__all__ = ["AdministrativeEvaluationController", "ResultEvaluationController"]
