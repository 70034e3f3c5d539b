"""What every stage of the activity commands shares: loading the activity and checking it is open."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from core.activities.aggregate import Activity
from core.errors import NotFound
from core.i18n import msg
from core.inputs import check_version


class ActivityCommandsBase:
    """Domain verbs on activities; ``app`` is the pengkom application."""

    app: Any

    def get(self, aid: UUID) -> Activity:
        agg = self.app.get(aid)
        if not isinstance(agg, Activity):
            raise NotFound(msg("No activity with id {aid} exists.", aid=aid))
        return agg

    def _open(self, aid: UUID, expected_version: int | None) -> Activity:
        agg = self.get(aid)
        check_version("activity", agg.version, expected_version)
        agg.check_open()
        return agg

