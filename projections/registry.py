"""Every read model pengkom serves. A new projection module adds its class here, and nowhere else."""
from __future__ import annotations

from projections.assessments import InventoryRecords
from projections.audit import AuditTrail
from projections.base import Projection
from projections.chain import HashChain
from projections.deadlines import DeadlineLedger
from projections.evaluations import EvaluationBook
from projections.ledger import JpLedger
from projections.monitoring import Monitoring
from projections.national import NationalRecords
from projections.officers import OfficerDirectory
from projections.plans import PlanBook


def all_projections() -> list[Projection]:
    return [
        HashChain(),
        AuditTrail(),
        OfficerDirectory(),
        InventoryRecords(),
        PlanBook(),
        DeadlineLedger(),
        JpLedger(),
        Monitoring(),
        EvaluationBook(),
        NationalRecords(),
    ]
