"""Process settings, read from the environment with the ``SWITCHBOARD_`` prefix (SPEC §9)."""

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
