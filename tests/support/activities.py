"""Builders for the activity (BAB III) tests: officers, callers, dates, files, the common preparation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.support.data import PK_AHLI_MUDA, PK_AHLI_PERTAMA, SUPERVISOR, officer_body

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def month_start(months_back: int, today: date | None = None) -> date:
    """The first day of the month ``months_back`` months before this one (always in the past)."""
    d = (today or date.today()).replace(day=1)
    for _ in range(months_back):
        d = (d - timedelta(days=1)).replace(day=1)
    return d


def days(start: date, n: int) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range(n)]


def ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, f"{r.status_code}: {r.text}"
    return r.json()


@dataclass
class Cast:
    """The people of a narrative and their auth headers."""

    api: Any
    hr: dict[str, str]
    head: dict[str, str]
    pk: str  # officer id (Ahli Pertama, PNS, supervised by SUPERVISOR)
    pk2: str  # officer id (Ahli Muda, PNS, supervised by SUPERVISOR)
    pk_h: dict[str, str]
    pk2_h: dict[str, str]
    sup: dict[str, str]

    def create(self, **body: Any) -> str:
        return ok(self.api.post("/activities/", json=body, headers=self.hr), 201)["id"]

    def post(self, aid: str, path: str, body: dict[str, Any], who: dict[str, str] | None = None, status: int | None = None) -> dict[str, Any]:
        r = self.api.post(f"/activities/{aid}/{path}", json=body, headers=who or self.hr)
        return ok(r, status or (201 if path in CREATED else 200))

    def prepare(self, aid: str, officers: list[str], *, approve: bool = True, letter: bool = True,
                on: date | None = None) -> None:
        """Preparation (BAB III.A.5.a): head approves, proposal letter, selection by urgency, assignment letters."""
        on = on or date.today() - timedelta(days=400)
        if approve:
            self.post(aid, "provider-approval", {"approved_on": on.isoformat(), "approver_name": "Kepala Badan",
                                                 "decision_ref": "KEP-12/2026"}, who=self.head)
        if letter:
            self.post(aid, "proposal-letter", {"number": "800/PROP/01", "letter_date": on.isoformat()})
        for rank, oid in enumerate(officers, start=1):
            self.post(aid, "participants", {"officer_id": oid, "urgency_rank": rank, "reason": "kesenjangan kompetensi"})
            self.post(aid, "assignment-letters", {"officer_id": oid, "number": f"800/ST/{rank:03d}", "letter_date": on.isoformat(),
                                                  "signer_name": "Dr. Kepala", "signer_position": "Kepala Badan"})

    def certificate(self, aid: str, oid: str, *, who: dict[str, str] | None = None, issued_on: date, kind: str = "sertifikat",
                    programme_jp: int | None = None, content: bytes = PDF, ctype: str = "application/pdf",
                    number: str = "SERT-001", status: int = 201) -> Any:
        data = {"officer_id": oid, "number": number, "issuer": "Pusdiklat", "issued_on": issued_on.isoformat(), "kind": kind}
        if programme_jp is not None:
            data["programme_jp"] = str(programme_jp)
        r = self.api.post(f"/activities/{aid}/certificates", data=data, files={"file": ("sertifikat.pdf", content, ctype)},
                          headers=who or self.hr)
        assert r.status_code == status, r.text
        return r.json() if status == 201 else r  # a refusal is returned whole, for its problem+json

    def complete(self, aid: str, officer_ids: list[str] | None = None, status: int = 200, **extra: Any) -> dict[str, Any]:
        body = {"officer_ids": officer_ids, **extra} if officer_ids else dict(extra)
        return ok(self.api.post(f"/activities/{aid}/completion", json=body, headers=self.hr), status)

    def monitoring(self, aid: str, today: date | None = None, who: dict[str, str] | None = None) -> dict[str, Any]:
        q = f"?today={today.isoformat()}" if today else ""
        return ok(self.api.get(f"/activities/{aid}/monitoring{q}", headers=who or self.hr))

    def ledger(self, oid: str, year: int, who: dict[str, str] | None = None) -> dict[str, Any]:
        return ok(self.api.get(f"/ledger/officers/{oid}?year={year}", headers=who or self.hr))


CREATED = {"participants", "assignment-letters", "attendance", "meetings", "reports", "coach-reports", "discussion-notes",
           "group-report", "recap", "learning-contracts"}


def cast(api: Any) -> Cast:
    hr = api.as_("hr", unit="biro-sdm", subject="hr-ani", name="Ani (Biro SDM)")
    ids = []
    for nip, level, gol in ((PK_AHLI_PERTAMA, "ahli_pertama", "III/a"), (PK_AHLI_MUDA, "ahli_muda", "III/c")):
        body = officer_body(nip, level=level, golongan=gol, name="Siti Rahayu" if level == "ahli_pertama" else "Dewi Lestari",
                            position=f"Pengantar Kerja {level.replace('_', ' ').title()}")
        ids.append(ok(api.post("/officers/", json=body, headers=hr), 201)["id"])
    return Cast(
        api=api, hr=hr, head=api.as_("head", subject="head-1", name="Kepala Badan"), pk=ids[0], pk2=ids[1],
        pk_h=api.as_("officer", nip=PK_AHLI_PERTAMA.replace(" ", ""), subject="pk-siti"),
        pk2_h=api.as_("officer", nip=PK_AHLI_MUDA.replace(" ", ""), subject="pk-dewi"),
        sup=api.as_("supervisor", nip=SUPERVISOR.replace(" ", ""), subject="sup-budi", name="Budi Santoso"),
    )
