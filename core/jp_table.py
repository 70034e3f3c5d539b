"""The JP conversion — one home for planning and crediting alike: the agency's JP table (the LAN
defaults of Peraturan LAN 10/2018 Lampiran II, ``JP_CONVERSION_DEFAULTS``, overlaid with the
agency's own versioned configuration) and the arithmetic every JP figure is made with.

- Planned JP of a plan row (Formulir 2.6 item 11): :func:`planned_jp`, by the agency's table.
- Credited JP at completion: the pathway plugins' unit functions (``plugins/rules.py``) read the same
  table (:meth:`JpTable.value`, :meth:`JpTable.max_per_month`) and round with :func:`floor_jp`.

So an agency's override changes what is planned and what is credited alike. An unconfirmed default
(``None``) is never guessed: crediting JP that needs it is refused until the agency's HR unit sets it;
planning needs the JP stated. Every configuration is an event with its own version id, and each
planned or credited figure records the table version it used.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from core import access
from core.catalogue import JP_CONVERSION_DEFAULTS, JP_TABLE_VERSION, JP_UNITS, JpRule
from core.errors import Conflict, Invalid
from core.events import Context, PengkomAggregate, derived_id
from core.i18n import N_, msg

_VERSION_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")
_OVERRIDABLE = ("domestic", "international", "max_per_month")


class JpValueUnconfirmed(Invalid):
    """The JP conversion needed is unconfirmed (docs/guideline.md): the agency must set it first."""

    title = "JP conversion not set"


def jp_table_id(agency: str) -> UUID:
    return derived_id("jp_table", agency)


@dataclass(frozen=True)
class JpTable:
    """The effective table for one agency: ``version`` names exactly what produced a number."""

    agency: str | None
    version: str
    rules: dict[str, JpRule]

    def rule(self, form: str) -> JpRule:
        try:
            return self.rules[form]
        except KeyError:
            raise JpValueUnconfirmed(
                msg("The JP table has no conversion for {form!r}; the HR unit must add it to the agency's JP table "
                    "(known forms: {sorted_rules}).", form=form, sorted_rules=', '.join(sorted(self.rules))), field="jp_table", form=form) from None

    def value(self, form: str, international: bool) -> Decimal:
        """JP per unit for ``form``; refused (never guessed) when the value is unconfirmed."""
        rule = self.rule(form)
        value = rule.international if international else rule.domestic
        if value is None:
            where = "international" if international else "domestic"
            raise JpValueUnconfirmed(
                msg("The {where} JP conversion for {form} is unconfirmed ({source}); the agency's HR unit must set it in "
                    "the agency JP table (POST /jp-table) before JP can be credited.", where=where, form=form, source=rule.source),
                field="jp_table", form=form)
        return value

    def max_per_month(self, form: str) -> int | None:
        return self.rule(form).max_per_month

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "version": self.version,
            "rules": {
                form: {"form": r.form, "unit": r.unit, "domestic": _num(r.domestic), "international": _num(r.international),
                       "max_per_month": r.max_per_month, "grade": r.grade, "source": r.source}
                for form, r in sorted(self.rules.items())
            },
        }


def floor_jp(value: Decimal) -> int:
    """JP are whole: a fraction is rounded down (never credit more than was earned)."""
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def months_spanned(start: date, end: date) -> int:
    """Calendar months from ``start`` to ``end``, both counted (the per-month session cap applies per month)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


@dataclass(frozen=True)
class JpDecision:
    """Planned JP with the rule that gave them, a basis a clerk can read, and the table version used."""

    jp: int
    rule: str
    basis: str
    table_version: str


