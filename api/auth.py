"""Bearer tokens: who the caller is (subject, name, roles, agency, unit, NIP).

The embedded default signs HS256 tokens with a key generated in the data directory on first
run (``pengkom token`` prints one). In production the key comes from configuration: a shared
secret (``PENGKOM_JWT_SECRET``), a public key file (RS256/ES256) or a JWKS URL of the agency's
identity provider.
"""
from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import jwt

from api.settings import Settings
from core.access import AGENCY_ROLES, ROLES
from core.errors import Invalid, Unauthenticated
from core.events import Actor

MAX_TTL = 12 * 3600


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self._jwks = None
        self._signing_key: str | None = None
        if settings.jwks_url:
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
        claims = self._check_claims({"sub": subject, "name": name, "roles": roles, "agency": agency, "unit": unit, "nip": nip})
        now = int(time.time())
        claims.update(iss=self.issuer, aud=self.audience, iat=now, exp=now + min(ttl, MAX_TTL))
        return jwt.encode({k: v for k, v in claims.items() if v is not None}, self._signing_key, algorithm="HS256")

    @staticmethod
    def _check_claims(claims: dict[str, Any]) -> dict[str, Any]:
        roles = claims.get("roles")
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            raise Invalid("A token needs a non-empty list of roles.", field="roles")
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise Invalid(f"Unknown role {', '.join(unknown)}; roles are {', '.join(ROLES)}.", field="roles")
        if set(roles) & AGENCY_ROLES and not claims.get("agency"):
            raise Invalid("Agency roles need the agency they act for (--agency).", field="agency")
        if "officer" in roles and not claims.get("nip"):
            raise Invalid("The officer role needs the officer's NIP (--nip).", field="nip")
        if not claims.get("sub") or not claims.get("name"):
            raise Invalid("A token needs a subject and a name.", field="sub")
        return dict(claims)

    def verify(self, token: str) -> Actor:
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._verify_key
            claims = jwt.decode(token, key, algorithms=self.algorithms, audience=self.audience, issuer=self.issuer,
                                options={"require": ["exp", "iat", "sub"]})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("Your token has expired; ask for a new one.") from None
        except jwt.PyJWTError as e:
            raise Unauthenticated(f"The bearer token is not valid ({e}).") from None
        try:
            claims = self._check_claims(claims)
        except Invalid as e:
            raise Unauthenticated(f"The bearer token's claims are not usable: {e.message}") from None
        return Actor(
            subject=str(claims["sub"]), name=str(claims["name"]), roles=frozenset(claims["roles"]),
            agency=claims.get("agency"), unit=claims.get("unit"), nip=claims.get("nip"),
        )
