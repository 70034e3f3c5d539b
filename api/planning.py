"""The agency's development plan (Formulir 2.6): recap rows, budgets, verification team and
meetings, findings of checks a–f and their resolution, the head's signature, validation,
revisions and submissions; the Instansi Pembina's curriculum standards; the deadline read model."""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import anyio
import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from api import asof, paging, pgreads, reading
from api.assessments import OptYearParam, YearParam
from api.bootstrap import Services
from api.commands import expected_version, run
from api.heads import sign
from api.schemas import Body, Reason
from api.scope import listing_scope, plan_in_scope, require_agency_reader
from core import access
from core.errors import NotFound
from core.events import Actor
from core.i18n import N_, msg
from core.planning import DevelopmentPlan, can_read_plan, plan_id
from projections.chain import chain_head
from projections.deadlines import deadlines
from projections.plan_pages import START, PlanPage, formulir_2_6_page
from projections.plans import curriculum_standards, formulir_2_6, list_plans, plan_head

Req = Request[Actor, Any, Any]
AsOf = Annotated[str | None, Parameter(max_length=64, description=asof.AS_OF_DOC)]
Agency = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Count = Annotated[int, msgspec.Meta(ge=1, le=2000)]


class PlanRowBody(Body):
    """Formulir 2.6 items 4–12; the officer's name, NIP and position come from Formulir 2.2."""

    officer_id: UUID
    competency: str
    pathway: Annotated[str, msgspec.Meta(description="Tabel 3.1 pathway code")]
    programme: Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="jenis: the programme's name")]
    funding_source: Annotated[str, msgspec.Meta(description="apbn, apbd or lainnya (BAB IV)")]
    budget: Decimal = Decimal(0)
    form: Annotated[str, msgspec.Meta(description="JP-conversion form code; defaults to the pathway")] | None = None
    curriculum_code: str | None = None
    provider: str | None = None
    start: date | None = None
    end: date | None = None
    days: Count | None = None
    sessions: Count | None = None
    programme_jp: Count | None = None
    international: bool = False
    jp: Annotated[Count, msgspec.Meta(description="planned JP, only where the conversion needs the agency's value")] | None = None
    credit_target: Decimal | None = None
    proposal_id: UUID | None = None
    proposal_item_id: UUID | None = None


class ChangeRow(PlanRowBody, kw_only=True):
    reason: Reason


_KEEP = msgspec.UNSET


class PatchRow(Body):
    """Only the fields of a Formulir 2.6 row that change (absent: kept as recorded; null: cleared), and why."""

    reason: Reason
    officer_id: UUID | msgspec.UnsetType = _KEEP
    competency: str | msgspec.UnsetType = _KEEP
    pathway: Annotated[str, msgspec.Meta(description="Tabel 3.1 pathway code")] | msgspec.UnsetType = _KEEP
    programme: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType = _KEEP
    funding_source: Annotated[str, msgspec.Meta(description="apbn, apbd or lainnya (BAB IV)")] | msgspec.UnsetType = _KEEP
    budget: Decimal | msgspec.UnsetType = _KEEP
    form: str | None | msgspec.UnsetType = _KEEP
    curriculum_code: str | None | msgspec.UnsetType = _KEEP
    provider: str | None | msgspec.UnsetType = _KEEP
    start: date | None | msgspec.UnsetType = _KEEP
    end: date | None | msgspec.UnsetType = _KEEP
    days: Count | None | msgspec.UnsetType = _KEEP
    sessions: Count | None | msgspec.UnsetType = _KEEP
    programme_jp: Count | None | msgspec.UnsetType = _KEEP
    international: bool | msgspec.UnsetType = _KEEP
    jp: Count | None | msgspec.UnsetType = _KEEP
    credit_target: Decimal | None | msgspec.UnsetType = _KEEP
    proposal_id: UUID | None | msgspec.UnsetType = _KEEP
    proposal_item_id: UUID | None | msgspec.UnsetType = _KEEP


class Removal(Body):
    reason: Reason


