"""Impact evaluation (BAB V.C), Formulir 5.5 per officer and activity: evidence files, the officer's self
assessment, the direct supervisor's separate assessment, the supervisor–officer dialogue, both signatures;
read as written, as assessed and as agreed. Evidence uploads get the upload body limit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, MultipartBody, Parameter

from api import asof
from api.bootstrap import Services
from api.commands import expected_version, run
from api.evaluations import activity_for, visible_officer_activity
from api.schemas import Body
from api.scope import readable_officer
from api.settings import Settings
from core.cycle import as_self_or_supervisor
from core.errors import Invalid, NotFound
from core.evaluation.impact import impact_id
from core.events import Actor
from core.i18n import N_, msg
from projections.evaluations import impact

Req = Request[Actor, Any, Any]
AsOf = Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)]
Items = Annotated[list[dict[str, Any]], msgspec.Meta(max_length=30, description=(
    "work behaviours: {behaviour, contribution?, target?, evidence: [{kind: file, sha256} | {kind: credit_points, "
    "credit_points} | {kind: description, description}]}"))]
Removals = Annotated[list[dict[str, Any]], msgspec.Meta(max_length=30, description="[{item_id, reason}]")]
#: Room for the multipart envelope around the file itself.
MULTIPART_OVERHEAD = 256 * 1024
VIEWS = ("as_written", "as_assessed", "as_agreed")


class SelfAssessment(Body):
    """Columns 5–11, by the officer: the competency (when the activity names none), obstacles, the work behaviours."""

    obstacles: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
    items: Items = msgspec.field(default_factory=list)
    competency: str | None = None


class SupervisorAssessment(Body):
    """The direct supervisor's separate identification: a note, items added, items removed (with reasons)."""

    note: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
    add: Items = msgspec.field(default_factory=list)
    remove: Removals = msgspec.field(default_factory=list)


class Dialogue(Body):
    """The supervisor–officer dialogue: confirm, add, remove items (with reasons), add notes."""

    held_on: date
    confirm: Annotated[list[str], msgspec.Meta(max_length=60)] = msgspec.field(default_factory=list)
    add: Items = msgspec.field(default_factory=list)
    remove: Removals = msgspec.field(default_factory=list)
    notes: Annotated[list[str], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)


