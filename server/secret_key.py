"""Where the credential-encryption keys come from (SPEC §3, §9)."""

import os
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from switchboard.db.engine import is_sqlite
from switchboard.db.secrets import SecretBox, parse_keys

from .settings import Settings


class MissingSecretKey(RuntimeError):
    pass


def _sqlite_key_file(database_url: str) -> Path | None:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + ".secret-key")


def _read_or_create(path: Path) -> str:
    """Create the key file once (0600); concurrent starters read the winner's key."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(Fernet.generate_key().decode() + "\n")
    return path.read_text().strip()


def load_secret_box(settings: Settings) -> SecretBox:
    if settings.secret_key:
        return SecretBox(parse_keys(settings.secret_key))
    if not is_sqlite(settings.database_url):
        raise MissingSecretKey(
            "SWITCHBOARD_SECRET_KEY is required with PostgreSQL: set it to one or more comma-separated "
            "keys from `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
        )
    path = _sqlite_key_file(settings.database_url)
    key = _read_or_create(path) if path else Fernet.generate_key().decode()
    return SecretBox([key])
