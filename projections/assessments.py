"""Read models of the inventory (BAB II.A): the assessment instruments, the 180° assessments and
their gap analyses (Formulir 2.3, 2.4), the performance-gap analyses (Formulir 2.5) and the
proposals (Formulir 2.1). One JSON document per record, kept current by its events."""
from __future__ import annotations

import json
from typing import Any

import msgspec

from core.assessment import CompetencyAssessment, Instrument
from core.catalogue import CompetencyKind, competency
from core.performance import PerformanceReview
from core.proposal import DevelopmentProposal
from projections.base import Projection, handles
from projections.queries import in_lists
from projections.store import Tx, ViewStore

_ENCODER = msgspec.json.Encoder()
#: A stored document read for an update: its top-level fields kept as their JSON text (``msgspec.Raw``), decoded
#: only where a handler reads into them (:func:`_field`) and written back as they were. The documents are
#: msgspec's own output, so the text is what decoding and re-encoding would give; an update touches one or
#: two fields of a document of up to ~100 fields. Measured (timeit, a 180° assessment of 40 questions):
#: read + write 2.1 µs instead of 7.0 µs decoding and encoding it whole.
_READ_DOC = msgspec.json.Decoder(dict[str, msgspec.Raw])


def _json(value: Any) -> str:
    # msgspec encodes dates, UUIDs, decimals, records and tuples as to_builtins would give them.
    return _ENCODER.encode(value).decode()


def _field(doc: dict[str, Any], key: str) -> Any:
    """A document's field, decoded if it is still the stored JSON text (the decoded value replaces it)."""
    value = doc[key]
    if type(value) is msgspec.Raw:
        value = doc[key] = msgspec.json.decode(value)
    return value


def _who(e: Any) -> dict[str, Any]:
    m = e.meta
    return {"subject": m.subject, "name": m.subject_name, "role": m.role, "recorded_at": m.recorded_at.isoformat(),
            "effective_date": m.effective_date.isoformat()}


#: The status columns each record table carries beside its document (written with it).
_FLAGS = {"inv_assessments": ("closed", "closed_on"), "inv_reviews": ("signed", "signed_on"), "inv_proposals": ("forwarded",)}
_SELECT = {t: f"SELECT doc, version, {', '.join(f)} FROM {t} WHERE id = ?" for t, f in _FLAGS.items()}
_UPDATE = {t: f"UPDATE {t} SET doc = ?, version = ?, {', '.join(c + ' = ?' for c in f)} WHERE id = ?" for t, f in _FLAGS.items()}
_OWNER = {"inv_assessments": "officer_id, agency, nip, year", "inv_reviews": "officer_id, agency, nip, year",
          "inv_proposals": "officer_id, agency, nip, plan_year"}
_INSERT = {t: f"INSERT INTO {t} (id, {_OWNER[t]}, {', '.join(f)}, version, doc) VALUES ({', '.join('?' * (len(f) + 7))})"
           for t, f in _FLAGS.items()}


#: The record table of each record aggregate's events (queued per batch, see ``InventoryRecords.end``).
_RECORD_EVENTS = ((CompetencyAssessment.Event, "inv_assessments"), (PerformanceReview.Event, "inv_reviews"),
                  (DevelopmentProposal.Event, "inv_proposals"))
_OPENERS = frozenset({CompetencyAssessment.Opened, PerformanceReview.Opened, DevelopmentProposal.Opened})


#: Record events queued before they are replayed (bounds the decoded events a long batch holds).
_QUEUE_MAX = 2000


