"""The agency directory (issue 11): kept by the Instansi Pembina only; kinds and provinces checked; a change
of details is a new fact with a reason; tokens keep naming the agency by its code."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.agencies import PROVINCES, AgencyCommands, agency_id, province_code
from core.errors import Conflict, Forbidden, Invalid
from core.events import Actor, Context

PEMBINA = Actor("pembina-1", "Ditjen Binapenta", frozenset({"pembina"}))
NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


class FakeApp:
    def __init__(self) -> None:
        self.saved: dict = {}

    def exists(self, aid):
        return aid in self.saved

    def absent(self, aid):
        return aid not in self.saved

    def get(self, aid):
        return self.saved.get(aid)


def ctx(actor: Actor = PEMBINA) -> Context:
    return Context(actor=actor, request_id="r", now=NOW)


def test_there_are_38_provinces_named_by_code_or_name():
    assert len(PROVINCES) == 38
    assert province_code("Jawa Barat") == province_code("jawa_barat") == "jawa_barat"
    assert province_code("Papua Barat Daya") == "papua_barat_daya"
    with pytest.raises(Invalid, match="38 provinces"):
        province_code("Jawa Utara")


def test_the_pembina_registers_agencies_of_the_three_kinds():
    app = FakeApp()
    cmds = AgencyCommands(app)
    agg = cmds.register(ctx(), code="disnaker-sby", name="Dinas Tenaga Kerja Kota Surabaya", kind="kabupaten_kota",
                        province="Jawa Timur", regency="Kota Surabaya")
    assert (agg.id, agg.kind, agg.province, agg.regency) == (agency_id("disnaker-sby"), "kabupaten_kota", "jawa_timur", "Kota Surabaya")
    event = agg.pending_events[0]
    assert event.meta.role == "pembina" and event.code == "disnaker-sby"
    app.saved[agg.id] = agg
    with pytest.raises(Conflict, match="already in the directory"):
        cmds.register(ctx(), code="disnaker-sby", name="X", kind="provinsi", province="bali")


@pytest.mark.parametrize("body, message", [
    ({"code": "Kemnaker", "name": "K", "kind": "kementerian_lembaga", "province": "dki_jakarta"}, "lower-case"),
    ({"code": "k", "name": "K", "kind": "ministry", "province": "dki_jakarta"}, "Agency kind 'ministry'"),
    ({"code": "k", "name": "K", "kind": "kabupaten_kota", "province": "bali"}, "names its regency or city"),
    ({"code": "k", "name": "K", "kind": "provinsi", "province": "bali", "regency": "Kota Denpasar"}, "Only a regency/city"),
    ({"code": "k", "name": " ", "kind": "provinsi", "province": "bali"}, "Name is required"),
])
def test_bad_directory_entries_are_refused_with_a_sentence(body, message):
    with pytest.raises(Invalid, match=message):
        AgencyCommands(FakeApp()).register(ctx(), **body)


@pytest.mark.parametrize("role", ["hr", "ppk", "head", "lan", "bkn", "auditor"])
def test_only_the_instansi_pembina_keeps_the_directory(role):
    actor = Actor("x", "X", frozenset({role}), agency="kemnaker" if role in ("hr", "ppk", "head") else None)
    with pytest.raises(Forbidden, match="keep the agency directory"):
        AgencyCommands(FakeApp()).register(ctx(actor), code="k", name="K", kind="provinsi", province="bali")


def test_a_change_of_details_is_a_new_fact_with_a_reason():
    app = FakeApp()
    cmds = AgencyCommands(app)
    agg = cmds.register(ctx(), code="kemnaker", name="Kementerian Tenaga Kerja", kind="kementerian_lembaga", province="dki_jakarta")
    agg.collect_events()
    app.saved[agg.id] = agg
    with pytest.raises(Invalid, match="current details"):
        cmds.change(ctx(), "kemnaker", name="Kementerian Tenaga Kerja", kind="kementerian_lembaga", province="dki_jakarta",
                    reason="tidak berubah")
    changed = cmds.change(ctx(), "kemnaker", name="Kementerian Ketenagakerjaan", kind="kementerian_lembaga", province="dki_jakarta",
                          reason="Perpres 95/2020", expected_version=1)
    (event,) = changed.collect_events()
    assert (event.name, event.reason, changed.name) == ("Kementerian Ketenagakerjaan", "Perpres 95/2020", "Kementerian Ketenagakerjaan")
