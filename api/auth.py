"""Bearer tokens: who the caller is (subject, name, roles, agency, unit, NIP).

The embedded default signs HS256 tokens with a key generated in the data directory on first
run (``pengkom token`` prints one). In production the key comes from configuration: a shared
secret (``PENGKOM_JWT_SECRET``), a public key file (RS256/ES256) or a JWKS URL of the agency's
identity provider.

Claims are input. A token's signature proves who issued it, not that its claims are usable: every
claim is decoded into a typed :class:`Claims` (strings of bounded length without control characters,
known roles, an NIP of 18 digits, whole-second times) before anything uses it, and the lifetime
(``exp - iat``) is capped. A token that fails is refused with 401 naming the claim; nothing is
recorded. :class:`core.events.Actor` — and from it every event's provenance — is built only from
the typed claims.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from api.settings import Settings
from core.access import AGENCY_ROLES, ROLES
from core.errors import Invalid, Unauthenticated
from core.events import Actor
from core.i18n import N_, msg

if TYPE_CHECKING:
    import jwt

#: Tokens ``pengkom token`` issues live at most this long (the deployment's cap may be lower).
MAX_TTL = 12 * 3600

_PRINTABLE = r"^[^\x00-\x1f\x7f\u2028\u2029\s](?:[^\x00-\x1f\x7f\u2028\u2029]*[^\x00-\x1f\x7f\u2028\u2029\s])?$"
Subject = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_PRINTABLE)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_PRINTABLE)]
Agency = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=_PRINTABLE)]
Unit = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_PRINTABLE)]
#: An NIP (or NI PPPK): 18 digits, optionally grouped as printed (``19900101 201501 1 001``).
Nip = Annotated[str, msgspec.Meta(pattern=r"^\d{8} ?\d{6} ?\d ?\d{3}$")]
Role = Literal["officer", "supervisor", "hr", "pyb", "verifier", "ppk", "head", "pembina", "lan", "bkn", "auditor"]
#: Seconds since 1970 (JWT NumericDate), whole, up to the year 9999.
NumericDate = Annotated[int, msgspec.Meta(ge=0, le=253_402_300_799)]
Audience = Annotated[str, msgspec.Meta(max_length=200)] | Annotated[list[Annotated[str, msgspec.Meta(max_length=200)]], msgspec.Meta(max_length=20)]
assert set(Role.__args__) == set(ROLES)  # type: ignore[attr-defined]


class Claims(msgspec.Struct, frozen=True, kw_only=True):
    """The claims pengkom reads, typed. Other claims an identity provider adds are ignored."""

    sub: Subject
    name: Name
    roles: Annotated[list[Role], msgspec.Meta(min_length=1, max_length=len(ROLES))]
    iat: NumericDate
    exp: NumericDate
    iss: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    aud: Audience | None = None
    nbf: NumericDate | None = None
    agency: Agency | None = None
    unit: Unit | None = None
    nip: Nip | None = None


_AT = re.compile(r"at `\$\.([A-Za-z_]+)")


def claims_from(payload: Any) -> Claims:
    """The typed claims of a decoded token payload; :class:`Unauthenticated` naming the claim otherwise."""
    try:
        claims = msgspec.convert(payload, Claims, strict=True)
    except msgspec.ValidationError as e:
        text = str(e)
        m = _AT.search(text)
        claim = m.group(1) if m else next((c for c in ("sub", "name", "roles", "iat", "exp") if f"`{c}`" in text), None)
        reason = text.split(" - at ")[0].replace("`", "'")
        where = msg("claim '{claim}'", claim=claim) if claim else N_("claims")
        raise Unauthenticated(msg("The bearer token's {where} is not usable: {reason}. Ask your identity provider for a token whose "
                                  "claims follow pengkom's token format.", where=where, reason=reason), field=claim, code="token.claim_invalid",
                              claim=claim) from None
    return claims


_STANDARD = re.compile(r"\b(exp|iat|nbf|iss|aud|sub)\b")


def _claim_of(e: jwt.PyJWTError) -> str | None:
    import jwt

    """The registered claim a PyJWT error is about, if any."""
    if isinstance(e, jwt.MissingRequiredClaimError):
        return str(e.claim)
    if isinstance(e, jwt.InvalidAudienceError):
        return "aud"
    if isinstance(e, jwt.InvalidIssuerError):
        return "iss"
    if isinstance(e, jwt.InvalidSignatureError) or not isinstance(e, jwt.InvalidTokenError):
        return None
    m = _STANDARD.search(str(e))
    return m.group(1) if m else None


def _check_roles(roles: list[str], agency: str | None, nip: str | None) -> None:
    if len(set(roles)) != len(roles):
        raise Invalid("A token lists each role once.", field="roles")
    if set(roles) & AGENCY_ROLES and not agency:
        raise Invalid("Agency roles need the agency they act for (--agency).", field="agency")
    if "officer" in roles and not nip:
        raise Invalid("The officer role needs the officer's NIP (--nip).", field="nip")


#: Verified tokens remembered at most (the memory is emptied when full).
_VERIFIED_MAX = 4096


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.max_ttl = settings.jwt_max_ttl
        self.leeway = settings.jwt_leeway
        self._jwks = None
        self._signing_key: str | None = None
        #: Tokens verified with a fixed key (not JWKS), until their ``exp``: see :meth:`verify`.
        self._verified: dict[str, tuple[Actor, int]] = {}
        if settings.jwks_url:
            import jwt  # PyJWT and its cryptography stack load only where tokens are handled (not in pengkom follow)

            self._jwks = jwt.PyJWKClient(settings.jwks_url)
            self.algorithms = ["RS256", "ES256"]
            self._verify_key: Any = None
        elif settings.jwt_public_key_file:
            self._verify_key = Path(settings.jwt_public_key_file).read_text()
            self.algorithms = ["RS256", "ES256"]
        else:
            secret = settings.jwt_secret or self._local_secret(settings.data_dir)
            self._verify_key = self._signing_key = secret
            self.algorithms = ["HS256"]

    @staticmethod
    def _local_secret(data_dir: Path) -> str:
        path = data_dir / "signing.key"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def issue(self, *, subject: str, name: str, roles: list[str], agency: str | None = None,
              unit: str | None = None, nip: str | None = None, ttl: int = 8 * 3600) -> str:
        if self._signing_key is None:
            raise RuntimeError("this deployment verifies tokens of an external identity provider; it cannot issue them")
        now = int(time.time())
        payload = {"sub": subject, "name": name, "roles": roles, "agency": agency, "unit": unit, "nip": nip,
                   "iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + min(ttl, self.max_ttl, MAX_TTL)}
        payload = {k: v for k, v in payload.items() if v is not None}
        roles_ok = isinstance(roles, list) and all(isinstance(r, str) for r in roles)
        if not roles_ok or not roles:
            raise Invalid("A token needs a non-empty list of roles.", field="roles")
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise Invalid(msg("Unknown role {unknown}; roles are {ROLES}.", unknown=', '.join(unknown), ROLES=', '.join(ROLES)), field="roles")
        try:
            claims = claims_from(payload)
        except Unauthenticated as e:
            raise Invalid(e.message, field=e.field) from None
        _check_roles(list(claims.roles), claims.agency, claims.nip)
        import jwt

        return jwt.encode(payload, self._signing_key, algorithm="HS256")

    def verify(self, token: str) -> Actor:
        """The caller a bearer token names; Unauthenticated (401) naming what is wrong.

        With a fixed key (the shared secret or a public key file) the answer for one token changes only
        when it expires (``iat``/``nbf`` in the future only become acceptable with time; the key, issuer,
        audience and lifetime rules are fixed for the process), so a token verified once is remembered
        until its ``exp`` — the check PyJWT makes (refused from ``exp`` on) is repeated on every use, and
        an expired one goes through the full verification, which refuses it. Not with JWKS (keys rotate)."""
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        actor, exp = self._verify(token)
        if self._jwks is None:
            if len(self._verified) >= _VERIFIED_MAX:
                self._verified.clear()
            self._verified[token] = (actor, exp)
        return actor

    def _verify(self, token: str) -> tuple[Actor, int]:
        import jwt

        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._verify_key
            # Expiry is checked here with no leeway; iat and nbf below, once typed, with the clock-skew window.
            payload = jwt.decode(token, key, algorithms=self.algorithms, audience=self.audience, issuer=self.issuer,
                                 options={"require": ["exp", "iat", "sub"], "verify_iat": False, "verify_nbf": False})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("Your token has expired; ask for a new one.", code="token.expired") from None
        except jwt.PyJWTError as e:
            claim = _claim_of(e)
            named = f" (claim '{claim}')" if claim else ""
            raise Unauthenticated(msg("The bearer token is not valid{named}: {e}",
                                      named=named, e=e), code="token.claim_invalid" if claim else "token.invalid",
                                  field=claim, claim=claim) from None
        claims = claims_from(payload)
        return self.identity(claims), claims.exp

    def identity(self, claims: Claims, now: float | None = None) -> Actor:
        """The caller from typed claims, after the time and role rules: the one place an Actor is made."""
        now = time.time() if now is None else now
        if claims.iat > now + self.leeway:
            raise Unauthenticated(msg("The bearer token's claim 'iat' ({iat}) is {claims_iat_int_now} s in the future, beyond the {leeway} "
                                      "s clock skew allowed; check the identity provider's clock.",
                                      iat=claims.iat, claims_iat_int_now=claims.iat - int(now), leeway=self.leeway),
                                  field="iat", claim="iat", code="token.claim_invalid")
        if claims.nbf is not None and claims.nbf > now + self.leeway:
            raise Unauthenticated(msg("The bearer token is not valid before {nbf} (claim 'nbf'), {claims_nbf_int_now} s from now.",
                                      nbf=claims.nbf, claims_nbf_int_now=claims.nbf - int(now)),
                                  field="nbf", claim="nbf", code="token.claim_invalid")
        if claims.exp - claims.iat > self.max_ttl:
            raise Unauthenticated(msg("The bearer token's lifetime (claim 'exp' − 'iat' = {claims_exp_claims_iat} s) exceeds the {max_ttl} "
                                      "s this deployment accepts; ask for a shorter-lived token.",
                                      claims_exp_claims_iat=claims.exp - claims.iat, max_ttl=self.max_ttl),
                                  field="exp", claim="exp", code="token.claim_invalid")
        try:
            _check_roles(list(claims.roles), claims.agency, claims.nip)
        except Invalid as e:
            raise Unauthenticated(msg("The bearer token's claims are not usable: {message}", message=e.message), field=e.field, claim=e.field,
                                  code="token.claim_invalid") from None
        return Actor(subject=claims.sub, name=claims.name, roles=frozenset(claims.roles), agency=claims.agency,
                     unit=claims.unit, nip=claims.nip.replace(" ", "") if claims.nip else None)
