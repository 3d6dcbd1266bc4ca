"""The V3 webhook signature of Plivo and Vobiz, as plivo 4.63.0's ``plivo/utils/signature_v3.py``
checks it (vobiz-python 0.1.1 ships the same module), plus the variant Vobiz's documentation
describes.

The SDK's signature is base64 HMAC-SHA256, keyed by the auth token, of ``S + "." + nonce`` where S is
``scheme://host/path`` followed by:

- GET: ``?`` and the parameters (the URL's query merged over the given ones) as ``name=value``
  joined by ``&``, names sorted and each name's values sorted, decoded and not re-encoded; nothing
  when there are no parameters;
- POST: the same over the URL's query alone, where ``?`` is written whenever there are POST
  parameters too, then ``.`` when there are both, then every POST parameter as ``name + value``
  (names sorted, each name's values sorted).

The SDK's quirks are kept: a URL it cannot parse (not ASCII, or a query that decodes to anything but
ASCII) matches no signature, and the nonce's UTF-8 bytes are read as Latin-1 and encoded again. The header may carry several
signatures separated by commas; one must match. There is no timestamp and no nonce store, so a
signature may be replayed as the SDK allows; the front door answers a repeated call id once.

Vobiz's documentation instead signs ``scheme://host/path + "." + nonce``: neither the query nor
the POST parameters (`url_only_signature_valid`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlparse, urlunparse

from ..inbound import same_secret

Parameters = Mapping[str, Sequence[str]]


class _NotSignable(ValueError):
    """The URL is one the SDK cannot parse (it is not ASCII): no signature can match it."""


def _split_url(url: str) -> tuple[str, dict[str, list[str]]]:
    """``scheme://host/path`` (without ``;params``, as ``urlparse`` splits them off) and the query's
    parameters, percent-decoded. The SDK parses the URL as ASCII bytes, so a URL that is not ASCII,
    or whose query decodes to anything but ASCII, raises there: it cannot be signed."""
    try:
        parts = urlparse(url.encode())
        query = {
            name.decode(): [value.decode() for value in values]
            for name, values in parse_qs(parts.query, keep_blank_values=True).items()
        }
    except UnicodeError as exc:
        raise _NotSignable from exc
    return urlunparse((parts.scheme.decode(), parts.netloc.decode(), parts.path.decode(), "", "", "")), query


def _sorted_query(params: Parameters) -> str:
    return "&".join("&".join(f"{name}={value}" for value in sorted(params[name])) for name in sorted(params))


def _sorted_params(params: Parameters) -> str:
    return "".join(f"{name}{value}" for name in sorted(params) for value in sorted(params[name]))


def signed_url(method: str, url: str, params: Parameters) -> str:
    """S: what the SDK signs for a request to `url` with these parameters (before the nonce)."""
    base, query = _split_url(url)
    if method == "GET":
        merged = _sorted_query({**params, **query})
        return base + (f"?{merged}" if merged else "")
    query_string = _sorted_query(query)
    if query_string or params:
        base += f"?{query_string}"
    if query_string and params:
        base += "."
    return base + _sorted_params(params)


def _digest(token: str, message: bytes) -> bytes:
    return base64.b64encode(hmac.new(token.encode(), message, hashlib.sha256).digest())


def v3_signature(token: str, method: str, url: str, params: Parameters, nonce: str) -> str:
    nonce_as_sdk_reads_it = nonce.encode().decode("latin-1")
    return _digest(token, f"{signed_url(method, url, params)}.{nonce_as_sdk_reads_it}".encode()).decode()


def _matches(expected: str, header: str | None) -> bool:
    """Whether one of the header's comma-separated signatures is `expected` (compared whole, as the
    SDK does: no spaces are stripped)."""
    if not header:
        return False
    return any(same_secret(expected.encode(), candidate) for candidate in header.encode().split(b","))


def v3_signature_valid(token: str, method: str, url: str, params: Parameters, nonce: str, header: str | None) -> bool:
    """``validate_v3_signature(method, url, nonce, token, header, params)``, without its exceptions."""
    if not token:
        return False
    try:
        expected = v3_signature(token, method, url, params, nonce)
    except _NotSignable:
        return False
    return _matches(expected, header)


def url_only_signature(token: str, url: str, nonce: str) -> str:
    return _digest(token, f"{_split_url(url)[0]}.{nonce}".encode()).decode()


def url_only_signature_valid(token: str, url: str, nonce: str, header: str | None) -> bool:
    """Vobiz's documented V3: the URL without its query, ``.``, the nonce; parameters unsigned."""
    if not token:
        return False
    try:
        expected = url_only_signature(token, url, nonce)
    except _NotSignable:
        return False
    return _matches(expected, header)
