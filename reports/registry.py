"""Every export pengkom produces: its name (written into the file's stamp), the read models it reads, the
aggregates whose events alone rebuild it as of a past position (when it is built from a few), and the
function that builds the document. ``pengkom verify --export`` finds the export here by the name in the file."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from core.agencies import agency_id
from core.planning import plan_id
from projections.store import ViewStore
from reports import forms, forms_activity, national
from reports.document import Document
from reports.source import At


@dataclass(frozen=True)
class ExportKind:
    name: str
    models: tuple[str, ...]
    build: Callable[[ViewStore, At, dict[str, Any]], Document]
    #: The aggregates whose events alone rebuild the export as of a position (None: the models' whole topics).
    aggregates: Callable[[dict[str, Any]], list[UUID] | None] = lambda p: None


def _plan_ids(p: dict[str, Any]) -> list[UUID]:
    return [plan_id(p["agency"], int(p["year"])), agency_id(p["agency"])]


KINDS: dict[str, ExportKind] = {k.name: k for k in (
    ExportKind("formulir-2.1", ("officers", "inventory"), forms.formulir_2_1_doc),
    ExportKind("formulir-2.2", ("officers", "national"), forms.formulir_2_2_doc),
    ExportKind("formulir-2.3", ("officers", "inventory"), forms.formulir_2_3_doc),
    ExportKind("formulir-2.5", ("officers", "inventory"), forms.formulir_2_5_doc),
    ExportKind("formulir-2.6", ("plans", "national"), forms.formulir_2_6_doc, _plan_ids),
    ExportKind("formulir-3.3", ("monitoring", "national"), forms_activity.formulir_3_3_doc),
    ExportKind("formulir-3.4", ("monitoring", "national"), forms_activity.formulir_3_4_doc),
    ExportKind("ledger-officer", ("officers", "jp_ledger", "plans", "national"), forms_activity.ledger_officer_doc),
    ExportKind("ledger-agency", ("officers", "jp_ledger", "plans", "national"), forms_activity.ledger_agency_doc),
    ExportKind("audit", ("audit", "national"), forms_activity.audit_doc),
    ExportKind("formulir-5.2", ("evaluations", "national"), forms_activity.formulir_5_2_doc),
    ExportKind("formulir-5.4", ("evaluations", "national"), forms_activity.formulir_5_4_doc),
    ExportKind("formulir-5.5", ("evaluations", "national"), forms_activity.formulir_5_5_doc),
    ExportKind("evaluation-recap", ("evaluations", "national"), forms_activity.evaluation_recap_doc),
    ExportKind("national-recap", ("national",), national.national_recap_doc),
    ExportKind("national-agency", ("national",), national.national_agency_doc),
    ExportKind("national-gaps", ("national",), national.national_gaps_doc),
    ExportKind("siasn", ("national",), national.siasn_doc),
    ExportKind("officers", ("officers", "national"), national.officers_doc),
)}
