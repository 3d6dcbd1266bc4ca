"""SPEC §13: dashboards authenticate with JWTs from their own identity provider.

An identity provider on loopback publishes its keys (JWKS) and counts how often it is read; tokens
are signed with PyJWT, or crafted by hand where PyJWT refuses to make them (`alg: none`, HS256
with the public key as the secret). Every request goes over real HTTP to a served Switchboard.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import jwt
import pytest
from conftest import free_port, new_organization, running_server, serving
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import get_default_algorithms
from processes import SWITCHBOARD
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ISSUER = "https://idp.example.test/"
AUDIENCE = "switchboard-dashboard"
CALLER = "{ caller { role actor } organization { databaseId name } }"
CREATE_WORKFLOW = 'mutation { createWorkflow(input: {name: "%s"}) { workflow { id name } errors { code } } }'


@dataclass
class SigningKey:
    algorithm: str
    private_key: object
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def new(cls, algorithm: str) -> "SigningKey":
        if algorithm.startswith(("RS", "PS")):
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif algorithm == "ES256":
            private_key = ec.generate_private_key(ec.SECP256R1())
        else:
            private_key = ed25519.Ed25519PrivateKey.generate()
        return cls(algorithm, private_key)

    @property
    def jwk(self) -> dict:
        public = get_default_algorithms()[self.algorithm].to_jwk(self.private_key.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: dict, **header: object) -> str:
        return jwt.encode(claims, self.private_key, algorithm=self.algorithm, headers={"kid": self.kid, **header})


class IdentityProvider:
    """A JWKS endpoint on loopback: it publishes `keys`, counts its reads, and answers 503 while
    `down`."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self.keys = keys
        self.fetches = 0
        self.down = False
        self.url = ""

    def app(self) -> Starlette:
        async def jwks(_: Request) -> JSONResponse:
            self.fetches += 1
            if self.down:
                return JSONResponse({"error": "unavailable"}, 503)
            return JSONResponse({"keys": [key.jwk for key in self.keys]})

        return Starlette(routes=[Route("/.well-known/jwks.json", jwks)])

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/.well-known/jwks.json"


