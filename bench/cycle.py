"""The benchmark's event log: three yearly cycles of the whole competency-development process,
generated as stored events with the real aggregates, event classes, rules and pathway plugins.

Per agency (≈ 100 officers) and year Y, in the order the guideline sets (docs/guideline.md "The cycle and its deadlines"):

* the Instansi Pembina publishes the year's version of the national 180° instrument (Q1, once);
* Formulir 2.2 facts and corrections of every officer through the year (officer events);
* the 180° assessment of year Y (supervisor 2.3, self 2.4, gap analysis closed by the HR unit) and
  the Formulir 2.5 performance review of year Y − 1, both in Q1;
* Formulir 2.1 proposals for plan year Y + 1 (items from the gaps, both signatures, consideration
  up the hierarchy, forwarding; one in ten re-signed after an item changed), Q1–Q2;
* the agency's DevelopmentPlan for Y + 1: budgets, verification team, one or two rows per officer
  (JP by the real LAN conversion), checks a–f after every change (the real ``recheck``, as the commands run it),
  meetings, findings accepted, the head's signature, the PPK's validation and the submissions to
  the Instansi Pembina and LAN (Q2–Q3); one plan in six gets a revision early in Y + 1;
* the activities of year Y implementing the validated rows of plan Y (the first year: unplanned
  activities), per pathway with its own preparation and monitoring — assignment letters, Formulir
  3.3 attendance per session (a few corrected), coaching meetings (Formulir 3.4) with learning
  contracts, materials, topics and discussion notes, reports, certificate records — and
  completion, the JP credited by the pathway plugin itself (``PathwayPlugins.credit``).

Every decision field (gap rows, predikat, JP conversions, findings, credits) comes from the same
pure functions and plugins the commands use, so the projections see what the API would record.
Events are buffered per year, ordered by their recorded-at time and written in bulk.

Why this file is longer than ~500 lines: it is one generator that walks the whole cycle in the guideline's order;
split, the order of the stages (which the benchmark log must reproduce) would be scattered over several files.
"""
from __future__ import annotations

import hashlib
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from core import access
from core.activities import Activity, ActivityCommands
from core.assessment import (
    CompetencyAssessment,
    Instrument,
    Question,
    Score,
    StandardScore,
    assessment_id,
    gap_analysis,
    instrument_id,
)
from core.catalogue import (
    COMPETENCIES,
    JP_TABLE_VERSION,
    RULESET_VERSION,
    TABEL_3_1_LEVELS,
    CompetencyKind,
    Rating,
    allowed_pathways,
    competency,
)
from core.events import Provenance
from core.jp_table import DEFAULT_TABLE
from core.officers import Officer, officer_id
from core.performance import PerformanceReview, WorkTarget, qualify, review_id
from core.planning import (
    Curricula,
    CurriculumStandard,
    CurriculumStandards,
    DevelopmentPlan,
    Roster,
    RosterOfficer,
    convert_jp,
    curriculum_id,
    plan_id,
    recheck,
    suggested_credit_target,
)
from core.planning.base import stops_digest
from core.proposal import DevelopmentProposal, proposal_id

UTC = UTC
#: The generated log has no finalised evaluation recap, so no stop recommendations (BAB V.D).
NO_STOPS = stops_digest({})
FORMS = ("Pelatihan Teknis Penempatan", "Bimbingan Teknis AK/AD", "Seminar Pasar Kerja", "E-learning Integritas",
         "Coaching Antarkerja", "Benchmarking Disnaker", "Workshop Job Fair", "Komunitas Belajar Pengantar Kerja")
HIST_PATHWAYS = ("pelatihan", "seminar", "bimtek", "e_learning", "coaching", "benchmarking")
LEVELS = ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama")
LEVEL_WEIGHTS = (45, 33, 17, 5)
POSITION = {"ahli_pertama": "Pengantar Kerja Ahli Pertama", "ahli_muda": "Pengantar Kerja Ahli Muda",
            "ahli_madya": "Pengantar Kerja Ahli Madya", "ahli_utama": "Pengantar Kerja Ahli Utama"}
GOLONGAN = {"ahli_pertama": "III/a", "ahli_muda": "III/c", "ahli_madya": "IV/a", "ahli_utama": "IV/d"}
#: Pathways a first plan row may take: each reaches the PNS minimum of 20 JP on its own.
FULL_PATHWAYS = ("pelatihan", "bimtek", "e_learning", "coaching", "mentoring", "workshop", "belajar_mandiri",
                 "komunitas_belajar")
#: Participants per activity (one offering of the plan groups up to this many rows).
GROUP = {"pelatihan": 20, "bimtek": 20, "seminar": 25, "workshop": 20, "e_learning": 30, "patok_banding": 10,
         "coaching": 3, "mentoring": 3, "belajar_mandiri": 4, "komunitas_belajar": 8}
#: How often an agency picks a pathway where Tabel 3.1 allows it (classical training first).
WEIGHT = {"pelatihan": 6, "bimtek": 4, "e_learning": 3, "coaching": 2, "mentoring": 2, "workshop": 2, "seminar": 2,
          "komunitas_belajar": 1, "belajar_mandiri": 1, "patok_banding": 1}


