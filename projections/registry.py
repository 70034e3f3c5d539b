"""Every read model pengkom serves. A new projection module adds its class here, and nowhere else."""
from __future__ import annotations

from projections.base import Projection
from projections.officers import OfficerDirectory


def all_projections() -> list[Projection]:
    return [
        OfficerDirectory(),
    ]