def claims(organization_id: int, role: str = "VIEWER", **changes: object) -> dict:
    """A token's claims, as the dashboard's identity provider would issue them; a change to None
    leaves that claim out."""
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "auth0|dashboard-user-1",
        "iat": now,
        "exp": now + 300,
        "switchboard_organization_id": organization_id,
        "switchboard_role": role,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict, payload: dict, sign) -> str:
    """A token put together without PyJWT, which refuses to make these; `sign` gets the signing input."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


@asynccontextmanager
async def identity_provider(*algorithms: str) -> AsyncIterator[IdentityProvider]:
    idp = IdentityProvider([SigningKey.new(algorithm) for algorithm in algorithms])
    async with serving(idp.app(), lifespan="off") as url:
        idp.url = url
        yield idp


@asynccontextmanager
async def jwt_client(settings, jwks_url: str, **more) -> AsyncIterator[httpx.AsyncClient]:
    """A Switchboard that accepts the identity provider's tokens, and a client for it."""
    jwt_settings = settings.model_copy(update={"jwt_jwks_url": jwks_url, "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE, **more})
    async with running_server(jwt_settings, migrated=False) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            yield client


async def post(client: httpx.AsyncClient, token: str, query: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})


async def data(client: httpx.AsyncClient, token: str, query: str) -> dict:
    response = await post(client, token, query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body


@pytest.fixture(scope="module")
async def idp() -> AsyncIterator[IdentityProvider]:
    async with identity_provider("RS256", "PS384", "ES256", "EdDSA") as provider:
        yield provider


@pytest.fixture(scope="module")
async def client(settings, server, idp) -> AsyncIterator[httpx.AsyncClient]:
    async with jwt_client(settings, idp.jwks_url) as served:
        yield served


@pytest.fixture
async def organization(server) -> int:
    organization_id, _ = await new_organization(server.db, "Dashboard Inc")
    return organization_id


def key_for(idp: IdentityProvider, algorithm: str) -> SigningKey:
    return next(key for key in idp.keys if key.algorithm == algorithm)


@pytest.mark.parametrize("algorithm", ["RS256", "PS384", "ES256", "EdDSA"])
async def test_a_token_signed_with_each_kind_of_key_authenticates(client, idp, organization, algorithm):
    token = key_for(idp, algorithm).sign(claims(organization))
    found = await data(client, token, CALLER)
    assert found == {
        "caller": {"role": "VIEWER", "actor": "auth0|dashboard-user-1"},
        "organization": {"databaseId": organization, "name": "Dashboard Inc"},
    }


async def test_a_viewer_token_reads_but_may_not_change_anything(client, idp, organization):
    token = key_for(idp, "RS256").sign(claims(organization, "VIEWER"))
    created = await data(client, token, CREATE_WORKFLOW % "Viewer's")
    assert created["createWorkflow"] == {"workflow": None, "errors": [{"code": "FORBIDDEN"}]}


async def test_an_editor_token_changes_configurations(client, idp, organization):
    token = key_for(idp, "ES256").sign(claims(organization, "editor"))
    created = await data(client, token, CREATE_WORKFLOW % "Editor's")
    assert created["createWorkflow"]["workflow"]["name"] == "Editor's"
    assert created["createWorkflow"]["errors"] == []


async def test_the_audit_log_names_a_token_by_its_subject(client, idp, organization):
    token = key_for(idp, "RS256").sign(claims(organization, "ADMIN", sub="kc-7f3e"))
    await data(client, token, CREATE_WORKFLOW % "Audited")
    events = await data(client, token, '{ auditEvents(actor: "kc-7f3e") { nodes { actor actorName action role } } }')
    assert events["auditEvents"]["nodes"] == [
        {"actor": "kc-7f3e", "actorName": None, "action": "createWorkflow", "role": "ADMIN"}
    ]


async def test_a_token_sees_only_the_organization_it_names(client, idp, server, organization):
    other_id, other_key = await new_organization(server.db, "Other")
    created = await client.post("/graphql", json={"query": CREATE_WORKFLOW % "Theirs"}, headers={"X-API-Key": other_key})
    theirs = created.json()["data"]["createWorkflow"]["workflow"]["id"]
    mine = key_for(idp, "RS256").sign(claims(organization, "ADMIN"))
    assert await data(client, mine, f'{{ node(id: "{theirs}") {{ id }} }}') == {"node": None}
    other = key_for(idp, "RS256").sign(claims(other_id, "VIEWER"))
    assert (await data(client, other, f'{{ node(id: "{theirs}") {{ id }} }}'))["node"] == {"id": theirs}


async def test_namespaced_and_string_claims_are_read(settings, server, organization):
    async with identity_provider("RS256") as provider:
        async with jwt_client(
            settings,
            provider.jwks_url,
            jwt_organization_claim="https://hasura.io/jwt/claims.x-hasura-org-id",
            jwt_role_claim="https://hasura.io/jwt/claims.x-hasura-default-role",
        ) as hasura_style:
            namespaced = {"x-hasura-org-id": str(organization), "x-hasura-default-role": "EDITOR"}
            token = provider.keys[0].sign(
                claims(organization, switchboard_organization_id=None, switchboard_role=None)
                | {"https://hasura.io/jwt/claims": namespaced}
            )
            found = await data(hasura_style, token, CALLER)
    assert found["caller"]["role"] == "EDITOR"
    assert found["organization"]["databaseId"] == organization


async def test_an_expiry_within_the_leeway_is_accepted(client, idp, organization):
    token = key_for(idp, "RS256").sign(claims(organization, exp=int(time.time()) - 5))
    assert (await data(client, token, CALLER))["caller"]["role"] == "VIEWER"


def refused_tokens(idp: IdentityProvider, organization: int) -> dict[str, str]:
    rsa_key = key_for(idp, "RS256")
    now = int(time.time())

    def by_hand(header: dict, sign) -> str:
        return handmade({"typ": "JWT", "kid": rsa_key.kid, **header}, claims(organization, "ADMIN"), sign)

    impostor = SigningKey("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048), kid=rsa_key.kid)
    return {
        "alg-none": by_hand({"alg": "none"}, lambda _: b""),
        "hs256-with-the-public-key": by_hand(
            {"alg": "HS256"}, lambda signing_input: hmac.new(rsa_key.public_pem, signing_input, hashlib.sha256).digest()
        ),
        "alg-of-another-key-type": key_for(idp, "ES256").sign(claims(organization), kid=rsa_key.kid),
        "signed-by-another-key": impostor.sign(claims(organization)),
        "unknown-kid": SigningKey.new("RS256").sign(claims(organization)),
        "no-kid": jwt.encode(claims(organization), rsa_key.private_key, algorithm="RS256"),
        "another-issuer": rsa_key.sign(claims(organization, iss="https://evil.example.test/")),
        "wrong-audience": rsa_key.sign(claims(organization, aud="another-api")),
        "expired": rsa_key.sign(claims(organization, iat=now - 600, exp=now - 120)),
        "not-yet-valid": rsa_key.sign(claims(organization, nbf=now + 600)),
        "no-expiry": rsa_key.sign(claims(organization, exp=None)),
        "no-subject": rsa_key.sign(claims(organization, sub=None)),
        "no-role": rsa_key.sign(claims(organization, switchboard_role=None)),
        "unknown-role": rsa_key.sign(claims(organization, "OWNER")),
        "no-organization": rsa_key.sign(claims(organization, switchboard_organization_id=None)),
        "missing-organization": rsa_key.sign(claims(2**31 - 2)),
        "organization-out-of-range": rsa_key.sign(claims(2**40)),
        "organization-not-a-number": rsa_key.sign(claims(organization, switchboard_organization_id="acme")),
        "subject-too-long": rsa_key.sign(claims(organization, sub="x" * 256)),
        "not-a-jwt": "definitely.not.a-token",
    }


async def test_invalid_foreign_or_expired_tokens_are_401(client, idp, organization):
    for name, token in refused_tokens(idp, organization).items():
        response = await post(client, token, CALLER)
        assert response.status_code == 401, name
        assert_unauthenticated(response)


async def test_without_jwt_settings_a_token_is_401(http, server, idp, organization):
    token = key_for(idp, "RS256").sign(claims(organization))
    assert_unauthenticated(await http.post("/graphql", json={"query": CALLER}, headers={"Authorization": f"Bearer {token}"}))


async def test_api_keys_keep_working_beside_tokens(client, server):
    _, key = await new_organization(server.db, "Keyed")
    response = await client.post("/graphql", json={"query": "{ organization { name } }"}, headers={"X-API-Key": key})
    assert response.json() == {"data": {"organization": {"name": "Keyed"}}}


async def test_a_rotated_key_is_fetched_once_and_a_withdrawn_one_refused(settings, server, organization):
    async with identity_provider("RS256") as provider:
        async with jwt_client(settings, provider.jwks_url, jwt_jwks_refetch_seconds=1) as client:
            old = provider.keys[0]
            await data(client, old.sign(claims(organization)), CALLER)
            assert provider.fetches == 1
            new = SigningKey.new("RS256")
            provider.keys = [new]
            await asyncio.sleep(1.1)  # the refetch limit of this server
            responses = await asyncio.gather(*(post(client, new.sign(claims(organization)), CALLER) for _ in range(10)))
            assert [response.status_code for response in responses] == [200] * 10
            assert provider.fetches == 2
            assert_unauthenticated(await post(client, old.sign(claims(organization)), CALLER))
            assert provider.fetches == 2


async def test_a_flood_of_unknown_kids_reads_the_keys_once_a_minute(settings, server, organization):
    async with identity_provider("RS256") as provider:
        async with jwt_client(settings, provider.jwks_url) as client:
            forged = [SigningKey.new("ES256") for _ in range(5)]
            tokens = [forged[i % len(forged)].sign(claims(organization, "ADMIN"), kid=uuid.uuid4().hex) for i in range(40)]
            responses = await asyncio.gather(*(post(client, token, CALLER) for token in tokens))
            assert {response.status_code for response in responses} == {401}
            assert provider.fetches == 1
            await data(client, provider.keys[0].sign(claims(organization)), CALLER)
            responses = await asyncio.gather(*(post(client, token, CALLER) for token in tokens))
            assert {response.status_code for response in responses} == {401}
            assert provider.fetches == 1


async def test_an_unreachable_jwks_is_401_not_500_and_logged(settings, server, organization, caplog):
    async with jwt_client(settings, f"http://127.0.0.1:{free_port()}/jwks.json") as client:
        token = SigningKey.new("RS256").sign(claims(organization))
        assert_unauthenticated(await post(client, token, CALLER))
    assert any("could not read the signing keys" in record.getMessage() for record in caplog.records)


async def test_a_jwks_that_fails_then_recovers(settings, server, organization):
    async with identity_provider("RS256") as provider:
        provider.down = True
        async with jwt_client(settings, provider.jwks_url, jwt_jwks_refetch_seconds=1) as client:
            token = provider.keys[0].sign(claims(organization))
            assert_unauthenticated(await post(client, token, CALLER))
            provider.down = False
            await asyncio.sleep(1.1)  # the refetch limit of this server
            assert (await data(client, token, CALLER))["caller"]["role"] == "VIEWER"
            assert provider.fetches == 2


def test_serve_refuses_a_jwks_url_without_issuer_and_audience(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("SWITCHBOARD_")}
    env["SWITCHBOARD_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'jwt.db'}"
    env["SWITCHBOARD_JWT_JWKS_URL"] = "https://idp.example.test/.well-known/jwks.json"
    refused = subprocess.run(
        [SWITCHBOARD, "serve", "--port", str(free_port())], env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0
    assert "SWITCHBOARD_JWT_ISSUER, SWITCHBOARD_JWT_AUDIENCE" in refused.stderr
