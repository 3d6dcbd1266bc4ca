"""Encryption at rest for secret credential fields (Fernet, rotatable keys)."""

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretKeyError(ValueError):
    """The configured secret key material is unusable."""


class SecretBox:
    """Encrypts with the first key, decrypts with any: prepend a new key to rotate."""

    def __init__(self, keys: Iterable[str]) -> None:
        fernets = []
        self._derivation_keys: list[bytes] = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.strip().encode()))
                self._derivation_keys.append(base64.urlsafe_b64decode(key.strip().encode()))
            except ValueError as exc:
                raise SecretKeyError(
                    f"secret key #{position} is not a url-safe base64 32-byte key "
                    "(generate one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())')"
                ) from exc
        if not fernets:
            raise SecretKeyError("no secret key configured")
        self._fernet = MultiFernet(fernets)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretKeyError("a stored secret cannot be decrypted with the configured keys") from exc

    def derive(self, purpose: str) -> str:
        """A token only this deployment can make for `purpose` (HMAC-SHA256 with the first key):
        stable across restarts and workers, never stored."""
        return self._derive(self._derivation_keys[0], purpose)

    def derived_matches(self, purpose: str, token: str | None) -> bool:
        """Whether `token` is `purpose`'s token under any configured key (so rotating the keys
        keeps tokens already handed out working while the old key is listed), in constant time."""
        if not token:
            return False
        given = token.encode()
        return any(hmac.compare_digest(self._derive(key, purpose).encode(), given) for key in self._derivation_keys)

    @staticmethod
    def _derive(key: bytes, purpose: str) -> str:
        digest = hmac.new(key, b"switchboard:" + purpose.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def seal(self, values: Mapping[str, str], secret_fields: Iterable[str]) -> dict[str, str]:
        """Encrypt the secret fields of a credentials mapping for storage."""
        secret = set(secret_fields)
        return {k: self.encrypt(v) if k in secret else v for k, v in values.items()}

    def unseal(self, stored: Mapping[str, str], secret_fields: Iterable[str]) -> dict[str, str]:
        secret = set(secret_fields)
        return {k: self.decrypt(v) if k in secret else v for k, v in stored.items()}


def parse_keys(setting: str) -> list[str]:
    return [key.strip() for key in setting.split(",") if key.strip()]
