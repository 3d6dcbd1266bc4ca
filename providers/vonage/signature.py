"""Vonage's signed callbacks: ``Authorization: Bearer <JWT>``, HS256 with the account's signature
secret, decoded exactly as vonage-jwt's ``verify_signature`` decodes it (PyJWT, which also
refuses an ``exp`` in the past or an ``iat`` in the future).

The JWT alone says nothing about the request it came with, so its claims are checked too:
``payload_hash`` must be the SHA-256 of the payload, and ``api_key``, when the token has it, the
account in the URL the request was routed by. The payload is the JSON body for POST and, for GET,
the query parameters as a JSON object (api.support.vonage.com, article 19033783342876: the object
in parameter order, serialized without whitespace, then hashed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import jwt

from ..inbound import same_secret

ACCOUNT_PARAMETER = "account"


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _json_hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def payload_hashes(method: str, body: bytes, query: Sequence[tuple[str, str]]) -> set[str]:
    """The hashes a genuine payload_hash may have.

    POST: the raw body's, and the documented procedure's (the body parsed and re-serialized
    without whitespace; the same for the compact JSON Vonage sends). GET: the parameters' JSON,
    with and without the ``account`` that Switchboard's URL carries, since Vonage does not say
    whether a parameter already in the configured URL is part of the hashed payload (?).
    """
    if method == "GET":
        return {_json_hash(dict(query)), _json_hash({k: v for k, v in query if k != ACCOUNT_PARAMETER})}
    hashes = {hashlib.sha256(body).hexdigest()}
    try:
        hashes.add(_json_hash(json.loads(body)))
    except ValueError:
        pass
    return hashes


def vonage_signature_valid(
    secret: str, authorization: str | None, method: str, body: bytes, query: Sequence[tuple[str, str]], account: str | None
) -> bool:
    token = bearer_token(authorization)
    if token is None or not secret:
        return False
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    claimed_hash, api_key = claims.get("payload_hash"), claims.get("api_key")
    if not isinstance(claimed_hash, str) or not any(same_secret(h, claimed_hash) for h in payload_hashes(method, body, query)):
        return False
    return api_key is None or (account is not None and same_secret(str(api_key), account))
