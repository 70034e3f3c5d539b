"""Bulk import of officers (Formulir 2.2) and their histories (issue 11), on both stores: a clean 1,000-row
file recorded in batches; a file with errors in several rows reports them all, by row and column, and records
nothing; the same file again records nothing new; the CLI (`pengkom import`) does the same with an error file."""
from __future__ import annotations

import csv
import io

from tests.support.activities import ok
from tests.support.bulk import HISTORY_HEADINGS, OFFICER_HEADINGS, history_rows, officer_rows, to_csv, to_xlsx
from tests.support.planning import head

AGENCY = "disnaker-jabar"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def post(api, data: bytes, who: dict[str, str], ctype: str = "text/csv", **params):
    return api.post("/imports/officers", content=data, params=params, headers={**who, "Content-Type": ctype})


def test_a_clean_thousand_row_file_is_recorded_in_batches_and_once_only(api):
    hr = api.as_("hr", AGENCY, subject="hr-jabar")
    officers = officer_rows(500)
    data = to_xlsx(officers, history_rows(officers))  # 500 officer rows + 1,000 history rows
    before = head(api)
    dry = ok(post(api, data, hr, XLSX, dry_run="true"))
    assert (dry["officers_new"], dry["histories_new"], head(api)) == (500, 1000, before)
    done = ok(post(api, data, hr, XLSX), 201)
    assert (done["officers_new"], done["histories_new"], done["events"]) == (500, 1000, 1500)
    assert done["batches"] == 2 and head(api) == before + 1500
    assert done["first_position"] > before and done["last_position"] == head(api)
    # The officers are there, with their histories and the provenance of the import.
    listed = ok(api.get("/officers/?limit=1", headers=hr))
    assert listed["total"] == 500
    oid = listed["items"][0]["id"]
    profile = ok(api.get(f"/officers/{oid}", headers=hr))
    assert profile["riwayat_pengembangan_kompetensi"][0]["provider"] == "Pusdiklat Kemnaker"
    assert profile["riwayat_angka_kredit"][0]["credit_points"] == "12.5"
    events = ok(api.get(f"/officers/{oid}/events", headers=hr))["events"]
    assert {e["provenance"]["role"] for e in events} == {"hr"} and {e["provenance"]["subject"] for e in events} == {"hr-jabar"}
    # The same file again records nothing new; so does the officers part alone, as CSV.
    again = ok(post(api, data, hr, XLSX), 200)
    assert (again["officers_new"], again["histories_new"], again["officers_already_recorded"], again["histories_already_recorded"]) == \
           (0, 0, 500, 1000)
    assert head(api) == before + 1500
    assert ok(post(api, to_csv(OFFICER_HEADINGS, officers[:100]), hr), 200)["officers_already_recorded"] == 100
    # An export of the agency's officers is itself an import file: importing it records nothing new.
    exported = api.get(f"/exports/officers?agency={AGENCY}&format=xlsx", headers=hr)
    assert ok(post(api, exported.content, hr, XLSX), 200)["officers_already_recorded"] == 500
    assert head(api) == before + 1500


