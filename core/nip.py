"""NIP (PNS) and NI PPPK validation: the 18-digit number every officer is known by (docs/guideline.md "The NIP").

No check digit is known, so validation is structural: each field must be a possible value and the
fields must agree with each other and with today. Each employee type is validated by its own layout.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core import labels
from core.errors import Invalid
from core.i18n import msg

NIP_LENGTH = 18


class EmployeeType(StrEnum):
    """PNS (civil servant, NIP) or PPPK (contract employee, NI PPPK): the NIP layouts differ."""

    PNS = "PNS"
    PPPK = "PPPK"


class Sex(StrEnum):
    """Jenis kelamin as digit 15 of the NIP encodes it: 1 → L, 2 → P."""

    L = "L"  # laki-laki, male
    P = "P"  # perempuan, female


labels.register(EmployeeType, {EmployeeType.PNS: "PNS", EmployeeType.PPPK: "PPPK"}, fields=("employee_type",))
labels.register(Sex, {Sex.L: "Laki-laki", Sex.P: "Perempuan"}, fields=("sex",))


SEX_LABELS: dict[Sex, str] = {Sex.L: "laki-laki", Sex.P: "perempuan"}
_SEX_BY_DIGIT: dict[str, Sex] = {"1": Sex.L, "2": Sex.P}
_DIGIT_OF_SEX: dict[Sex, str] = {sex: digit for digit, sex in _SEX_BY_DIGIT.items()}
_ENGLISH_SEX: dict[Sex, str] = {Sex.L: "male", Sex.P: "female"}
_ASCII_DIGITS = frozenset("0123456789")


@dataclass(frozen=True)
class NipInfo:
    """The fields of a valid NIP.

    ``appointment`` is, for a PNS, the TMT CPNS month of digits 9–14 as ``"YYYY-MM"``; for a PPPK,
    digits 9–12 (year) and 13–14 (a two-digit field whose meaning the sources do not settle) as
    ``"YYYY-NN"`` — same shape, but the second part of a PPPK appointment is not a month.
    """

    nip: str
    birth_date: date
    appointment: str
    sex: Sex
    serial: str


def _digits(raw: object) -> str:
    """The NIP's digits: spaces removed (the paper form groups digits); nothing else tolerated."""
    if not isinstance(raw, str):
        raise Invalid(msg("An NIP must be written as text of 18 digits, not {raw!r}", raw=raw), field="nip")
    for position, char in enumerate(raw, start=1):
        if char != " " and char not in _ASCII_DIGITS:
            raise Invalid(
                msg("NIP {raw!r}: character {char!r} at position {position} is not a digit; an NIP has 18 digits, "
                    "optionally grouped with spaces", raw=raw, char=char, position=position),
                field="nip",
            )
    digits = raw.replace(" ", "")
    if not digits:
        raise Invalid("The NIP is empty; an NIP has 18 digits", field="nip")
    if len(digits) != NIP_LENGTH:
        raise Invalid(msg("NIP {digits} has {len_digits} digits; an NIP has {NIP_LENGTH}",
                          digits=digits, len_digits=len(digits), NIP_LENGTH=NIP_LENGTH), field="nip")
    return digits


def _why_not_a_date(yyyymmdd: str) -> str:
    """Why an 8-digit YYYYMMDD is not a calendar date, in the clerk's terms."""
    year, month = yyyymmdd[:4], yyyymmdd[4:6]
    if year == "0000":
        return "year 0000"
    if not 1 <= int(month) <= 12:
        return f"month {month}"
    return f"{year}-{month} has no day {yyyymmdd[6:8]}"


def _birth_date(digits: str, today: date) -> date:
    """Digits 1–8: the date of birth, YYYYMMDD."""
    text = digits[:8]
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise Invalid(
            msg("digits 1–8 ({text}) are not a real birth date: {why_not_a_date_text}", text=text, why_not_a_date_text=_why_not_a_date(text)), field="nip"
        ) from None
    # Already implied by the appointment rules (appointed after birth, not in the future); said
    # directly because "born after today" is the clearer message.
    if born > today:
        raise Invalid(
            msg("digits 1–8 ({text}) give a birth date of {born}, after today ({today})", text=text, born=born.isoformat(), today=today.isoformat()),
            field="nip",
        )
    return born


def _pns_appointment(digits: str, born: date, today: date) -> str:
    """Digits 9–14: TMT CPNS, YYYYMM, a real month after the birth month and not after this month."""
    text = digits[8:14]
    try:
        month_start = date(int(text[:4]), int(text[4:]), 1)
    except ValueError:
        raise Invalid(
            msg("digits 9–14 ({text}) are not a real TMT CPNS month (YYYYMM): {why_not_a_date_text_01}",
                text=text, why_not_a_date_text_01=_why_not_a_date(text + '01')),
            field="nip",
        ) from None
    appointment = f"{text[:4]}-{text[4:]}"
    if month_start <= born.replace(day=1):
        raise Invalid(
            msg("digits 9–14 ({text}) give a TMT CPNS of {appointment}, not after the birth month "
                "{year:04d}-{month:02d} in digits 1–8", text=text, appointment=appointment, year=born.year, month=born.month),
            field="nip",
        )
    if month_start > today.replace(day=1):
        raise Invalid(
            msg("digits 9–14 ({text}) give a TMT CPNS of {appointment}, after the current month "
                "{year:04d}-{month:02d}", text=text, appointment=appointment, year=today.year, month=today.month),
            field="nip",
        )
    return appointment


