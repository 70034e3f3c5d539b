"""``pengkom backup`` / ``pengkom restore`` (issue 13): the log and the files in one file; a restore
goes into an empty store, rebuilds the read models and verifies the chain, the read models and the
files — on both stores, and from one kind of store into the other."""
from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.backup import EVENTS, MANIFEST, RestoreRefused, backup, restore
from api.bootstrap import build
from api.cli import main
from tests.api.test_activity_bad_input import END, seminar
from tests.conftest import PG_URL, Api, new_settings
from tests.deploy.support import settings_env
from tests.deploy.test_files import big_pdf
from tests.support.activities import cast, ok

KIND = {"sqlite": "sqlite", "postgresql": "postgres"}


def record_some_history(api: Api) -> dict[str, str]:
    """Officers, an activity with a participant and a certificate file, a correction."""
    c = cast(api)
    aid = seminar(c)
    c.prepare(aid, [c.pk])
    up = c.certificate(aid, c.pk, issued_on=END, content=big_pdf(300_000, seed=11))
    ok(api.post(f"/officers/{c.pk2}/corrections", json={"changes": {"birth_place": "Kota Bogor"}, "reason": "Sesuai KTP"}, headers=c.hr))
    return {"activity": aid, "sha256": up["sha256"], "hr": c.hr["Authorization"], "officer": c.pk}


def reads(settings, seen: dict[str, str]) -> dict[str, object]:
    """What a clerk reads from a deployment: the officer list, one profile, the activity, the file."""
    h = {"Authorization": seen["hr"]}
    with TestClient(create_app(settings=settings)) as client:
        try:
            officers = ok(client.get("/officers/", headers=h))
            profile = ok(client.get(f"/officers/{seen['officer']}", headers=h))
            activity = ok(client.get(f"/activities/{seen['activity']}", headers=h))
            f = client.get(f"/activities/{seen['activity']}/files/{seen['sha256']}", headers=h)
            assert f.status_code == 200
            head = client.get(f"/officers/{seen['officer']}", headers=h).headers.get("x-pengkom-chain-head")
            return {"officers": officers, "profile": profile, "activity": activity, "file": f.content, "head": head}
        finally:
            client.app.state.services.close()


