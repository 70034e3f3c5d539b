"""Every built-in pathway plugin passes the contract test kit a third-party author runs (plugins/contract.py)."""
from __future__ import annotations

from plugins.builtin import (
    belajar_mandiri,
    bimtek,
    coaching_mentoring,
    e_learning,
    komunitas_belajar,
    patok_banding,
    pelatihan,
    seminar,
    workshop,
)
from plugins.contract import PathwayContract


class TestPelatihanContract(PathwayContract):
    plugin, name = pelatihan, "pelatihan"


class TestSeminarContract(PathwayContract):
    plugin, name = seminar, "seminar"


class TestWorkshopContract(PathwayContract):
    plugin, name = workshop, "workshop"


class TestBimtekContract(PathwayContract):
    plugin, name = bimtek, "bimtek"


class TestPatokBandingContract(PathwayContract):
    plugin, name = patok_banding, "patok_banding"


class TestELearningContract(PathwayContract):
    plugin, name = e_learning, "e_learning"


class TestCoachingMentoringContract(PathwayContract):
    plugin, name = coaching_mentoring, "coaching_mentoring"


class TestBelajarMandiriContract(PathwayContract):
    plugin, name = belajar_mandiri, "belajar_mandiri"


class TestKomunitasBelajarContract(PathwayContract):
    plugin, name = komunitas_belajar, "komunitas_belajar"