def _pppk_appointment(digits: str, born: date, today: date) -> str:
    """Digits 9–12: appointment year, after the birth year and not after this year.

    Digits 13–14: a two-digit field the sources describe only as such; the software accepts any
    value but 00 (01–99), as an unused field would not be written as zeros either.
    """
    year_text, field_text = digits[8:12], digits[12:14]
    year = int(year_text)
    if year <= born.year:
        raise Invalid(
            msg("digits 9–12 ({year_text}) give an appointment year {year_text}, not after the birth year {year:04d} "
                "in digits 1–8", year_text=year_text, year=born.year),
            field="nip",
        )
    if year > today.year:
        raise Invalid(
            msg("digits 9–12 ({year_text}) give an appointment year {year_text}, after the current year {year:04d}", year_text=year_text, year=today.year),
            field="nip",
        )
    if field_text == "00":
        raise Invalid("digits 13–14 are 00; in an NI PPPK they must be 01 to 99", field="nip")
    return f"{year_text}-{field_text}"


def _sex(digits: str) -> Sex:
    """Digit 15: 1 male (L), 2 female (P)."""
    digit = digits[14]
    try:
        return _SEX_BY_DIGIT[digit]
    except KeyError:
        raise Invalid(msg("digit 15 is {digit}; it must be 1 (male) or 2 (female)", digit=digit), field="nip") from None


def _serial(digits: str) -> str:
    """Digits 16–18: the serial, from 001."""
    serial = digits[15:]
    if serial == "000":
        raise Invalid("digits 16–18 are 000; the serial starts at 001", field="nip")
    return serial


def parse_nip(raw: str, employee_type: EmployeeType | str, *, today: date) -> NipInfo:
    """Validate ``raw`` by the layout of ``employee_type`` and return its fields.

    Spaces are ignored; any other non-digit is an error naming the character and its position.
    PNS: 1–8 birth date, 9–14 TMT CPNS (YYYYMM), 15 sex, 16–18 serial. PPPK: 1–8 birth date,
    9–12 year, 13–14 a two-digit field, 15 sex, 16–18 serial (docs/guideline.md "The NIP").
    """
    try:
        kind = EmployeeType(employee_type)
    except (ValueError, TypeError):
        raise Invalid(
            msg("{employee_type!r} is not an employee type; it must be PNS or PPPK", employee_type=employee_type), field="employee_type"
        ) from None
    digits = _digits(raw)
    born = _birth_date(digits, today)
    if kind is EmployeeType.PNS:
        appointment = _pns_appointment(digits, born, today)
    else:
        appointment = _pppk_appointment(digits, born, today)
    return NipInfo(nip=digits, birth_date=born, appointment=appointment, sex=_sex(digits), serial=_serial(digits))


def validate_nip(
    raw: str,
    employee_type: EmployeeType | str,
    *,
    sex: Sex | str | None = None,
    birth_date: date | None = None,
    today: date,
) -> NipInfo:
    """:func:`parse_nip`, then check the NIP against the sex and birth date recorded beside it
    (Formulir 2.2 records both next to the NIP; they must agree with digits 15 and 1–8)."""
    info = parse_nip(raw, employee_type, today=today)
    if sex is not None:
        try:
            given = Sex(sex)
        except (ValueError, TypeError):
            raise Invalid(msg("{sex!r} is not a sex; it must be L (laki-laki) or P (perempuan)", sex=sex), field="sex") from None
        if given is not info.sex:
            raise Invalid(
                msg("digit 15 is {digit_of_sex_info_sex} ({english_sex_info_sex}) but the sex given is {given}",
                    digit_of_sex_info_sex=_DIGIT_OF_SEX[info.sex], english_sex_info_sex=_ENGLISH_SEX[info.sex], given=given),
                field="sex",
            )
    if birth_date is not None and birth_date != info.birth_date:
        raise Invalid(
            msg("digits 1–8 ({info_nip_8}) give the birth date {birth_date} but the birth date given is {birth_date2}",
                info_nip_8=info.nip[:8], birth_date=info.birth_date.isoformat(), birth_date2=birth_date.isoformat()),
            field="birth_date",
        )
    return info


def format_nip(nip: str) -> str:
    """The paper form of an NIP, digits grouped 8 6 1 3: ``"19630808 198403 1 002"``.

    An NI PPPK has the same field widths (8, 4+2, 1, 3) and is grouped the same way. Only the
    shape is checked here; use :func:`parse_nip` to validate the fields.
    """
    digits = _digits(nip)
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


__all__ = ["NIP_LENGTH", "SEX_LABELS", "EmployeeType", "NipInfo", "Sex", "format_nip", "parse_nip", "validate_nip"]
