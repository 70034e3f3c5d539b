"""The Instansi Pembina's assessment instrument and the 180° competency assessment
(Formulir 2.3 supervisor, 2.4 self) with its competency-gap analysis."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from api.bootstrap import Services
from api.commands import expected_version, run
from api.schemas import Body
from api.scope import officer_for_command, readable_officer
from core.assessment import assessment_id
from core.errors import NotFound
from core.events import Actor
from core.i18n import msg
from projections.assessments import assessment_forms, instrument, list_instruments

Req = Request[Actor, Any, Any]
Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]
#: A year in a path or query string (Litestar checks the bounds of parameters through ``Parameter``).
YearParam = Annotated[int, Parameter(ge=2000, le=2100)]
OptYearParam = Annotated[int | None, Parameter(ge=2000, le=2100)]


class QuestionBody(msgspec.Struct, forbid_unknown_fields=True):
    question_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    competency: str
    level: str
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class StandardBody(msgspec.Struct, forbid_unknown_fields=True):
    competency: str
    level: str
    target: Annotated[Decimal, msgspec.Meta(description="standard (target) score on the 0–10 scale")]


class PublishInstrument(Body):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    questions: list[QuestionBody]
    standards: list[StandardBody]
    note: str | None = None


class ScoreBody(msgspec.Struct, forbid_unknown_fields=True):
    question_id: str
    # Any, so that "7" or 7.5 reach the domain rule and get its clerk-readable message.
    score: Annotated[Any, msgspec.Meta(description="whole number 0–10")]


class ScoreForm(Body):
    scores: list[ScoreBody]
    instrument: str | None = msgspec.field(default=None)
    instrument_version: Annotated[int, msgspec.Meta(ge=1)] | None = None


class CloseGapAnalysis(Body):
    weight_supervisor: Decimal = Decimal("0.5")
    weight_self: Decimal = Decimal("0.5")


def _dicts(items: list[Any]) -> list[dict[str, Any]]:
    return [msgspec.structs.asdict(i) for i in items]


class InstrumentController(Controller):
    path = "/instruments"
    tags = ["assessment"]

    @post("/{code:str}/versions", operation_id="publishInstrumentVersion", status_code=201, sync_to_thread=True,
          summary="Publish a version of the 180° instrument: questions per competency and level, standard scores (Instansi Pembina)")
    def publish(self, request: Req, services: NamedDependency[Services], code: FromPath[str],
                data: JSONBody[PublishInstrument]) -> Response[Any]:
        return run(services, request, data, lambda ctx: [services.app.assessments.publish_instrument(
            ctx, code=code, title=data.title, questions=_dicts(data.questions), standards=_dicts(data.standards),
            note=data.note)], effective=data.effective_date, status=201,
            result=lambda aggs: {"instrument_version": aggs[0].latest})

    @get("/", operation_id="listInstruments", summary="Published instruments and their versions", sync_to_thread=True)
    def list(self, services: NamedDependency[Services]) -> dict[str, Any]:
        return {"items": list_instruments(services.views)}

    @get("/{code:str}", operation_id="getInstrument", summary="One instrument version (latest unless ?version=)", sync_to_thread=True)
    def read(self, services: NamedDependency[Services], code: FromPath[str],
             version: Annotated[int | None, Parameter(ge=1, le=10_000)] = None) -> dict[str, Any]:
        doc = instrument(services.views, code, version)
        if doc is None:
            raise NotFound(msg("No assessment instrument {code!r} version {version} is published.", code=code, version=version) if version
                           else msg("No assessment instrument {code!r} is published.", code=code))
        return doc


class AssessmentController(Controller):
    path = "/assessments"
    tags = ["assessment"]

    @post("/{officer_id:uuid}/{year:int}/supervisor", operation_id="scoreAsSupervisor", status_code=200, sync_to_thread=True,
          summary="Formulir 2.3: the direct supervisor scores every question 0–10")
    def supervisor(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], year: YearParam,
                   data: JSONBody[ScoreForm]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.assessments.score_as_supervisor(
            ctx, officer_id, year, scores=_dicts(data.scores), instrument=data.instrument,
            instrument_version=data.instrument_version, expected_version=version)], effective=data.effective_date)

    @post("/{officer_id:uuid}/{year:int}/self", operation_id="scoreSelf", status_code=200, sync_to_thread=True,
          summary="Formulir 2.4: the officer scores every question 0–10")
    def self_assessment(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID],
                        year: YearParam, data: JSONBody[ScoreForm]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.assessments.score_self(
            ctx, officer_id, year, scores=_dicts(data.scores), instrument=data.instrument,
            instrument_version=data.instrument_version, expected_version=version)], effective=data.effective_date)

    @post("/{officer_id:uuid}/{year:int}/gap-analysis", operation_id="closeGapAnalysis", status_code=200, sync_to_thread=True,
          summary="Close the competency-gap analysis (HR unit or Instansi Pembina), weights explicit")
    def close(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], year: YearParam,
              data: JSONBody[CloseGapAnalysis]) -> Response[Any]:
        officer_for_command(services, request.user, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.assessments.close_gap_analysis(
            ctx, officer_id, year, weight_supervisor=data.weight_supervisor, weight_self=data.weight_self,
            expected_version=version)], effective=data.effective_date)

    @get("/{officer_id:uuid}/{year:int}", operation_id="getAssessment", sync_to_thread=True,
         summary="Formulir 2.3 and 2.4 as filled, and the competency-gap analysis once closed")
    def read(self, request: Req, services: NamedDependency[Services], officer_id: FromPath[UUID], year: YearParam) -> Response[Any]:
        officer = readable_officer(services, request.user, officer_id)
        doc = assessment_forms(services.views, str(assessment_id(officer_id, year)), officer)
        if doc is None:
            raise NotFound(msg("No {year} competency assessment of officer {nip} has been started.", year=year, nip=officer['nip']))
        return Response(doc, headers={"ETag": f'"{doc["version"]}"'})
