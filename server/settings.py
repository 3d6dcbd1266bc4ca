"""Process settings, read from the environment with the ``SWITCHBOARD_`` prefix (SPEC §9)."""

import os
from collections.abc import Iterable
from functools import lru_cache
from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./switchboard.db"
    public_base_url: str | None = None
    secret_key: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = []
    introspection: bool = True
    log_level: str = "info"
    # Total time budget of one provider operation (a credential check, an attach or a detach).
    provider_timeout: float = 15.0
    # How long a client may take to send its request body (slow clients get 408).
    request_body_timeout: float = 10.0

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

    @field_validator("public_base_url", mode="before")
    @classmethod
    def _strip_trailing_slash(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().rstrip("/") or None
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
