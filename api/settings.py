"""Configuration, from the environment (12-factor). Defaults run pengkom on SQLite in ./var."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

#: Variables that may instead be read from a file (``<NAME>_FILE``: a Docker/Kubernetes secret), so
#: that no secret has to sit in a compose file or a process's environment listing.
SECRET_VARIABLES = ("PENGKOM_DATABASE_URL", "PENGKOM_DATABASE_PASSWORD", "PENGKOM_JWT_SECRET")
#: PENGKOM_PROJECTOR: who applies the log to the read models beside `pengkom serve` (README, Configuration).
PROJECTOR_MODES = ("process", "thread", "standby")


def read_secrets(env: dict[str, str]) -> dict[str, str]:
    """``env`` with every ``<NAME>_FILE`` of :data:`SECRET_VARIABLES` replaced by the file's content
    (one trailing newline stripped), and ``PENGKOM_DATABASE_PASSWORD`` put into the database URL."""
    env = dict(env)
    for name in SECRET_VARIABLES:
        path = env.pop(f"{name}_FILE", "")
        if not path:
            continue
        if env.get(name):
            raise ValueError(f"Both {name} and {name}_FILE are set; set only one of them.")
        try:
            value = Path(path).read_text().rstrip("\r\n")
        except OSError as e:
            raise ValueError(f"{name}_FILE names {path}, which cannot be read ({e.strerror or e}).") from None
        if not value:
            raise ValueError(f"{name}_FILE names {path}, which is empty.")
        env[name] = value
    password = env.pop("PENGKOM_DATABASE_PASSWORD", "")
    url = env.get("PENGKOM_DATABASE_URL", "")
    if password:
        if not url:
            raise ValueError("PENGKOM_DATABASE_PASSWORD is set but PENGKOM_DATABASE_URL is not; give the URL without the password.")
        u = urlparse(url)
        if u.password:
            raise ValueError("PENGKOM_DATABASE_URL already contains a password; remove it or drop PENGKOM_DATABASE_PASSWORD.")
        user, _, host = u.netloc.rpartition("@")
        env["PENGKOM_DATABASE_URL"] = u._replace(netloc=f"{user or 'postgres'}:{quote(password, safe='')}@{host}").geturl()
    return env


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None
    pg_schema: str
    jwt_secret: str | None
    jwt_public_key_file: str | None
    jwks_url: str | None
    jwt_issuer: str
    jwt_audience: str
    max_body_bytes: int
    # Evidence uploads (issue 4): their own size limit, above the JSON body limit; where files live;
    # which entry points of pengkom.pathways load ("all", "none" or names, comma-separated).
    upload_max_bytes: int = 10 * 1024 * 1024
    files_dir: Path | None = None
    pathway_plugins: str = "all"
    # The command path and the stores (README "Configuration"): seconds to wait for a pooled
    # connection or to connect (the API answers 503 after that while the database is away); the
    # longest statement; aggregates kept in memory between commands; days an idempotency key is
    # kept; seconds a read waits for the read models to reach the commands recorded before it.
    store_timeout: float = 1.0
    statement_timeout: float = 10.0
    aggregate_cache: int = 256
    idempotency_days: int = 7
    read_wait: float = 5.0
    # Where `pengkom serve` applies the log to the read models: "process" (a projector process beside
    # the API processes; they take over if it dies), "thread" (inside the API process) or "standby"
    # (a separate `pengkom follow` worker does; the API process only while no worker runs).
    projector: str = "process"
    # Bearer tokens: the longest lifetime (exp - iat) accepted, and the clock skew tolerated for iat/nbf.
    jwt_max_ttl: int = 12 * 3600
    jwt_leeway: int = 60
    # The Ed25519 key that signs chain heads (PEM); default <data dir>/chain-signing.key, generated.
    chain_signing_key_file: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = read_secrets(dict(os.environ if env is None else env))
        url = env.get("PENGKOM_DATABASE_URL") or None
        if url and not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("PENGKOM_DATABASE_URL must be a postgresql:// URL (leave it unset for the embedded SQLite store)")
        projector = env.get("PENGKOM_PROJECTOR", "process")
        if projector not in PROJECTOR_MODES:
            raise ValueError(f"PENGKOM_PROJECTOR {projector!r} must be one of {', '.join(PROJECTOR_MODES)}")
        schema = env.get("PENGKOM_PG_SCHEMA", "public")
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
            raise ValueError(f"PENGKOM_PG_SCHEMA {schema!r} must be a lower-case identifier")
        return cls(
            data_dir=Path(env.get("PENGKOM_DATA_DIR", "var")),
            database_url=url,
            pg_schema=schema,
            jwt_secret=env.get("PENGKOM_JWT_SECRET") or None,
            jwt_public_key_file=env.get("PENGKOM_JWT_PUBLIC_KEY_FILE") or None,
            jwks_url=env.get("PENGKOM_JWKS_URL") or None,
            jwt_issuer=env.get("PENGKOM_JWT_ISSUER", "pengkom"),
            jwt_audience=env.get("PENGKOM_JWT_AUDIENCE", "pengkom"),
            max_body_bytes=int(env.get("PENGKOM_MAX_BODY_BYTES", str(1024 * 1024))),
            upload_max_bytes=int(env.get("PENGKOM_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))),
            files_dir=Path(env["PENGKOM_FILES_DIR"]) if env.get("PENGKOM_FILES_DIR") else None,
            pathway_plugins=env.get("PENGKOM_PATHWAY_PLUGINS", "all"),
            store_timeout=float(env.get("PENGKOM_STORE_TIMEOUT", "1")),
            statement_timeout=float(env.get("PENGKOM_STATEMENT_TIMEOUT", "10")),
            aggregate_cache=int(env.get("PENGKOM_AGGREGATE_CACHE", "256")),
            idempotency_days=int(env.get("PENGKOM_IDEMPOTENCY_DAYS", "7")),
            read_wait=float(env.get("PENGKOM_READ_WAIT", "5")),
            projector=projector,
            jwt_max_ttl=int(env.get("PENGKOM_JWT_MAX_TTL", str(12 * 3600))),
            jwt_leeway=int(env.get("PENGKOM_JWT_LEEWAY", "60")),
            chain_signing_key_file=env.get("PENGKOM_CHAIN_SIGNING_KEY_FILE") or None,
        )

    @property
    def evidence_dir(self) -> Path:
        return self.files_dir or self.data_dir / "files"

    @property
    def store_name(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing library's environment for the pengkom application."""
        # pengkom's recorders (projections/eventstore.py): idempotency keys in the events' transaction,
        # group commit, bounded waits; aggregates cached between commands.
        common = {"AGGREGATE_CACHE_MAXSIZE": str(self.aggregate_cache), "STORE_TIMEOUT": str(self.store_timeout),
                  "STATEMENT_TIMEOUT": str(self.statement_timeout)}
        if not self.database_url:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # One SQLite file per application: the library's SQLite tables ignore the app name.
            return {**common, "PERSISTENCE_MODULE": "projections.eventstore:SqliteFactory",
                    "SQLITE_DBNAME": str(self.data_dir / "pengkom.events.sqlite"),
                    "SQLITE_LOCK_TIMEOUT": "5"}
        u = urlparse(self.database_url)
        return {
            **common,
            "PERSISTENCE_MODULE": "projections.eventstore:PgFactory",
            "POSTGRES_DBNAME": unquote(u.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": u.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(u.port or 5432),
            "POSTGRES_USER": unquote(u.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(u.password or ""),
            "POSTGRES_SCHEMA": self.pg_schema,
            "POSTGRES_POOL_SIZE": "4",
            "POSTGRES_MAX_OVERFLOW": "8",
            "POSTGRES_LOCK_TIMEOUT": "5",
            "CREATE_TABLE": "y",
        }

    def describe_store(self) -> str:
        if not self.database_url:
            return f"sqlite:{self.data_dir / 'pengkom.events.sqlite'}"
        u = urlparse(self.database_url)
        return f"postgresql://{u.hostname}:{u.port or 5432}/{u.path.lstrip('/')} (schema {self.pg_schema})"
