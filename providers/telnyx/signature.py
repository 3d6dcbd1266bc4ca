"""Telnyx's webhook signature, as telnyx-python's ``verify_webhook_signature`` checks it.

Headers ``telnyx-signature-ed25519`` (base64 Ed25519 signature, 64 bytes) and ``telnyx-timestamp``
(unix seconds). The signed message is ``f"{timestamp}|{raw body}"``; the key is the account's
base64 Ed25519 public key (32 bytes). A timestamp more than 300 seconds away from now is refused,
which is all the replay protection there is: Telnyx sends no nonce.
"""

from __future__ import annotations

import base64

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
TIMESTAMP_TOLERANCE_SECONDS = 300


def public_key_bytes(public_key: str) -> bytes:
    """The bytes of a base64 public key; binascii.Error when it is not base64. The padding Mission
    Control shows may be left out when the key is pasted: ``b64decode`` ignores padding beyond what
    the last group needs, so "==" restores whatever was lost."""
    return base64.b64decode(public_key.strip() + "==")


def signed_message(timestamp: str, body: bytes) -> bytes:
    """What Telnyx signs; UnicodeDecodeError when the body is not UTF-8 (the SDK decodes it too)."""
    return f"{timestamp}|{body.decode()}".encode()


def timestamp_fresh(timestamp: str, now: float) -> bool:
    """Whether the timestamp header is an integer within the tolerance of `now`, both ways."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    return abs(int(now) - sent_at) <= TIMESTAMP_TOLERANCE_SECONDS


def telnyx_signature_valid(public_key: str, body: bytes, signature: str | None, timestamp: str | None, now: float) -> bool:
    """Whether `signature` signs `timestamp|body` with the key, sent within the window around `now`."""
    if not signature or not timestamp or not timestamp_fresh(timestamp, now):
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(public_key_bytes(public_key))
        key.verify(base64.b64decode(signature), signed_message(timestamp, body))
    except (ValueError, InvalidSignature):  # ValueError: not base64, a key not 32 bytes, a body not UTF-8
        return False
    return True
