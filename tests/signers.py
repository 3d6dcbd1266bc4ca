"""Webhook signers written from the providers' documentation, for providers whose SDK only
verifies. Each test that uses one also checks the SDK's verifier accepts what it signed.

- Telnyx (developers.telnyx.com, "Webhook signing"): Ed25519 over ``"{telnyx-timestamp}|{body}"``
  with the account's key pair, base64 in ``telnyx-signature-ed25519``.
- Vonage (developer.vonage.com, "Signed webhooks"; api.support.vonage.com article 19033783342876):
  ``Authorization: Bearer <JWT>``, HS256 with the signature secret, claims ``iat``, ``jti``,
  ``api_key`` and ``payload_hash``: the hex SHA-256 of the JSON body (``iss`` too, whose value
  the documentation does not give, and that nobody checks).
"""

import base64
import hashlib
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class TelnyxKey:
    """An account's Ed25519 key pair: the public half goes in the credentials, the private half signs."""

    def __init__(self) -> None:
        self.private = Ed25519PrivateKey.generate()
        self.public = base64.b64encode(self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.private.sign(stamp.encode() + b"|" + body)
        return {"telnyx-signature-ed25519": base64.b64encode(signature).decode(), "telnyx-timestamp": stamp}


def vonage_token(secret: str, api_key: str | None, payload: bytes, **claims: object) -> str:
    """A signed-callback JWT for `payload` (the POST body, or the JSON of GET's query parameters)."""
    body = {
        "iat": int(time.time()),
        "jti": str(uuid.uuid4()),
        "payload_hash": hashlib.sha256(payload).hexdigest(),
        **({"api_key": api_key} if api_key is not None else {}),
        **claims,
    }
    return jwt.encode(body, secret, algorithm="HS256")
