"""Process settings, read from the environment with the ``SWITCHBOARD_`` prefix (SPEC §9)."""

import ipaddress
import os
from collections.abc import Iterable
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlparse

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from switchboard.db.engine import POSTGRES_POOL_OVERFLOW, POSTGRES_POOL_SIZE, Database, create_database
from switchboard.providers.url_guard import ALLOWED_NETWORKS_SETTING, IPNetwork

from .http_protocol import HEADER_TIMEOUT_SECONDS
from .logs import LogFormat

# A shorter bearer token could be guessed by a scraper's neighbours.
MIN_METRICS_TOKEN_LENGTH = 16


class Settings(BaseSettings):
    # Errors name the variable but never echo values: the settings hold secrets, and a check of
    # several settings together would print all of them, abridged.
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_", extra="ignore", hide_input_in_errors=True)

    database_url: str = "sqlite+aiosqlite:///./switchboard.db"
    # PostgreSQL connections per worker: kept open, and opened on top for bursts.
    database_pool_size: int = Field(default=POSTGRES_POOL_SIZE, ge=1)
    database_max_overflow: int = Field(default=POSTGRES_POOL_OVERFLOW, ge=0)
    public_base_url: str | None = None
    secret_key: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = []
    introspection: bool = True
    log_level: str = "info"
    # `text` for people, `json` for log pipelines: one object per line (server/logs.py).
    log_format: LogFormat = "text"
    # Queries a worker runs at once; the others wait their turn, first come, first served
    # (schema/admission.py). 0: no limit.
    max_concurrent_queries: int = Field(default=8, ge=0)
    # Total time budget of one provider operation (a credential check, an attach or a detach).
    provider_timeout: float = 15.0
    # A connected inbound call whose end was never reported stops counting toward its
    # configuration's maxConcurrentCalls after this long (SPEC §12).
    call_max_seconds: int = Field(default=4 * 3600, ge=60)
    # Audit events older than this are deleted (SPEC §13), by each worker at start and hourly.
    audit_retention_days: int = Field(default=365, ge=1)
    # How long a client may take to send its request body (slow clients get 408).
    request_body_timeout: float = 10.0
    # Non-public networks that tenant-supplied hosts (an ARI endpoint, a SignalWire space) may
    # resolve to, as comma-separated CIDRs (SPEC §13); none by default.
    allowed_private_networks: Annotated[list[IPNetwork], NoDecode] = []
    # JWTs for dashboards (SPEC §13, server/jwt_auth.py): the three go together.
    jwt_jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # Where the organization's databaseId and the role are in a token's claims: a claim's name, or
    # a dotted path into nested claims (`https://example.com/claims.role`).
    jwt_organization_claim: str = Field(default="switchboard_organization_id", min_length=1)
    jwt_role_claim: str = Field(default="switchboard_role", min_length=1)
    # Least seconds between two reads of the JWKS by one worker, whatever asks (an unknown `kid`).
    jwt_jwks_refetch_seconds: float = Field(default=60, ge=1)
    # How long a client may take to send a request's line and headers; then the connection is
    # closed (server/http_protocol.py).
    request_header_timeout: float = Field(default=HEADER_TIMEOUT_SECONDS, gt=0)
    # Requests per second each credential may send to one worker on average, and at once
    # (server/rate_limit.py); beyond that HTTP 429 with Retry-After. 0: no limit.
    rate_limit_per_second: float = Field(default=50.0, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    # Prometheus metrics at /metrics (server/metrics.py): with a token, only `Authorization:
    # Bearer <token>` may read them; without one, only when declared public; otherwise 404.
    metrics_token: SecretStr | None = None
    metrics_public: bool = False
    # Where `switchboard serve` keeps the workers' metric files (emptied at start); default a
    # temporary directory of its own, removed at exit.
    metrics_dir: str | None = None

    @property
    def metrics_enabled(self) -> bool:
        return self.metrics_token is not None or self.metrics_public

    # Live updates over WebSocket (server/live.py): operations one connection may run at once,
    # connections one credential may hold to one worker, events one subscription may have
    # waiting before it is closed as too slow, and seconds to send connection_init.
    max_subscriptions_per_connection: int = Field(default=100, ge=1)
    ws_connections_per_key: int = Field(default=50, ge=1)
    subscriber_queue: int = Field(default=100, ge=1)
    ws_init_timeout: float = Field(default=10.0, gt=0)

    def provider_api_bases(self, provider_keys: Iterable[str]) -> dict[str, str]:
        """`SWITCHBOARD_<PROVIDER>_API_BASE` for each provider, read when the app starts: the
        providers come from entry points, so these variables cannot be declared as fields."""
        return {
            key: value
            for key in provider_keys
            if (value := os.environ.get(f"{self.model_config['env_prefix']}{key.upper()}_API_BASE"))
        }

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("allowed_private_networks", mode="before")
    @classmethod
    def _parse_networks(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        networks = []
        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                networks.append(ipaddress.ip_network(item))
            except ValueError as exc:
                raise ValueError(
                    f"{ALLOWED_NETWORKS_SETTING}: {item!r} is not a network in CIDR notation such as 10.0.0.0/8 ({exc})"
                ) from exc
        return networks

    @field_validator("metrics_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_METRICS_TOKEN_LENGTH:
            raise ValueError(f"SWITCHBOARD_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters")
        return value

    @field_validator("jwt_jwks_url", "jwt_issuer", "jwt_audience", "metrics_token", "metrics_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("jwt_jwks_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and (urlparse(value).scheme not in ("http", "https") or not urlparse(value).hostname):
            raise ValueError("SWITCHBOARD_JWT_JWKS_URL must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _jwt_all_or_nothing(self) -> "Settings":
        jwt = {"JWKS_URL": self.jwt_jwks_url, "ISSUER": self.jwt_issuer, "AUDIENCE": self.jwt_audience}
        missing = [name for name, value in jwt.items() if value is None]
        if missing and len(missing) < len(jwt):
            names = ", ".join(f"SWITCHBOARD_JWT_{name}" for name in missing)
            raise ValueError(
                "JWT authentication needs SWITCHBOARD_JWT_JWKS_URL, SWITCHBOARD_JWT_ISSUER and "
                f"SWITCHBOARD_JWT_AUDIENCE together (missing: {names})"
            )
        return self

    @field_validator("public_base_url", mode="before")
    @classmethod
    def _strip_trailing_slash(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().rstrip("/") or None
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()


def create_database_for(settings: Settings) -> Database:
    """The database the settings name, with their pool size."""
    return create_database(
        settings.database_url, pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow
    )
