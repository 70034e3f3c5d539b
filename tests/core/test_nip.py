"""NIP and NI PPPK validation, rule by rule (docs/guideline.md "The NIP")."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import Invalid
from core.nip import EmployeeType, NipInfo, Sex, format_nip, parse_nip, validate_nip

TODAY = date(2025, 6, 15)
PNS, PPPK = EmployeeType.PNS, EmployeeType.PPPK


def _invalid(raw: str, kind: EmployeeType = PNS, **kwargs: object) -> Invalid:
    with pytest.raises(Invalid) as err:
        validate_nip(raw, kind, today=TODAY, **kwargs)  # type: ignore[arg-type]
    return err.value


# --- Valid numbers -------------------------------------------------------------------------------


def test_pns_nip_parses_into_its_fields() -> None:
    """docs/guideline.md: 1–8 birth date, 9–14 TMT CPNS, 15 sex, 16–18 serial."""
    assert parse_nip("196308081984031002", PNS, today=TODAY) == NipInfo(
        nip="196308081984031002",
        birth_date=date(1963, 8, 8),
        appointment="1984-03",
        sex=Sex.L,
        serial="002",
    )


def test_paper_form_with_spaces_is_accepted_and_stored_without_them() -> None:
    assert parse_nip("19630808 198403 1 002", "PNS", today=TODAY).nip == "196308081984031002"
    assert parse_nip(" 19630808  198403 1 002 ", PNS, today=TODAY).nip == "196308081984031002"


def test_female_digit_gives_sex_p() -> None:
    assert parse_nip("19900215 201503 2 001", PNS, today=TODAY).sex is Sex.P


def test_appointment_in_the_current_month_is_accepted() -> None:
    assert parse_nip("19990101 202506 1 001", PNS, today=TODAY).appointment == "2025-06"


def test_appointment_the_month_after_birth_is_accepted() -> None:
    assert parse_nip("19990131 199902 1 001", PNS, today=TODAY).appointment == "1999-02"


def test_leap_day_birth_date_is_real() -> None:
    assert parse_nip("19960229 202001 2 999", PNS, today=TODAY).birth_date == date(1996, 2, 29)


def test_validate_nip_accepts_matching_sex_and_birth_date() -> None:
    info = validate_nip("19630808 198403 1 002", PNS, sex="L", birth_date=date(1963, 8, 8), today=TODAY)
    assert info.serial == "002"


def test_format_nip_gives_the_paper_form() -> None:
    assert format_nip("196308081984031002") == "19630808 198403 1 002"
    assert format_nip("19630808 198403 1 002") == "19630808 198403 1 002"


def test_format_nip_rejects_a_short_number() -> None:
    with pytest.raises(Invalid, match="has 14 digits"):
        format_nip("19630808198403")


# --- Characters and length -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "char", "position"),
    [
        ("19630808-198403-1-002", "-", 9),
        ("19630808.198403.1.002", ".", 9),
        ("19630808\t198403 1 002", "\t", 9),
        ("1963O808198403 1 002", "O", 5),
        ("196308081984031002x", "x", 19),
    ],
)
def test_only_digits_and_spaces_are_allowed(raw: str, char: str, position: int) -> None:
    err = _invalid(raw)
    assert f"character {char!r} at position {position}" in err.message
    assert err.field == "nip"


def test_unicode_digits_are_not_ascii_digits() -> None:
    assert "position 1" in _invalid("١٩٦٣0808198403 1 002").message


@pytest.mark.parametrize(
    ("raw", "count"),
    [("19630808198403", 14), ("1963080819840310020", 19), ("19630808 198403 1 02", 17)],
)
def test_an_nip_has_18_digits(raw: str, count: int) -> None:
    err = _invalid(raw)
    assert err.message == f"NIP {raw.replace(' ', '')} has {count} digits; an NIP has 18"
    assert err.field == "nip"


def test_the_clerks_example_length_message() -> None:
    assert _invalid("19630808198403").message == "NIP 19630808198403 has 14 digits; an NIP has 18"


@pytest.mark.parametrize("raw", ["", "   "])
def test_empty_nip_is_invalid(raw: str) -> None:
    assert "empty" in _invalid(raw).message


def test_non_text_nip_is_invalid() -> None:
    assert _invalid(196308081984031002).field == "nip"  # type: ignore[arg-type]


# --- Digits 1–8: birth date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("196313081984031002", "digits 1–8 (19631308) are not a real birth date: month 13"),
        ("196300081984031002", "digits 1–8 (19630008) are not a real birth date: month 00"),
        ("196302301984031002", "digits 1–8 (19630230) are not a real birth date: 1963-02 has no day 30"),
        ("197002291994031002", "digits 1–8 (19700229) are not a real birth date: 1970-02 has no day 29"),
        ("196308001984031002", "digits 1–8 (19630800) are not a real birth date: 1963-08 has no day 00"),
        ("000008081984031002", "digits 1–8 (00000808) are not a real birth date: year 0000"),
    ],
)
def test_digits_1_to_8_must_be_a_real_date(raw: str, message: str) -> None:
    err = _invalid(raw)
    assert err.message == message
    assert err.field == "nip"


def test_birth_date_after_today_is_invalid() -> None:
    err = _invalid("20251231 202506 1 001")
    assert "digits 1–8 (20251231)" in err.message
    assert "after today (2025-06-15)" in err.message


# --- Digits 9–14 (PNS): TMT CPNS --------------------------------------------------------------


@pytest.mark.parametrize(("tmt", "problem"), [("198413", "month 13"), ("198400", "month 00"), ("000003", "year 0000")])
def test_pns_digits_9_to_14_must_be_a_real_month(tmt: str, problem: str) -> None:
    err = _invalid(f"19630808{tmt}1002")
    assert err.message == f"digits 9–14 ({tmt}) are not a real TMT CPNS month (YYYYMM): {problem}"


@pytest.mark.parametrize("tmt", ["196308", "196307", "195001"])
def test_pns_appointment_must_be_after_the_birth_month(tmt: str) -> None:
    err = _invalid(f"19630808 {tmt} 1 002")
    assert f"digits 9–14 ({tmt})" in err.message
    assert "not after the birth month 1963-08 in digits 1–8" in err.message


@pytest.mark.parametrize("tmt", ["202507", "203001"])
def test_pns_appointment_must_not_be_in_the_future(tmt: str) -> None:
    err = _invalid(f"19630808 {tmt} 1 002")
    assert f"digits 9–14 ({tmt})" in err.message
    assert "after the current month 2025-06" in err.message


# --- Digit 15: sex; digits 16–18: serial -------------------------------------------------------


@pytest.mark.parametrize("digit", ["0", "3", "9"])
def test_digit_15_must_be_1_or_2(digit: str) -> None:
    err = _invalid(f"19630808 198403 {digit} 002")
    assert err.message == f"digit 15 is {digit}; it must be 1 (male) or 2 (female)"


@pytest.mark.parametrize("kind", [PNS, PPPK])
def test_serial_000_is_invalid(kind: EmployeeType) -> None:
    tmt = "198403" if kind is PNS else "202121"
    err = _invalid(f"19630808 {tmt} 1 000", kind)
    assert err.message == "digits 16–18 are 000; the serial starts at 001"


# --- Consistency with the recorded sex and birth date ------------------------------------------


def test_sex_must_match_digit_15() -> None:
    err = _invalid("19900215 201503 2 001", sex=Sex.L)
    assert err.message == "digit 15 is 2 (female) but the sex given is L"
    assert err.field == "sex"


def test_sex_p_against_a_male_digit() -> None:
    err = _invalid("19630808 198403 1 002", sex="P")
    assert err.message == "digit 15 is 1 (male) but the sex given is P"


def test_unknown_sex_value_is_invalid() -> None:
    assert _invalid("19630808 198403 1 002", sex="X").field == "sex"


def test_birth_date_must_match_digits_1_to_8() -> None:
    err = _invalid("19630808 198403 1 002", birth_date=date(1963, 8, 9))
    assert "digits 1–8 (19630808)" in err.message
    assert "1963-08-09" in err.message
    assert err.field == "birth_date"


def test_unknown_employee_type_is_invalid() -> None:
    with pytest.raises(Invalid) as err:
        parse_nip("19630808 198403 1 002", "honorer", today=TODAY)
    assert err.value.field == "employee_type"


# --- NI PPPK layout: 1–8 birth date, 9–12 year, 13–14 field, 15 sex, 16–18 serial -----------


def test_pppk_number_parses_by_its_own_layout() -> None:
    assert parse_nip("19850101 202121 2 001", PPPK, today=TODAY) == NipInfo(
        nip="198501012021212001",
        birth_date=date(1985, 1, 1),
        appointment="2021-21",
        sex=Sex.P,
        serial="001",
    )


def test_pppk_field_13_14_is_not_a_month_but_is_a_pns_error() -> None:
    """The same digits are a valid NI PPPK and an invalid PNS NIP (month 21)."""
    assert parse_nip("198501012021211001", PPPK, today=TODAY).appointment == "2021-21"
    assert "month 21" in _invalid("198501012021211001", PNS).message


def test_pppk_year_must_be_after_the_birth_year() -> None:
    err = _invalid("19850101 198521 1 001", PPPK)
    assert "digits 9–12 (1985)" in err.message
    assert "not after the birth year 1985" in err.message


def test_pppk_year_must_not_be_in_the_future() -> None:
    err = _invalid("19850101 202621 1 001", PPPK)
    assert "digits 9–12 (2026)" in err.message
    assert "after the current year 2025" in err.message


def test_pppk_digits_13_14_must_not_be_00() -> None:
    assert _invalid("19850101 202100 1 001", PPPK).message == (
        "digits 13–14 are 00; in an NI PPPK they must be 01 to 99"
    )


def test_pppk_sex_digit_and_mismatch() -> None:
    assert "digit 15 is 0" in _invalid("19850101 202121 0 001", PPPK).message
    assert _invalid("19850101 202121 1 001", PPPK, sex=Sex.P).field == "sex"


# --- Property: any valid NIP parses back to its parts ------------------------------------------


@st.composite
def pns_parts(draw: st.DrawFn) -> tuple[date, int, int, Sex, int]:
    born = draw(st.dates(min_value=date(1940, 1, 1), max_value=date(2025, 5, 31)))
    first = born.year * 12 + born.month  # month after birth, as a month count
    last = TODAY.year * 12 + TODAY.month - 1
    tmt = draw(st.integers(min_value=first, max_value=last))
    year, month = divmod(tmt, 12)
    return born, year, month + 1, draw(st.sampled_from(Sex)), draw(st.integers(1, 999))


@given(pns_parts(), st.booleans())
def test_any_valid_pns_nip_parses_back_to_its_parts(
    parts: tuple[date, int, int, Sex, int], spaced: bool
) -> None:
    born, year, month, sex, serial = parts
    digits = f"{born:%Y%m%d}{year:04d}{month:02d}{'1' if sex is Sex.L else '2'}{serial:03d}"
    raw = format_nip(digits) if spaced else digits
    info = validate_nip(raw, PNS, sex=sex, birth_date=born, today=TODAY)
    assert info == NipInfo(
        nip=digits, birth_date=born, appointment=f"{year:04d}-{month:02d}", sex=sex, serial=f"{serial:03d}"
    )
    assert format_nip(info.nip) == format_nip(digits)


@given(
    born=st.dates(min_value=date(1940, 1, 1), max_value=date(2024, 12, 31)),
    data=st.data(),
)
def test_any_valid_pppk_number_parses_back_to_its_parts(born: date, data: st.DataObject) -> None:
    year = data.draw(st.integers(min_value=born.year + 1, max_value=TODAY.year))
    field = data.draw(st.integers(1, 99))
    sex = data.draw(st.sampled_from(Sex))
    serial = data.draw(st.integers(1, 999))
    digits = f"{born:%Y%m%d}{year:04d}{field:02d}{'1' if sex is Sex.L else '2'}{serial:03d}"
    info = parse_nip(digits, PPPK, today=TODAY)
    assert info == NipInfo(
        nip=digits, birth_date=born, appointment=f"{year:04d}-{field:02d}", sex=sex, serial=f"{serial:03d}"
    )
