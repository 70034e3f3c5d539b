"""Tamper evidence that replay cannot wash (issue 8 item 4), on SQLite and PostgreSQL.

The hash chain is an append-only record: no replay or reset recomputes it from the log; a replay
first checks the log against it and refuses, naming the event; an emptied or shortened chain is a
failure; chain heads are signed (Ed25519) and can be checked outside the database."""
from __future__ import annotations

from typing import Any

import pytest

from api.heads import load_public_key, signer_for, verify_signature
from api.maintenance import add_commands
from core.errors import Invalid
from projections.chain import ChainHead, verify_chain
from tests.projections.test_chain import RawLog, flip_a_byte
from tests.support.record import populate


def cli(settings: Any, monkeypatch: Any, *argv: str) -> int:
    import argparse

    env = {"PENGKOM_DATA_DIR": str(settings.data_dir), "PENGKOM_JWT_SECRET": settings.jwt_secret or "",
           "PENGKOM_DATABASE_URL": settings.database_url or "", "PENGKOM_PG_SCHEMA": settings.pg_schema,
           "PENGKOM_PATHWAY_PLUGINS": "magang", "PENGKOM_CHAIN_SIGNING_KEY_FILE": settings.chain_signing_key_file or ""}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    parser = argparse.ArgumentParser(prog="pengkom")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def chain_rows(services: Any) -> int:
    return int(services.views.fetchone("SELECT COUNT(*) AS n FROM event_chain")["n"])


def test_the_chain_is_never_reset(services: Any) -> None:
    populate(services)
    before = services.views.fetchall("SELECT position, digest FROM event_chain ORDER BY position")
    assert services.projector.reset(["chain"]) == []  # left out, never dropped
    assert "chain" not in services.projector.reset()
    assert services.views.fetchall("SELECT position, digest FROM event_chain ORDER BY position") == before
    # Below the runner, dropping it is refused outright (e.g. a changed projection version).
    from projections import tracking

    with pytest.raises(Invalid, match="append-only record"), services.views.transaction() as tx:
        tracking.reset(tx, services.projector.projections["chain"])
    assert verify_chain(services.app, services.views).ok


def test_replay_refuses_a_tampered_log_naming_the_event_and_does_not_wash_it(services: Any, settings: Any,
                                                                              monkeypatch: Any, capsys: Any) -> None:
    populate(services)
    victim = services.app.recorder.select_notifications(start=4, limit=1)[0]
    log = RawLog(settings)
    try:
        flip_a_byte(log, 4)
    finally:
        log.close()
    assert cli(settings, monkeypatch, "replay") == 1
    err = capsys.readouterr().err
    assert "REFUSED" in err and "position 4" in err and str(victim.originator_id) in err
    assert cli(settings, monkeypatch, "replay", "officers") == 1
    # Nothing was dropped; the chain still names the tampered event.
    assert services.projector.tracking()["officers"].position > 0
    report = verify_chain(services.app, services.views)
    assert not report.ok and report.problems[0].position == 4
    assert cli(settings, monkeypatch, "verify", "--chain") == 1


def test_replay_of_an_intact_log_leaves_the_chain_alone(services: Any, settings: Any, monkeypatch: Any, capsys: Any) -> None:
    populate(services)
    before = services.views.fetchall("SELECT position, digest FROM event_chain ORDER BY position")
    assert cli(settings, monkeypatch, "replay") == 0
    assert "chain" not in capsys.readouterr().err.split("rebuilt", 1)[-1].split("from")[0]
    assert services.views.fetchall("SELECT position, digest FROM event_chain ORDER BY position") == before
    assert cli(settings, monkeypatch, "replay", "chain") == 2
    assert "append-only record" in capsys.readouterr().err


@pytest.mark.parametrize("cut", ["all", "tail", "middle"])
def test_an_emptied_or_shortened_chain_is_a_failure(services: Any, settings: Any, monkeypatch: Any, capsys: Any, cut: str) -> None:
    populate(services)
    n = chain_rows(services)
    where = {"all": "1 = 1", "tail": f"position > {n - 2}", "middle": "position IN (3, 4)"}[cut]
    with services.views.transaction() as tx:
        tx.execute(f"DELETE FROM event_chain WHERE {where}")
    report = verify_chain(services.app, services.views)
    assert not report.ok, report
    assert any(p.kind in ("shortened", "inserted") for p in report.problems), report.problems
    assert cli(settings, monkeypatch, "verify", "--chain") == 1
    assert "intact" not in capsys.readouterr().out