class RegisterBudget(Body):
    funding_source: str
    amount: Decimal
    note: str | None = None


class AcceptFinding(Body):
    reason: Annotated[str, msgspec.Meta(min_length=10, max_length=2000, description="why the plan keeps this row as it is")]


class AppointMember(Body):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    unit_represented: Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="planning, finance, HR or leadership unit")]
    nip: str | None = None
    team_role: str | None = None


class RecordMeeting(Body):
    held_on: date
    attendees: list[Annotated[str, msgspec.Meta(min_length=1, max_length=200)]]
    minutes: Annotated[str, msgspec.Meta(min_length=1, max_length=20000)]


class SignPlan(Body):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    place: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    nip: str | None = None


class Empty(Body):
    pass


class OpenRevision(Body):
    reason: Reason


class Submit(Body):
    recipient: Annotated[str, msgspec.Meta(description="pembina or lan")]
    submitted_on: date | None = None
    revision: Annotated[int, msgspec.Meta(ge=1)] | None = None


class RegisterCurriculum(Body):
    competency: str
    level: str
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    pathways: list[str] = msgspec.field(default_factory=list)
    min_jp: Count | None = None
    note: str | None = None


class WithdrawCurriculum(Body):
    competency: str
    level: str
    code: str
    reason: Reason


def _row(data: PlanRowBody) -> dict[str, Any]:
    d = msgspec.structs.asdict(data)
    d.pop("effective_date", None)
    d.pop("reason", None)
    return d


def _readable_plan(services: Services, actor: Actor, agency: str, year: int) -> dict[str, Any]:
    head = plan_head(services.views, str(plan_id(agency, year)))
    if head is None:
        if actor.agency is not None:
            plan_in_scope(actor, agency)
        raise NotFound(msg("{agency} has no development plan for {year} yet.", agency=agency, year=year), code="plan.not_found")
    can_read_plan(actor, agency, submitted=bool(head["submissions"]))
    return head


def _as_submitted(services: Services, actor: Actor, agency: str, year: int, subs: list[reading.Submission],
                  as_of: str | None, revision: int | None) -> tuple[reading.Submission | None, str | None]:
    """For a national reader: the submission they read the plan as of, and the position to read; for
    the agency's own readers (None, as_of) unchanged."""
    if not reading.national_only(actor, agency):
        return None, as_of
    upto = None
    if as_of is not None:
        with services.views.snapshot() as snap:
            upto = asof.resolve(services, as_of, snap).position
    got = [s for s in reading.received(actor, subs, upto) if revision is None or s.revision == revision]
    if not got:
        what = (msg("revision {revision} of {agency}'s {year} plan", revision=revision, agency=agency, year=year) if revision
                else msg("{agency}'s {year} plan", agency=agency, year=year))
        when = msg(" by {as_of}", as_of=as_of) if as_of is not None else N_(" yet")
        raise NotFound(msg("Nothing of {what} had been submitted to you{when}; national bodies read a plan as it was submitted "
                           "to them, never the agency's working draft.", what=what, when=when), code="plan.not_submitted")
    return got[-1], str(got[-1].position)


def _as_received(actor: Actor, row: dict[str, Any]) -> dict[str, Any] | None:
    """A plan in the list as a national reader received it (BAB II.C): only the submissions made to them, the
    revision of the latest one, status "submitted" — never the agency's current working state (its revision,
    status or version after the submission). None when nothing was submitted to this reader."""
    if not reading.national_only(actor, row["agency"]):
        return row
    wanted = reading.recipients_for(actor)
    subs = [sub for sub in row["submissions"] if wanted is None or sub["recipient"] in wanted]
    if not subs:
        return None
    revision = subs[-1]["revision"]
    return {"id": row["id"], "agency": row["agency"], "year": row["year"], "revision": revision, "status": "submitted",
            "submitted": True, "validated_revisions": [r for r in row["validated_revisions"] if r <= revision],
            "submissions": subs}


