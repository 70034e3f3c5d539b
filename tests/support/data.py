"""Sample data builders shared by tests."""
from __future__ import annotations

from typing import Any

PK_AHLI_PERTAMA = "19900101 201501 1 001"
PK_AHLI_MUDA = "19850505 201003 2 002"
SUPERVISOR = "19750303 200001 1 003"


def officer_body(nip: str = PK_AHLI_PERTAMA, **over: Any) -> dict[str, Any]:
    digits = nip.replace(" ", "")
    body = {
        "nip": nip,
        "name": "Siti Rahayu",
        "birth_place": "Bandung",
        "birth_date": f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]}",
        "sex": "L" if digits[14] == "1" else "P",
        "employee_type": "PNS",
        "position": "Pengantar Kerja Ahli Pertama",
        "level": "ahli_pertama",
        "golongan": "III/a",
        "agency": "kemnaker",
        "unit": "Direktorat Penempatan Tenaga Kerja Dalam Negeri",
        "supervisor_nip": SUPERVISOR,
        "supervisor_name": "Budi Santoso",
    }
    body.update(over)
    return body
