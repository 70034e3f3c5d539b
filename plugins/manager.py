"""The pathway plugin manager: loads built-in and third-party pathway plugins the same way, and
calls them for core through :class:`PathwayPlugins` (the ``core.pathways.PathwayRules`` face).

Built-ins are the modules in ``BUILTIN_PLUGINS``; third-party plugins come from the entry-point
group ``pengkom.pathways``. Both are registered by :func:`register` and checked by
``check_pending()`` plus our own checks (a pathway declared twice, a pathway without a JP hook).
Which entry points load is configuration (``PENGKOM_PATHWAY_PLUGINS``: ``all``, ``none`` or a
comma-separated list of entry-point names), so a test run never picks up unrelated installed
plugins.

Every call into a plugin is guarded: an exception or a malformed answer becomes a
:class:`PluginError` (422, naming the plugin) and the command records nothing.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from typing import Any

import msgspec
import pluggy

from core.errors import DomainError, Invalid
from core.evaluation.administrative import CellDecision
from core.evaluation.facts import PlanRowFacts
from core.evaluation.rules import check_cell
from core.i18n import msg
from core.jp_table import JpTable
from core.pathways import (
    ActivityFacts,
    Evidence,
    Finding,
    JpCredit,
    JpDecision,
    Method,
    Monitor,
    ParticipantFacts,
    PathwayDefinition,
    ProviderKind,
    Scheduler,
)
from plugins import hookspecs
from plugins.rules import detail_is_json

log = logging.getLogger("pengkom.plugins")

#: Built-in pathway plugins: name -> module. Registered by the same code as entry points.
BUILTIN_PLUGINS: dict[str, str] = {
    "pelatihan": "plugins.builtin.pelatihan",
    "seminar": "plugins.builtin.seminar",
    "workshop": "plugins.builtin.workshop",
    "bimtek": "plugins.builtin.bimtek",
    "patok_banding": "plugins.builtin.patok_banding",
    "e_learning": "plugins.builtin.e_learning",
    "coaching_mentoring": "plugins.builtin.coaching_mentoring",
    "belajar_mandiri": "plugins.builtin.belajar_mandiri",
    "komunitas_belajar": "plugins.builtin.komunitas_belajar",
}
MAX_JP = 1000


class PluginError(Invalid):
    """A pathway plugin raised or answered garbage; nothing was recorded."""

    title = "Pathway plugin failed"


class PluginLoadError(RuntimeError):
    """A plugin cannot be loaded or declares something inconsistent: the server refuses to start."""


def _version(dist_name: str) -> str:
    try:
        return metadata.version(dist_name)
    except metadata.PackageNotFoundError:
        return "0+unknown"


class PengkomPluginManager(pluggy.PluginManager):
    """A pluggy manager that also knows each plugin's distribution version."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.versions: dict[str, str] = {}


def new_manager() -> PengkomPluginManager:
    return PengkomPluginManager()


def register(pm: PengkomPluginManager, plugin: Any, name: str, version: str) -> None:
    """Register one plugin (built-in or third-party): the single route every plugin takes."""
    if pm.get_plugin(name) is not None or name in pm.versions:
        raise PluginLoadError(f"Two pathway plugins are named {name!r}; rename one entry point.")
    try:
        pm.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as e:
        raise PluginLoadError(f"Pathway plugin {name!r} cannot be registered: {e}") from e
    pm.versions[name] = version


def _selected(entry_points: str | Iterable[str]) -> tuple[bool, set[str]]:
    if isinstance(entry_points, str):
        value = entry_points.strip().lower()
        if value in ("all", "*", ""):
            return True, set()
        if value == "none":
            return False, set()
        return False, {n.strip() for n in entry_points.split(",") if n.strip()}
    return False, set(entry_points)