def planned_jp(table: JpTable, form: str, *, days: int | None = None, sessions: int | None = None,
               programme_jp: int | None = None, international: bool = False, stated_jp: int | None = None,
               start: date | None = None, end: date | None = None) -> JpDecision:
    """Planned JP of a plan row (Formulir 2.6 item 11) from its development form, by the agency's table.

    An unconfirmed conversion value (None) is never guessed: the agency states the JP (``stated_jp``)
    and the decision records that the agency supplied it.
    """
    rule = table.rules.get(form)
    if rule is None:
        raise Invalid(msg("Development form {form!r} has no JP conversion in the JP table {version}; forms: {rules}.",
                          form=form, version=table.version, rules=', '.join(table.rules)), field="form")
    scope = "international" if international else "domestic"
    value = rule.international if international else rule.domestic
    rule_id = f"{form}/{rule.unit}/{scope}"
    if value is None:
        if stated_jp is None:
            raise Invalid(msg("The {scope} JP conversion of {form} is unconfirmed ({source}); state the planned JP yourself (jp), "
                              "or set the value in the agency's JP table.", scope=scope, form=form, source=rule.source), field="jp")
        return JpDecision(stated_jp, f"{form}/agency-supplied/{scope}",
                          f"{stated_jp} JP stated by the agency: the {scope} conversion of {form} is unconfirmed", table.version)

    def need(v: int | None, name: str, what: Any) -> int:
        if v is None:
            raise Invalid(msg("{form} converts {what}; give the number of {name} ({name}).", form=form, what=what, name=name), field=name)
        return v

    if rule.unit == "per_day":
        n = need(days, "days", msg("at {value} JP per day", value=value))
        jp, basis = floor_jp(value * n), msg("{value} JP/day × {n} day(s)", value=value, n=n)
    elif rule.unit == "per_day_max":
        n = need(days, "days", msg("at most {value} JP per day", value=value))
        cap = floor_jp(value * n)
        if stated_jp is not None and stated_jp > cap:
            raise Invalid(msg("{form} credits at most {value} JP per day: {n} day(s) allow at most {cap} JP, not {stated_jp}.",
                              form=form, value=value, n=n, cap=cap, stated_jp=stated_jp), field="jp")
        jp = stated_jp if stated_jp is not None else cap
        basis = (msg("{jp} JP stated (at most {value} JP/day × {n} day(s))", jp=jp, value=value, n=n) if stated_jp is not None
                 else msg("{jp} JP at the cap (at most {value} JP/day × {n} day(s))", jp=jp, value=value, n=n))
        stated_jp = None
    elif rule.unit == "per_session":
        n = need(sessions, "sessions", msg("at {value} JP per session", value=value))
        credited = n
        if rule.max_per_month and start and end:
            credited = min(n, rule.max_per_month * months_spanned(start, end))
        jp = floor_jp(value * credited)
        basis = (msg("{value} JP/session × {credited} session(s) ({n} planned; at most {max} a month are credited)", value=value,
                     credited=credited, n=n, max=rule.max_per_month) if credited < n
                 else msg("{value} JP/session × {credited} session(s)", value=value, credited=credited))
    elif rule.unit == "per_activity":
        jp, basis = floor_jp(value), msg("{value} JP per activity", value=value)
    else:  # programme_hours
        n = need(programme_jp, "programme_jp", N_("as the programme's own JP"))
        jp = floor_jp(value * n)
        basis = (msg("the programme's {n} JP × {value} (international)", n=n, value=value) if value != 1
                 else msg("the programme's {n} JP", n=n))
    if stated_jp is not None and stated_jp != jp:
        raise Invalid(msg("{form} converts to {jp} JP ({basis}), not {stated_jp}; leave jp empty to use the conversion.",
                          form=form, jp=jp, basis=basis, stated_jp=stated_jp), field="jp")
    if jp < 1:
        raise Invalid(msg("{form} converts to {jp} JP ({basis}); a plan row needs at least 1 JP.", form=form, jp=jp, basis=basis), field="jp")
    return JpDecision(jp, rule_id, str(basis), table.version)  # recorded in English; read in the reader's language


def _num(v: Decimal | None) -> str | None:
    return None if v is None else str(v)


DEFAULT_TABLE = JpTable(agency=None, version=JP_TABLE_VERSION, rules=dict(JP_CONVERSION_DEFAULTS))


def _decimal(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Invalid(msg("{where} must be a number of JP, not {value!r}.", where=where, value=value), field="overrides") from None
    if not d.is_finite() or d < 0 or d > 1000:
        raise Invalid(msg("{where} must be from 0 to 1000 JP, not {value}.", where=where, value=value), field="overrides")
    return d


def clean_overrides(overrides: Any) -> dict[str, dict[str, Any]]:
    """Validate an agency's overrides: known forms change values only; a new form needs its unit too."""
    if not isinstance(overrides, dict) or not overrides:
        raise Invalid("Overrides must map at least one form (e.g. \"coaching\") to its values.", field="overrides")
    clean: dict[str, dict[str, Any]] = {}
    for form, values in overrides.items():
        if not isinstance(form, str) or not re.fullmatch(r"[a-z][a-z0-9_]{1,40}", form):
            raise Invalid(msg("Form {form!r} must be a lower-case code like coaching or e_learning.", form=form), field="overrides")
        if not isinstance(values, dict) or not values:
            raise Invalid(msg("Overrides for {form} must be an object with some of {OVERRIDABLE}.",
                              form=form, OVERRIDABLE=', '.join(_OVERRIDABLE)), field="overrides")
        allowed = set(_OVERRIDABLE) | ({"unit"} if form not in JP_CONVERSION_DEFAULTS else set())
        unknown = sorted(set(values) - allowed)
        if unknown:
            hint = " (the unit of a LAN form is fixed: the pathway plugins compute by it)" if "unit" in unknown else ""
            raise Invalid(msg("Cannot set {unknown} for {form}; settable: {sorted_allowed}{hint}.",
                              unknown=', '.join(unknown), form=form, sorted_allowed=', '.join(sorted(allowed)), hint=hint), field="overrides")
        out: dict[str, Any] = {}
        for k, v in values.items():
            if k == "unit":
                if v not in JP_UNITS:
                    raise Invalid(msg("Unit {v!r} for {form} is unknown; units: {JP_UNITS}.",
                                      v=v, form=form, JP_UNITS=', '.join(JP_UNITS)), field="overrides")
                out[k] = v
            elif k == "max_per_month":
                if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 31):
                    raise Invalid(msg("max_per_month for {form} must be a whole number 1–31.", form=form), field="overrides")
                out[k] = v
            else:
                d = _decimal(v, f"{k} for {form}")
                out[k] = None if d is None else str(d)
        if form not in JP_CONVERSION_DEFAULTS and "unit" not in out:
            raise Invalid(msg("{form} is not in the LAN table; give its unit ({JP_UNITS}) too.", form=form, JP_UNITS=', '.join(JP_UNITS)), field="overrides")
        clean[form] = out
    return clean