class InventoryRecords(Projection):
    name = "inventory"
    version = 1
    tables = {
        "inv_instrument_ids": "id TEXT PRIMARY KEY, code TEXT NOT NULL",
        "inv_instruments": "code TEXT NOT NULL, version INTEGER NOT NULL, title TEXT NOT NULL, doc TEXT NOT NULL, "
                           "published_at TEXT NOT NULL, PRIMARY KEY (code, version)",
        "inv_assessments": "id TEXT PRIMARY KEY, officer_id TEXT NOT NULL, agency TEXT NOT NULL, nip TEXT NOT NULL, "
                           "year INTEGER NOT NULL, closed INTEGER NOT NULL, closed_on TEXT, version INTEGER NOT NULL, doc TEXT NOT NULL",
        "inv_reviews": "id TEXT PRIMARY KEY, officer_id TEXT NOT NULL, agency TEXT NOT NULL, nip TEXT NOT NULL, "
                       "year INTEGER NOT NULL, signed INTEGER NOT NULL, signed_on TEXT, version INTEGER NOT NULL, doc TEXT NOT NULL",
        "inv_proposals": "id TEXT PRIMARY KEY, officer_id TEXT NOT NULL, agency TEXT NOT NULL, nip TEXT NOT NULL, "
                         "plan_year INTEGER NOT NULL, forwarded INTEGER NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS inv_assessments_agency_idx ON inv_assessments (agency, year)",
        "CREATE INDEX IF NOT EXISTS inv_reviews_agency_idx ON inv_reviews (agency, year)",
        "CREATE INDEX IF NOT EXISTS inv_proposals_agency_idx ON inv_proposals (agency, plan_year, forwarded)",
    )

    # -- instruments ---------------------------------------------------------------------------------

    @handles(Instrument.Created)
    def instrument_created(self, tx: Tx, e: Instrument.Created, position: int) -> None:
        tx.execute("INSERT INTO inv_instrument_ids (id, code) VALUES (?, ?)", (str(e.originator_id), e.code))

    @handles(Instrument.VersionPublished)
    def instrument_version(self, tx: Tx, e: Instrument.VersionPublished, position: int) -> None:
        row = tx.fetchone("SELECT code FROM inv_instrument_ids WHERE id = ?", (str(e.originator_id),))
        assert row is not None
        doc = {"instrument_id": str(e.originator_id), "code": row["code"], "version": e.version, "title": e.title,
               "note": e.note, "questions": msgspec.to_builtins(e.questions),
               "standards": msgspec.to_builtins(e.standards), "published": _who(e)}
        tx.execute("INSERT INTO inv_instruments (code, version, title, doc, published_at) VALUES (?, ?, ?, ?, ?)",
                   (row["code"], e.version, e.title, _json(doc), e.meta.recorded_at.isoformat()))

    # -- competency assessments -----------------------------------------------------------------------

    # A record's document is read once per batch and written once, in :meth:`end` (same transaction),
    # instead of being read, decoded, encoded and rewritten on every event. The record events are only
    # queued as they come; ``end`` reads the documents the batch needs of records opened before it, in one
    # query per table and 500 records (not one per record, each first sending every buffered write),
    # then applies the queued events in log order to the documents in memory and writes each record
    # once. Instrument events are applied as they come. ``begin``/``forget`` clear what a failed (rolled
    # back) batch may have left.

    def __init__(self) -> None:
        super().__init__()
        #: (table, id) -> [doc, version, flags, new]; flags are the table's status columns, new is the
        #: opening row's other columns when the record was opened in this batch (INSERT), else None.
        self._open: dict[tuple[str, str], list[Any]] = {}
        #: the batch's record events, in log order: (event, position, table)
        self._queue: list[tuple[Any, int, str]] = []
        #: event class -> its record table (None: an instrument event)
        self._tables: dict[type, str | None] = {}

    def begin(self, tx: Tx) -> None:
        self.forget()

    def forget(self) -> None:
        self._open.clear()
        self._queue.clear()

    def apply(self, tx: Tx, event: Any, position: int) -> None:
        cls = type(event)
        try:
            table = self._tables[cls]
        except KeyError:
            table = self._tables[cls] = next((t for base, t in _RECORD_EVENTS if issubclass(cls, base)), None)
        if table is None:
            super().apply(tx, event, position)
        else:
            self._queue.append((event, position, table))
            if len(self._queue) >= _QUEUE_MAX:  # a long batch: replay what is queued, keep the documents
                self._replay(tx)
                self._queue.clear()

    def end(self, tx: Tx) -> None:
        try:
            self._replay(tx)
            self._write(tx)
        finally:
            self.forget()

    def _replay(self, tx: Tx) -> None:
        queue = self._queue
        if not queue:
            return
        records = self._open
        opened: set[tuple[str, str]] = set()
        need: dict[str, dict[str, None]] = {}
        for e, _, table in queue:
            key = (table, str(e.originator_id))
            if type(e) in _OPENERS:
                opened.add(key)
            elif key not in opened and key not in records:
                need.setdefault(table, {})[key[1]] = None
        decode = _READ_DOC.decode
        for table, wanted in need.items():
            ids = list(wanted)
            flags = _FLAGS[table]
            for marks, chunk in in_lists(ids):
                for r in tx.fetchall(f"SELECT id, doc, version, {', '.join(flags)} FROM {table} WHERE id IN ({marks})", chunk):
                    records[(table, r["id"])] = [decode(r["doc"]), r["version"], [r[c] for c in flags], None]
        apply = super().apply
        for e, position, _ in queue:
            apply(tx, e, position)

    def _write(self, tx: Tx) -> None:
        if not self._open:
            return
        records, self._open = self._open, {}
        # One statement per record, grouped by statement (rows are independent; each group keeps the
        # batch's order, so new records are inserted in the order they were opened).
        writes: dict[str, list[tuple[Any, ...]]] = {}
        for (table, rid), (doc, version, flags, new) in records.items():
            if new is None:
                writes.setdefault(_UPDATE[table], []).append((_json(doc), version, *flags, rid))
            else:
                writes.setdefault(_INSERT[table], []).append((rid, *new, *flags, version, _json(doc)))
        for sql, rows in writes.items():
            tx.executemany(sql, rows)

    def _record(self, tx: Tx, table: str, e: Any) -> list[Any]:
        key = (table, str(e.originator_id))
        rec = self._open.get(key)
        if rec is None:
            row = tx.fetchone(_SELECT[table], (key[1],))
            assert row is not None, f"{table} {key[1]} is not in the inventory"
            rec = self._open[key] = [_READ_DOC.decode(row["doc"]), row["version"], [row[c] for c in _FLAGS[table]], None]
        return rec

    def _doc(self, tx: Tx, table: str, e: Any) -> dict[str, Any]:
        return self._record(tx, table, e)[0]

    def _put(self, tx: Tx, table: str, e: Any, doc: dict[str, Any], **cols: Any) -> None:
        rec = self._record(tx, table, e)
        rec[0] = doc
        rec[1] = e.originator_version
        if cols:
            flags = rec[2]
            for k, v in cols.items():
                flags[_FLAGS[table].index(k)] = v

    def _opened(self, table: str, e: Any, doc: dict[str, Any], new: tuple[Any, ...]) -> None:
        key = (table, str(e.originator_id))
        assert key not in self._open, f"{table} {key[1]} opened twice"  # the INSERT in end() would fail too
        self._open[key] = [doc, e.originator_version, [0, None][:len(_FLAGS[table])], new]

    @handles(CompetencyAssessment.Opened)
    def assessment_opened(self, tx: Tx, e: CompetencyAssessment.Opened, position: int) -> None:
        doc = {"id": str(e.originator_id), "officer_id": str(e.officer_id), "nip": e.nip, "agency": e.agency, "level": e.level,
               "year": e.year, "instrument_code": e.instrument_code, "instrument_version": e.instrument_version,
               "supervisor": None, "self": None, "gap_analysis": None}
        self._opened("inv_assessments", e, doc, (str(e.officer_id), e.agency, e.nip, e.year))

    @handles(CompetencyAssessment.SupervisorScored, CompetencyAssessment.SelfScored)
    def scored(self, tx: Tx, e: Any, position: int) -> None:
        doc = self._doc(tx, "inv_assessments", e)
        part = "supervisor" if isinstance(e, CompetencyAssessment.SupervisorScored) else "self"
        doc[part] = {"scores": {s.question_id: s.score for s in e.scores}, "by": _who(e),
                     **({"supervisor_nip": e.supervisor_nip} if part == "supervisor" else {})}
        self._put(tx, "inv_assessments", e, doc)

    @handles(CompetencyAssessment.GapAnalysisClosed)
    def gap_closed(self, tx: Tx, e: CompetencyAssessment.GapAnalysisClosed, position: int) -> None:
        doc = self._doc(tx, "inv_assessments", e)
        doc["gap_analysis"] = {
            "weights": {"supervisor": str(e.weight_supervisor), "self": str(e.weight_self)},
            "rows": msgspec.to_builtins(e.rows), "instrument_code": e.instrument_code,
            "instrument_version": e.instrument_version, "ruleset_version": e.ruleset_version, "closed": _who(e),
        }
        self._put(tx, "inv_assessments", e, doc, closed=1, closed_on=e.meta.effective_date.isoformat())

    # -- performance reviews (Formulir 2.5) -----------------------------------------------------------

    @handles(PerformanceReview.Opened)
    def review_opened(self, tx: Tx, e: PerformanceReview.Opened, position: int) -> None:
        doc = {"id": str(e.originator_id), "officer_id": str(e.officer_id), "nip": e.nip, "agency": e.agency, "year": e.year,
               "content": None, "signed": None}
        self._opened("inv_reviews", e, doc, (str(e.officer_id), e.agency, e.nip, e.year))

    @handles(PerformanceReview.Recorded)
    def review_recorded(self, tx: Tx, e: PerformanceReview.Recorded, position: int) -> None:
        doc = self._doc(tx, "inv_reviews", e)
        doc["content"] = {"supervisor_nip": e.supervisor_nip, "targets": msgspec.to_builtins(e.targets),
                          "hasil_kerja": e.hasil_kerja, "perilaku_kerja": e.perilaku_kerja, "predikat": e.predikat,
                          "gap_level": e.gap_level, "ruleset_version": e.ruleset_version, "by": _who(e)}
        self._put(tx, "inv_reviews", e, doc)

    @handles(PerformanceReview.Signed)
    def review_signed(self, tx: Tx, e: PerformanceReview.Signed, position: int) -> None:
        doc = self._doc(tx, "inv_reviews", e)
        doc["signed"] = {"supervisor_nip": e.supervisor_nip, **_who(e)}
        self._put(tx, "inv_reviews", e, doc, signed=1, signed_on=e.meta.effective_date.isoformat())

    # -- proposals (Formulir 2.1) -----------------------------------------------------------------------

    @handles(DevelopmentProposal.Opened)
    def proposal_opened(self, tx: Tx, e: DevelopmentProposal.Opened, position: int) -> None:
        fields = ("nip", "officer_name", "agency", "unit", "level", "employee_type", "plan_year", "supervisor_nip", "supervisor_name")
        doc = {"id": str(e.originator_id), "officer_id": str(e.officer_id), **{k: getattr(e, k) for k in fields},
               "items": [], "officer_signature": None, "supervisor_signature": None, "voided_signatures": [],
               "considerations": [], "forwarded": None}
        self._opened("inv_proposals", e, doc, (str(e.officer_id), e.agency, e.nip, e.plan_year))

    @handles(DevelopmentProposal.ItemAdded, DevelopmentProposal.ItemChanged)
    def proposal_item(self, tx: Tx, e: Any, position: int) -> None:
        doc = self._doc(tx, "inv_proposals", e)
        item = {"item_id": str(e.item_id), **{k: getattr(e, k) for k in (
            "source", "competency", "behaviour_indicator", "performance_standard", "form", "pathway", "target_time", "remark")}}
        before = _field(doc, "items")
        items = [i for i in before if i["item_id"] != item["item_id"]]
        pos = next((n for n, i in enumerate(before) if i["item_id"] == item["item_id"]), len(items))
        items.insert(pos, item)
        doc["items"] = items
        self._put(tx, "inv_proposals", e, doc)

    @handles(DevelopmentProposal.ItemRemoved)
    def proposal_item_removed(self, tx: Tx, e: DevelopmentProposal.ItemRemoved, position: int) -> None:
        doc = self._doc(tx, "inv_proposals", e)
        doc["items"] = [i for i in _field(doc, "items") if i["item_id"] != str(e.item_id)]
        self._put(tx, "inv_proposals", e, doc)

    @handles(DevelopmentProposal.SignaturesVoided)
    def proposal_voided(self, tx: Tx, e: DevelopmentProposal.SignaturesVoided, position: int) -> None:
        doc = self._doc(tx, "inv_proposals", e)
        _field(doc, "voided_signatures").append({"officer": _field(doc, "officer_signature"),
                                                 "supervisor": _field(doc, "supervisor_signature"), "reason": e.reason, **_who(e)})
        doc["officer_signature"] = doc["supervisor_signature"] = None
        self._put(tx, "inv_proposals", e, doc)

    @handles(DevelopmentProposal.SignedByOfficer, DevelopmentProposal.SignedBySupervisor)
    def proposal_signed(self, tx: Tx, e: Any, position: int) -> None:
        doc = self._doc(tx, "inv_proposals", e)
        key = "officer_signature" if isinstance(e, DevelopmentProposal.SignedByOfficer) else "supervisor_signature"
        doc[key] = {"nip": e.nip, **_who(e)}
        self._put(tx, "inv_proposals", e, doc)

    @handles(DevelopmentProposal.Considered)
    def proposal_considered(self, tx: Tx, e: DevelopmentProposal.Considered, position: int) -> None:
        doc = self._doc(tx, "inv_proposals", e)
        _field(doc, "considerations").append({"position": e.position, "note": e.note, **_who(e)})
        self._put(tx, "inv_proposals", e, doc)

    @handles(DevelopmentProposal.Forwarded)
    def proposal_forwarded(self, tx: Tx, e: DevelopmentProposal.Forwarded, position: int) -> None:
        doc = self._doc(tx, "inv_proposals", e)
        doc["forwarded"] = {"to": e.to, **_who(e)}
        self._put(tx, "inv_proposals", e, doc, forwarded=1)