def test_errors_in_several_rows_are_all_reported_and_nothing_is_recorded(api):
    hr = api.as_("hr", AGENCY, subject="hr-jabar")
    rows = officer_rows(30)
    rows[3][0] = "1990010120150110"              # row 5: 16 digits
    rows[4][8] = "IV/e"                          # row 6: golongan does not fit ahli_pertama
    rows[12][7] = "ahli_super"                   # row 14: no such level
    rows[20][1] = ""                             # row 22: name missing
    rows[25][0] = rows[24][0]                    # row 27: the NIP of row 26 again
    histories = [[rows[1][0], "kinerja", 2024, None, None, None, None, None, None, None, None, "luar biasa", None],
                 [rows[2][0], "pengembangan", 2024, None, None, None, "integritas", "Pelatihan", None, 5000, None, None, None],
                 ["199901012020011999", "jabatan", 2023, "Pengantar Kerja", None, None, None, None, None, None, None, None, None]]
    before = head(api)
    r = post(api, to_xlsx(rows, histories), hr, XLSX)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
    body = r.json()
    assert body["error_count"] == 8 and "tidak ada yang dicatat" in body["detail"]
    where = {(e["sheet"], e["row"], e["column"]) for e in body["errors"]}
    assert where == {("Formulir 2.2", 5, "A"), ("Formulir 2.2", 6, "I"), ("Formulir 2.2", 14, "H"), ("Formulir 2.2", 22, "B"),
                     ("Formulir 2.2", 27, "A"), ("Riwayat", 2, "L"), ("Riwayat", 3, "J"), ("Riwayat", 4, "A")}, body["errors"]
    by_row = {(e["sheet"], e["row"]): e for e in body["errors"]}
    assert "16 angka" in by_row[("Formulir 2.2", 5)]["message"]
    assert "tidak sesuai dengan jenjang ahli_pertama" in by_row[("Formulir 2.2", 6)]["message"]
    assert by_row[("Formulir 2.2", 22)]["message"] == "Name is required; the row leaves it empty."
    assert by_row[("Riwayat", 3)]["message"] == "Jp must be a whole number of at most 1000."
    assert by_row[("Formulir 2.2", 27)]["message"].endswith("juga ada pada baris 26; cantumkan setiap pegawai satu kali.")
    assert by_row[("Riwayat", 4)]["heading"] == "NIP" and "Tidak ada pegawai dengan NIP 199901012020011999" in by_row[("Riwayat", 4)]["message"]
    assert head(api) == before
    # The same problems as a downloadable file.
    r = api.post("/imports/officers", content=to_xlsx(rows, histories), headers={**hr, "Content-Type": XLSX, "Accept": "text/csv"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert lines[0] == ["Lembar", "Baris", "Kolom", "Judul Kolom", "Kolom API", "Masalah"] and len(lines) == 9
    assert any("16 angka" in line[5] for line in lines[1:])  # the problems in the reader's language, as in the JSON answer
    english = api.post("/imports/officers", content=to_xlsx(rows, histories),
                       headers={**hr, "Content-Type": XLSX, "Accept": "text/csv", "Accept-Language": "en"})
    assert any("16 digits" in line[5] for line in csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert head(api) == before


def test_an_officer_already_registered_with_other_details_is_a_problem_of_its_row(api):
    hr = api.as_("hr", AGENCY, subject="hr-jabar")
    rows = officer_rows(3)
    ok(post(api, to_csv(OFFICER_HEADINGS, rows), hr), 201)
    rows[1][1] = "Nama Lain"
    r = post(api, to_csv(OFFICER_HEADINGS, rows), hr)
    assert r.status_code == 422
    (err,) = r.json()["errors"]
    assert (err["row"], err["column"]) == (3, "B") and "sudah terdaftar dengan data lain" in err["message"]


def test_only_the_agencys_hr_unit_imports_into_its_own_agency(api):
    data = to_csv(OFFICER_HEADINGS, officer_rows(2))
    for who in (api.as_("hr", "kemnaker"), api.as_("ppk", AGENCY), api.as_("bkn", None), api.as_("pembina", None)):
        r = post(api, data, who, agency=AGENCY)
        assert r.status_code == 403, r.text
    assert post(api, b"", api.as_("hr", AGENCY)).status_code == 422
    r = post(api, b"Nama,Tempat Lahir\r\nA,B\r\n", api.as_("hr", AGENCY))
    assert r.status_code == 422 and "baris judul yang menyebut NIP" in r.json()["detail"]


def test_the_cli_imports_with_a_progress_bar_and_writes_the_error_file(api, settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PENGKOM_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("PENGKOM_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("PENGKOM_PG_SCHEMA", settings.pg_schema)
    from api.cli import main

    rows = officer_rows(40)
    good = tmp_path / "pegawai.csv"
    good.write_bytes(to_csv(OFFICER_HEADINGS, rows))
    before = head(api)
    assert main(["import", "officers", str(good), "--agency", AGENCY, "--name", "Asep (BKD Jabar)"]) == 0
    assert "recorded 40 officers" in capsys.readouterr().out
    assert head(api) == before + 40
    assert main(["import", "officers", str(good), "--agency", AGENCY]) == 0
    assert "already recorded: 40 officers" in capsys.readouterr().out
    bad_rows = officer_rows(3, start=100)
    bad_rows[1][4] = "X"
    bad = tmp_path / "salah.csv"
    bad.write_bytes(to_csv(OFFICER_HEADINGS, bad_rows) + to_csv(HISTORY_HEADINGS, [])[3:0])
    assert main(["import", "officers", str(bad), "--agency", AGENCY]) == 1
    err = capsys.readouterr().err
    assert "1 problem(s)" in err and "row 3, column E" in err
    assert (tmp_path / "salah.csv.errors.csv").read_bytes().decode("utf-8-sig").startswith("Lembar,Baris,Kolom")
    assert head(api) == before + 40


def test_a_problem_on_the_last_row_records_nothing_though_earlier_rows_were_already_staged(api, monkeypatch):
    """On PostgreSQL the events of the rows checked so far are staged while the rest of the file is checked
    (projections/bulkstage.py); a problem on the very last row still means nothing reaches the log, and no stage
    survives the import. The clean file afterwards is recorded officer by officer, each officer's events in order."""
    from reports.importer import HAND_OVER_ROWS

    hr = api.as_("hr", AGENCY, subject="hr-jabar")
    officers = officer_rows(400)
    histories = history_rows(officers)
    assert len(officers) + len(histories) > 4 * HAND_OVER_ROWS  # several hand-overs before the bad row
    bad = [list(r) for r in histories]
    bad[-1][12] = "banyak"                       # the last row: credit points that are not a number
    from projections.bulkstage import BulkStage

    staged: list[int] = []
    put = BulkStage.put
    monkeypatch.setattr(BulkStage, "put", lambda self, events: (staged.append(len(events)), put(self, events))[1])
    before = head(api)
    r = post(api, to_xlsx(officers, bad), hr, XLSX)
    assert r.status_code == 422, r.text
    pg = hasattr(api.services.app.recorder, "events_table")
    # Staged while checking, on PostgreSQL (this file is checked in two processes: the parent stages its half as it goes).
    assert (len(staged) >= 2 and sum(staged) >= 300) if pg else staged == []
    assert r.json()["error_count"] == 1 and r.json()["errors"][0]["row"] == len(histories) + 1
    assert head(api) == before
    app = api.services.app
    if pg:
        with app.recorder.datastore.pool.connection() as conn:
            assert conn.execute("SELECT count(*) AS n FROM pg_class WHERE relname = 'pengkom_import_stage'").fetchone()["n"] == 0
    done = ok(post(api, to_xlsx(officers, histories), hr, XLSX), 201)
    assert (done["events"], done["batches"], head(api)) == (1200, 2, before + 1200)
    # Every officer's events are in the log in version order, one officer after the other, batch by batch.
    notes = app.recorder.select_notifications(before + 1, 1200)
    seen: dict[object, int] = {}
    order: list[object] = []
    for n in notes:
        assert n.originator_version == seen.get(n.originator_id, 0) + 1
        seen[n.originator_id] = n.originator_version
        if not order or order[-1] != n.originator_id:
            order.append(n.originator_id)
    assert len(order) == len(seen) == 400  # each officer's three events together


def test_a_database_failure_between_batches_says_what_is_recorded_and_the_same_file_completes_it(api, monkeypatch):
    """The store fails while the second of two batches is recorded: 503 naming what is recorded (batch 1) and
    telling the clerk to import the same file again; doing so records the rest, nothing twice."""
    import api.imports as imports
    from api.commands import NotRecorded
    from projections.bulkstage import BulkStage, StageFailed
    from projections.eventstore import NOT_RECORDED

    hr = api.as_("hr", AGENCY, subject="hr-jabar")
    officers = officer_rows(300)
    data = to_xlsx(officers, history_rows(officers))
    calls = {"n": 0}
    record_batch, record_many = BulkStage.record_batch, imports.record_many

    def failing_second(real):
        def wrapper(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                if real is record_many:
                    raise NotRecorded(OSError("connection refused"))
                raise StageFailed(NOT_RECORDED, OSError("connection refused"))
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(BulkStage, "record_batch", failing_second(record_batch))
    monkeypatch.setattr(imports, "record_many", failing_second(record_many))
    before = head(api)
    r = post(api, data, hr, XLSX)
    assert r.status_code == 503 and r.headers["Retry-After"], r.text
    assert "kelompok 1–1 dari 2 sudah tercatat" in r.json()["detail"] and "Impor berkas yang sama lagi" in r.json()["detail"]
    assert head(api) == before + 750  # the first batch: 250 officers, three events each
    monkeypatch.undo()
    again = ok(post(api, data, hr, XLSX), 201)
    assert (again["officers_already_recorded"], again["officers_new"], again["events"]) == (250, 50, 150)
    assert head(api) == before + 900


def _plan(api, data: bytes, **kw):
    from datetime import UTC, datetime

    from api.imports import SCHEMAS
    from core.events import Actor, Context
    from reports import importer

    ctx = Context(actor=Actor("hr-jabar", "HR", frozenset({"hr"}), agency=AGENCY, unit="biro-sdm"), request_id="t", now=datetime.now(UTC))
    staged: list[int] = []
    plan = importer.plan_import(api.services.app, ctx, data, agency=AGENCY, schemas=SCHEMAS,
                                on_events=lambda aggs: staged.append(len(api.services.app.pending(aggs)[1])), **kw)
    return plan, staged


def test_a_large_file_checked_in_two_processes_gives_exactly_the_single_process_answer(api, monkeypatch):
    """reports/shards.py: rows split by NIP between this process and a forked one. The problems (in file order,
    with their sheet, row, column and message), the counts and the events are those of one process; if the
    second process fails, this one checks its half."""
    from reports import shards

    officers = officer_rows(400)
    histories = history_rows(officers)
    officers[7][7] = "ahli_super"                # no such level (its two history rows then name an unregistered NIP)
    officers[390][0] = officers[12][0]           # a NIP repeated far below
    histories[5][12] = "banyak"                  # credit points that are not a number
    histories[700][9] = 5000                     # JP out of range
    histories.append(["199901012020011999", "jabatan", 2023, "Pengantar Kerja", None, None, None, None, None, None, None, None, None])
    bad = to_xlsx(officers, histories)
    good_rows = officer_rows(400, start=1000)
    good = to_xlsx(good_rows, history_rows(good_rows))
    assert shards.available() and len(officers) + len(histories) >= shards.PARALLEL_ROWS

    forks: list[int] = []
    start = shards.start
    monkeypatch.setattr(shards, "start", lambda *a: (forks.append(1), start(*a))[1])
    parallel_bad, _ = _plan(api, bad)
    parallel_good, staged = _plan(api, good)
    assert len(forks) == 2
    monkeypatch.setattr(shards, "PARALLEL_ROWS", 10**9)
    serial_bad, _ = _plan(api, bad)
    serial_good, _ = _plan(api, good)
    assert len(forks) == 2  # the serial runs did not fork
    assert [p.as_dict() for p in parallel_bad.problems] == [p.as_dict() for p in serial_bad.problems]
    rows = [(p.sheet, p.row) for p in serial_bad.problems]
    assert len(rows) == 9 and rows == sorted(rows, key=lambda r: (r[0] != "Formulir 2.2", r[1]))
    assert (parallel_bad.events, parallel_bad.aggregates) == (0, [])
    assert parallel_good.summary() == serial_good.summary() and parallel_good.events == 1200
    # Every officer once, with all its events: this process's staged ones plus the second process's prepared ones.
    assert len({a.id for a in parallel_good.aggregates}) == len(parallel_good.aggregates) == 400
    assert sum(staged) + len(parallel_good.prepared) == 1200 and 0 < len(parallel_good.prepared) < 1200
    assert sum(parallel_good.prepared_counts.values()) == len(parallel_good.prepared)

    # The second process fails: the same answer, checked here.
    monkeypatch.setattr(shards, "PARALLEL_ROWS", 1000)
    monkeypatch.setattr(shards, "_check_half", lambda *a: 1 / 0)
    fallback_bad, _ = _plan(api, bad)
    fallback_good, staged = _plan(api, good)
    assert [p.as_dict() for p in fallback_bad.problems] == [p.as_dict() for p in serial_bad.problems]
    assert fallback_good.summary() == serial_good.summary() and sum(staged) == 1200 and fallback_good.prepared == []