def _sha(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


@dataclass
class Person:
    """One officer as the cycle needs it (mirrors the Officer aggregate)."""

    agg: Officer
    nip: str
    name: str
    agency: str
    unit: str
    level: str
    employee_type: str
    supervisor_nip: str
    supervisor_name: str
    entries: list[UUID] = field(default_factory=list)

    @property
    def id(self) -> UUID:
        return self.agg.id


@dataclass
class Offering:
    """One planned activity: the rows of a plan that one run of a pathway implements."""

    pathway: str
    competency: str
    programme: str
    provider: str
    start: date
    end: date
    days: int | None
    sessions: int | None
    programme_jp: int | None
    budget_each: Decimal
    funding_source: str
    curriculum_code: str | None
    members: list[tuple[Person, UUID | None, int]] = field(default_factory=list)  # (officer, row id, planned JP)


class CycleGenerator:
    def __init__(self, app: Any, rng: random.Random, *, agencies: int, officers: int, years: int, events: int,
                 first_year: int, progress: Callable[[int], None] | None = None) -> None:
        from plugins.manager import PathwayPlugins

        self.app = app
        self.rng = rng
        self.n_agencies = agencies
        self.n_officers = officers
        self.years = years
        self.target = events
        self.first_year = first_year
        self.rules = PathwayPlugins.load("none")
        self.jp_table = DEFAULT_TABLE
        self.activity_cmds = ActivityCommands(app)
        self.progress = progress
        self.buffer: list[tuple[datetime, int, Any]] = []
        self.seq = 0
        self.written = 0
        self.last_at: dict[UUID, datetime] = {}
        self.last_version: dict[UUID, int] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.people: list[Person] = []
        self.by_agency: dict[str, list[Person]] = defaultdict(list)
        self.curricula: dict[tuple[str, str], dict[str, CurriculumStandard]] = {}
        self._rosters: dict[str, tuple[int, tuple[RosterOfficer, ...]]] = {}
        self.instrument: Instrument | None = None
        self.gaps: dict[tuple[UUID, int], list[str]] = {}
        self.perf_gap: dict[tuple[UUID, int], str] = {}
        self.plans: dict[tuple[str, int], tuple[DevelopmentPlan, list[Offering]]] = {}

    # -- provenance, recording, buffering --------------------------------------------------------------

    def actor(self, role: str, agency: str | None, *, nip: str | None = None, name: str | None = None,
              unit: str | None = None) -> dict[str, Any]:
        if role == access.PEMBINA:
            return {"subject": "pembina@kemnaker", "subject_name": "Direktorat Bina Pengantar Kerja", "role": role,
                    "agency": "kemnaker", "unit": "dit-bina-pk"}
        subject = nip or f"{role}@{agency}"
        return {"subject": subject, "subject_name": name or f"{role.upper()} {agency}", "role": role, "agency": agency,
                "unit": unit or {"hr": "biro-sdm", "pyb": "sekretariat", "ppk": "pimpinan", "head": "pimpinan",
                                 "verifier": "tim-verifikasi"}.get(role, "unit-0")}

    def _meta(self, agg_id: UUID, who: dict[str, Any], at: datetime, behalf: str | None, eff: date | None) -> Provenance:
        last = self.last_at.get(agg_id)
        if last is not None and at <= last:
            at = last + timedelta(seconds=1)
        self.last_at[agg_id] = at
        return Provenance(**who, on_behalf_of=behalf, request_id=uuid4().hex, recorded_at=at,
                          effective_date=eff or at.date())

    def create(self, cls: type, created: type, agg_id: UUID, who: dict[str, Any], at: datetime, *,
               behalf: str | None = None, eff: date | None = None, **kw: Any) -> Any:
        m = self._meta(agg_id, who, at, behalf, eff)
        return cls._create(created, id=agg_id, meta=m, timestamp=m.recorded_at, **kw)  # type: ignore[attr-defined]

    def rec(self, agg: Any, cls: type, who: dict[str, Any], at: datetime, *, behalf: str | None = None,
            eff: date | None = None, **kw: Any) -> None:
        agg.record(cls, self._meta(agg.id, who, at, behalf, eff), **kw)

    def collect(self, agg: Any) -> None:
        to_stored = self.app.mapper.to_stored_event
        for e in agg.collect_events():
            self.seq += 1
            self.counts[type(e).__qualname__.split(".")[0]] += 1
            self.buffer.append((e.meta.recorded_at, self.seq, to_stored(e)))

    def flush(self, until: datetime | None = None) -> None:
        """Write the buffered events recorded before ``until`` (all by default) in recorded-at order;
        each aggregate's versions stay in order. Later ones (a plan revision early next year) wait."""
        self.buffer.sort(key=lambda t: (t[0], t[1]))
        keep = [t for t in self.buffer if until is not None and t[0] >= until]
        chunk: list[Any] = []
        for at, _, stored in self.buffer:
            if until is not None and at >= until:
                continue
            last = self.last_version.get(stored.originator_id, 0)
            if stored.originator_version != last + 1:
                raise RuntimeError(f"aggregate {stored.originator_id}: version {stored.originator_version} after {last}")
            self.last_version[stored.originator_id] = stored.originator_version
            chunk.append(stored)
            if len(chunk) >= 5000:
                self._write(chunk)
                self.written += len(chunk)
                chunk = []
                if self.progress:
                    self.progress(self.written)
        if chunk:
            self._write(chunk)
            self.written += len(chunk)
        self.buffer = keep

    def _write(self, chunk: list[Any]) -> None:
        """Append stored events to the log. PostgreSQL: one ``COPY`` into the event table (positions from its
        sequence, in this order) — the library's pipelined insert of thousands of large events can stall
        with client and server each waiting for the other; elsewhere the recorder's own insert."""
        recorder = self.app.recorder
        datastore: Any = getattr(recorder, "datastore", None)
        if not hasattr(datastore, "pool") or not hasattr(datastore, "schema"):
            recorder.insert_events(chunk)
            return
        table = f'"{datastore.schema}"."{recorder.events_table_name}"'
        with datastore.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            with cur.copy(f"COPY {table} (originator_id, originator_version, topic, state) FROM STDIN") as copy:
                for e in chunk:
                    copy.write_row((e.originator_id, e.originator_version, e.topic, e.state))

    def at(self, d: date, hour: int = 2, minute: int = 0) -> datetime:
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC) + timedelta(seconds=self.rng.randrange(3600))

    def day(self, year: int, start: tuple[int, int], end: tuple[int, int]) -> date:
        a, b = date(year, *start), date(year, *end)
        return a + timedelta(days=self.rng.randrange((b - a).days + 1))

    # -- national ----------------------------------------------------------------------------------------

    def national(self) -> None:
        y = self.first_year
        pembina = self.actor(access.PEMBINA, None)
        when = self.at(date(y, 1, 3))
        # Curriculum standards for every competency at every level Tabel 3.1 lists it.
        for c in COMPETENCIES:
            for lvl in TABEL_3_1_LEVELS:
                cell = allowed_pathways(c.code, lvl)
                if not cell:
                    continue
                agg = self.create(CurriculumStandards, CurriculumStandards.Created, curriculum_id(c.code, lvl.value), pembina,
                                  when, competency=c.code, level=lvl.value)
                code = f"KUR-{c.code[:12].upper()}-{lvl.value[5:].upper()}"
                paths = tuple(sorted(p.value for p in cell))
                self.rec(agg, CurriculumStandards.StandardRegistered, pembina, when, code=code,
                         title=f"Kurikulum {c.name} {lvl.value.replace('_', ' ').title()}", pathways=paths, min_jp=None,
                         note="Standar kurikulum Instansi Pembina")
                self.curricula[(c.code, lvl.value)] = {code: CurriculumStandard(code=code, title="", pathways=paths, min_jp=None)}
                if self.rng.random() < 0.15:  # a superseded draft standard, withdrawn
                    old = code + "-2022"
                    self.rec(agg, CurriculumStandards.StandardRegistered, pembina, when, code=old, title="Kurikulum lama",
                             pathways=(), min_jp=8, note=None)
                    self.rec(agg, CurriculumStandards.StandardWithdrawn, pembina, when + timedelta(days=2), code=old,
                             reason="Diganti kurikulum baru")
                self.collect(agg)
        self.instrument = self.create(Instrument, Instrument.Created, instrument_id("SKJ-PK"), pembina, when,
                                      code="SKJ-PK", title="Instrumen Penilaian 180° Pengantar Kerja")

    def publish_instrument(self, year: int) -> None:
        assert self.instrument is not None
        questions, standards = [], []
        for lvl in LEVELS:
            for c in COMPETENCIES:
                if not allowed_pathways(c.code, lvl):
                    continue
                for k in (1, 2):
                    questions.append(Question(f"{year}-{lvl[5:8]}-{c.code[:10]}-{k}", c.code, lvl,
                                              f"Sejauh mana {c.name.lower()} ditunjukkan dalam tugas (butir {k})?"))
                standards.append(StandardScore(c.code, lvl, Decimal(6 + LEVELS.index(lvl) // 2) + Decimal(self.rng.choice((0, 25, 50))) / 100))
        self.rec(self.instrument, Instrument.VersionPublished, self.actor(access.PEMBINA, None), self.at(date(year, 1, 5)),
                 version=self.instrument.latest + 1, title=f"Instrumen Penilaian 180° Pengantar Kerja {year}",
                 note=f"Versi tahun {year}", questions=tuple(questions), standards=tuple(standards))
        self.collect(self.instrument)

    # -- officers (Formulir 2.2) --------------------------------------------------------------------------

    def register_officers(self) -> None:
        rng = self.rng
        for i in range(self.n_officers):
            agency = f"instansi-{i % self.n_agencies:02d}"
            unit_no = rng.randrange(8)
            unit = f"unit-{unit_no}"
            birth = date(1965 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28))
            nip = f"{birth:%Y%m%d}{2000 + rng.randrange(25)}{1 + rng.randrange(12):02d}{1 + rng.randrange(2)}{i % 1000:03d}"
            level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
            etype = "PPPK" if rng.random() < 0.1 else "PNS"
            sup_nip = f"19700101199503{1 + unit_no % 2}{(i % self.n_agencies) * 8 + unit_no:03d}"
            sup_name = f"Kepala {unit} {agency}"
            hr = self.actor(access.HR, agency)
            at = datetime(self.first_year, 1, 2, 1, 0, tzinfo=UTC) + timedelta(minutes=i)
            agg = self.create(Officer, Officer.Registered, officer_id(nip), hr, at, behalf=nip, nip=nip,
                              name=f"Pegawai {i:05d}", birth_place="Jakarta", birth_date=birth, sex=rng.choice("LP"),
                              employee_type=etype, position=POSITION[level], level=level, golongan=GOLONGAN[level],
                              agency=agency, unit=unit, supervisor_nip=sup_nip, supervisor_name=sup_name)
            p = Person(agg, nip, f"Pegawai {i:05d}", agency, unit, level, etype, sup_nip, sup_name)
            self.people.append(p)
            self.by_agency[agency].append(p)
            self.collect(agg)

    def officer_facts(self, year: int, per_officer: float) -> None:
        """Formulir 2.2 facts and corrections of the year, as the existing benchmark recorded them."""
        rng = self.rng
        whole, frac = int(per_officer), per_officer - int(per_officer)
        for p in self.people:
            n = whole + (1 if rng.random() < frac else 0)
            hr = self.actor(access.HR, p.agency)
            for k in range(n):
                at = datetime(year, 1 + (k * 12) // max(n, 1), 1 + rng.randrange(28), 3, 0, tzinfo=UTC) + timedelta(seconds=rng.randrange(3600))
                roll = rng.random()
                o = p.agg
                if p.entries and roll < 0.12:
                    self.rec(o, Officer.HistoryEntryCorrected, hr, at, behalf=p.nip, entry_id=rng.choice(p.entries),
                             corrects_version=o.version, reason="Koreksi sesuai dokumen", changes={"year": year})
                    continue
                if roll < 0.15:
                    self.rec(o, Officer.ProfileCorrected, hr, at, behalf=p.nip, corrects_version=1, reason="Pemutakhiran data",
                             changes={"unit": p.unit})
                    continue
                entry = uuid4()
                p.entries.append(entry)
                if roll < 0.70:
                    self.rec(o, Officer.DevelopmentHistoryRecorded, hr, at, behalf=p.nip, entry_id=entry, year=year - 1,
                             competency=rng.choice(COMPETENCIES).code, form=rng.choice(FORMS),
                             pathway=rng.choice(HIST_PATHWAYS), jp=rng.choice((8, 16, 24, 32, 40)),
                             provider=f"Pusdiklat {rng.randrange(20)}")
                elif roll < 0.82:
                    self.rec(o, Officer.PerformanceHistoryRecorded, hr, at, behalf=p.nip, entry_id=entry, year=year - 1,
                             predikat=rng.choice(("sangat_baik", "baik", "butuh_perbaikan")))
                elif roll < 0.94:
                    self.rec(o, Officer.CreditPointsRecorded, hr, at, behalf=p.nip, entry_id=entry, year=year - 1,
                             credit_points=Decimal(rng.randrange(500, 2500)) / 100)
                else:
                    self.rec(o, Officer.PositionHistoryRecorded, hr, at, behalf=p.nip, entry_id=entry, year=year - 1,
                             position=POSITION[p.level], level=p.level, unit=p.unit)
            self.collect(p.agg)

    # -- the inventory: 180° assessment, Formulir 2.5, Formulir 2.1 ------------------------------------------

    def supervisor(self, p: Person) -> dict[str, Any]:
        return self.actor(access.SUPERVISOR, p.agency, nip=p.supervisor_nip, name=p.supervisor_name, unit=p.unit)

    def officer_self(self, p: Person) -> dict[str, Any]:
        return self.actor(access.OFFICER, p.agency, nip=p.nip, name=p.name, unit=p.unit)

    def assess(self, year: int) -> None:
        rng = self.rng
        inst = self.instrument
        assert inst is not None
        v = inst.latest
        for p in self.people:
            qs = inst.questions_for(v, p.level)
            start = self.day(year, (1, 6), (2, 20))
            agg = self.create(CompetencyAssessment, CompetencyAssessment.Opened, assessment_id(p.id, year), self.supervisor(p),
                              self.at(start), behalf=p.nip, officer_id=p.id, nip=p.nip, agency=p.agency, level=p.level,
                              year=year, instrument_code=inst.code, instrument_version=v)
            base = rng.randrange(5, 9)
            sup = {q.question_id: max(0, min(10, base + rng.randrange(-2, 2))) for q in qs}
            own = {q.question_id: max(0, min(10, sup[q.question_id] + rng.randrange(0, 2))) for q in qs}
            self.rec(agg, CompetencyAssessment.SupervisorScored, self.supervisor(p), self.at(start), behalf=p.nip,
                     supervisor_nip=p.supervisor_nip, scores=tuple(Score(q, s) for q, s in sup.items()))
            d2 = start + timedelta(days=rng.randrange(1, 10))
            self.rec(agg, CompetencyAssessment.SelfScored, self.officer_self(p), self.at(d2), behalf=p.nip,
                     scores=tuple(Score(q, s) for q, s in own.items()))
            if rng.random() < 0.05:  # the supervisor revises the scores before the analysis
                sup = {q: max(0, min(10, s + 1)) for q, s in sup.items()}
                self.rec(agg, CompetencyAssessment.SupervisorScored, self.supervisor(p), self.at(d2 + timedelta(days=1)),
                         behalf=p.nip, supervisor_nip=p.supervisor_nip, scores=tuple(Score(q, s) for q, s in sup.items()))
            rows = gap_analysis(qs, inst.standards_for(v, p.level), sup, own)
            closed = d2 + timedelta(days=rng.randrange(3, 25))
            if closed > date(year, 3, 31) and rng.random() < 0.8:
                closed = date(year, 3, 28)
            self.rec(agg, CompetencyAssessment.GapAnalysisClosed, self.actor(access.HR, p.agency), self.at(closed),
                     behalf=p.nip, weight_supervisor=Decimal("0.5"), weight_self=Decimal("0.5"), rows=rows,
                     instrument_code=inst.code, instrument_version=v, ruleset_version=RULESET_VERSION)
            self.gaps[(p.id, year)] = [r.competency for r in sorted(rows, key=lambda r: -r.gap) if r.has_gap]
            self.collect(agg)

    def review(self, year: int) -> None:
        """Formulir 2.5 measuring ``year`` − 1, filled and signed by the supervisor in Q1 of ``year``."""
        rng = self.rng
        ratings = [r.value for r in Rating]
        for p in self.people:
            d = self.day(year, (1, 10), (3, 20))
            sup = self.supervisor(p)
            agg = self.create(PerformanceReview, PerformanceReview.Opened, review_id(p.id, year - 1), sup, self.at(d),
                              behalf=p.nip, officer_id=p.id, nip=p.nip, agency=p.agency, year=year - 1)
            hk, pk = rng.choices(ratings, (2, 7, 1))[0], rng.choices(ratings, (2, 7, 1))[0]
            predikat, gap = qualify(hk, pk)
            targets = tuple(WorkTarget(f"Sasaran kerja {k + 1}: penempatan tenaga kerja wilayah {p.unit}", achieved,
                                       None if achieved else "Keterbatasan lowongan", f"Laporan triwulan {k + 1}")
                            for k in range(rng.randrange(3, 6)) for achieved in (rng.random() < 0.85,))
            for _ in range(2 if rng.random() < 0.08 else 1):  # sometimes recorded again before signing
                self.rec(agg, PerformanceReview.Recorded, sup, self.at(d), behalf=p.nip, supervisor_nip=p.supervisor_nip,
                         targets=targets, hasil_kerja=hk, perilaku_kerja=pk, predikat=predikat, gap_level=gap,
                         ruleset_version=RULESET_VERSION)
            self.rec(agg, PerformanceReview.Signed, sup, self.at(d + timedelta(days=rng.randrange(0, 8))), behalf=p.nip,
                     supervisor_nip=p.supervisor_nip)
            self.perf_gap[(p.id, year - 1)] = gap
            self.collect(agg)

    def items_for(self, p: Person, year: int) -> list[tuple[str, str, str]]:
        """(source, competency, pathway) of the officer's proposal for plan year ``year`` + 1."""
        rng = self.rng
        gaps = [c for c in self.gaps.get((p.id, year), []) if allowed_pathways(c, p.level)]
        listed = [c.code for c in COMPETENCIES if allowed_pathways(c.code, p.level)]
        comps = gaps[:2] or [rng.choice(listed)]
        out = []
        for n, c in enumerate(comps[: 1 if p.employee_type == "PPPK" or rng.random() < 0.55 else 2]):
            cell = sorted(x.value for x in allowed_pathways(c, p.level))  # type: ignore[union-attr]
            pool = [x for x in cell if x in FULL_PATHWAYS] if n == 0 else cell
            if not pool:
                pool = ["pelatihan"] if "pelatihan" in cell else [x for x in FULL_PATHWAYS if x != "komunitas_belajar"][:1]
            source = "competency" if c in gaps else "performance"
            out.append((source, c, rng.choices(pool, [WEIGHT[x] for x in pool])[0]))
        return out

    def propose(self, year: int) -> dict[UUID, tuple[UUID, list[tuple[UUID, str, str, str]]]]:
        """Formulir 2.1 for plan year ``year`` + 1; returns officer -> (proposal id, [(item id, source, competency, pathway)])."""
        rng = self.rng
        out = {}
        for p in self.people:
            items = self.items_for(p, year)
            d = self.day(year, (2, 1), (4, 15))
            me, sup = self.officer_self(p), self.supervisor(p)
            agg = self.create(DevelopmentProposal, DevelopmentProposal.Opened, proposal_id(p.id, year + 1), me, self.at(d),
                              behalf=p.nip, officer_id=p.id, nip=p.nip, officer_name=p.name, agency=p.agency, unit=p.unit,
                              level=p.level, employee_type=p.employee_type, plan_year=year + 1,
                              supervisor_nip=p.supervisor_nip, supervisor_name=p.supervisor_name)
            recorded = []
            for source, comp, pathway in items:
                item = uuid4()
                self.rec(agg, DevelopmentProposal.ItemAdded, me, self.at(d), behalf=p.nip, **self._item(item, source, comp, pathway, year))
                recorded.append((item, source, comp, pathway))
            self.rec(agg, DevelopmentProposal.SignedByOfficer, me, self.at(d + timedelta(days=1)), behalf=p.nip, nip=p.nip)
            d2 = d + timedelta(days=rng.randrange(2, 10))
            if rng.random() < 0.1:  # the supervisor changes an item: both sign again
                item, source, comp, pathway = recorded[0]
                self.rec(agg, DevelopmentProposal.ItemChanged, sup, self.at(d2), behalf=p.nip,
                         **{**self._item(item, source, comp, pathway, year), "remark": "Disesuaikan dengan prioritas unit"})
                self.rec(agg, DevelopmentProposal.SignaturesVoided, sup, self.at(d2), behalf=p.nip,
                         reason="An item was changed after signing; the officer and the supervisor sign the new content.")
                self.rec(agg, DevelopmentProposal.SignedByOfficer, me, self.at(d2 + timedelta(days=1)), behalf=p.nip, nip=p.nip)
                d2 += timedelta(days=2)
            self.rec(agg, DevelopmentProposal.SignedBySupervisor, sup, self.at(d2), behalf=p.nip, nip=p.supervisor_nip)
            d3 = d2 + timedelta(days=rng.randrange(1, 7))
            self.rec(agg, DevelopmentProposal.Considered, self.actor(access.SUPERVISOR, p.agency, nip=f"1968{p.supervisor_nip[4:]}",
                                                                     name=f"Kepala Bidang {p.agency}"),
                     self.at(d3), behalf=p.nip, position="Kepala Bidang Penempatan", note="Disetujui")
            if rng.random() < 0.4:
                self.rec(agg, DevelopmentProposal.Considered, self.actor(access.HEAD, p.agency), self.at(d3 + timedelta(days=2)),
                         behalf=p.nip, position="Kepala Dinas", note=None)
            self.rec(agg, DevelopmentProposal.Forwarded, self.actor(access.HR, p.agency), self.at(d3 + timedelta(days=4)),
                     behalf=p.nip, to="pyb")
            out[p.id] = (agg.id, recorded)
            self.collect(agg)
        return out

    @staticmethod
    def _item(item: UUID, source: str, comp: str, pathway: str, year: int) -> dict[str, Any]:
        return {"item_id": item, "source": source, "competency": comp,
                "behaviour_indicator": "Mampu menerapkan kompetensi dalam layanan antarkerja" if source == "competency" else None,
                "performance_standard": None if source == "competency" else "Target penempatan tercapai 100%",
                "form": pathway, "pathway": pathway, "target_time": f"Triwulan {1 + hash(item) % 4} {year + 1}", "remark": None}

    # -- the plan (Formulir 2.6) -------------------------------------------------------------------------

    def offering(self, pathway: str, comp: str, year: int, k: int, full: bool) -> Offering:
        """Dates, provider and JP parameters of one planned run of ``pathway``."""
        rng = self.rng
        month = 2 + (k * 5 + rng.randrange(3)) % 8  # Feb–Oct
        start = date(year, month, 1 + rng.randrange(20))
        days = sessions = programme = None
        if pathway in ("pelatihan", "bimtek"):
            programme = rng.choice((24, 32, 40)) if pathway == "pelatihan" else rng.choice((20, 24, 32))
            end = start + timedelta(days=programme // 8 - 1)
        elif pathway in ("coaching", "mentoring"):
            sessions = 10
            end = date(year, min(month + 5, 12), 15)
        elif pathway == "e_learning":
            days = rng.choice((7, 8, 10))
            end = start + timedelta(days=days * 3)
        elif pathway in ("belajar_mandiri", "komunitas_belajar"):
            days = 10
            end = start + timedelta(days=40)
        elif pathway == "workshop":
            days = 4 if full else rng.choice((2, 3))
            end = start + timedelta(days=days - 1)
        elif pathway == "seminar":
            days = rng.choice((1, 2))
            end = start + timedelta(days=days - 1)
        else:  # patok_banding
            days = 2
            end = start + timedelta(days=1)
        if end.year != year:
            end = date(year, 12, 10)
        provider = {"coaching": "Coach internal", "mentoring": "Mentor internal", "belajar_mandiri": "Unit SDM",
                    "komunitas_belajar": "Unit SDM", "patok_banding": f"Disnaker Provinsi {rng.randrange(30)}"}.get(
            pathway, rng.choice(("Pusdiklat Kemnaker", "BBPLK Bekasi", "Balai Diklat Daerah", "LPK Mitra Terakreditasi")))
        cost = {"pelatihan": 4_500_000, "bimtek": 3_000_000, "seminar": 750_000, "workshop": 1_500_000, "e_learning": 300_000,
                "patok_banding": 5_000_000}.get(pathway, 0)
        code = next(iter(self.curricula.get((comp, "ahli_pertama"), {})), None)
        return Offering(pathway, comp, f"{pathway.replace('_', ' ').title()} {competency(comp).name}", provider, start, end,
                        days, sessions, programme, Decimal(cost), "apbn" if rng.random() < 0.8 else "apbd", code)

    def row_content(self, plan: DevelopmentPlan, row_id: UUID, p: Person, o: Offering, proposal: UUID | None,
                    item: UUID | None, curriculum_code: str | None) -> dict[str, Any]:
        jp = convert_jp(o.pathway, table=self.jp_table, days=o.days, sessions=o.sessions, programme_jp=o.programme_jp, start=o.start, end=o.end)
        credit, credit_source = suggested_credit_target(p.level)
        return {
            "row_id": row_id, "officer_id": p.id, "nip": p.nip, "officer_name": p.name, "position": POSITION[p.level],
            "level": p.level, "employee_type": p.employee_type, "unit": p.unit, "competency": o.competency,
            "pathway": o.pathway, "form": o.pathway, "programme": o.programme, "curriculum_code": curriculum_code,
            "provider": o.provider, "start": o.start, "end": o.end, "budget": o.budget_each, "funding_source": o.funding_source,
            "days": o.days, "sessions": o.sessions, "programme_jp": o.programme_jp, "international": False, "stated_jp": None,
            "planned_jp": jp.jp, "jp_rule": jp.rule, "jp_basis": jp.basis, "jp_table_version": jp.table_version,
            "credit_target": credit, "credit_target_source": credit_source, "proposal_id": proposal, "proposal_item_id": item,
        }

    def _roster(self, agency: str) -> tuple[RosterOfficer, ...]:
        people = self.by_agency[agency]
        known = self._rosters.get(agency)
        if known is None or known[0] != len(people):
            known = self._rosters[agency] = (len(people), tuple(
                RosterOfficer(p.id, p.nip, p.name, p.employee_type) for p in sorted(people, key=lambda p: p.nip)))
        return known[1]

    def checks(self, plan: DevelopmentPlan, who: dict[str, Any], at: datetime, trigger: str) -> None:
        """Checks a–f after a change, as the plan's commands run them: incrementally (core.planning.recheck),
        recorded as ChecksUpdated with what they used."""
        # Check (d) reads the agency's active officers, as the officers read model would give them.
        roster = Roster(agency=plan.agency, position=self.seq, source="officers read model", officers=self._roster(plan.agency))
        if roster.digest != plan.roster_digest:
            self.rec(plan, DevelopmentPlan.RosterRead, who, at, source=roster.source, position=roster.position,
                     digest=roster.digest, officers=roster.officers)
        curricula = Curricula(self.curricula, source="plans read model", position=self.seq)
        done = recheck(plan, roster=roster, curricula=curricula, recap_digest=NO_STOPS, recap=lambda rows: [])
        self.rec(plan, DevelopmentPlan.ChecksUpdated, who, at, trigger=trigger, scope=done.scope, added=done.added,
                 removed=done.removed, ruleset_version=RULESET_VERSION, jp_table_version=JP_TABLE_VERSION,
                 roster_position=roster.position, roster_digest=roster.digest, curriculum_digest=curricula.digest,
                 recap_digest=NO_STOPS)

    def compose(self, agency: str, year: int, proposals: dict[UUID, tuple[UUID, list[tuple[UUID, str, str, str]]]]) -> None:
        """The agency's plan for ``year`` + 1, composed, verified, validated and submitted during ``year``."""
        rng = self.rng
        py = year + 1
        hr, pyb = self.actor(access.HR, agency), self.actor(access.PYB, agency)
        ppk, head = self.actor(access.PPK, agency), self.actor(access.HEAD, agency)
        d = self.day(year, (4, 20), (5, 10))
        plan = self.create(DevelopmentPlan, DevelopmentPlan.Opened, plan_id(agency, py), hr, self.at(d), agency=agency, year=py)
        # Offerings: the rows grouped by pathway and competency, at most GROUP[pathway] officers each.
        offers: dict[tuple[str, str], list[Offering]] = defaultdict(list)
        wanted: list[tuple[Person, UUID, UUID, Offering]] = []
        for p in self.by_agency[agency]:
            prop, items = proposals[p.id]
            for n, (item, _source, comp, pathway) in enumerate(items):
                bucket = offers[(pathway, comp)]
                if not bucket or len(bucket[-1].members) >= GROUP[pathway]:
                    bucket.append(self.offering(pathway, comp, py, len(bucket) + len(offers), n == 0))
                o = bucket[-1]
                o.members.append((p, None, 0))
                wanted.append((p, prop, item, o))
        total = sum(o.budget_each * len(o.members) for b in offers.values() for o in b)
        budgets = {"apbn": (total * Decimal("1.1")).quantize(Decimal(1000)), "apbd": (total * Decimal("0.4")).quantize(Decimal(1000))}
        for source, amount in budgets.items():
            self.rec(plan, DevelopmentPlan.BudgetRegistered, hr, self.at(d), funding_source=source, amount=amount,
                     note=f"DIPA {py}" if source == "apbn" else f"DPA {py}")
            self.checks(plan, hr, self.at(d), f"budget {source}")
        members = rng.randrange(3, 6)
        for m in range(members):
            self.rec(plan, DevelopmentPlan.TeamMemberAppointed, pyb, self.at(d), member_id=uuid4(), name=f"Anggota Tim {m + 1} {agency}",
                     nip=f"1975010120000{m + 1}1{rng.randrange(1000):03d}", unit_represented=("biro-sdm", "unit-teknis", "inspektorat",
                                                                                             "perencanaan", "keuangan")[m],
                     team_role="Ketua" if m == 0 else "Anggota")
        if rng.random() < 0.1:
            gone = next(iter(plan.team))
            self.rec(plan, DevelopmentPlan.TeamMemberReleased, pyb, self.at(d + timedelta(days=3)), member_id=gone,
                     reason="Mutasi jabatan")
        # Rows: one per proposal item; a new programme (one in four plans) names no curriculum standard yet.
        odd = rng.random() < 0.25
        by_offer: dict[int, Offering] = {}
        day = d
        members_of: dict[int, list[tuple[Person, UUID | None, int]]] = defaultdict(list)
        for n, (p, prop, item, o) in enumerate(wanted):
            day = d + timedelta(days=1 + n // 40)
            row_id = uuid4()
            code = None if odd and n == 3 else next(iter(self.curricula[(o.competency, p.level)]))
            content = self.row_content(plan, row_id, p, o, prop, item, code)
            self.rec(plan, DevelopmentPlan.RowAdded, hr, self.at(day), behalf=p.nip, **content)
            self.checks(plan, hr, self.at(day), f"row {row_id} added")
            members_of[id(o)].append((p, row_id, content["planned_jp"]))
            by_offer[id(o)] = o
        for key, ms in members_of.items():
            by_offer[key].members = ms
        if rng.random() < 0.2 and plan.rows:  # the PyB moves one row to the other funding source
            chosen = rng.choice(list(plan.rows.values()))
            row = chosen.fields() | {"funding_source": "apbd" if chosen.funding_source == "apbn" else "apbn"}
            self.rec(plan, DevelopmentPlan.RowChanged, pyb, self.at(day + timedelta(days=2)), behalf=row["nip"],
                     reason="Penyesuaian sumber anggaran", **row)
            self.checks(plan, pyb, self.at(day + timedelta(days=2)), f"row {row['row_id']} changed")
        meet = day + timedelta(days=3)
        for k in range(rng.randrange(2, 4)):
            self.rec(plan, DevelopmentPlan.MeetingRecorded, self.actor(access.VERIFIER, agency), self.at(meet + timedelta(days=1)),
                     eff=meet, meeting_id=uuid4(), held_on=meet, attendees=tuple(plan.team.values()),
                     minutes=f"Rapat verifikasi ke-{k + 1}: pemeriksaan kesesuaian kompetensi, jalur, kurikulum, JP, anggaran "
                             "dan rencana pelaksanaan (BAB II.B.4).")
            meet += timedelta(days=rng.randrange(3, 8))
        for f in [f for f in plan.findings.values() if f.blocking]:
            self.rec(plan, DevelopmentPlan.FindingAccepted, pyb, self.at(meet), finding_id=f.finding_id, rule=f.rule,
                     message=f.message, reason="Program baru; standar kurikulum sedang diusulkan ke Instansi Pembina.")
        signed = max(meet + timedelta(days=2), date(year, 6, 10))
        self.rec(plan, DevelopmentPlan.SignedByHead, head, self.at(signed), revision=plan.revision, name=f"Kepala {agency}",
                 nip="196801011990031001", place="Jakarta")
        self.validate(plan, ppk, self.at(signed + timedelta(days=rng.randrange(5, 30))))
        sub = self.day(year, (7, 15), (9, 25))
        self.rec(plan, DevelopmentPlan.Submitted, ppk, self.at(sub), eff=sub, revision=plan.revision, recipient="pembina", submitted_on=sub)
        self.rec(plan, DevelopmentPlan.Submitted, hr, self.at(sub), eff=sub, revision=plan.revision, recipient="lan", submitted_on=sub)
        if rng.random() < 0.17 and year + 1 < self.first_year + self.years:  # revision early in the plan year
            rd = date(py, 1, 10 + rng.randrange(15))
            self.rec(plan, DevelopmentPlan.RevisionOpened, ppk, self.at(rd), revision=plan.revision + 1,
                     reason="Perubahan pagu anggaran tahun berjalan")
            chosen = rng.choice(list(plan.rows.values()))
            row = chosen.fields() | {"provider": "Pusdiklat Kemnaker" if chosen.provider != "Pusdiklat Kemnaker" else "BBPLK Semarang"}
            self.rec(plan, DevelopmentPlan.RowChanged, pyb, self.at(rd), behalf=row["nip"], reason="Penyelenggara berubah", **row)
            self.checks(plan, pyb, self.at(rd), f"row {row['row_id']} changed")
            self.rec(plan, DevelopmentPlan.SignedByHead, head, self.at(rd + timedelta(days=5)), revision=plan.revision,
                     name=f"Kepala {agency}", nip="196801011990031001", place="Jakarta")
            self.validate(plan, ppk, self.at(rd + timedelta(days=8)))
            for recipient, who in (("pembina", ppk), ("lan", hr)):
                sd = rd + timedelta(days=12)
                self.rec(plan, DevelopmentPlan.Submitted, who, self.at(sd), eff=sd, revision=plan.revision, recipient=recipient,
                         submitted_on=sd)
        self.plans[(agency, py)] = (plan, list(by_offer.values()))
        self.collect(plan)

    def validate(self, plan: DevelopmentPlan, ppk: dict[str, Any], at: datetime) -> None:
        rows = plan.rows.values()
        self.rec(plan, DevelopmentPlan.Validated, ppk, at, revision=plan.revision, rows=len(plan.rows),
                 total_jp=sum(r.planned_jp for r in rows), total_budget=sum((r.budget for r in rows), Decimal(0)),
                 ruleset_version=RULESET_VERSION, jp_table_version=JP_TABLE_VERSION)

    # -- activities (BAB III) ------------------------------------------------------------------------------

    def unplanned_offerings(self, agency: str, year: int) -> list[Offering]:
        """The first year has no validated plan: the agency runs activities of its own choosing."""
        offers: dict[tuple[str, str], list[Offering]] = defaultdict(list)
        for p in self.by_agency[agency]:
            for n, (_s, comp, pathway) in enumerate(self.items_for(p, year - 1)):
                bucket = offers[(pathway, comp)]
                if not bucket or len(bucket[-1].members) >= GROUP[pathway]:
                    bucket.append(self.offering(pathway, comp, year, len(bucket) + len(offers), n == 0))
                o = bucket[-1]
                jp = convert_jp(o.pathway, table=self.jp_table, days=o.days, sessions=o.sessions, programme_jp=o.programme_jp, start=o.start, end=o.end).jp
                o.members.append((p, None, jp))
        return [o for b in offers.values() for o in b]

    def activities(self, agency: str, year: int) -> None:
        got = self.plans.get((agency, year))
        if got is None:
            plan, offers = None, self.unplanned_offerings(agency, year)
        else:
            plan, offers = got
        for o in offers:
            self.activity(agency, year, plan, o)

    def activity(self, agency: str, year: int, plan: DevelopmentPlan | None, o: Offering) -> None:
        rng = self.rng
        definition = self.rules.definition(o.pathway)
        assert definition is not None
        plugin, plugin_version, ruleset_version = self.rules.provider_of(o.pathway)
        hr, head = self.actor(access.HR, agency), self.actor(access.HEAD, agency)
        kind = competency(o.competency).kind
        variant = None
        if definition.variants:
            variant = {CompetencyKind.MANAJERIAL: "manajerial", CompetencyKind.SOSIOKULTURAL: "sosiokultural"}.get(kind, "teknis")
            if variant not in definition.variants:
                variant = definition.variants[0]
        method = "e_learning" if "e_learning" in definition.methods and o.pathway in ("e_learning", "belajar_mandiri") else definition.methods[0]
        provider_kind = definition.provider_kinds[-1] if o.pathway in ("pelatihan", "bimtek", "seminar", "workshop", "e_learning") \
            and "Mitra" in o.provider else definition.provider_kinds[0]
        accredited = provider_kind in ("own_unit", "other_agency", "independent")
        revision = plan.latest_validated if plan is not None else None
        first_row = o.members[0][1]
        created_on = o.start - timedelta(days=rng.randrange(20, 40))
        if created_on.year != year:
            created_on = date(year, 1, 15)
        planned_jp = max((jp for _, _, jp in o.members), default=0)
        agg = self.create(
            Activity, Activity.Created, uuid4(), hr, self.at(created_on), agency=agency, year=year, pathway=o.pathway,
            variant=variant, title=o.programme + (f" Angkatan {rng.randrange(1, 5)}" if len(o.members) > 3 else ""),
            competency=o.competency, method=method, provider_kind=provider_kind, provider_name=o.provider,
            accreditation_ref=f"AKR-{rng.randrange(10000):04d}/LAN" if accredited else None,
            place="Jakarta" if method != "e_learning" else "Daring", start=o.start, end=o.end, international=False,
            planned_jp=planned_jp, budget=o.budget_each * len(o.members) if o.budget_each else None,
            funding_source=o.funding_source if o.budget_each else None,
            plan_id=str(plan.id) if plan is not None and first_row else None,
            plan_row_id=str(first_row) if plan is not None and first_row else None,
            plan_revision=revision if plan is not None and first_row else None,
            monitoring_form=definition.monitoring_form, monitored_by=definition.monitored_by, scheduled_by=definition.scheduled_by,
            evidence_required=tuple(definition.evidence_required), requires_provider_approval=definition.requires_provider_approval,
            requires_coach=definition.requires_coach, plugin=plugin, plugin_version=plugin_version, ruleset_version=ruleset_version)
        problems = self.rules.validate(agg.facts(), "create")
        assert not problems, problems
        prep = created_on + timedelta(days=2)
        if definition.requires_provider_approval:
            self.rec(agg, Activity.ProviderApproved, head, self.at(prep), eff=prep, approved_on=prep,
                     decision_ref=f"KEP-{rng.randrange(1000)}/{year}", approver_name=f"Kepala {agency}")
        if o.pathway in ("pelatihan", "bimtek", "e_learning", "patok_banding", "seminar", "workshop"):
            self.rec(agg, Activity.ProposalLetterSent, hr, self.at(prep), eff=prep, number=f"B-{rng.randrange(9999)}/SDM/{year}",
                     letter_date=prep, addressed_to=o.provider)
        coaching = o.pathway in ("coaching", "mentoring")
        if coaching:
            self.rec(agg, Activity.CoachAssigned, hr, self.at(prep), kind="coach" if o.pathway == "coaching" else "mentor",
                     subject=f"coach-{agency}-{rng.randrange(50)}", name=f"Coach {rng.randrange(50)} {agency}",
                     nip=f"19720202199803{rng.randrange(1, 3)}{rng.randrange(1000):03d}", institution=agency,
                     criteria="Pengalaman minimal 10 tahun di bidang antarkerja", assignment_number=f"ST-{rng.randrange(999)}/{year}",
                     assignment_date=prep)
        # Sessions (not for coaching/mentoring, which record meetings).
        dates: list[date] = []
        minutes = 0
        if not coaching:
            n_sessions = {"pelatihan": None, "bimtek": None}.get(o.pathway, o.days or 1)
            if n_sessions is None:
                n_sessions = (o.end - o.start).days + 1
            span = (o.end - o.start).days + 1
            step = max(span // n_sessions, 1)
            dates = sorted({o.start + timedelta(days=min(k * step, span - 1)) for k in range(n_sessions)})
            minutes = {"e_learning": 180, "belajar_mandiri": 120, "komunitas_belajar": 120, "seminar": 360, "workshop": 400,
                       "patok_banding": 420}.get(o.pathway, 360)
            if o.pathway == "belajar_mandiri":
                self.rec(agg, Activity.MaterialsProvided, hr, self.at(prep), items=("Modul antarkerja", "Video pembelajaran"),
                         note=None)
            if o.pathway == "komunitas_belajar":
                topics = ("Layanan informasi pasar kerja", "Penempatan AKAD", "Job fair virtual")[: rng.randrange(2, 4)]
                self.rec(agg, Activity.TopicsSet, hr, self.at(prep), topics=topics)
            self.rec(agg, Activity.SessionsScheduled, hr, self.at(prep), dates=tuple(dates), minutes=minutes,
                     agreed_with_provider=True, note=None)
        # Participants: selection, then the assignment letter.
        members = list(o.members)
        if o.pathway == "komunitas_belajar" and len(members) < 3:  # a community draws in colleagues without a plan row
            taken = {m[0].nip for m in members}
            extra = [p for p in self.by_agency[agency] if p.nip not in taken]
            members += [(p, None, planned_jp) for p in rng.sample(extra, min(3 - len(members), len(extra)))]
        active = []
        for rank, (p, row_id, jp) in enumerate(members, start=1):
            on_plan = plan is not None and row_id is not None
            self.rec(agg, Activity.ParticipantSelected, hr, self.at(prep + timedelta(days=1)), behalf=p.nip, officer_id=p.id,
                     nip=p.nip, name=p.name, position=POSITION[p.level], level=p.level, employee_type=p.employee_type,
                     supervisor_nip=p.supervisor_nip, urgency_rank=rank, reason="Hasil analisis kesenjangan",
                     planned_jp=jp if on_plan else planned_jp, plan_id=str(plan.id) if on_plan else None,  # type: ignore[union-attr]
                     plan_row_id=str(row_id) if on_plan else None, plan_revision=revision if on_plan else None)
            if len(members) > 2 and rng.random() < 0.02 and o.pathway != "komunitas_belajar":
                self.rec(agg, Activity.ParticipantDeselected, hr, self.at(prep + timedelta(days=3)), behalf=p.nip, officer_id=p.id,
                         reason="Berhalangan karena penugasan lain")
                continue
            letter = prep + timedelta(days=5)
            self.rec(agg, Activity.AssignmentLetterIssued, hr, self.at(letter), behalf=p.nip, eff=letter, officer_id=p.id,
                     number=f"ST-{rng.randrange(9999)}/{year}", letter_date=letter, signer_name=f"Kepala {agency}",
                     signer_position="Kepala Dinas")
            active.append(p)
        if not active:
            self.collect(agg)
            return
        # Monitoring.
        for p in active:
            if coaching:
                coach = self.actor("coach", agency, nip=agg.coach.subject, name=agg.coach.name)
                self.rec(agg, Activity.LearningContractProposed, coach, self.at(o.start), behalf=p.nip, officer_id=p.id,
                         meetings_agreed=10, goals=("Menyusun rencana penempatan", "Menguasai analisis jabatan"))
                cv = agg.participants[p.id].contract.version
                self.rec(agg, Activity.LearningContractSigned, self.officer_self(p), self.at(o.start), behalf=p.nip,
                         officer_id=p.id, party="coachee", contract_version=cv)
                self.rec(agg, Activity.LearningContractSigned, coach, self.at(o.start), behalf=p.nip, officer_id=p.id,
                         party="coach", contract_version=cv)
                held = 10 if rng.random() < 0.85 else rng.randrange(6, 10)
                months = (o.end.year - o.start.year) * 12 + o.end.month - o.start.month + 1
                for k in range(held):
                    mo = o.start.month + (k // 2) % months
                    md = date(year, min(mo, 12), 3 + 12 * (k % 2) + rng.randrange(8))
                    md = min(max(md, o.start), o.end)
                    while any(m.on == md for m in agg.participants[p.id].meetings.values()):
                        md = md + timedelta(days=1) if md < o.end else md - timedelta(days=1)
                    self.rec(agg, Activity.MeetingRecorded, coach, self.at(md, 9), behalf=p.nip, eff=md, officer_id=p.id,
                             meeting_id=uuid4(), meeting_date=md, duration_minutes=rng.choice((60, 90, 120)),
                             notes="Pembahasan kemajuan dan umpan balik")
                continue
            monitor = hr if definition.monitored_by == "hr" else self.supervisor(p)
            for sd in dates:
                roll = rng.random()
                status, mins = ("hadir_full", None) if roll < 0.93 else (
                    ("hadir_tidak_full", minutes // 2) if roll < 0.97 else ("tidak_hadir", None))
                self.rec(agg, Activity.AttendanceRecorded, monitor, self.at(sd, 10), behalf=p.nip, eff=sd, officer_id=p.id,
                         session_date=sd, status=status, minutes_attended=mins, note="Izin sakit" if status == "tidak_hadir" else None)
                if status == "tidak_hadir" and rng.random() < 0.3:
                    v = agg.participants[p.id].attendance[sd].version
                    self.rec(agg, Activity.AttendanceCorrected, monitor, self.at(sd + timedelta(days=1), 10), behalf=p.nip, eff=sd,
                             officer_id=p.id, session_date=sd, status="hadir_full", minutes_attended=None, note=None,
                             reason="Daftar hadir susulan", corrects_version=v)
        if o.pathway == "komunitas_belajar":
            for t in agg.topics:
                held = dates[min(len(dates) - 1, agg.topics.index(t) * 2)]
                self.rec(agg, Activity.DiscussionNotesRecorded, hr, self.at(held, 15), eff=held, topic=t, held_on=held,
                         notes=f"Catatan diskusi: {t}")
        # Evidence: reports, certificates, the coach's report; then the recap and completion.
        done = o.end + timedelta(days=rng.randrange(3, 12))
        if done.year != year:
            done = date(year, 12, 28)
        for p in active:
            rep = o.end + timedelta(days=rng.randrange(1, 10))
            rep = min(rep, done)
            self.rec(agg, Activity.ReportSubmitted, self.officer_self(p), self.at(rep, 4), behalf=p.nip, eff=rep, officer_id=p.id,
                     submitted_on=rep, title=f"Laporan {agg.title}", summary="Ringkasan pembelajaran dan rencana penerapan")
            if "certificate" in definition.evidence_required or "statement" in definition.evidence_required:
                cert_kind = "surat_keterangan" if "statement" in definition.evidence_required else "sertifikat"
                number = f"{cert_kind[:4].upper()}-{year}-{rng.randrange(10**6):06d}"
                self.rec(agg, Activity.CertificateRecorded, hr, self.at(rep, 5), behalf=p.nip, officer_id=p.id,
                         certificate_id=uuid4(), kind=cert_kind, number=number, issuer=o.provider, issued_on=o.end,
                         programme_jp=o.programme_jp, sha256=_sha(agg.id, p.nip, number), content_type="application/pdf",
                         size=rng.randrange(80_000, 900_000), filename=f"{number}.pdf")
            if coaching:
                self.rec(agg, Activity.CoachReportSubmitted, coach, self.at(rep, 6), behalf=p.nip, eff=rep, officer_id=p.id,
                         submitted_on=rep, summary="Coachee mencapai tujuan kontrak pembelajaran")
        if o.pathway == "komunitas_belajar":
            self.rec(agg, Activity.GroupReportSubmitted, hr, self.at(done, 3), eff=done, submitted_on=done,
                     summary="Laporan pelaksanaan komunitas belajar")
        self.rec(agg, Activity.RecapRecorded, hr, self.at(done, 4), eff=done, submitted_on=done,
                 summary="Rekapitulasi monitoring dan laporan")
        for p in active:
            missing = self.activity_cmds.missing_evidence(agg, agg.participants[p.id])
            assert not missing, (o.pathway, missing)
        facts = agg.facts()
        problems = self.rules.validate(facts, "complete")
        assert not problems, (o.pathway, problems)
        meta_at = self.at(done, 5)
        for p in active:
            decision = self.rules.credit(facts, facts.participant(p.id), self.jp_table)
            self.rec(agg, Activity.JpCredited, hr, meta_at, behalf=p.nip, eff=done, officer_id=p.id, year=year, completed_on=done,
                     jp=decision.jp, rule=decision.rule, ruleset_version=decision.ruleset_version,
                     jp_table_version=decision.jp_table_version, plugin=decision.plugin, plugin_version=decision.plugin_version,
                     detail=decision.detail)
        self.rec(agg, Activity.Completed, hr, meta_at, eff=done, completed_on=done)
        self.collect(agg)

    # -- the whole log -------------------------------------------------------------------------------------

    def run(self) -> int:
        started = time.perf_counter()
        self.national()
        self.register_officers()
        agencies = sorted(self.by_agency)
        registrations = len(self.buffer)
        per_year_budget = max(self.target - registrations, 0) / self.years
        for y in range(self.first_year, self.first_year + self.years):
            before = len(self.buffer)
            self.publish_instrument(y)
            self.assess(y)
            self.review(y)
            proposals = self.propose(y)
            for a in agencies:
                self.compose(a, y, proposals)
            for a in agencies:
                self.activities(a, y)
            cycle = len(self.buffer) - before
            self.officer_facts(y, max(per_year_budget - cycle, 0) / len(self.people))
            self.flush(until=datetime(y + 1, 1, 1, tzinfo=UTC))
            print(f"\r  year {y}: {self.written:,} events so far ({time.perf_counter() - started:,.0f} s)", end="", file=sys.stderr)
        self.flush()
        print(file=sys.stderr)
        return self.written
