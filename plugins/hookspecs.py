"""The hooks a development-pathway plugin implements (pluggy project ``pengkom``).

A plugin is a module (or object) with functions marked ``@hookimpl``; it is found through the
entry-point group ``pengkom.pathways``. The built-in pathways in ``plugins/builtin`` are registered
by the same code path. An implementation takes only the arguments it uses, so these
specifications can grow without breaking plugins.

Only the plugin that declared a pathway is asked about that pathway's activities; what it answers
is checked, recorded with its rule-set version, and never asked again on replay. A hook that
raises, or returns something else than promised, makes the command fail with a problem that names
the plugin; nothing is recorded. Documentation, with an example per hook: README, "Writing a
pathway plugin".
"""
from __future__ import annotations

from datetime import date

import pluggy

from core.evaluation.facts import EvaluationCell, PlanRowFacts
from core.jp_table import JpTable
from core.pathways import ActivityFacts, Finding, JpCredit, ParticipantFacts, PathwayDefinition

PROJECT = "pengkom"
ENTRY_POINT_GROUP = "pengkom.pathways"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def pengkom_register_pathways() -> list[PathwayDefinition]:
    """Declare the pathways this plugin provides.

    :return: a list of :class:`core.pathways.PathwayDefinition` — code, Indonesian and English
        names, on/off the job, allowed methods (klasikal, blended, hybrid, e_learning), provider
        kinds, evidence required at completion, the monitoring form (``"3.3"`` attendance or
        ``"3.4"`` coaching/mentoring meetings) and who fills it, who schedules sessions, the key of
        the JP conversion table it credits by, the guideline section, the rules in words and the
        rule-set version. A pathway code may be declared by one plugin only.
    """
    raise NotImplementedError  # a specification: pluggy calls the plugins' implementations


@hookspec
def pengkom_validate_activity(pathway: str, activity: ActivityFacts, stage: str) -> list[str] | None:
    """Check an activity of one of your pathways against the pathway's own rules.

    :param pathway: the pathway code (useful when one plugin declares several).
    :param activity: everything recorded on the activity so far.
    :param stage: ``"create"`` when the activity is about to be created, ``"complete"`` when
        participants are about to be credited (preparation and evidence should be in place).
    :return: a list of problems, each a sentence a clerk can act on and naming the guideline
        section; an empty list (or ``None``) when the activity is acceptable. Any problem stops the
        command with 422 and nothing is recorded.
    """


@hookspec(firstresult=True)
def pengkom_credit_jp(pathway: str, activity: ActivityFacts, participant: ParticipantFacts,
                      jp_table: JpTable) -> JpCredit | None:
    """Compute the JP credited to ``participant`` when their activity completes.

    Use only recorded facts (attendance, meetings, certificates …) and the agency's ``jp_table``
    (``jp_table.value(form, international)`` refuses an unconfirmed value — never guess one).

    :return: a :class:`core.pathways.JpCredit`: ``jp`` a whole number 0–1000, ``rule`` the rule
        in words (e.g. ``"seminar: 4 JP per day fully attended"``), ``detail`` a small JSON-able
        dict of the figures used. It is recorded in the ``JpCredited`` event together with the
        plugin's name and version, its rule-set version and the JP table version.
    """


@hookspec
def pengkom_monitoring_findings(pathway: str, activity: ActivityFacts, as_of: date) -> list[Finding] | None:
    """Monitoring findings for an activity of one of your pathways, as of a date.

    Pure: the same facts and date always give the same findings. Typical findings: absences and
    partial attendance (Formulir 3.3), meetings held below agreed (Formulir 3.4), report or
    certificate still missing two weeks after the end, e-learning unfinished a year after it started.

    :return: a list of :class:`core.pathways.Finding` (``code`` stable, ``message`` for the clerk,
        ``officer_id`` when about one participant, ``severity`` ``"warning"`` or ``"info"``).
    """


@hookspec(firstresult=True)
def pengkom_evaluation_cell(pathway: str, cell: str, plan_row: PlanRowFacts | None, activity: ActivityFacts,
                            participant: ParticipantFacts) -> EvaluationCell | None:
    """Decide one *Kesesuaian Rencana dan Pelaksanaan* cell of Formulir 5.2 (BAB V.A) for a participant
    of an activity of one of your pathways, when your pathway compares it otherwise than core does
    (e.g. coaching/mentoring: *jadwal dan waktu* is the meetings held against the learning contract).

    :param cell: ``"jenis"``, ``"jalur"``, ``"penyelenggara"``, ``"jadwal"``, ``"anggaran"`` or
        ``"jam_pelajaran"`` (Formulir 5.2 items 7–12).
    :param plan_row: the validated Formulir 2.6 row the participation implements
        (:class:`core.evaluation.facts.PlanRowFacts`), or ``None`` for an unplanned participation.
    :param activity: everything recorded on the activity; ``participant`` is the participant (completed).
    :return: a :class:`core.evaluation.facts.EvaluationCell` — ``sesuai`` True/False, ``planned`` and
        ``actual`` in words, and a ``reason`` (required when ``sesuai`` is False) — or ``None`` to leave
        the cell to core's comparison. It is recorded with your plugin's name and version and your
        pathway's ``ruleset_version``; the HR unit may still override it, with a reason.
    """