def test_an_empty_chain_over_a_non_empty_log_is_a_failure_even_without_tracking(services: Any) -> None:
    populate(services)
    with services.views.transaction() as tx:
        tx.execute("DELETE FROM event_chain")
        tx.execute("UPDATE projection_tracking SET position = 0 WHERE name = 'chain'")
    report = verify_chain(services.app, services.views)
    assert not report.ok and "empty" in report.problems[0].message


def test_signed_heads_are_published_and_checked_outside_the_database(api: Any, settings: Any, monkeypatch: Any,
                                                                      capsys: Any, tmp_path: Any) -> None:
    populate(api.services)
    r = api.get("/chain/head", headers=api.as_("auditor", None))
    assert r.status_code == 200, r.text
    head = r.json()
    assert head["signature_algorithm"] == "ed25519" and head["position"] == api.services.app.recorder.max_notification_id()
    assert r.headers["x-pengkom-chain-head"] == f"{head['position']}:{head['digest']}:{head['signature']}"
    # The public key is public; with it anyone checks the signature.
    pub = api.get("/chain/public-key")
    assert pub.status_code == 200 and pub.json()["key_id"] == head["key_id"]
    public = load_public_key(pub.json()["public_key_pem"].encode())
    kept = ChainHead(head["position"], head["digest"])
    assert verify_signature(public, kept, head["signature"])
    assert not verify_signature(public, ChainHead(head["position"] - 1, head["digest"]), head["signature"])
    # Every report carries a signed head too.
    audit = api.get("/audit/", headers=api.as_("auditor", None))
    assert audit.headers["x-pengkom-chain-head"].count(":") == 2 and audit.json()["chain_head"]["signature"]
    # pengkom verify --chain --expect POSITION:DIGEST:SIGNATURE, with the key kept outside the database.
    pem = tmp_path / "pengkom-chain.pem"
    pem.write_text(pub.json()["public_key_pem"])
    expect = f"{head['position']}:{head['digest']}:{head['signature']}"
    assert cli(settings, monkeypatch, "verify", "--chain", "--expect", expect, "--public-key", str(pem)) == 0
    assert "signature is this deployment's" in capsys.readouterr().out
    forged = f"{head['position']}:{head['digest']}:{head['signature'][:-4]}AAAA"
    assert cli(settings, monkeypatch, "verify", "--chain", "--expect", forged) == 1
    assert "REFUSED" in capsys.readouterr().err


def test_a_chain_recomputed_from_a_tampered_log_no_longer_holds_the_published_head(api: Any, settings: Any) -> None:
    populate(api.services)
    head = api.get("/chain/head", headers=api.as_("auditor", None)).json()
    log = RawLog(settings)
    try:
        flip_a_byte(log, 2)
    finally:
        log.close()
    # An intruder rewrites the chain consistently from the tampered log (what `replay chain` used to do).
    from projections.chain import HashChain
    from projections.runner import apply_batch

    with api.services.views.transaction() as tx:
        tx.execute("DELETE FROM event_chain")
        apply_batch(tx, [HashChain()], api.services.app.recorder.select_notifications(start=1, limit=1000),
                    api.services.app.mapper.to_domain_event)
    report = verify_chain(api.services.app, api.services.views)
    assert not report.ok
    assert any(p.kind == "broken" and p.position == head["position"] for p in report.problems), report.problems


def test_the_signing_key_is_generated_once_per_key_file(settings: Any, tmp_path: Any) -> None:
    from dataclasses import replace

    from api.heads import key_path

    a = signer_for(settings)
    assert a is signer_for(settings) and key_path(settings).stat().st_mode & 0o777 == 0o600
    # Without configuration the key lives in the data directory.
    own = replace(settings, data_dir=tmp_path / "own", chain_signing_key_file=None)
    assert key_path(own) == tmp_path / "own" / "chain-signing.key"
    assert signer_for(own).key_id != a.key_id and key_path(own).stat().st_mode & 0o777 == 0o600