def _stamp_submissions(services: Services, doc: dict[str, Any], subs: list[reading.Submission]) -> None:
    """Each submission shown carries the signed chain head at the position it was recorded: what was sent."""
    with services.views.snapshot() as snap:
        for entry, sub in zip(doc.get("submissions") or [], subs, strict=False):
            signed = sign(services.settings, chain_head(snap, upto=sub.position))
            entry["position"] = sub.position
            entry["chain_head"] = signed.as_dict() if signed else None


def _read_plan(services: Services, actor: Actor, agency: str, year: int, as_of: str | None,
               page: PlanPage) -> tuple[Response[Any], tuple[int, str, str] | None]:
    """A page of Formulir 2.6 on the synchronous stores (psycopg, SQLite), live or as of ``as_of``; national
    readers read it as submitted to them. Where the next page starts when one follows."""
    _readable_plan(services, actor, agency, year)
    pid = plan_id(agency, year)
    subs = reading.submissions(services, pid)
    sent, read_at = _as_submitted(services, actor, agency, year, subs, as_of, None)
    # Formulir 2.6 is built from the plan's own events only, so an as-of read replays just those.
    (doc, last), point, head = asof.read_model(
        services, ["plans"], lambda st: formulir_2_6_page(st, dataclasses.replace(page, dialect=st.dialect)), as_of=read_at,
        aggregate_ids=[pid])
    if doc is None:
        assert point is not None
        raise NotFound(msg("{agency}'s {year} plan did not exist yet at log position {position}.", agency=agency, year=year, position=point.position))
    _stamp_submissions(services, doc, subs)
    if sent is not None:
        doc["as_submitted"] = {"position": sent.position, "recipient": sent.recipient, "revision": sent.revision,
                               "submitted_on": sent.submitted_on}
    if sent is not None and as_of is None:
        # Read as sent: no as-of block (nothing was asked for) and no ETag (not a version to write against).
        return asof.respond(doc, None, head), last
    return asof.respond(doc, point, head, headers={"ETag": f'"{doc["version"]}"'} if point is None else None), last


