"""Loading pathway plugins: built-ins and entry points by one route, check_pending, inconsistent plugins refused."""
from __future__ import annotations

import types

import pytest

from core.pathways import JpCredit
from plugins.builtin import seminar
from plugins.hookspecs import hookimpl
from plugins.manager import BUILTIN_PLUGINS, PathwayPlugins, PluginLoadError, create_plugin_manager


def test_builtins_register_like_third_party_plugins():
    pm = create_plugin_manager("none")
    assert sorted(pm.versions) == sorted(BUILTIN_PLUGINS)
    # The same module registered "as a third party" gives the same declaration.
    alone = PathwayPlugins(create_plugin_manager("none", builtins=False, extra=[("seminar", seminar)]))
    assert alone.definition("seminar") == PathwayPlugins.load("none").definition("seminar")


def test_entry_point_selection_never_autoloads_unrelated_plugins():
    assert "magang" not in PathwayPlugins.load("none").codes()
    assert "magang" in PathwayPlugins.load("magang").codes()
    assert "magang" in PathwayPlugins.load("all").codes()
    with pytest.raises(PluginLoadError, match="configured .* but not installed"):
        create_plugin_manager("magang,ghost")


def _plugin(**hooks) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{k: hookimpl(v) for k, v in hooks.items()})


def test_misspelt_hook_fails_loudly_check_pending():
    bad = _plugin(pengkom_credit_jpp=lambda: None)
    with pytest.raises(PluginLoadError, match="unknown hook"):
        create_plugin_manager("none", builtins=False, extra=[("bad", bad)])


def test_duplicate_pathway_and_missing_credit_hook_refused():
    twin = _plugin(pengkom_register_pathways=lambda: [seminar.SEMINAR], pengkom_credit_jp=lambda: JpCredit(1, "x"))
    with pytest.raises(PluginLoadError, match="declared by both"):
        PathwayPlugins(create_plugin_manager("none", extra=[("twin", twin)]))
    lazy = _plugin(pengkom_register_pathways=lambda: [seminar.SEMINAR])
    with pytest.raises(PluginLoadError, match="implements no pengkom_credit_jp"):
        PathwayPlugins(create_plugin_manager("none", builtins=False, extra=[("lazy", lazy)]))


@pytest.mark.parametrize("declared, words", [
    (lambda: [], "non-empty list"),
    (lambda: ["seminar"], "expected a PathwayDefinition"),
    (lambda: [__import__("dataclasses").replace(seminar.SEMINAR, methods=("ceramah",))], "methods must be"),
    (lambda: [__import__("dataclasses").replace(seminar.SEMINAR, monitoring_form="2.1")], "monitoring_form"),
    (lambda: [__import__("dataclasses").replace(seminar.SEMINAR, code="Seminar X")], "lower-case"),
    (lambda: [__import__("dataclasses").replace(seminar.SEMINAR, rules=())], "rules must list"),
    (lambda: 1 / 0, "failed to declare"),
])
def test_malformed_declarations_refused(declared, words):
    odd = _plugin(pengkom_register_pathways=declared, pengkom_credit_jp=lambda: None)
    with pytest.raises(PluginLoadError, match=words):
        PathwayPlugins(create_plugin_manager("none", builtins=False, extra=[("odd", odd)]))


def test_describe_lists_rules_and_the_agencys_jp_rule():
    from core.jp_table import DEFAULT_TABLE

    doc = PathwayPlugins.load("none").describe("workshop", DEFAULT_TABLE)
    assert doc["plugin"] == "workshop" and doc["guideline_section"] == "BAB III.A"
    assert doc["jp_rule"]["domestic"] == "5" and doc["jp_table_version"] == DEFAULT_TABLE.version
    assert any("5 per day" in r for r in doc["rules"])
