"""The third-party package tests/plugins/pengkom_magang passes the contract test kit, as installed."""
from __future__ import annotations

import dataclasses
from datetime import timedelta
from importlib import metadata

import pengkom_magang

from core.pathways import ActivityFacts, PathwayDefinition
from plugins.contract import PathwayContract


class TestMagangContract(PathwayContract):
    plugin, name = pengkom_magang, "magang"

    def sample_activity(self, definition: PathwayDefinition) -> ActivityFacts:
        # An internship lasts at least five days (the plugin's own rule): stretch the kit's sample.
        activity = super().sample_activity(definition)
        return dataclasses.replace(activity, end=activity.start + timedelta(days=pengkom_magang.MIN_DAYS - 1))


def test_magang_is_installed_as_an_entry_point():
    [ep] = [ep for ep in metadata.entry_points(group="pengkom.pathways") if ep.name == "magang"]
    assert ep.value == "pengkom_magang" and ep.dist.version == "1.0.0"
