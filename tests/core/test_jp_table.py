"""The agency's JP conversion table (docs/guideline.md "JP — learning time"): LAN defaults, versioned overrides, unconfirmed values refused."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.catalogue import JP_TABLE_VERSION
from core.errors import Invalid
from core.jp_table import DEFAULT_TABLE, JpValueUnconfirmed, build_table, clean_overrides


def test_defaults_are_the_lan_table_jp_md():
    assert DEFAULT_TABLE.version == JP_TABLE_VERSION
    assert DEFAULT_TABLE.value("seminar", False) == Decimal(4) and DEFAULT_TABLE.value("seminar", True) == Decimal(6)
    assert DEFAULT_TABLE.value("workshop", False) == Decimal(5)
    assert DEFAULT_TABLE.value("patok_banding", False) == Decimal(10)
    assert DEFAULT_TABLE.value("magang", False) == Decimal(20)
    assert DEFAULT_TABLE.max_per_month("coaching") == 2


def test_unconfirmed_value_is_refused_never_guessed_jp_md():
    with pytest.raises(JpValueUnconfirmed, match="coaching is unconfirmed.*must set it"):
        DEFAULT_TABLE.value("coaching", True)
    with pytest.raises(JpValueUnconfirmed, match="no conversion for 'pertukaran_daerah'"):
        DEFAULT_TABLE.rule("pertukaran_daerah")


def test_agency_overrides_are_versioned_and_cite_the_agency():
    table = build_table("kemnaker", "2026-01", clean_overrides({"coaching": {"international": "3"},
                                                                "pertukaran_daerah": {"unit": "per_activity", "domestic": 12}}))
    assert table.version == f"{JP_TABLE_VERSION}+kemnaker/2026-01"
    assert table.value("coaching", True) == Decimal(3) and "set by agency kemnaker in table 2026-01" in table.rule("coaching").source
    assert table.value("pertukaran_daerah", False) == Decimal(12)
    assert table.value("seminar", False) == Decimal(4)  # untouched values stay the LAN defaults


@pytest.mark.parametrize("overrides, words", [
    ({}, "at least one form"),
    ({"coaching": {"unit": "per_day"}}, "unit of a LAN form is fixed"),
    ({"coaching": {"domestic": "-1"}}, "from 0 to 1000"),
    ({"coaching": {"domestic": "dua"}}, "must be a number"),
    ({"coaching": {"max_per_month": 40}}, "1–31"),
    ({"baru": {"domestic": 3}}, "give its unit"),
    ({"Bad Form": {"domestic": 3}}, "lower-case code"),
])
def test_bad_overrides(overrides, words):
    with pytest.raises(Invalid, match=words):
        clean_overrides(overrides)
