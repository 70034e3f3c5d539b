"""Schema evolution: DevelopmentHistoryRecorded gained ``provider`` at class_version 2. Events stored
in the version-1 shape (no provider, no class_version) stay readable — by the aggregate, by every
read model, and in a rebuild — through the class's upcaster, never by editing what was stored."""
from __future__ import annotations

import json
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent

from core.officers import Officer
from projections.officers import formulir_2_2
from tests.support.data import PK_AHLI_PERTAMA
from tests.support.record import T0, ctx, hr, register

V1_TOPIC = "pengkom.officer.DevelopmentHistoryRecorded"


def _v1_state(entry_id: UUID) -> bytes:
    # Exactly what pengkom wrote before version 2: plain JSON, no provider, no class_version.
    return json.dumps({
        "timestamp": "2025-03-01T02:00:00+00:00",
        "meta": {"subject": "hr-lama", "subject_name": "HR (2025)", "role": "hr", "agency": "kemnaker", "unit": None,
                 "on_behalf_of": "199001012015011001", "request_id": "req-2025", "recorded_at": "2025-03-01T02:00:00+00:00",
                 "effective_date": "2025-02-20"},
        "entry_id": str(entry_id), "year": 2024, "competency": "integritas", "form": "Pelatihan Integritas",
        "pathway": "pelatihan", "jp": 24,
    }).encode()


def test_a_version_1_event_is_read_through_the_upcaster(services):
    oid = register(services, PK_AHLI_PERTAMA, T0)
    old_entry = uuid4()
    services.app.recorder.insert_events([StoredEvent(originator_id=oid, originator_version=2, topic=V1_TOPIC, state=_v1_state(old_entry))])

    # The aggregate: the old entry has no provider; the next entry is recorded at version 2.
    officer = services.app.officers.get(oid)
    assert officer.version == 2 and officer.histories[old_entry].provider is None
    again, new_entry = services.app.officers.record_history(ctx(hr(), T0), oid, "development", year=2025, competency="integritas",
                                                            form="Bimtek", pathway="pelatihan", jp=16, provider="BBPLK Semarang")
    services.app.record(again)
    stored = services.app.recorder.select_events(oid)
    assert b'"class_version":2' in stored[-1].state and b"class_version" not in stored[1].state
    event = services.app.mapper.to_domain_event(stored[1])
    assert isinstance(event, Officer.DevelopmentHistoryRecorded) and event.provider is None and event.jp == 24

    # Every read model applies both shapes; the profile shows both entries.
    services.projector.catch_up()
    doc = formulir_2_2(services.views, str(oid))
    assert [(e["form"], e["provider"]) for e in doc["riwayat_pengembangan_kompetensi"]] == [
        ("Pelatihan Integritas", None), ("Bimtek", "BBPLK Semarang")]
    audit = services.views.fetchone("SELECT summary, effective_date FROM audit_events WHERE position = 2")
    assert audit["effective_date"] == "2025-02-20" and audit["summary"].startswith("DevelopmentHistoryRecorded: entry_id=")

    # A rebuild reads the old shape the same way (the stored bytes are never rewritten).
    services.projector.reset()
    services.projector.catch_up(rebuilding=True)
    assert formulir_2_2(services.views, str(oid)) == doc
    assert services.app.recorder.select_events(oid)[1].state == _v1_state(old_entry)
