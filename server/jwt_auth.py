"""JWTs for dashboards (SPEC §13): tokens from the deployment's own identity provider, checked
against the keys it publishes at SWITCHBOARD_JWT_JWKS_URL.

A token is accepted when its `kid` names a signing key of the JWKS, its `alg` is that key's
algorithm and an asymmetric one, its signature verifies, `iss` and `aud` are the configured ones,
`exp` has not passed (LEEWAY_SECONDS of clock skew allowed), and its claims name an organization
that exists, a role, and a subject (`sub`, which the audit log records). Anything else is refused
like a bad API key: HTTP 401.
"""

import asyncio
import logging
import math
import time
from collections.abc import Mapping

import jwt
from jwt import PyJWK, PyJWKClient
from switchboard.db.engine import Database
from switchboard.db.organizations import organization_exists
from switchboard.resolvers.principal import Principal
from switchboard.resolvers.rules.roles import role_named

from .settings import Settings

log = logging.getLogger("switchboard.jwt")

# Never HS*: with a shared secret anyone who can read the JWKS could sign (the public key used
# as an HMAC secret), and `none` is no signature at all.
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
LEEWAY_SECONDS = 30
JWKS_TIMEOUT_SECONDS = 5
# Keys older than this are read again on the next request (within the refetch limit), so a key
# the identity provider withdraws stops working even when no unknown `kid` comes along.
KEYS_MAX_AGE_SECONDS = 300
# How long a worker trusts that an organization named by a token exists without asking again,
# and how many it remembers (only signed tokens name them).
ORGANIZATION_FRESHNESS_SECONDS = 60
REMEMBERED_ORGANIZATIONS = 10_000
# The audit log's actor column; and a databaseId is a 32-bit integer on PostgreSQL.
SUBJECT_MAX_LENGTH = 255
DATABASE_ID_MAX = 2**31 - 1


def claim_at(claims: Mapping[str, object], path: str) -> object:
    """The claim `path` names: a claim of that exact name, else a dotted path into nested objects
    whose names may themselves hold dots (`https://hasura.io/jwt/claims.x-hasura-org-id`)."""
    if path in claims:
        return claims[path]
    for name, value in claims.items():
        if isinstance(value, Mapping) and path.startswith(name + "."):
            found = claim_at(value, path[len(name) + 1 :])
            if found is not None:
                return found
    return None


def database_id(value: object) -> int | None:
    """An organization's databaseId from a claim: a positive integer, or its decimal digits."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= DATABASE_ID_MAX:
        return value
    return None


def _subject(value: object) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= SUBJECT_MAX_LENGTH and "\x00" not in value:
        return value
    return None


class SigningKeys:
    """The JWKS's signing keys by `kid`, read at most once per `refetch_seconds` by this worker,
    whatever asks (an unknown `kid`, or keys older than KEYS_MAX_AGE_SECONDS): a flood of made-up
    `kid`s costs the identity provider one request a minute. One read at a time, in a thread
    (PyJWKClient reads with urllib, which blocks). A failed read keeps the keys already known."""

    def __init__(self, url: str, *, refetch_seconds: float) -> None:
        self._client = PyJWKClient(url, cache_jwk_set=False, timeout=JWKS_TIMEOUT_SECONDS)
        self._refetch_seconds = refetch_seconds
        self._keys: dict[str, PyJWK] = {}
        self._read_at = -math.inf
        self._tried_at = -math.inf
        self._reading = asyncio.Lock()

    async def key(self, kid: str) -> PyJWK | None:
        key = self._keys.get(kid)
        fresh = time.monotonic() - self._read_at < KEYS_MAX_AGE_SECONDS
        if key is not None and (fresh or self._reading.locked()):
            return key
        async with self._reading:
            if time.monotonic() - self._tried_at >= self._refetch_seconds:
                self._tried_at = time.monotonic()
                await asyncio.to_thread(self._read)
            return self._keys.get(kid)

    def _read(self) -> None:
        """In a worker thread. It stores what it read itself, so the keys are kept even when the
        request that asked has gone meanwhile."""
        try:
            keys = self._client.get_signing_keys(refresh=True)
        except Exception as error:
            log.warning("could not read the signing keys at %s: %s", self._client.uri, error)
            return
        self._keys = {key.key_id: key for key in keys}
        self._read_at = time.monotonic()


class JwtAuthenticator:
    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._keys = SigningKeys(settings.jwt_jwks_url, refetch_seconds=settings.jwt_jwks_refetch_seconds)
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._organization_claim = settings.jwt_organization_claim
        self._role_claim = settings.jwt_role_claim
        # organization id -> monotonic time until which it is known to exist
        self._organizations: dict[int, float] = {}

    async def principal_for(self, token: str) -> Principal | None:
        claims = await self._verified_claims(token)
        if claims is None:
            return None
        organization_id = database_id(claim_at(claims, self._organization_claim))
        role = role_named(claim_at(claims, self._role_claim))
        subject = _subject(claims.get("sub"))
        if organization_id is None or role is None or subject is None:
            log.debug("refused a JWT of %r: no usable organization, role or subject", claims.get("sub"))
            return None
        if not await self._organization_exists(organization_id):
            log.debug("refused a JWT of %r: organization %d does not exist", subject, organization_id)
            return None
        return Principal(organization_id=organization_id, role=role, actor=subject)

    async def _verified_claims(self, token: str) -> dict | None:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return None
        key = await self._keys.key(kid) if isinstance(kid, str) else None
        if key is None or key.algorithm_name not in ASYMMETRIC_ALGORITHMS:
            log.debug("refused a JWT: no signing key %r", kid)
            return None
        try:
            # The key's own algorithm only, whatever the token's header claims.
            return jwt.decode(
                token,
                key,
                algorithms=[key.algorithm_name],
                issuer=self._issuer,
                audience=self._audience,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            log.debug("refused a JWT: %s", error)
            return None

    async def _organization_exists(self, organization_id: int) -> bool:
        now = time.monotonic()
        if self._organizations.get(organization_id, -math.inf) > now:
            return True
        if not await organization_exists(self._db, organization_id):
            return False
        if len(self._organizations) >= REMEMBERED_ORGANIZATIONS:
            self._organizations.clear()
        self._organizations[organization_id] = now + ORGANIZATION_FRESHNESS_SECONDS
        return True