def build_table(agency: str, version_id: str, overrides: dict[str, dict[str, Any]]) -> JpTable:
    rules = dict(JP_CONVERSION_DEFAULTS)
    for form, values in overrides.items():
        base = rules.get(form) or JpRule(form=form, unit=values["unit"], domestic=None, international=None,
                                          max_per_month=None, grade="U", source="")
        changed: dict[str, Any] = {k: (Decimal(v) if k in ("domestic", "international") and v is not None else v) for k, v in values.items()}
        rules[form] = replace(base, **changed, source=f"{base.source}; set by agency {agency} in table {version_id}".lstrip("; "))
    return JpTable(agency=agency, version=f"{JP_TABLE_VERSION}+{agency}/{version_id}", rules=rules)


class AgencyJpTable(PengkomAggregate):
    """One per agency: the history of its JP table configurations."""

    TOPIC = "pengkom.jp_table.AgencyJpTable"

    class Event(PengkomAggregate.Event):
        TOPIC = "pengkom.jp_table.Event"

    class Started(Event, PengkomAggregate.Created):
        TOPIC = "pengkom.jp_table.Started"
        agency: str

    class Configured(Event):
        """The agency's table from now on: LAN defaults overlaid with ``overrides`` (whole set)."""

        TOPIC = "pengkom.jp_table.Configured"
        version_id: str
        overrides: dict[str, Any]
        reason: str

        def apply(self, aggregate: AgencyJpTable) -> None:
            aggregate.versions.append(self.version_id)
            aggregate.current = (self.version_id, dict(self.overrides))

    def __init__(self, agency: str) -> None:
        self.agency = agency
        self.versions: list[str] = []
        self.current: tuple[str, dict[str, Any]] | None = None

    def table(self) -> JpTable:
        if self.current is None:
            return replace(DEFAULT_TABLE, agency=self.agency)
        return build_table(self.agency, *self.current)


@dataclass(frozen=True)
class JpTableCommands:
    app: Any

    def table_for(self, agency: str) -> JpTable:
        agg = self.app.get(jp_table_id(agency))
        return agg.table() if isinstance(agg, AgencyJpTable) else replace(DEFAULT_TABLE, agency=agency)

    def configure(self, ctx: Context, *, agency: str, version_id: str, overrides: dict[str, Any], reason: str) -> AgencyJpTable:
        """The HR unit sets its agency's JP table (e.g. an unconfirmed international value)."""
        ctx = ctx.acting_as(access.require_role(ctx.actor, [access.HR], N_("configure the agency's JP table")))
        access.require_agency(ctx.actor, agency, N_("configure another agency's JP table"))
        if not isinstance(version_id, str) or not _VERSION_ID.fullmatch(version_id):
            raise Invalid("version_id must be 1–40 letters, digits or . _ - (e.g. 2026-01).", field="version_id")
        if not isinstance(reason, str) or len(reason.strip()) < 3:
            raise Invalid("Say why the table changes (e.g. the LAN letter that confirms the value).", field="reason")
        clean = clean_overrides(overrides)
        agg = self.app.get(jp_table_id(agency))
        if not isinstance(agg, AgencyJpTable):
            meta = ctx.provenance()
            agg = AgencyJpTable._create(AgencyJpTable.Started, id=jp_table_id(agency), meta=meta,
                                        timestamp=meta.recorded_at, agency=agency)
        if version_id in agg.versions:
            raise Conflict(msg("JP table version {version_id} already exists for {agency}; a new configuration needs a new version id.",
                               version_id=version_id, agency=agency),
                           field="version_id")
        agg.record(AgencyJpTable.Configured, ctx.provenance(), version_id=version_id, overrides=clean, reason=reason.strip())
        return agg