# -- queries ------------------------------------------------------------------------------------------


def instrument(store: ViewStore, code: str, version: int | None = None) -> dict[str, Any] | None:
    if version is None:
        row = store.fetchone("SELECT doc FROM inv_instruments WHERE code = ? ORDER BY version DESC LIMIT 1", (code,))
    else:
        row = store.fetchone("SELECT doc FROM inv_instruments WHERE code = ? AND version = ?", (code, version))
    return json.loads(row["doc"]) if row else None


def list_instruments(store: ViewStore) -> list[dict[str, Any]]:
    rows = store.fetchall("SELECT code, version, title, published_at FROM inv_instruments ORDER BY code, version")
    return rows


def assessment_doc(store: ViewStore, assessment_id: str) -> dict[str, Any] | None:
    row = store.fetchone("SELECT doc, version FROM inv_assessments WHERE id = ?", (assessment_id,))
    if row is None:
        return None
    doc = json.loads(row["doc"])
    doc["version"] = row["version"]
    return doc


def assessment_forms(store: ViewStore, assessment_id: str, officer: dict[str, Any]) -> dict[str, Any] | None:
    """Formulir 2.3 and 2.4 (questions in two sections: managerial & sociocultural, technical) and the gap analysis."""
    doc = assessment_doc(store, assessment_id)
    if doc is None:
        return None
    inst = instrument(store, doc["instrument_code"], doc["instrument_version"]) or {"questions": []}
    questions = [q for q in inst["questions"] if q["level"] == doc["level"]]

    def form(part: str, number: str, title: str) -> dict[str, Any]:
        filled = doc[part]
        scores = filled["scores"] if filled else {}
        sections: dict[str, list[dict[str, Any]]] = {"manajerial_sosiokultural": [], "teknis": []}
        for q in questions:
            kind = competency(q["competency"]).kind
            key = "teknis" if kind == CompetencyKind.TEKNIS else "manajerial_sosiokultural"
            sections[key].append({"question_id": q["question_id"], "competency": q["competency"], "text": q["text"],
                                  "score": scores.get(q["question_id"])})
        return {"formulir": number, "judul": title, "filled": filled is not None, "by": filled["by"] if filled else None,
                "soal_kompetensi_manajerial_sosiokultural": sections["manajerial_sosiokultural"],
                "soal_kompetensi_teknis": sections["teknis"]}

    identity = {"nip": officer["nip"], "name": officer["name"], "position": officer["position"], "level": officer["level"],
                "unit": officer["unit"], "supervisor_nip": officer["supervisor_nip"], "supervisor_name": officer["supervisor_name"]}
    return {
        "id": doc["id"], "version": doc["version"], "officer_id": doc["officer_id"], "year": doc["year"],
        "instrument": {"code": doc["instrument_code"], "version": doc["instrument_version"]},
        "identitas": identity,
        "formulir_2_3": form("supervisor", "2.3", "Penilaian Atasan atas Kompetensi Manajerial, Sosio Kultural dan Teknis"),
        "formulir_2_4": form("self", "2.4", "Penilaian Mandiri atas Kompetensi Manajerial, Sosio Kultural dan Teknis"),
        "analisis_kesenjangan_kompetensi": doc["gap_analysis"],
    }


