"""`pengkom doctor` (README "pengkom doctor"): configuration, store reachability, schema, read models
(stopped, interrupted rebuild, rebuild needed, behind), plugins and signing keys — each problem
printed with its fix, exit 1 when anything fails; on SQLite and PostgreSQL. One test per message."""
from __future__ import annotations

import io

import pytest

from api.doctor import run
from api.heads import signer_for
from projections.tracking import TRACKING
from tests.conftest import PG_URL
from tests.support.data import PK_AHLI_PERTAMA, officer_body


def _env(settings, **over):
    env = {"PENGKOM_DATA_DIR": str(settings.data_dir), "PENGKOM_JWT_SECRET": settings.jwt_secret or "",
           "PENGKOM_PATHWAY_PLUGINS": settings.pathway_plugins, "PENGKOM_CHAIN_SIGNING_KEY_FILE": settings.chain_signing_key_file or ""}
    if settings.database_url:
        env |= {"PENGKOM_DATABASE_URL": settings.database_url, "PENGKOM_PG_SCHEMA": settings.pg_schema}
    signer_for(settings)  # the deployment's chain-signing key exists, as after its first start
    return {k: v for k, v in (env | over).items() if v}


def _doctor(env):
    out = io.StringIO()
    code = run(env, out)
    return code, out.getvalue()


def test_doctor_on_a_store_never_set_up_says_run_bootstrap(settings):
    code, text = _doctor(_env(settings))
    assert code == 1 and "FAIL  schema: the store has no event log yet" in text
    assert "fix: run `pengkom bootstrap`" in text and text.rstrip().endswith("pengkom doctor: 1 problem to fix.")


def test_doctor_on_a_healthy_deployment_finds_nothing(api, settings):
    hr = api.as_("hr")
    assert api.post("/officers/", json=officer_body(PK_AHLI_PERTAMA), headers=hr).status_code == 201
    api.get("/officers/", headers=hr)  # read-your-writes: the read models have applied it
    code, text = _doctor(_env(settings))
    assert code == 0, text
    for line in ("ok    configuration: store", "ok    tokens: shared secret", "ok    store: ", "ok    schema: event log present; 1 events",
                 "read models at their code's version, up to position 1", "ok    plugins: ", "ok    chain signing: Ed25519 key"):
        assert line in text, text
    assert "FAIL" not in text and text.rstrip().endswith("pengkom doctor: no problems.")


@pytest.mark.parametrize("change, phrase, fix", [
    ("version = version + 1", "officers was built by version", "run `pengkom bootstrap` (or `pengkom replay officers`)"),
    ("error = 'KeyError in on_registered at position 1'", "officers stopped at an event it could not apply: KeyError",
     "then run `pengkom replay officers`"),
    ("rebuilding = 1", "officers is being rebuilt, or a rebuild was interrupted", "run `pengkom replay officers` (it resumes"),
])
def test_doctor_names_a_read_model_that_needs_work(api, settings, change, phrase, fix):
    assert api.post("/officers/", json=officer_body(PK_AHLI_PERTAMA), headers=api.as_("hr")).status_code == 201
    api.get("/officers/", headers=api.as_("hr"))
    api.services.projector.stop()  # nothing applies or repairs the read model behind the doctor's back
    with api.services.views.transaction() as tx:
        tx.execute(f"UPDATE {TRACKING} SET {change} WHERE name = ?", ("officers",))
    code, text = _doctor(_env(settings))
    assert code == 1 and f"FAIL  read models: {phrase}" in text and fix in text, text


def test_doctor_warns_when_read_models_are_behind(api, settings):
    api.services.projector.stop()  # no projector runs: the command is recorded, no read model applies it
    assert api.post("/officers/", json=officer_body(PK_AHLI_PERTAMA), headers=api.as_("hr")).status_code == 201
    code, text = _doctor(_env(settings))
    assert code == 0 and "WARN  read models: behind the log by events: " in text and "officers (1)" in text, text
    assert "start the projector (`pengkom serve` or `pengkom follow`)" in text


def test_doctor_reports_plugins_that_do_not_load(settings):
    code, text = _doctor(_env(settings, PENGKOM_PATHWAY_PLUGINS="no_such_plugin"))
    assert code == 1 and "FAIL  plugins: the pathway plugins do not load" in text and "PENGKOM_PATHWAY_PLUGINS" in text


def test_doctor_reports_configuration_that_cannot_work(settings):
    code, text = _doctor(_env(settings, PENGKOM_PROJECTOR="sometimes"))
    assert code == 1 and "FAIL  configuration: the configuration cannot work: PENGKOM_PROJECTOR 'sometimes' must be one of" in text
    code, text = _doctor(_env(settings, PENGKOM_DATABASE_URL="mysql://db/pengkom"))
    assert code == 1 and "FAIL  configuration: the configuration cannot work: PENGKOM_DATABASE_URL must be a postgresql:// URL" in text
    code, text = _doctor(_env(settings, PENGKOM_CHAIN_SIGNING_KEY_FILE=str(settings.data_dir / "missing.pem")))
    assert code == 1 and "FAIL  chain signing: PENGKOM_CHAIN_SIGNING_KEY_FILE names" in text


def test_doctor_reports_an_unreadable_token_key(tmp_path):
    data = tmp_path / "var"
    data.mkdir()
    (data / "signing.key").write_text("")
    code, text = _doctor({"PENGKOM_DATA_DIR": str(data)})
    assert code == 1 and f"FAIL  signing keys: the token-signing key {(data / 'signing.key').resolve()} cannot be read or is empty." in text


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: no PENGKOM_TEST_DATABASE_URL configured")
def test_doctor_reports_an_unreachable_store(tmp_path):
    code, text = _doctor({"PENGKOM_DATA_DIR": str(tmp_path / "var"), "PENGKOM_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/test",
                          "PENGKOM_JWT_SECRET": "s" * 48})
    assert code == 1 and "FAIL  store: PostgreSQL at 127.0.0.1:1 does not answer" in text and "fix: start PostgreSQL" in text
    assert "FAIL  schema" not in text  # nothing further is claimed about a store that was not reached


def test_doctor_names_recorded_pathways_no_loaded_plugin_declares(api, settings):
    """An activity of the third-party `magang` pathway is recorded; the deployment then stops loading that plugin."""
    from datetime import timedelta

    from tests.support.activities import cast, month_start

    c = cast(api)
    start = month_start(3)
    c.create(pathway="magang", title="Magang di BP2MI", method="klasikal", provider_kind="host_institution", provider_name="BP2MI",
             place="Jakarta", start=start.isoformat(), end=(start + timedelta(days=9)).isoformat(), planned_jp=20,
             budget="3000000", funding_source="apbn")
    api.get("/activities/", headers=c.hr)  # applied to the read models
    code, text = _doctor(_env(settings))
    assert code == 0, text
    code, text = _doctor(_env(settings, PENGKOM_PATHWAY_PLUGINS="none"))
    assert code == 1 and "FAIL  plugins: activities of pathway magang are recorded, but no loaded plugin declares it" in text
    assert "add it to PENGKOM_PATHWAY_PLUGINS" in text