def create_plugin_manager(entry_points: str | Iterable[str] = "all", *, builtins: bool = True,
                          extra: Iterable[tuple[str, Any]] = ()) -> PengkomPluginManager:
    """Built-ins, then the selected entry points of ``pengkom.pathways``, then ``extra`` (tests)."""
    pm = new_manager()
    pengkom_version = _version("pengkom")
    if builtins:
        for name, module in BUILTIN_PLUGINS.items():
            register(pm, importlib.import_module(module), name, pengkom_version)
    load_all, wanted = _selected(entry_points)
    found = set()
    for ep in metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP):
        if ep.name in BUILTIN_PLUGINS and ep.value == BUILTIN_PLUGINS[ep.name]:
            continue  # a built-in also declared as an entry point: already registered
        if not (load_all or ep.name in wanted):
            continue
        found.add(ep.name)
        try:
            plugin = ep.load()
        except Exception as e:
            raise PluginLoadError(f"Pathway plugin {ep.name!r} ({ep.value}) cannot be imported: {type(e).__name__}: {e}") from e
        register(pm, plugin, ep.name, ep.dist.version if ep.dist else "0+unknown")
    missing = wanted - found
    if missing:
        raise PluginLoadError(f"Pathway plugins {', '.join(sorted(missing))} are configured (PENGKOM_PATHWAY_PLUGINS) but not "
                              f"installed in group {hookspecs.ENTRY_POINT_GROUP}.")
    for name, plugin in extra:
        register(pm, plugin, name, "0+test")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as e:
        raise PluginLoadError(f"Pathway plugin {e.plugin!r}: {e}") from e
    return pm


@dataclass(frozen=True)
class Owner:
    plugin: str
    version: str
    definition: PathwayDefinition


def check_definition(d: Any, plugin: str) -> PathwayDefinition:
    """A declaration as ``pengkom_register_pathways`` promises it, or PluginLoadError naming what is wrong."""
    def bad(why: str) -> PluginLoadError:
        return PluginLoadError(f"Pathway plugin {plugin!r} declares an invalid pathway: {why}.")

    if not isinstance(d, PathwayDefinition):
        raise bad(f"expected a PathwayDefinition, got {type(d).__name__}")
    if not isinstance(d.code, str) or not d.code.replace("_", "").isalnum() or d.code != d.code.lower():
        raise bad(f"code {d.code!r} must be lower-case letters, digits and _")
    for attr in ("name_id", "name_en", "jp_form", "guideline_section", "ruleset_version"):
        if not isinstance(getattr(d, attr), str) or not getattr(d, attr).strip():
            raise bad(f"{d.code}: {attr} is required")
    checks = (("methods", Method), ("provider_kinds", ProviderKind), ("evidence_required", Evidence))
    for attr, enum in checks:
        values = getattr(d, attr)
        allowed = {m.value for m in enum}
        if not isinstance(values, tuple) or (attr != "evidence_required" and not values) or set(values) - allowed:
            raise bad(f"{d.code}: {attr} must be a tuple drawn from {', '.join(sorted(allowed))}")
    if d.monitoring_form not in ("3.3", "3.4"):
        raise bad(f"{d.code}: monitoring_form must be \"3.3\" or \"3.4\"")
    if d.monitored_by not in {m.value for m in Monitor} or d.scheduled_by not in {s.value for s in Scheduler}:
        raise bad(f"{d.code}: monitored_by / scheduled_by unknown")
    if not isinstance(d.rules, tuple) or not d.rules or not all(isinstance(r, str) and r for r in d.rules):
        raise bad(f"{d.code}: rules must list the pathway's rules in words")
    return d