def review_doc(store: ViewStore, review_id: str) -> dict[str, Any] | None:
    row = store.fetchone("SELECT doc, version FROM inv_reviews WHERE id = ?", (review_id,))
    if row is None:
        return None
    doc = json.loads(row["doc"])
    c = doc["content"] or {}
    return {"formulir": "2.5", "judul": "Identifikasi Kesenjangan Kinerja Pengantar Kerja", "id": doc["id"],
            "version": row["version"], "officer_id": doc["officer_id"], "nip": doc["nip"], "agency": doc["agency"],
            "tahun_kinerja": doc["year"], "sasaran_kerja": c.get("targets", []), "hasil_kerja": c.get("hasil_kerja"),
            "perilaku_kerja": c.get("perilaku_kerja"), "predikat": c.get("predikat"),
            "tingkat_kesenjangan_kinerja": c.get("gap_level"), "ruleset_version": c.get("ruleset_version"),
            "recorded": c.get("by"), "tanda_tangan_atasan": doc["signed"]}


def proposal_doc(store: ViewStore, proposal_id: str) -> dict[str, Any] | None:
    row = store.fetchone("SELECT doc, version FROM inv_proposals WHERE id = ?", (proposal_id,))
    if row is None:
        return None
    doc = json.loads(row["doc"])
    return {
        "formulir": "2.1", "judul": "Inventarisasi Usulan Pengembangan Kompetensi Pemangku Jabatan Fungsional Pengantar Kerja",
        "id": doc["id"], "version": row["version"], "officer_id": doc["officer_id"], "plan_year": doc["plan_year"],
        "identitas_atasan": {"nip": doc["supervisor_nip"], "name": doc["supervisor_name"], "unit": doc["unit"]},
        "identitas_pengantar_kerja": {"nip": doc["nip"], "name": doc["officer_name"], "level": doc["level"],
                                      "employee_type": doc["employee_type"], "agency": doc["agency"]},
        "kesenjangan_kompetensi": [i for i in doc["items"] if i["source"] == "competency"],
        "kesenjangan_kinerja": [i for i in doc["items"] if i["source"] == "performance"],
        "tanda_tangan_pengantar_kerja": doc["officer_signature"], "tanda_tangan_atasan": doc["supervisor_signature"],
        "tanda_tangan_dibatalkan": doc["voided_signatures"], "pertimbangan": doc["considerations"],
        "diteruskan_ke_pyb": doc["forwarded"],
    }


def forwarded_proposals(store: ViewStore, *, agency: str, plan_year: int) -> list[dict[str, Any]]:
    """The proposals the HR unit recaps into the plan (BAB II.B.5.a(2))."""
    rows = store.fetchall("SELECT id FROM inv_proposals WHERE agency = ? AND plan_year = ? AND forwarded = 1 ORDER BY nip",
                          (agency, plan_year))
    return [d for r in rows if (d := proposal_doc(store, r["id"])) is not None]
