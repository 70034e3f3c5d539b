"""Formulir 2.6 a page of rows at a time (issue 9, goal 3): the read of ``GET /plans/{agency}/{year}`` with
``limit`` and ``cursor`` (api/paging.py), on every store through the same queries (projections/queries.py)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import msgspec

from projections.plans import _formulir
from projections.queries import Query, Rows, json_keys, run
from projections.store import ViewStore

_decode = msgspec.json.Decoder().decode

#: Where the first page starts: before every row (log positions start at 1) and every finding.
START = (0, "", "")


@dataclass(frozen=True)
class PlanPage:
    """Formulir 2.6 with a page of its rows and findings. Two listings advance together, each by its own keyset
    (``after``: the last row's log position, the last finding's rule and id): the rows in the order they were
    added, each with the findings about it; and the findings about no row of the plan (about an officer, or the
    whole plan) by rule — at most ``limit`` of each a page, until both are served. The totals (rows, JP, budget
    per source) and ``open_findings`` count the whole plan on every page. Its queries run on the synchronous
    stores (:func:`formulir_2_6_page`) and in one statement through asyncpg (api/pgreads.py); :meth:`shape`
    makes the same document of either's rows. One page holding everything is the document
    :func:`projections.plans.formulir_2_6` gives."""

    plan_id: str
    dialect: str
    limit: int
    after: tuple[int, str, str] = START

    def queries(self) -> dict[str, Query]:
        pid, (seq, rule, finding) = self.plan_id, self.after
        page = "SELECT row_id FROM plan_rows WHERE plan_id = ? AND seq > ? ORDER BY seq LIMIT ?"
        queries = {
            "head": Query("SELECT doc, version FROM plan_heads WHERE id = ?", (pid,)),
            "rows": Query("SELECT seq, doc FROM plan_rows WHERE plan_id = ? AND seq > ? ORDER BY seq LIMIT ?", (pid, seq, self.limit + 1)),
            "row_findings": Query(f"SELECT doc FROM plan_findings WHERE plan_id = ? AND row_id IN ({page})", (pid, pid, seq, self.limit)),
            "other_findings": Query("SELECT rule, finding_id, doc FROM plan_findings WHERE plan_id = ? AND (row_id IS NULL OR row_id NOT IN "
                                    "(SELECT row_id FROM plan_rows WHERE plan_id = ?)) AND (rule > ? OR (rule = ? AND finding_id > ?)) "
                                    "ORDER BY rule, finding_id LIMIT ?", (pid, pid, rule, rule, finding, self.limit + 1)),
            "totals": Query("SELECT funding_source, budget, COUNT(*) AS n, SUM(planned_jp) AS jp, MIN(seq) AS first_seq FROM plan_rows "
                            "WHERE plan_id = ? GROUP BY funding_source, budget ORDER BY first_seq", (pid,)),
            "open": Query("SELECT COUNT(*) AS n FROM plan_findings WHERE plan_id = ? AND blocking = 1 AND finding_id NOT IN "
                          f"({json_keys(self.dialect, 'plan_heads', 'doc', 'accepted')} WHERE plan_heads.id = ?)", (pid, pid)),
        }
        if seq:
            queries["before"] = Query("SELECT COUNT(*) AS n FROM plan_rows WHERE plan_id = ? AND seq <= ?", (pid, seq))
        return queries

    def shape(self, found: Rows) -> tuple[dict[str, Any] | None, tuple[int, str, str] | None]:
        """The page's document (None: no such plan) and where the next page starts (None: this is the last)."""
        if not found["head"]:
            return None, None
        h = found["head"][0]
        head = _decode(h["doc"])
        head["version"] = h["version"]
        rows, others = found["rows"][:self.limit], found["other_findings"][:self.limit]
        start = int(found["before"][0]["n"]) if "before" in found else 0
        findings = [_decode(r["doc"]) for r in found["row_findings"]] + [_decode(r["doc"]) for r in others]
        doc = _formulir(head, [_decode(r["doc"]) for r in rows], findings, start)
        jp, count = 0, 0
        budget_planned: dict[str, Decimal] = {}
        for g in found["totals"]:
            count += int(g["n"])
            jp += int(g["jp"])
            budget_planned[g["funding_source"]] = budget_planned.get(g["funding_source"], Decimal(0)) + Decimal(g["budget"]) * int(g["n"])
        doc["totals"].update(rows=count, jp=jp, budget_by_source={k: str(v) for k, v in budget_planned.items()})
        doc["open_findings"] = int(found["open"][0]["n"])
        doc.update(version=head["version"], revisions=head["revisions"], budgets=head["budgets"],
                   validations=head["validations"], submissions=head["submissions"],
                   voided_signatures=head["voided_signatures"])
        if len(found["rows"]) <= self.limit and len(found["other_findings"]) <= self.limit:
            return doc, None
        seq = int(rows[-1]["seq"]) if rows else self.after[0]
        rule, finding = (others[-1]["rule"], others[-1]["finding_id"]) if others else self.after[1:]
        return doc, (seq, rule, finding)


def formulir_2_6_page(store: ViewStore, page: PlanPage) -> tuple[dict[str, Any] | None, tuple[int, str, str] | None]:
    """A page of Formulir 2.6 on a synchronous store (the request's snapshot, or a store as of a moment)."""
    return page.shape(run(store, page.queries()))