class Sign55(Body):
    """Column 12 or 13: the officer or the direct supervisor, told apart by the token."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


@dataclass
class EvidenceUpload:
    """multipart/form-data: the evidence file (PDF, JPEG or PNG)."""

    file: UploadFile


def _readable(services: Services, actor: Actor, activity_id: UUID, officer_id: UUID) -> dict[str, Any]:
    row = readable_officer(services, actor, officer_id)
    activity = activity_for(services, actor, activity_id)
    if activity.agency != row["agency"]:
        raise NotFound(msg("Officer {officer_id} has no activity {activity_id}.", officer_id=officer_id, activity_id=activity_id))
    return row


class ImpactEvaluationController(Controller):
    path = "/evaluations/impact"
    tags = ["evaluation"]

    @get("/{activity_id:uuid}/{officer_id:uuid}", operation_id="getImpactEvaluation", sync_to_thread=True,
         summary="Formulir 5.5 as the officer wrote it, as the supervisor assessed it and as agreed")
    def read(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], officer_id: FromPath[UUID],
             as_of: AsOf = None,
             view: Annotated[str | None, Parameter(max_length=20, description="as_written, as_assessed or as_agreed")] = None,
             ) -> Response[Any]:
        row = _readable(services, request.user, activity_id, officer_id)
        if view is not None and view not in VIEWS:
            raise Invalid(msg("view {view!r} is not one of {VIEWS}.", view=view, VIEWS=', '.join(VIEWS)), field="view")
        doc, point, head = asof.read_model(services, ["evaluations"], lambda st: impact(st, str(activity_id), str(officer_id)),
                                           as_of=as_of, aggregate_ids=[impact_id(activity_id, officer_id)])
        if doc is None:
            when = msg(" at log position {position}", position=point.position) if point else ""
            raise NotFound(msg("{name} had not started Formulir 5.5 for activity {activity_id}{when}.", name=row['name'], activity_id=activity_id, when=when))
        if view is not None:
            doc = {k: v for k, v in doc.items() if k not in VIEWS or k == view}
        return asof.respond(doc, point, head, headers=None if point else {"ETag": f'"{doc["version"]}"'})

    @get("/{activity_id:uuid}/{officer_id:uuid}/files/{sha256:str}", operation_id="getImpactEvidence", sync_to_thread=True,
         summary="An evidence file attached to Formulir 5.5")
    def file(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], officer_id: FromPath[UUID],
             sha256: FromPath[str]) -> Response[bytes]:
        _readable(services, request.user, activity_id, officer_id)
        agg = services.app.evaluations.impact.find(activity_id, officer_id)
        if agg is None or sha256 not in agg.files:
            raise NotFound(msg("No evidence file {sha256} is attached to this Formulir 5.5.", sha256=sha256), field="sha256")
        ctype = next((e.content_type for e in services.app.stored_events(agg.id)
                      if getattr(e, "sha256", None) == sha256), "application/octet-stream")
        assert services.files is not None, "the services are built with the file store"
        return Response(services.files.read(sha256), media_type=ctype,
                        headers={"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=86400, immutable"})

    @post("/{activity_id:uuid}/{officer_id:uuid}/self-assessment", operation_id="selfAssessImpact", status_code=200, sync_to_thread=True,
          summary="Formulir 5.5 columns 5–11: the officer's self assessment (a new one supersedes until the supervisor assessed)")
    def self_assess(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                    officer_id: FromPath[UUID], data: JSONBody[SelfAssessment]) -> Response[Any]:
        visible_officer_activity(services, request.user, activity_id, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.evaluations.impact.self_assess(
            ctx, activity_id, officer_id, obstacles=data.obstacles, items=data.items, competency=data.competency,
            expected_version=version)], effective=data.effective_date)

    @post("/{activity_id:uuid}/{officer_id:uuid}/supervisor-assessment", operation_id="supervisorAssessImpact", status_code=200,
          sync_to_thread=True, summary="Formulir 5.5: the direct supervisor's separate assessment (add or remove items)")
    def supervisor(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                   officer_id: FromPath[UUID], data: JSONBody[SupervisorAssessment]) -> Response[Any]:
        visible_officer_activity(services, request.user, activity_id, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.evaluations.impact.supervisor_assess(
            ctx, activity_id, officer_id, note=data.note, add=data.add, remove=data.remove, expected_version=version)],
            effective=data.effective_date)

    @post("/{activity_id:uuid}/{officer_id:uuid}/dialogue", operation_id="recordImpactDialogue", status_code=200, sync_to_thread=True,
          summary="Formulir 5.5: the supervisor–officer dialogue — each confirmation, addition, removal and note its own event")
    def dialogue(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID],
                 officer_id: FromPath[UUID], data: JSONBody[Dialogue]) -> Response[Any]:
        visible_officer_activity(services, request.user, activity_id, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.evaluations.impact.dialogue(
            ctx, activity_id, officer_id, held_on=data.held_on, confirm=data.confirm, add=data.add, remove=data.remove,
            notes=data.notes, expected_version=version)], effective=data.effective_date)

    @post("/{activity_id:uuid}/{officer_id:uuid}/signatures", operation_id="signImpactEvaluation", status_code=200, sync_to_thread=True,
          summary="Formulir 5.5 columns 12–13: the officer or the direct supervisor signs, after the dialogue")
    def sign(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], officer_id: FromPath[UUID],
             data: JSONBody[Sign55]) -> Response[Any]:
        visible_officer_activity(services, request.user, activity_id, officer_id)
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.evaluations.impact.sign(
            ctx, activity_id, officer_id, name=data.name, expected_version=version)], effective=data.effective_date)


class ImpactEvidenceController(Controller):
    """The evidence upload, mounted on a router with the upload body limit."""

    path = "/evaluations/impact"
    tags = ["evaluation"]

    @post("/{activity_id:uuid}/{officer_id:uuid}/evidence", operation_id="uploadImpactEvidence", status_code=201,
          sync_to_thread=True, summary="Attach an evidence file (PDF, JPEG or PNG) to Formulir 5.5; items cite it by SHA-256")
    def upload(self, request: Req, services: NamedDependency[Services], activity_id: FromPath[UUID], officer_id: FromPath[UUID],
               data: MultipartBody[EvidenceUpload]) -> Response[Any]:
        visible_officer_activity(services, request.user, activity_id, officer_id)
        version = expected_version(request)
        upload = data.file
        if not isinstance(upload, UploadFile):
            raise Invalid("Send the evidence as the form field 'file' of a multipart/form-data request.", field="file")
        # Check who may attach before the file touches the disk: the officer or the direct supervisor.
        as_self_or_supervisor(request.user, services.app.officers.get(officer_id), N_("attach evidence to Formulir 5.5"))
        files = services.files
        assert files is not None, "the services are built with the file store"
        content = upload.file.read(files.max_bytes + 1)
        stored = files.put(content, upload.content_type, upload.filename)
        out = {"sha256": stored.sha256, "size": stored.size, "content_type": stored.content_type}
        return run(services, request, out, lambda ctx: [services.app.evaluations.impact.attach_evidence(
            ctx, activity_id, officer_id, sha256=stored.sha256, content_type=stored.content_type, size=stored.size,
            filename=(upload.filename or None) and upload.filename[:200], expected_version=version)], status=201,
            result=lambda _: out)


def impact_routes(settings: Settings) -> list[Any]:
    """The Formulir 5.5 controllers; the evidence upload allows bodies up to the upload limit."""
    return [ImpactEvaluationController,
            Router(path="/", route_handlers=[ImpactEvidenceController],
                   request_max_body_size=settings.upload_max_bytes + MULTIPART_OVERHEAD)]


__all__ = ["ImpactEvaluationController", "ImpactEvidenceController", "impact_routes"]
