"""Recording a small, varied history straight through the application (no HTTP), for the tests of
replay, verify, the hash chain, the audit trail and as-of reads."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from core.events import Actor, Context
from tests.support.data import PK_AHLI_MUDA, PK_AHLI_PERTAMA, officer_body

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def hr(agency: str = "kemnaker", subject: str = "hr-ani") -> Actor:
    return Actor(subject, f"HR {agency}", frozenset({"hr"}), agency=agency, unit="biro-sdm")


def ctx(actor: Actor, at: datetime, request_id: str = "req") -> Context:
    return Context(actor=actor, request_id=request_id, now=at)


def register(services: Any, nip: str, at: datetime, *, agency: str = "kemnaker", **over: Any) -> UUID:
    body = officer_body(nip, agency=agency, **over)
    body["birth_date"] = date.fromisoformat(body["birth_date"])
    officer = services.app.officers.register(ctx(hr(agency), at, f"reg-{nip[:8]}"), **body)
    services.app.record(officer)
    services.projector.catch_up()
    return officer.id


def populate(services: Any) -> dict[str, Any]:
    """Two officers in two agencies, histories, corrections, a retraction; one minute apart each."""
    clock = iter(T0 + timedelta(minutes=i) for i in range(1000))
    a = register(services, PK_AHLI_PERTAMA, next(clock))
    b = register(services, PK_AHLI_MUDA, next(clock), agency="disnaker-jabar", level="ahli_muda", golongan="III/c", name="Dewi")
    cmds = services.app.officers
    _, e1 = cmds.record_history(ctx(hr(), next(clock)), a, "development", year=2024, competency="integritas",
                                form="Pelatihan Integritas", pathway="pelatihan", jp=24, provider="Pusdiklat Kemnaker")
    services.app.record(_)
    _, e2 = cmds.record_history(ctx(hr(), next(clock)), a, "credit_points", year=2025, credit_points="12.5")
    services.app.record(_)
    services.app.record(cmds.correct_history(ctx(hr(), next(clock)), a, e2, changes={"credit_points": "13.75"}, reason="PAK terbit ulang"))
    services.app.record(cmds.retract_history(ctx(hr(), next(clock)), a, e1, reason="dicatat dua kali"))
    services.app.record(cmds.correct_profile(ctx(hr("disnaker-jabar", "hr-budi"), next(clock)), b,
                                             changes={"name": "Dewi Lestari"}, reason="Sesuai SK"))
    services.projector.catch_up()
    return {"a": a, "b": b, "next_minute": next(clock)}