def test_backup_and_restore_into_an_empty_store_of_the_same_kind(api, settings, tmp_path):
    seen = record_some_history(api)
    path = tmp_path / "pengkom.backup"
    out = io.StringIO()
    made = backup(settings, path, out=out)
    assert not made.problems and made.files == 1 and made.events == api.services.app.recorder.max_notification_id()
    text = out.getvalue()
    assert f"events: {made.events:,}" in text and "files: 1 (300,000 bytes)" in text
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        assert manifest["chain"]["position"] == made.head and zf.read(f"files/{seen['sha256']}") == big_pdf(300_000, seed=11)
    target = new_settings(KIND[settings.store_name], tmp_path / "target")
    if target.database_url:  # a schema that does not exist yet is made (PENGKOM_PG_SCHEMA=restored)
        import psycopg

        with psycopg.connect(target.database_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {target.pg_schema}")
    out = io.StringIO()
    report = restore(target, path, out=out)
    text = out.getvalue()
    assert report.ok, text
    assert "chain intact" in text and "identical to a second rebuild" in text and "done and verified" in text
    assert report.events == made.events and report.files == 1
    # The restored deployment answers exactly as the original did, chain head included.
    assert reads(target, seen) == reads(settings, seen)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")
@pytest.mark.parametrize("source_kind, target_kind", [("sqlite", "postgres"), ("postgres", "sqlite")])
def test_restore_into_the_other_kind_of_store(tmp_path, source_kind, target_kind):
    source = new_settings(source_kind, tmp_path / "source")
    services = build(source)
    try:
        with TestClient(create_app(services), raise_server_exceptions=False) as client:
            seen = record_some_history(Api(client, services))
    finally:
        services.close()
    path = tmp_path / "b.zip"
    assert not backup(source, path, out=io.StringIO()).problems
    target = new_settings(target_kind, tmp_path / "target")
    out = io.StringIO()
    assert restore(target, path, out=out).ok, out.getvalue()
    assert reads(target, seen) == reads(source, seen)


def _rewrite(path: Path, change) -> Path:
    """A copy of the backup with ``change(name, data) -> data | None`` applied to each member (None drops it)."""
    copy = path.with_name("changed-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
    return copy


def test_a_changed_or_damaged_backup_restores_nothing(api, settings, tmp_path):
    record_some_history(api)
    path = tmp_path / "b.zip"
    backup(settings, path, out=io.StringIO())

    def tamper(name: str, data: bytes) -> bytes:
        if name != EVENTS:
            return data
        lines = data.splitlines(keepends=True)
        lines[1] = lines[1].replace(b'"Jakarta"', b'"Surabaya"', 1) if b'"Jakarta"' in lines[1] else lines[1].replace(b"kemnaker", b"kemnakeR", 1)
        return b"".join(lines)

    damaged = _rewrite(path, tamper)
    target = new_settings(KIND[settings.store_name], tmp_path / "t1")
    with pytest.raises(RestoreRefused, match="is damaged: its SHA-256"):
        restore(target, damaged, out=io.StringIO())
    # Someone who also fixes the manifest's checksum is caught by the hash chain.
    events = tamper(EVENTS, zipfile.ZipFile(path).read(EVENTS))

    def forge(name: str, data: bytes) -> bytes:
        if name == EVENTS:
            return events
        if name == MANIFEST:
            m = json.loads(data)
            m["events"]["sha256"] = hashlib.sha256(events).hexdigest()
            return json.dumps(m).encode()
        return data

    target2 = new_settings(KIND[settings.store_name], tmp_path / "t2")
    with pytest.raises(RestoreRefused, match="do not reproduce its chain head"):
        restore(target2, _rewrite(path, forge), out=io.StringIO())
    for t in (target, target2):
        from core.application import Pengkom

        app = Pengkom(env=t.event_store_env())
        assert not app.recorder.max_notification_id()  # nothing was restored
        app.close()


def test_a_backup_missing_a_certificate_fails_verification(api, settings, tmp_path):
    seen = record_some_history(api)
    path = tmp_path / "b.zip"
    backup(settings, path, out=io.StringIO())
    target = new_settings(KIND[settings.store_name], tmp_path / "t")
    out = io.StringIO()
    report = restore(target, _rewrite(path, lambda name, data: None if name.startswith("files/") else data), out=out)
    assert not report.ok and report.missing_files == [seen["sha256"]]
    assert "verification FAILED" in out.getvalue() and "not in the backup" in out.getvalue()


def test_the_commands_and_their_exit_codes(api, settings, tmp_path, monkeypatch, capsys):
    record_some_history(api)
    for name in [n for n in os.environ if n.startswith("PENGKOM_")]:
        monkeypatch.delenv(name)
    for k, v in settings_env(settings).items():
        monkeypatch.setenv(k, v)
    path = tmp_path / "b.zip"
    assert main(["backup", str(path)]) == 0
    assert "pengkom backup: wrote" in capsys.readouterr().out
    # Into the same, non-empty store: refused, nothing touched.
    assert main(["restore", str(path)]) == 2
    assert "already holds events" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "nothing.zip")]) == 2
    (tmp_path / "not.zip").write_bytes(b"PK but not really")
    assert main(["restore", str(tmp_path / "not.zip")]) == 2
    assert "not a pengkom backup" in capsys.readouterr().err
    target = new_settings(KIND[settings.store_name], tmp_path / "target")
    for k, v in settings_env(target).items():
        monkeypatch.setenv(k, v)
    assert main(["restore", str(path)]) == 0
    assert "done and verified" in capsys.readouterr().out


def test_backup_to_standard_output_and_restore_from_standard_input(api, settings, tmp_path):
    # `docker compose exec -T api1 pengkom backup - > b.zip` and `… pengkom restore - < b.zip`.
    import subprocess
    import sys

    from tests.deploy.test_health import ROOT

    seen = record_some_history(api)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PENGKOM_")}
    made = subprocess.run([sys.executable, "-m", "api.cli", "backup", "-"], cwd=ROOT, env=clean | settings_env(settings),
                          capture_output=True, timeout=300)
    assert made.returncode == 0, made.stderr.decode()
    assert made.stdout[:2] == b"PK" and b"pengkom backup: wrote" in made.stderr
    target = new_settings(KIND[settings.store_name], tmp_path / "target")
    back = subprocess.run([sys.executable, "-m", "api.cli", "restore", "-"], cwd=ROOT, env=clean | settings_env(target),
                          input=made.stdout, capture_output=True, timeout=300)
    assert back.returncode == 0 and b"done and verified" in back.stdout, back.stdout.decode() + back.stderr.decode()
    assert reads(target, seen)["file"] == big_pdf(300_000, seed=11)
