"""One test per hook of plugins/hookspecs.py, and the meta-tests: a hook without a test here, or
without its documented example (README "Writing a pathway plugin"), fails."""
from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest

from core.jp_table import DEFAULT_TABLE
from core.pathways import Finding, JpCredit, PathwayDefinition
from plugins import hookspecs
from plugins.builtin.seminar import SEMINAR
from plugins.contract import PathwayContract
from plugins.hookspecs import hookimpl
from plugins.manager import PathwayPlugins, create_plugin_manager

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


# -- meta-tests -----------------------------------------------------------------------------------------


def test_every_hook_has_a_test():
    assert HOOKS == ["pengkom_credit_jp", "pengkom_monitoring_findings", "pengkom_register_pathways",
                     "pengkom_validate_activity"]
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
