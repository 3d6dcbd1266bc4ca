"""Twilio's webhook signature (``X-Twilio-Signature``), as twilio-python's RequestValidator checks it.

The signed string is the full URL followed by every POST parameter's name and value, names sorted
(and each name's distinct values sorted); the signature is base64 HMAC-SHA1 keyed by the auth
token. A JSON body is not in the string: the URL carries ``bodySHA256``, the hex SHA-256 of the
body. Twilio is inconsistent about the port, so the URL is tried with and without it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import SplitResult, parse_qs, urlsplit

from .inbound import same_secret


def signed_string(url: str, params: Mapping[str, Sequence[str]]) -> str:
    parts = [url]
    for name in sorted(params):
        for value in sorted(set(params[name])):
            parts.append(name + value)
    return "".join(parts)


def twilio_signature(secret: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    mac = hmac.new(secret.encode(), signed_string(url, params).encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def url_variants(url: str) -> tuple[str, str]:
    """The URL without and with its port (the scheme's default port when it names none)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return _with_netloc(parts, host), _with_netloc(parts, f"{host}:{port}")


def _with_netloc(parts: SplitResult, netloc: str) -> str:
    return parts._replace(netloc=netloc).geturl()


def body_hash_valid(url: str, body: bytes) -> bool | None:
    """For a JSON webhook: whether ``bodySHA256`` in the URL is the body's hash; None without one."""
    claimed = parse_qs(urlsplit(url).query).get("bodySHA256")
    if claimed is None:
        return None
    return same_secret(hashlib.sha256(body).hexdigest(), claimed[0])


def twilio_signature_valid(
    secret: str, url: str, params: Mapping[str, Sequence[str]], body: bytes, signature: str | None
) -> bool:
    """Whether ``signature`` signs this request: form ``params``, or a raw ``body`` whose hash the
    URL carries (then ``params`` must be empty)."""
    if not signature or not secret:
        return False
    if not params:
        hash_ok = body_hash_valid(url, body)
        if hash_ok is False or (hash_ok is None and body):
            return False
    return signature_matches(secret, url, params, signature)


def signature_matches(secret: str, url: str, params: Mapping[str, Sequence[str]], signature: str) -> bool:
    """Whether ``signature`` is Twilio's signature of the URL, with or without its port, and ``params``."""
    return any(same_secret(twilio_signature(secret, variant, params), signature) for variant in url_variants(url))