class PathwayPlugins:
    """What core and the API use: declarations, and guarded calls to the plugin owning a pathway."""

    def __init__(self, pm: PengkomPluginManager) -> None:
        self.pm = pm
        self.versions = pm.versions
        self._owners: dict[str, Owner] = {}
        self._callers: dict[tuple[str, str], Any] = {}
        for impl in pm.hook.pengkom_register_pathways.get_hookimpls():
            name = pm.get_name(impl.plugin) or "?"
            try:
                declared = impl.function()
            except Exception as e:
                raise PluginLoadError(f"Pathway plugin {name!r} failed to declare its pathways: {type(e).__name__}: {e}") from e
            if not isinstance(declared, (list, tuple)) or not declared:
                raise PluginLoadError(f"Pathway plugin {name!r} must return a non-empty list of PathwayDefinition "
                                      "from pengkom_register_pathways.")
            for d in declared:
                d = check_definition(d, name)
                if d.code in self._owners:
                    raise PluginLoadError(f"Pathway {d.code!r} is declared by both {self._owners[d.code].plugin!r} and {name!r}.")
                self._owners[d.code] = Owner(name, self.versions.get(name, "0+unknown"), d)
            credit_impls = {pm.get_name(i.plugin) for i in pm.hook.pengkom_credit_jp.get_hookimpls()}
            if name not in credit_impls:
                raise PluginLoadError(f"Pathway plugin {name!r} declares pathways but implements no pengkom_credit_jp.")

    @classmethod
    def load(cls, entry_points: str | Iterable[str] = "all", **kw: Any) -> PathwayPlugins:
        return cls(create_plugin_manager(entry_points, **kw))

    # -- declarations ------------------------------------------------------------------------------

    def codes(self) -> list[str]:
        return sorted(self._owners)

    def definitions(self) -> list[tuple[PathwayDefinition, str, str]]:
        return [(o.definition, o.plugin, o.version) for _, o in sorted(self._owners.items())]

    def definition(self, code: str) -> PathwayDefinition | None:
        owner = self._owners.get(code)
        return owner.definition if owner else None

    def provider_of(self, code: str) -> tuple[str, str, str]:
        o = self._owners[code]
        return o.plugin, o.version, o.definition.ruleset_version

    # -- guarded calls -------------------------------------------------------------------------------

    def _owner(self, code: str) -> Owner:
        owner = self._owners.get(code)
        if owner is None:
            raise Invalid(msg("No installed pathway plugin provides pathway {code!r}; installed: {self_codes}.",
                              code=code, self_codes=', '.join(self.codes())),
                          field="pathway")
        return owner

    def _call(self, code: str, hook: str, what: str, **kwargs: Any) -> tuple[Owner, Any]:
        owner = self._owner(code)
        key = (owner.plugin, hook)
        caller = self._callers.get(key)
        if caller is None:
            mine = self.pm.get_plugin(owner.plugin)
            others = [p for p in self.pm.get_plugins() if p is not mine]
            caller = self._callers[key] = self.pm.subset_hook_caller(hook, remove_plugins=others)
        try:
            return owner, caller(pathway=code, **kwargs)
        except DomainError as e:
            # A deliberate refusal (e.g. an unconfirmed JP value): pass it on, saying whose it is.
            e.details.setdefault("plugin", owner.plugin)
            raise
        except Exception as e:
            log.exception("pathway plugin %s failed in %s", owner.plugin, hook)
            raise PluginError(msg("Pathway plugin {plugin!r} ({version}) failed while {what}: {name}: {e}. Nothing was recorded; "
                                  "report this to the plugin's maintainer.",
                                  plugin=owner.plugin, version=owner.version, what=what, name=type(e).__name__, e=e),
                              field="pathway", plugin=owner.plugin) from None

    def _garbage(self, owner: Owner, what: str, got: Any) -> PluginError:
        return PluginError(msg("Pathway plugin {plugin!r} ({version}) returned an invalid answer while {what}: {got!r:.200}. "
                               "Nothing was recorded; report this to the plugin's maintainer.",
                               plugin=owner.plugin, version=owner.version, what=what, got=got),
                           field="pathway", plugin=owner.plugin)

    def validate(self, activity: ActivityFacts, stage: str) -> list[str]:
        owner, results = self._call(activity.pathway, "pengkom_validate_activity", f"validating the activity ({stage})",
                                    activity=activity, stage=stage)
        problems: list[str] = []
        for r in results:  # a list of the owner's answers (only the owner is called)
            if r is None:
                continue
            if not isinstance(r, (list, tuple)) or not all(isinstance(x, str) and x.strip() for x in r):
                raise self._garbage(owner, "validating the activity", r)
            problems.extend(r)
        return problems

    def credit(self, activity: ActivityFacts, participant: ParticipantFacts, jp_table: JpTable) -> JpDecision:
        what = f"computing the JP of {participant.name}"
        owner, c = self._call(activity.pathway, "pengkom_credit_jp", what, activity=activity, participant=participant,
                              jp_table=jp_table)
        if (not isinstance(c, JpCredit) or isinstance(c.jp, bool) or not isinstance(c.jp, int) or not 0 <= c.jp <= MAX_JP
                or not isinstance(c.rule, str) or not c.rule.strip() or len(c.rule) > 500
                or not isinstance(c.detail, dict) or not detail_is_json(c.detail)):
            raise self._garbage(owner, what, c)
        return JpDecision(jp=c.jp, rule=c.rule, ruleset_version=owner.definition.ruleset_version,
                          jp_table_version=jp_table.version, plugin=owner.plugin, plugin_version=owner.version,
                          detail=msgspec.to_builtins(c.detail))

    def evaluation_cell(self, activity: ActivityFacts, cell: str, plan_row: PlanRowFacts | None,
                        participant: ParticipantFacts) -> CellDecision | None:
        """The owning plugin's decision on one Formulir 5.2 cell, or None to let core compare it."""
        what = f"computing the Formulir 5.2 cell {cell} of {participant.name}"
        owner, answer = self._call(activity.pathway, "pengkom_evaluation_cell", what, cell=cell, plan_row=plan_row,
                                   activity=activity, participant=participant)
        if answer is None:
            return None
        try:
            decided = check_cell(answer, f"plugin {owner.plugin!r}")
        except ValueError:
            raise self._garbage(owner, what, answer) from None
        return CellDecision(decided, owner.plugin, owner.version, owner.definition.ruleset_version)

    def findings(self, activity: ActivityFacts, as_of: date) -> list[Finding]:
        """Findings for monitoring reads. A missing or failing plugin is itself a finding: reads never fail."""
        if activity.pathway not in self._owners:
            return [Finding("plugin_missing", msg("No installed plugin provides pathway {pathway!r}; findings cannot be computed until it is installed.",
                                                  pathway=activity.pathway), severity="info")]
        try:
            owner, results = self._call(activity.pathway, "pengkom_monitoring_findings", "computing monitoring findings",
                                        activity=activity, as_of=as_of)
        except DomainError as e:
            return [Finding("plugin_failed", e.message, severity="info")]
        out: list[Finding] = []
        for r in results:
            if r is None:
                continue
            if not isinstance(r, (list, tuple)) or not all(isinstance(f, Finding) for f in r):
                return [Finding("plugin_failed", str(self._garbage(owner, "computing monitoring findings", r)), severity="info")]
            out.extend(r)
        return out

    def describe(self, code: str, jp_table: JpTable | None = None) -> dict[str, Any]:
        """A pathway's declaration and its JP rule, for the API."""
        o = self._owner(code)
        d = o.definition
        doc: dict[str, Any] = {
            "code": d.code, "name_id": d.name_id, "name_en": d.name_en, "on_the_job": d.on_the_job,
            "methods": list(d.methods), "provider_kinds": list(d.provider_kinds), "variants": list(d.variants),
            "evidence_required": list(d.evidence_required), "monitoring_form": d.monitoring_form,
            "monitored_by": d.monitored_by, "scheduled_by": d.scheduled_by,
            "requires_provider_approval": d.requires_provider_approval, "requires_coach": d.requires_coach,
            "guideline_section": d.guideline_section, "rules": list(d.rules), "description": d.description,
            "jp_form": d.jp_form, "ruleset_version": d.ruleset_version, "plugin": o.plugin, "plugin_version": o.version,
        }
        if jp_table is not None:
            rule = jp_table.rules.get(d.jp_form)
            doc["jp_table_version"] = jp_table.version
            doc["jp_rule"] = None if rule is None else jp_table.as_dict()["rules"][d.jp_form]
        return doc
