"""One test per hook of plugins/hookspecs.py, and the meta-tests: a hook without a test here, or
without its documented example (README "Writing a pathway plugin"), fails."""
from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest

from core.evaluation.facts import EvaluationCell
from core.jp_table import DEFAULT_TABLE
from core.pathways import Finding, JpCredit, PathwayDefinition
from plugins import hookspecs
from plugins.builtin.seminar import SEMINAR
from plugins.contract import PathwayContract
from plugins.hookspecs import hookimpl
from plugins.manager import PathwayPlugins, PluginError, create_plugin_manager

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Writing a pathway plugin"
HOOKS = sorted(name for name, fn in vars(hookspecs).items()
               if name.startswith("pengkom_") and hasattr(fn, "pengkom_spec"))

DEMO = dataclasses.replace(SEMINAR, code="demo", name_id="Demo", ruleset_version="demo/r1")


class Demo:
    """A plugin that exercises each hook the simplest way."""

    calls: list[str] = []

    @hookimpl
    def pengkom_register_pathways(self) -> list[PathwayDefinition]:
        return [DEMO]

    @hookimpl
    def pengkom_validate_activity(self, activity, stage):
        self.calls.append(f"validate:{stage}")
        return [] if activity.title != "bad" else ["The title is bad (demo rule)."]

    @hookimpl
    def pengkom_credit_jp(self, pathway, participant, jp_table):
        return JpCredit(jp=len(participant.attendance) * int(jp_table.value("seminar", False)), rule=f"{pathway}: 4 per day",
                        detail={"days": len(participant.attendance)})

    @hookimpl
    def pengkom_monitoring_findings(self, activity, as_of):
        return [Finding("demo", f"{len(activity.participants)} participants as of {as_of}", severity="info")]

    @hookimpl
    def pengkom_evaluation_cell(self, cell, plan_row, participant):
        if cell != "jam_pelajaran" or plan_row is None:
            return None
        held = len(participant.attendance)
        return EvaluationCell(held >= 3, f"{plan_row.planned_jp} JP over 3 days", f"{held} day(s) attended",
                              None if held >= 3 else "Fewer than 3 days attended (demo rule).")


@pytest.fixture
def demo() -> PathwayPlugins:
    return PathwayPlugins(create_plugin_manager("none", builtins=False, extra=[("demo", Demo())]))


@pytest.fixture
def activity():
    return dataclasses.replace(PathwayContract().sample_activity(DEMO), pathway="demo")


def test_hook_pengkom_register_pathways(demo):
    assert demo.codes() == ["demo"]
    assert demo.definition("demo") == DEMO and demo.provider_of("demo") == ("demo", "0+test", "demo/r1")


def test_hook_pengkom_validate_activity(demo, activity):
    assert demo.validate(activity, "create") == []
    assert demo.validate(dataclasses.replace(activity, title="bad"), "complete") == ["The title is bad (demo rule)."]
    assert Demo.calls[-2:] == ["validate:create", "validate:complete"]


def test_hook_pengkom_credit_jp(demo, activity):
    decision = demo.credit(activity, activity.participants[0], DEFAULT_TABLE)
    assert (decision.jp, decision.rule, decision.detail) == (12, "demo: 4 per day", {"days": 3})
    assert (decision.plugin, decision.ruleset_version, decision.jp_table_version) == ("demo", "demo/r1", DEFAULT_TABLE.version)


def test_hook_pengkom_monitoring_findings(demo, activity):
    [f] = demo.findings(activity, activity.end + timedelta(days=1))
    assert (f.code, f.severity) == ("demo", "info") and f.message.startswith("2 participants")


def test_hook_pengkom_evaluation_cell(demo, activity):
    """Formulir 5.2: the plugin decides the cells it knows, leaves the rest (None) to core; recorded with its rule set."""
    row = PathwayContract().sample_plan_row(DEMO, activity)
    p = activity.participants[0]
    decision = demo.evaluation_cell(activity, "jam_pelajaran", row, p)
    assert decision is not None and decision.cell.sesuai and decision.cell.actual == "3 day(s) attended"
    assert (decision.plugin, decision.plugin_version, decision.ruleset_version) == ("demo", "0+test", "demo/r1")
    short = dataclasses.replace(p, attendance=p.attendance[:1])
    tidak = demo.evaluation_cell(activity, "jam_pelajaran", row, short)
    assert tidak is not None and not tidak.cell.sesuai and "demo rule" in (tidak.cell.reason or "")
    assert demo.evaluation_cell(activity, "jadwal", row, p) is None  # core compares the other cells
    assert demo.evaluation_cell(activity, "jam_pelajaran", None, p) is None


def test_a_tidak_cell_without_a_reason_is_refused_naming_the_plugin(activity):
    class Careless(Demo):
        @hookimpl
        def pengkom_evaluation_cell(self, cell):
            return EvaluationCell(False, "planned", "actual")

    plugins = PathwayPlugins(create_plugin_manager("none", builtins=False, extra=[("careless", Careless())]))
    with pytest.raises(PluginError, match="careless") as e:
        plugins.evaluation_cell(activity, "jenis", None, activity.participants[0])
    assert e.value.details["plugin"] == "careless"


# -- meta-tests -----------------------------------------------------------------------------------------


def test_every_hook_has_a_test():
    assert HOOKS == ["pengkom_credit_jp", "pengkom_evaluation_cell", "pengkom_monitoring_findings",
                     "pengkom_register_pathways", "pengkom_validate_activity"]
    missing = [h for h in HOOKS if f"test_hook_{h}" not in globals()]
    assert not missing, f"hooks without a test_hook_<name> in {__file__}: {missing}"


def test_every_hook_has_a_docstring_with_its_return_contract():
    for h in HOOKS:
        doc = getattr(hookspecs, h).__doc__ or ""
        assert ":return:" in doc, f"{h} documents no return contract"


def _section(text: str) -> str | None:
    """The "Writing a pathway plugin" section: from its level-2 heading to the next level-2 heading."""
    start = text.find(SECTION + "\n")
    if start < 0:
        return None
    rest = text[start + len(SECTION):]
    end = re.search(r"^## ", rest, re.M)
    return rest[: end.start()] if end else rest


def _undocumented(section: str) -> list[str]:
    """Hooks lacking a `### <hook>` heading followed (before the next ###) by a python example defining it."""
    missing = []
    for h in HOOKS:
        m = re.search(rf"^### `?{h}`?\s*$(.*?)(?=^### |\Z)", section, re.M | re.S)
        if not m or not re.search(rf"```python\n(?:.*\n)*?def {h}\(", m.group(1)):
            missing.append(h)
    return missing


def test_every_hook_is_documented_with_an_example_in_the_readme():
    section = _section((ROOT / "README.md").read_text(encoding="utf-8"))
    assert section is not None, f"README.md must contain the section {SECTION!r}"
    assert not _undocumented(section), f"README {SECTION!r} lacks an example for: {_undocumented(section)}"
