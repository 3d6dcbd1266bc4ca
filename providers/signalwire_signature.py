"""SignalWire's webhook signature (``X-SignalWire-Signature``), as signalwire-python 2.1.1's
RequestValidator checks it, keyed by the project's Signing Key.

The SDK's validator takes what its caller passes: the form parameters (a mapping), checked with
Twilio's algorithm (twilio 6.54's validator: no ``bodySHA256`` check for a mapping), or the raw body
(a string), checked as the lower-hex HMAC-SHA1 of URL + body with the URL with and without its
port, and failing that as a JSON body whose parsed value goes through Twilio's algorithm. A request
is authentic when one of the ways its body can be passed is accepted: a form body as parameters or
raw, any other body raw. Where the SDK raises on a body (JSON with a value that is not a string),
the request is not authentic.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .inbound import same_secret
from .twilio_signature import signature_matches, twilio_signature_valid, url_variants


def hex_signature(key: str, url: str, body: str) -> str:
    return hmac.new(key.encode(), (url + body).encode(), hashlib.sha1).hexdigest()


def raw_body_valid(key: str, url: str, body: bytes, signature: str) -> bool:
    """The SDK's validate(url, raw_body_string, signature)."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return False
    if any(same_secret(hex_signature(key, variant, text), signature) for variant in url_variants(url)):
        return True
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    return _parsed_body_valid(key, url, parsed, signature)


def _parsed_body_valid(key: str, url: str, parsed: Any, signature: str) -> bool:
    """twilio 6.54's validate(url, parsed, signature): a string is a raw body (``bodySHA256``), a
    mapping of strings is parameters, and any other empty value is no parameters."""
    if isinstance(parsed, str):
        return twilio_signature_valid(key, url, {}, parsed.encode(), signature)
    if not parsed:
        return signature_matches(key, url, {}, signature)
    if isinstance(parsed, dict) and all(isinstance(value, str) for value in parsed.values()):
        return signature_matches(key, url, {name: [value] for name, value in parsed.items()}, signature)
    return False


def signalwire_signature_valid(
    key: str, url: str, params: Mapping[str, Sequence[str]], body: bytes, signature: str | None
) -> bool:
    """Whether ``signature`` signs this request. ``params`` are the parameters of a form body
    (empty for any other body); a request without a body is checked both ways too."""
    if not key or not signature:
        return False
    if raw_body_valid(key, url, body, signature):
        return True
    return bool(params or not body) and signature_matches(key, url, params, signature)
