"""Bulk import of officers (Formulir 2.2) and their histories from CSV or XLSX — ``POST /imports/officers`` and
``pengkom import officers FILE`` run the same code (:func:`execute`): the whole file is validated first with the
API's own rules; any problem is reported by row and column (problem+json, or the error file as CSV with
``Accept: text/csv``) and nothing is recorded; a clean file is recorded in batches, idempotently (see
:mod:`reports.importer`)."""
from __future__ import annotations

import argparse
import hashlib
import sys
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, Router, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import Parameter

from api import schemas as s
from api.bootstrap import Services
from api.commands import NotRecorded, OutcomeUnknown, record_many
from api.settings import Settings
from core import access
from core.errors import Conflict, Forbidden, Invalid
from core.events import Actor, Context
from core.i18n import DEFAULT, N_, msg
from projections.bulkstage import BulkStage, StageFailed
from projections.eventstore import DUPLICATE, RECORDED, UNKNOWN
from reports import importer, shards

Req = Request[Actor, Any, Any]
SCHEMAS = {"officer": s.RegisterOfficer, "position": s.PositionEntry, "development": s.DevelopmentEntry, "performance": s.PerformanceEntry,
           "credit_points": s.CreditPointsEntry}


@dataclass
class Outcome:
    plan: importer.ImportPlan
    recorded_batches: int = 0
    replayed_batches: int = 0
    positions: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"file_sha256": self.plan.digest, "agency": self.plan.agency, **self.plan.summary(),
                "batches": self.recorded_batches, "batches_already_recorded": self.replayed_batches,
                "first_position": self.positions[0] if self.positions else None,
                "last_position": self.positions[-1] if self.positions else None}


def execute(services: Services, actor: Actor, data: bytes, *, agency: str, request_id: str, dry_run: bool = False,
            on_validate: Callable[[int, int], None] | None = None,
            on_record: Callable[[int, int], None] | None = None) -> Outcome:
    """Validate the whole file, then (when clean and not a dry run) record it batch by batch."""
    access.require_role(actor, [access.HR], N_("import officers and their histories"))
    if actor.agency != agency:
        raise Forbidden(msg("You import into your own agency ({agency}), not {agency2}.", agency=actor.agency, agency2=agency))
    ctx = Context(actor=actor, request_id=request_id, now=datetime.now(UTC))
    if not dry_run and BulkStage.supported(services.app):
        return _execute_staged(services, actor, data, ctx, agency=agency, on_validate=on_validate, on_record=on_record)
    try:
        plan = importer.plan_import(services.app, ctx, data, agency=agency, schemas=SCHEMAS, on_progress=on_validate)
    except importer.NotATable as e:
        raise Invalid(e.args[0] if e.args else str(e), field="file") from None
    out = Outcome(plan)
    if plan.problems or dry_run or not plan.aggregates:
        return out
    total = plan.events
    done = 0
    # While one batch is written (the database works, this thread waits), the next is taken from its aggregates
    # and checked: encoding overlaps the writing. One batch in flight at a time, in order.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pengkom-import") as pool:
        inflight: tuple[Future[tuple[str, list[int]]], int] | None = None

        def settle(item: tuple[Future[tuple[str, list[int]]], int]) -> None:
            nonlocal done
            try:
                _, ids = item[0].result()
            except (NotRecorded, OutcomeUnknown) as e:
                batch_no = out.recorded_batches + out.replayed_batches
                raise interrupted(batch_no, plan, getattr(e, "cause", None), unknown=isinstance(e, OutcomeUnknown)) from None
            if ids:
                out.recorded_batches += 1
                out.positions += [ids[0], ids[-1]]
            else:
                out.replayed_batches += 1
            done += item[1]
            if on_record is not None:
                on_record(done, total)

        for n, batch in enumerate(importer.batches(plan.aggregates)):
            key, fingerprint = _batch_key(plan, n, batch)
            _, stored = services.app.pending(batch)
            if inflight is not None:
                settle(inflight)
            inflight = (pool.submit(record_many, services, actor.subject, key, fingerprint, batch,
                                    {"import": plan.digest, "batch": n}, stored=stored), len(stored))
        if inflight is not None:
            settle(inflight)
    return out


