"""Who acts on the plan (BAB II.B–C): plain functions on :mod:`core.access`, each returning the role it granted."""
from __future__ import annotations

from typing import Any

from core import access
from core.cycle import as_agency_role
from core.i18n import N_, msg


def can_compose_plan(actor: Any, agency: str, action: str) -> str:
    """The HR unit recaps (BAB II.B.5.a(2)); the PyB verifies and composes Formulir 2.6 (II.B.5.b(3))."""
    return as_agency_role(actor, agency, [access.PYB, access.HR], action)


def can_verify_plan(actor: Any, agency: str, action: str) -> str:
    """The PyB forms the team and resolves findings (BAB II.B.5–6)."""
    return as_agency_role(actor, agency, [access.PYB], action)


def can_record_meeting(actor: Any, agency: str) -> str:
    return as_agency_role(actor, agency, [access.PYB, access.VERIFIER], N_("record a verification-team meeting"))


def can_sign_plan(actor: Any, agency: str) -> str:
    """Formulir 2.6 is signed by the head of the work unit (Kepala Satuan Kerja)."""
    return as_agency_role(actor, agency, [access.HEAD], N_("sign Formulir 2.6"))


def can_validate_plan(actor: Any, agency: str) -> str:
    return as_agency_role(actor, agency, [access.PPK], N_("validate the plan"))


def can_submit_plan(actor: Any, agency: str) -> str:
    return as_agency_role(actor, agency, [access.PPK, access.HR], N_("record the plan's submission"))


def can_read_plan(actor: Any, agency: str, *, submitted: bool) -> str:
    """The agency's HR side reads its plan; Pembina, LAN and BKN read submitted plans nationally; auditors any plan."""
    if access.AUDITOR in actor.roles:
        return access.AUDITOR
    national = sorted(actor.roles & {access.PEMBINA, access.LAN, access.BKN})
    if national:
        if submitted:
            return national[0]
        raise access.Forbidden(msg("The {agency} plan has not been submitted yet; national roles read submitted plans.", agency=agency))
    if actor.agency == agency:
        for role in sorted(actor.roles & access.AGENCY_READERS):
            return role
    raise access.Forbidden("The plan is read by its agency's HR unit, PyB, verification team, PPK and head, "
                           "and once submitted by the Instansi Pembina, LAN and BKN.")


def can_register_curriculum(actor: Any) -> str:
    return access.require_role(actor, [access.PEMBINA], N_("register curriculum standards"))

