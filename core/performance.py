"""The performance-gap analysis of one officer for one past year (BAB II.A.3; Formulir 2.5).

The direct supervisor records the yearly work targets (SKP) each achieved or not, obstacles and
evidence, and the SKP ratings of hasil kerja and perilaku kerja; the predikat and the gap level
follow from the 9-cell matrix of BAB II.A.3.d and are recorded with the rule-set version. A
stated predikat that contradicts the ratings is refused with the reason. The supervisor then
signs (item 12); a signed form no longer changes.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from core.catalogue import GAP_LEVEL_LABELS, PREDIKAT_LABELS, RATING_LABELS, RULESET_VERSION, Predikat, Rating, performance_gap
from core.cycle import as_direct_supervisor, load
from core.errors import Conflict, Invalid, NotFound
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import N_, msg
from core.inputs import check_version, choice, long_text, year_in


def review_id(officer_id: UUID, year: int) -> UUID:
    return derived_id("performance-review", officer_id, year)


@dataclass(frozen=True)
class WorkTarget:
    """Formulir 2.5 items (6)–(9): a yearly work target, achieved or not, obstacles, evidence."""

    description: str
    achieved: bool
    obstacles: str | None
    evidence: str | None


class PerformanceReview(PengkomAggregate):
    TOPIC = "pengkom.performance.PerformanceReview"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.performance.Event"

    class Opened(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.performance.Opened"
        officer_id: UUID
        nip: str
        agency: str
        year: int

    class Recorded(Event):
        """The content of Formulir 2.5; a later recording before the signature supersedes it."""

        TOPIC = "pengkom.performance.Recorded"
        supervisor_nip: str
        targets: tuple[WorkTarget, ...]
        hasil_kerja: str
        perilaku_kerja: str
        predikat: str
        gap_level: str
        ruleset_version: str

        def apply(self, aggregate: PerformanceReview) -> None:
            aggregate.recorded = True
            aggregate.predikat = self.predikat
            aggregate.gap_level = self.gap_level

    class Signed(Event):
        """Formulir 2.5 item (12): the supervisor's signature."""

        TOPIC = "pengkom.performance.Signed"
        supervisor_nip: str

        def apply(self, aggregate: PerformanceReview) -> None:
            aggregate.signed = True

    def __init__(self, officer_id: UUID, nip: str, agency: str, year: int) -> None:
        self.officer_id = officer_id
        self.nip = nip
        self.agency = agency
        self.year = year
        self.recorded = False
        self.signed = False
        self.predikat: str | None = None
        self.gap_level: str | None = None

    def check_unsigned(self) -> None:
        if self.signed:
            raise Conflict(msg("Formulir 2.5 of officer {nip} for {year} is signed; it can no longer change.", nip=self.nip, year=self.year))


def qualify(hasil_kerja: Any, perilaku_kerja: Any, stated_predikat: Any = None) -> tuple[str, str]:
    """Formulir 2.5 items (10)–(11): predikat and gap level from the two ratings (BAB II.A.3.d).

    A stated predikat must be the one the matrix gives; otherwise Invalid explains the cell.
    """
    hk = Rating(choice(Rating, hasil_kerja, "hasil_kerja"))
    pk = Rating(choice(Rating, perilaku_kerja, "perilaku_kerja"))
    gap, predikat = performance_gap(hk, pk)
    if stated_predikat is not None:
        stated = Predikat(choice(Predikat, stated_predikat, "predikat"))
        if stated != predikat:
            raise Invalid(
                msg("Predikat {predikat_labels_stated!r} contradicts the ratings: hasil kerja {rating_labels_hk} and "
                    "perilaku kerja {rating_labels_pk} give predikat {predikat_labels_predikat!r} and gap level "
                    "{gap_level_labels_gap!r} (BAB II.A.3.d, Formulir 2.5 items 10–11). Correct the ratings or the "
                    "predikat.",
                    predikat_labels_stated=PREDIKAT_LABELS[stated], rating_labels_hk=RATING_LABELS[hk].lower(),
                    rating_labels_pk=RATING_LABELS[pk].lower(), predikat_labels_predikat=PREDIKAT_LABELS[predikat], gap_level_labels_gap=GAP_LEVEL_LABELS[gap]),
                field="predikat",
            )
    return predikat.value, gap.value