class PlanController(Controller):
    path = "/plans"
    tags = ["planning"]

    # -- reading ---------------------------------------------------------------------------------------

    @get("/", operation_id="listPlans", sync_to_thread=True,
         summary="Plans you may read: your agency's, or (national roles) submitted plans across agencies")
    def list(self, request: Req, services: NamedDependency[Services], year: OptYearParam = None,
             agency: FromQuery[Agency | None] = None) -> dict[str, Any]:
        actor = request.user
        scope = listing_scope(actor, agency)
        require_agency_reader(actor, "The agency's plans")
        submitted_only = access.reads_across_agencies(actor)
        items = list_plans(services.views, agency=scope, year=year, submitted_only=submitted_only)
        return {"items": [shown for row in items if (shown := _as_received(actor, row)) is not None]}

    @get("/{agency:str}/{year:int}", operation_id="getPlan",
         summary="Formulir 2.6 as it stands, a page of rows at a time, with findings, team, meetings, budgets, validations and submissions")
    async def read(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                   as_of: AsOf = None, limit: paging.Limit = paging.DEFAULT_LIMIT, cursor: paging.Cursor = None) -> Response[Any]:
        actor = request.user
        listing = ("plans", agency, year)
        after = paging.decode(cursor, listing, (int, str, str))
        page = PlanPage(str(plan_id(agency, year)), "postgres", limit, (after[0], after[1], after[2]) if after else START)
        # PostgreSQL, live, the agency's own readers of a plan not yet submitted: one statement through asyncpg, no
        # worker thread (api/pgreads.py). Everything else (as of a moment, national readers, submissions to stamp,
        # SQLite, the read models behind the log head, no such plan): the synchronous path.
        reads = pgreads.reads_of(request.app)
        answer: Response[Any] | None = None
        last: tuple[int, str, str] | None = None
        if as_of is None and reads is not None and not reading.national_only(actor, agency):
            got = await pgreads.page_read(services, reads, page.queries(), ["plans", "audit"])
            if got is not None:
                doc, last = page.shape(got[0])
                if doc is not None and not doc["submissions"]:
                    can_read_plan(actor, agency, submitted=False)
                    answer = asof.respond(doc, None, got[1], headers={"ETag": f'"{doc["version"]}"'})
        if answer is None:
            sync_answer, last = await anyio.to_thread.run_sync(_read_plan, services, actor, agency, year, as_of, page)
            answer = sync_answer
        body: dict[str, Any] = answer.content
        body["page"] = paging.page_info(f"/plans/{agency}/{year}", {"as_of": as_of}, limit, cursor, last, listing)
        return answer

    @get("/{agency:str}/{year:int}/revisions/{revision:int}", operation_id="getValidatedPlan", sync_to_thread=True,
         summary="Formulir 2.6 of one validated revision, as the PPK validated it")
    def revision(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                 revision: Annotated[int, Parameter(ge=1, le=10_000)], as_of: AsOf = None) -> Response[Any]:
        actor = request.user
        _readable_plan(services, actor, agency, year)
        pid = plan_id(agency, year)
        subs = reading.submissions(services, pid)
        sent, read_at = _as_submitted(services, actor, agency, year, subs, as_of, revision)
        doc, point, head = asof.read_model(services, ["plans"], lambda st: formulir_2_6(st, str(pid), revision),
                                           as_of=read_at, aggregate_ids=[pid])
        if doc is None:
            when = msg(" at log position {position}", position=point.position) if point else ""
            raise NotFound(msg("Revision {revision} of {agency}'s {year} plan had not been validated{when}.",
                               revision=revision, agency=agency, year=year, when=when))
        if sent is not None:
            doc["as_submitted"] = {"position": sent.position, "recipient": sent.recipient, "revision": sent.revision,
                                   "submitted_on": sent.submitted_on}
        return asof.respond(doc, point, head)

    # -- composing and verifying -------------------------------------------------------------------------

    @post("/{agency:str}/{year:int}/budgets", operation_id="registerPlanBudget", status_code=200, sync_to_thread=True,
          summary="Register the budget available for the plan year from one funding source")
    def budget(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
               data: JSONBody[RegisterBudget]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.register_budget(
            ctx, agency, year, funding_source=data.funding_source, amount=data.amount, note=data.note,
            expected_version=version)], effective=data.effective_date)

    def _with_id(self, services: Services, request: Req, data: Any, call: Any, key: str, status: int = 201) -> Response[Any]:
        out: dict[str, Any] = {}

        def verb(ctx: Any) -> list[DevelopmentPlan]:
            plan, new_id = call(ctx)
            out[key] = str(new_id)
            return [plan]

        return run(services, request, data, verb, effective=data.effective_date, status=status, result=lambda _: out)

    @post("/{agency:str}/{year:int}/rows", operation_id="addPlanRow", status_code=201, sync_to_thread=True,
          summary="Recap a row into the plan (HR unit or PyB); checks a–f rerun")
    def add_row(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                data: JSONBody[PlanRowBody]) -> Response[Any]:
        version = expected_version(request)
        return self._with_id(services, request, data, lambda ctx: services.app.plans.add_row(
            ctx, agency, year, row=_row(data), expected_version=version), "row_id")

    @post("/{agency:str}/{year:int}/rows/{row_id:uuid}", operation_id="changePlanRow", status_code=200, sync_to_thread=True,
          summary="Change a row, with a reason; checks a–f rerun")
    def change_row(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                   row_id: FromPath[UUID], data: JSONBody[ChangeRow]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.change_row(
            ctx, agency, year, row_id, row=_row(data), reason=data.reason, expected_version=version)],
            effective=data.effective_date)

    @patch("/{agency:str}/{year:int}/rows/{row_id:uuid}", operation_id="patchPlanRow", status_code=200, sync_to_thread=True,
           summary="Formulir 2.6: change only some fields of a row, with a reason; checks a–f rerun",
           description="A partial update of one Formulir 2.6 row (BAB II.B.3 huruf b, items 4–12): send only the fields "
                       "that change (absent: kept as recorded; null: cleared) and the mandatory reason. The row that results "
                       "is checked by exactly the rules of a change of the whole row (POST …/rows/{row_id}) and recorded as the "
                       "same RowChanged event with its provenance; checks a–f rerun and a head's signature is voided. "
                       "If-Match pins the plan's version (409 when stale).")
    def patch_row(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                  row_id: FromPath[UUID], data: JSONBody[PatchRow]) -> Response[Any]:
        version = expected_version(request)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items()
                   if v is not msgspec.UNSET and k not in ("reason", "effective_date")}
        return run(services, request, data, lambda ctx: [services.app.plans.patch_row(
            ctx, agency, year, row_id, changes=changes, reason=data.reason, expected_version=version)],
            effective=data.effective_date)

    @post("/{agency:str}/{year:int}/rows/{row_id:uuid}/removal", operation_id="removePlanRow", status_code=200, sync_to_thread=True,
          summary="Remove a row, with a reason; checks a–f rerun")
    def remove_row(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                   row_id: FromPath[UUID], data: JSONBody[Removal]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.remove_row(
            ctx, agency, year, row_id, reason=data.reason, expected_version=version)], effective=data.effective_date)

    @post("/{agency:str}/{year:int}/checks", operation_id="rerunPlanChecks", status_code=200, sync_to_thread=True,
          summary="Rerun checks a–f (e.g. after a curriculum standard was registered)")
    def checks(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
               data: JSONBody[Empty]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.rerun_checks(
            ctx, agency, year, expected_version=version)], effective=data.effective_date)

    @post("/{agency:str}/{year:int}/findings/{finding_id:uuid}/acceptance", operation_id="acceptFinding", status_code=200, sync_to_thread=True,
          summary="The PyB accepts a finding with a written reason")
    def accept(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
               finding_id: FromPath[UUID], data: JSONBody[AcceptFinding]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.accept_finding(
            ctx, agency, year, finding_id, reason=data.reason, expected_version=version)], effective=data.effective_date)

    @post("/{agency:str}/{year:int}/team", operation_id="appointTeamMember", status_code=201, sync_to_thread=True,
          summary="The PyB appoints a verification-team member and the unit they represent")
    def appoint(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                data: JSONBody[AppointMember]) -> Response[Any]:
        version = expected_version(request)
        return self._with_id(services, request, data, lambda ctx: services.app.plans.appoint_member(
            ctx, agency, year, name=data.name, unit_represented=data.unit_represented, nip=data.nip,
            team_role=data.team_role, expected_version=version), "member_id")

    @post("/{agency:str}/{year:int}/team/{member_id:uuid}/release", operation_id="releaseTeamMember", status_code=200, sync_to_thread=True,
          summary="Release a team member, with a reason")
    def release(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                member_id: FromPath[UUID], data: JSONBody[Removal]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.release_member(
            ctx, agency, year, member_id, reason=data.reason, expected_version=version)], effective=data.effective_date)

    @post("/{agency:str}/{year:int}/meetings", operation_id="recordTeamMeeting", status_code=201, sync_to_thread=True,
          summary="Record a verification-team meeting: date, attendees, minutes")
    def meeting(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                data: JSONBody[RecordMeeting]) -> Response[Any]:
        version = expected_version(request)
        return self._with_id(services, request, data, lambda ctx: services.app.plans.record_meeting(
            ctx, agency, year, held_on=data.held_on, attendees=data.attendees, minutes=data.minutes,
            expected_version=version), "meeting_id")

    # -- sign-off, validation, revisions, submission ------------------------------------------------------

    @post("/{agency:str}/{year:int}/signature", operation_id="signPlan", status_code=200, sync_to_thread=True,
          summary="Formulir 2.6 items 13–14: signed by the head of the work unit")
    def sign(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
             data: JSONBody[SignPlan]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.sign(
            ctx, agency, year, name=data.name, place=data.place, nip=data.nip, expected_version=version)],
            effective=data.effective_date)

    @post("/{agency:str}/{year:int}/validation", operation_id="validatePlan", status_code=200, sync_to_thread=True,
          summary="The PPK validates the plan (every finding resolved); the revision is locked")
    def validate(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                 data: JSONBody[Empty]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.validate(
            ctx, agency, year, expected_version=version)], effective=data.effective_date)

    @post("/{agency:str}/{year:int}/revisions", operation_id="openPlanRevision", status_code=200, sync_to_thread=True,
          summary="Open a numbered revision of a validated plan, with a reason")
    def open_revision(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
                      data: JSONBody[OpenRevision]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.open_revision(
            ctx, agency, year, reason=data.reason, expected_version=version)], effective=data.effective_date)

    @post("/{agency:str}/{year:int}/submissions", operation_id="submitPlan", status_code=200, sync_to_thread=True,
          summary="Record the submission of the validated plan to the Instansi Pembina or LAN, with its date")
    def submit(self, request: Req, services: NamedDependency[Services], agency: FromPath[Agency], year: YearParam,
               data: JSONBody[Submit]) -> Response[Any]:
        version = expected_version(request)
        return run(services, request, data, lambda ctx: [services.app.plans.submit(
            ctx, agency, year, recipient=data.recipient, submitted_on=data.submitted_on, revision=data.revision,
            expected_version=version)], effective=data.effective_date)


