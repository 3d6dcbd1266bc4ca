"""Telnyx's webhook signature, as telnyx-python's ``verify_webhook_signature`` checks it.

Headers ``telnyx-signature-ed25519`` (base64 Ed25519 signature, 64 bytes) and ``telnyx-timestamp``
(unix seconds). The signed message is ``f"{timestamp}|{raw body}"``; the key is the account's
base64 Ed25519 public key (32 bytes). A timestamp more than 300 seconds away from now is refused,
which is all the replay protection there is: Telnyx sends no nonce.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
TIMESTAMP_TOLERANCE_SECONDS = 300


def public_key_bytes(public_key: str) -> bytes | None:
    """The bytes of a base64 public key, or None when it is not base64. The padding Mission Control
    shows may be left out when the key is pasted: ``b64decode`` ignores padding beyond what the last
    group needs, so "==" restores whatever was lost. A key that is not 32 bytes verifies nothing."""
    try:
        return base64.b64decode(public_key.strip() + "==")
    except (binascii.Error, ValueError):
        return None


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
    key = public_key_bytes(public_key)
    try:
        raw_signature = base64.b64decode(signature)
        message = signed_message(timestamp, body)
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        return False
    if key is None or len(raw_signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(raw_signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