def _targets(raw: Iterable[Mapping[str, Any]]) -> tuple[WorkTarget, ...]:
    out = []
    for i, t in enumerate(raw, start=1):
        achieved = t.get("achieved")
        if not isinstance(achieved, bool):
            raise Invalid(msg("Work target {i}: say whether it was achieved (true) or not (false).", i=i), field="targets")
        out.append(WorkTarget(
            description=long_text(t.get("description"), "description") or "",
            achieved=achieved,
            obstacles=long_text(t.get("obstacles"), "obstacles", required=False),
            evidence=long_text(t.get("evidence"), "evidence", required=False),
        ))
    if not out:
        raise Invalid("Formulir 2.5 lists at least one yearly work target (SKP).", field="targets")
    return tuple(out)


@dataclass(frozen=True)
class PerformanceCommands:
    app: Any

    def get(self, officer_id: UUID, year: int) -> PerformanceReview:
        return load(self.app, review_id(officer_id, year), PerformanceReview,
                    msg("No Formulir 2.5 of officer {officer_id} for {year} is recorded.", officer_id=officer_id, year=year))

    def record(self, ctx: Context, officer_id: UUID, year: int, *, targets: Iterable[Mapping[str, Any]],
               hasil_kerja: Any, perilaku_kerja: Any, predikat: Any = None,
               expected_version: int | None = None) -> PerformanceReview:
        officer = self.app.officers.get(officer_id)
        ctx = ctx.acting_as(as_direct_supervisor(ctx.actor, officer, N_("fill the performance-gap analysis (Formulir 2.5)")))
        year = year_in(year)
        if year >= ctx.now.year:
            raise Invalid(msg("Formulir 2.5 measures a finished year (the previous one); {year} has not ended.", year=year), field="year")
        officer.check_not_withdrawn()
        clean_targets = _targets(targets)
        pred, gap = qualify(hasil_kerja, perilaku_kerja, predikat)
        meta = ctx.provenance(on_behalf_of=officer.nip)
        review = self.app.get(review_id(officer.id, year))
        if review is None:
            review = PerformanceReview._create(PerformanceReview.Opened, id=review_id(officer.id, year), meta=meta,
                                               timestamp=meta.recorded_at, officer_id=officer.id, nip=officer.nip,
                                               agency=officer.agency, year=year)
        else:
            check_version("Formulir 2.5", review.version, expected_version)
            review.check_unsigned()
        review.record(PerformanceReview.Recorded, meta, supervisor_nip=ctx.actor.nip, targets=clean_targets,
                      hasil_kerja=choice(Rating, hasil_kerja, "hasil_kerja"),
                      perilaku_kerja=choice(Rating, perilaku_kerja, "perilaku_kerja"),
                      predikat=pred, gap_level=gap, ruleset_version=RULESET_VERSION)
        return review

    def sign(self, ctx: Context, officer_id: UUID, year: int, *, expected_version: int | None = None) -> PerformanceReview:
        officer = self.app.officers.get(officer_id)
        ctx = ctx.acting_as(as_direct_supervisor(ctx.actor, officer, N_("sign Formulir 2.5")))
        try:
            review = self.get(officer_id, year)
        except NotFound:
            raise NotFound(msg("Formulir 2.5 of officer {nip} for {year} has not been filled; fill it before signing.", nip=officer.nip, year=year)) from None
        check_version("Formulir 2.5", review.version, expected_version)
        if review.signed:
            raise Conflict(msg("Formulir 2.5 of officer {nip} for {year} is already signed; a form is signed once.", nip=officer.nip, year=year))
        review.record(PerformanceReview.Signed, ctx.provenance(on_behalf_of=officer.nip), supervisor_nip=ctx.actor.nip)
        return review


__all__ = ["PerformanceCommands", "PerformanceReview", "WorkTarget", "qualify", "review_id"]