def interrupted(n: int, plan: importer.ImportPlan, cause: BaseException | None, *, unknown: bool) -> NotRecorded:
    """The store failed while batch ``n`` was recorded: what is recorded, and what to do (import the file again)."""
    count = -(-len(plan.aggregates) // importer.BATCH)
    done = msg("batches 1–{n} of {count} are recorded", n=n, count=count) if n else msg("none of the {count} batches is recorded", count=count)
    this = msg("; batch {next} may or may not be", next=n + 1) if unknown else ""
    return NotRecorded(cause, msg("The database failed during the import: {done}{this}. Import the same file again when the "
                                  "database is back: what is recorded already is skipped, nothing is recorded twice.", done=done, this=this))


def _batch_key(plan: importer.ImportPlan, n: int, batch: list[Any]) -> tuple[str, str]:
    key = f"import:{plan.digest[:40]}:{n}:{len(batch)}"
    fingerprint = hashlib.sha256(f"{plan.digest}:{n}:{','.join(str(a.id) for a in batch)}".encode()).hexdigest()
    return key, fingerprint


def _execute_staged(services: Services, actor: Actor, data: bytes, ctx: Context, *, agency: str,
                    on_validate: Callable[[int, int], None] | None,
                    on_record: Callable[[int, int], None] | None) -> Outcome:
    """PostgreSQL: the events of the rows checked so far are staged while the rest of the file is checked
    (:mod:`projections.bulkstage`); when every row passed, each batch is moved into the log in one transaction."""
    app = services.app
    counts: dict[UUID, int] = {}

    def stage_events(officers: list[Any]) -> None:
        for a in officers:
            counts[a.id] = counts.get(a.id, 0) + len(a.pending_events)
        stage.put(app.pending(officers)[1])

    stage = BulkStage(app.recorder)  # type: ignore[arg-type]  # supported() checked it is the PostgreSQL recorder
    try:
        try:
            stage.open()
            plan = importer.plan_import(app, ctx, data, agency=agency, schemas=SCHEMAS, on_progress=on_validate,
                                        on_events=stage_events)
            if plan.problems or not plan.aggregates:
                return Outcome(plan)
            stage_events([a for a in plan.aggregates if not isinstance(a, shards.Checked)])  # the last rows' events
            stage.put(plan.prepared)  # the events a second process checked and encoded (reports/shards.py)
            counts.update(plan.prepared_counts)
            stage.flush()
        except importer.NotATable as e:
            raise Invalid(e.args[0] if e.args else str(e), field="file") from None
        except StageFailed as e:
            raise NotRecorded(e.cause) from None
        out = Outcome(plan)
        total, done = plan.events, 0
        for n, batch in enumerate(importer.batches(plan.aggregates)):
            key, fingerprint = _batch_key(plan, n, batch)
            size = sum(counts[a.id] for a in batch)

            def body(ids: list[int], n: int = n) -> bytes:
                return msgspec.json.encode({"import": plan.digest, "batch": n, "events": len(ids),
                                            "first_position": ids[0] if ids else None, "last_position": ids[-1] if ids else None})

            try:
                outcome, ids = stage.record_batch([a.id for a in batch], size, actor.subject, key, fingerprint, 201, body)
            except StageFailed as e:
                app.forget([a.id for a in plan.aggregates])
                raise interrupted(n, plan, e.cause, unknown=e.outcome == UNKNOWN) from None
            if outcome == RECORDED:
                app.remember([a for a in batch if not isinstance(a, shards.Checked)])
                out.recorded_batches += 1
                out.positions += [ids[0], ids[-1]]
            elif outcome == DUPLICATE:
                app.forget([a.id for a in batch])
                out.replayed_batches += 1
            else:
                app.forget([a.id for a in plan.aggregates])
                raise Conflict("Someone else recorded a change to one of these officers at the same moment; import the file again "
                               "(what is recorded already is skipped).")
            done += size
            if on_record is not None:
                on_record(done, total)
        return out
    finally:
        stage.close()


def _problem_body(request: Req, plan: importer.ImportPlan) -> dict[str, Any]:
    listed = plan.problems[:importer.MAX_LISTED]
    first = plan.problems[0]
    where = (msg("{sheet} row {row}, column {column} ({heading})", sheet=first.sheet, row=first.row, column=first.column,
                 heading=first.heading) if first.column else msg("{sheet} row {row}", sheet=first.sheet, row=first.row))
    # Messages (title, detail, each error's message) are put in the reader's language by the app's after_request hook.
    return {
        "type": "urn:pengkom:problem:invalid", "title": msg("Invalid input"), "status": 422,
        "detail": msg("{count} problem(s) in {rows} rows; nothing was recorded. The first: {where}: {message} Correct every row "
                      "listed and import the whole file again (ask for Accept: text/csv to get the list as a file).",
                      count=len(plan.problems), rows=plan.rows, where=where, message=first.message),
        "instance": request.url.path, "request_id": request.scope.get("state", {}).get("request_id") or str(uuid.uuid4()),
        "error_count": len(plan.problems), "errors": [p.as_dict() for p in listed], "file_sha256": plan.digest,
    }


async def _file_bytes(request: Req, limit: int) -> bytes:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("Send the file as the form field 'file' of a multipart/form-data request.", field="file")
        data = await upload.read()
    else:
        data = await request.body()
    if not data:
        raise Invalid("The request has no file: send the CSV or XLSX as the body (Content-Type text/csv or the XLSX type) "
                      "or as the form field 'file'.", field="file")
    if len(data) > limit:
        raise Invalid(msg("The file is {len_data:,} bytes; at most {limit:,} are accepted (PENGKOM_UPLOAD_MAX_BYTES). Split it.",
                          len_data=len(data), limit=limit),
                      field="file")
    return data


class ImportController(Controller):
    path = "/imports"
    tags = ["imports"]

    @post("/officers", operation_id="importOfficers", status_code=201,
          summary="Import officers (Formulir 2.2) and their histories from CSV or XLSX: all rows checked first, nothing "
                  "recorded if any fails; recorded in batches; the same file twice records nothing new")
    async def officers(self, request: Req, services: NamedDependency[Services],
                       agency: Annotated[str | None, Parameter(max_length=100, description="your agency (default: your token's)")] = None,
                       dry_run: Annotated[bool, Parameter(description="only check the file")] = False) -> Response[Any]:
        import anyio.to_thread

        actor = request.user
        target = agency or actor.agency
        if target is None:
            raise Forbidden("Your token names no agency; name the agency to import into (?agency=).")
        data = await _file_bytes(request, services.settings.upload_max_bytes)
        rid = request.scope.get("state", {}).get("request_id") or str(uuid.uuid4())
        out = await anyio.to_thread.run_sync(lambda: execute(services, actor, data, agency=target, request_id=rid, dry_run=dry_run))
        if out.plan.problems:
            accept = request.headers.get("accept", "")
            if "text/csv" in accept:
                language = request.scope.get("state", {}).get("language") or DEFAULT
                return Response(importer.error_file(out.plan.problems, language), status_code=422, media_type="text/csv; charset=utf-8",
                                headers={"Content-Disposition": f'attachment; filename="import-errors-{out.plan.digest[:12]}.csv"'})
            return Response(_problem_body(request, out.plan), status_code=422, media_type="application/problem+json")
        status = 201 if out.recorded_batches else 200
        return Response({**out.as_dict(), "dry_run": dry_run}, status_code=status)


def import_routes(settings: Settings) -> list[Any]:
    """The import route allows bodies up to the upload limit."""
    return [Router(path="/", route_handlers=[ImportController], request_max_body_size=settings.upload_max_bytes + 64 * 1024)]


# -- pengkom import ---------------------------------------------------------------------------------------------------


def _cli(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from api.bootstrap import build

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as e:
        print(f"pengkom import: cannot read {path}: {e.strerror}.", file=sys.stderr)
        return 2
    actor = Actor(subject=args.sub or f"import@{args.agency}", name=args.name or "pengkom import", roles=frozenset({access.HR}),
                  agency=args.agency, unit=args.unit)
    services = build()
    bars: dict[str, Any] = {}

    def progress(name: str, unit: str) -> Callable[[int, int], None]:
        def update(done: int, total: int) -> None:
            bar = bars.get(name) or bars.setdefault(name, tqdm(total=total, desc=name, unit=unit, file=sys.stderr, dynamic_ncols=True,
                                                               mininterval=0.3, disable=None))
            bar.update(done - bar.n)
        return update

    try:
        out = execute(services, actor, data, agency=args.agency, request_id=f"cli-import-{uuid.uuid4().hex[:12]}",
                      dry_run=args.dry_run, on_validate=progress("check", "row"), on_record=progress("record", "ev"))
    except (Invalid, Forbidden) as e:
        print(f"pengkom import: {e.message}", file=sys.stderr)
        return 2
    except (NotRecorded, OutcomeUnknown) as e:
        detail = getattr(e, "detail", None) or "The database could not be reached; nothing was recorded. Import the file again."
        print(f"pengkom import: {detail}", file=sys.stderr)
        return 3
    finally:
        for bar in bars.values():
            bar.close()
        services.close()
    plan = out.plan
    if plan.problems:
        errors = Path(args.errors or f"{path}.errors.csv")
        errors.write_bytes(importer.error_file(plan.problems))
        print(f"pengkom import: {len(plan.problems)} problem(s) in {plan.rows} rows; nothing was recorded. Every problem is listed "
              f"in {errors}; the first ones:", file=sys.stderr)
        for p in plan.problems[:10]:
            where = f"{p.sheet} row {p.row}" + (f", column {p.column} ({p.heading})" if p.column else "")
            print(f"  {where}: {p.message}", file=sys.stderr)
        return 1
    summary = plan.summary()
    verb = "would record" if args.dry_run else "recorded"
    print(f"pengkom import: {verb} {summary['officers_new']} officers and {summary['histories_new']} history entries "
          f"({summary['events']} events in {out.recorded_batches} batches); already recorded: {summary['officers_already_recorded']} "
          f"officers, {summary['histories_already_recorded']} entries.")
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("import", help="import officers (Formulir 2.2) and their histories from a CSV or XLSX file")
    p.add_argument("what", choices=["officers"], help="what the file holds (officers, with an optional history sheet)")
    p.add_argument("file", help="the CSV or XLSX file (GET /exports/officers?format=xlsx gives the layout)")
    p.add_argument("--agency", required=True, help="the agency the officers belong to")
    p.add_argument("--name", help="who is importing (recorded in every event's provenance)")
    p.add_argument("--sub", help="subject id recorded as the importer (default import@AGENCY)")
    p.add_argument("--unit", help="the importer's unit")
    p.add_argument("--errors", help="where to write the list of problems (default FILE.errors.csv)")
    p.add_argument("--dry-run", action="store_true", help="only check the file; record nothing")
    p.set_defaults(func=_cli)