class CurriculumController(Controller):
    path = "/curriculum-standards"
    tags = ["planning"]

    @post("/", operation_id="registerCurriculumStandard", status_code=201, sync_to_thread=True,
          summary="The Instansi Pembina registers a curriculum standard for a competency at a level")
    def register(self, request: Req, services: NamedDependency[Services], data: JSONBody[RegisterCurriculum]) -> Response[Any]:
        return run(services, request, data, lambda ctx: [services.app.plans.register_curriculum(
            ctx, competency_code=data.competency, level=data.level, code=data.code, title=data.title,
            pathways=data.pathways, min_jp=data.min_jp, note=data.note)], effective=data.effective_date, status=201)

    @post("/withdrawal", operation_id="withdrawCurriculumStandard", status_code=200, sync_to_thread=True,
          summary="Withdraw a curriculum standard, with a reason")
    def withdraw(self, request: Req, services: NamedDependency[Services], data: JSONBody[WithdrawCurriculum]) -> Response[Any]:
        return run(services, request, data, lambda ctx: [services.app.plans.withdraw_curriculum(
            ctx, competency_code=data.competency, level=data.level, code=data.code, reason=data.reason)],
            effective=data.effective_date)

    @get("/", operation_id="listCurriculumStandards", sync_to_thread=True, summary="Registered curriculum standards")
    def list(self, services: NamedDependency[Services], competency: FromQuery[str | None] = None,
             level: FromQuery[str | None] = None) -> dict[str, Any]:
        from api.filters import one_of
        from core.catalogue import COMPETENCIES, Level

        one_of(competency, (c.code for c in COMPETENCIES), "competency")
        level = one_of(level, (lv.value for lv in Level), "level", enum=Level)
        return {"items": curriculum_standards(services.views, competency_code=competency, level=level)}


class DeadlineController(Controller):
    path = "/deadlines"
    tags = ["planning"]

    @get("/", operation_id="planningDeadlines", sync_to_thread=True,
         summary="Per agency and plan year: what is due, done, and overdue by how many days")
    def read(self, request: Req, services: NamedDependency[Services], plan_year: YearParam,
             agency: FromQuery[Agency | None] = None, today: FromQuery[date | None] = None) -> dict[str, Any]:
        actor = request.user
        scope = listing_scope(actor, agency)
        if scope is None:
            raise access.Forbidden("Name the agency whose deadlines you want to read (?agency=).")
        require_agency_reader(actor, "The agency's deadlines")
        return deadlines(services.views, agency=scope, plan_year=plan_year,
                         today=today or datetime.now(UTC).date())
