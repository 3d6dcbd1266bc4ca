"""API keys (SPEC §13): created with a role and an optional expiry, listed, revoked; an
organization always keeps a usable ADMIN key; revocation holds on every worker within a second."""

import asyncio
import json
import os
import subprocess
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from conftest import TEST_SECRET_KEY, free_port, serve_environment
from helpers import Api
from processes import SWITCHBOARD, switchboard_serve
from sqlalchemy import update
from switchboard.db.models import ApiKey
from switchboard.db.types import utcnow
from switchboard.resolvers.ids import from_global_id, to_global_id

KEY_FIELDS = "id databaseId name prefix role createdAt expiresAt lastUsedAt revokedAt usable"
CREATE = f"""
mutation($input: CreateApiKeyInput!) {{
  createApiKey(input: $input) {{ apiKey {{ {KEY_FIELDS} }} secret errors {{ code message field }} }}
}}"""
REVOKE = f"""
mutation($id: ID!) {{ revokeApiKey(input: {{id: $id}}) {{ apiKey {{ {KEY_FIELDS} }} errors {{ code message field }} }} }}"""
LIST = f"{{ apiKeys(first: 100) {{ totalCount nodes {{ {KEY_FIELDS} }} }} }}"
CREATE_WORKFLOW = 'mutation { createWorkflow(input: {name: "Sales"}) { workflow { id } errors { code message } } }'
ORGANIZATION = "{ organization { name } }"


async def create_key(api: Api, role: str, name: str = "Dashboard", expires_at: str | None = None) -> dict:
    payload = (await api.query(CREATE, {"input": {"name": name, "role": role, "expiresAt": expires_at}}))["createApiKey"]
    assert payload["errors"] == [], payload
    return payload


def as_key(api: Api, secret: str) -> Api:
    return Api(api.http, secret, api.organization_id)


async def own_key_id(api: Api) -> str:
    keys = (await api.query(LIST))["apiKeys"]["nodes"]
    (own,) = [key for key in keys if api.key.startswith(key["prefix"])]
    return own["id"]


async def test_a_created_key_is_shown_once_and_listed_without_its_secret(api):
    created = await create_key(api, "VIEWER", name="Wallboard")
    secret, key = created["secret"], created["apiKey"]
    assert secret.startswith("sb_") and len(secret) >= 35
    assert key["name"] == "Wallboard" and key["role"] == "VIEWER" and key["usable"] is True
    assert secret.startswith(key["prefix"]) and len(key["prefix"]) < len(secret)
    assert key["lastUsedAt"] is None and key["revokedAt"] is None and key["expiresAt"] is None
    listing = await api.raw(LIST)
    assert secret not in listing.text
    names = {node["name"]: node["role"] for node in listing.json()["data"]["apiKeys"]["nodes"]}
    assert names["Wallboard"] == "VIEWER"
    assert (await as_key(api, secret).query(ORGANIZATION)) == {"organization": {"name": "Acme"}}


async def test_the_caller_sees_its_own_role(api):
    viewer = as_key(api, (await create_key(api, "VIEWER"))["secret"])
    caller = (await viewer.query("{ caller { role actor } }"))["caller"]
    assert caller["role"] == "VIEWER" and viewer.key.startswith(caller["actor"])


async def test_a_viewer_key_reads_and_cannot_change_anything(api):
    viewer = as_key(api, (await create_key(api, "VIEWER"))["secret"])
    refused = (await viewer.query(CREATE_WORKFLOW))["createWorkflow"]
    assert refused["workflow"] is None
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    assert "EDITOR" in refused["errors"][0]["message"]
    assert (await api.query("{ workflows { totalCount } }"))["workflows"]["totalCount"] == 0


async def test_an_editor_key_changes_configuration_but_not_keys(api):
    editor = as_key(api, (await create_key(api, "EDITOR"))["secret"])
    assert (await editor.query(CREATE_WORKFLOW))["createWorkflow"]["errors"] == []
    refused = (await editor.query(CREATE, {"input": {"name": "Mine", "role": "ADMIN"}}))["createApiKey"]
    assert refused["secret"] is None and refused["errors"][0]["code"] == "FORBIDDEN"
    response = (await editor.raw(LIST)).json()
    assert response["data"] == {"apiKeys": None}
    assert response["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_revoked_key_is_refused_at_once(api):
    created = await create_key(api, "EDITOR")
    editor = as_key(api, created["secret"])
    assert (await editor.raw(ORGANIZATION)).status_code == 200
    revoked = (await api.query(REVOKE, {"id": created["apiKey"]["id"]}))["revokeApiKey"]
    assert revoked["errors"] == [] and revoked["apiKey"]["revokedAt"] and revoked["apiKey"]["usable"] is False
    refused = await editor.raw(ORGANIZATION)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    again = (await api.query(REVOKE, {"id": created["apiKey"]["id"]}))["revokeApiKey"]
    assert again["errors"] == [] and again["apiKey"]["revokedAt"] == revoked["apiKey"]["revokedAt"]


async def test_an_expired_key_is_refused(server, api):
    created = await create_key(api, "VIEWER", expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    viewer = as_key(api, created["secret"])
    assert (await viewer.raw(ORGANIZATION)).status_code == 200
    async with server.db.write() as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == created["apiKey"]["databaseId"]).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    await asyncio.sleep(1)
    assert (await viewer.raw(ORGANIZATION)).status_code == 401


async def test_bad_key_inputs_are_refused_and_create_nothing(api):
    past = (await api.query(CREATE, {"input": {"name": "Old", "role": "VIEWER", "expiresAt": "2020-01-01T00:00:00Z"}}))
    blank = await api.query(CREATE, {"input": {"name": "  ", "role": "VIEWER"}})
    nul = await api.query(CREATE, {"input": {"name": "a\u0000b", "role": "VIEWER"}})
    for payload, field in ((past, "expiresAt"), (blank, "name"), (nul, "name")):
        result = payload["createApiKey"]
        assert result["secret"] is None and result["errors"][0]["code"] == "INVALID"
        assert result["errors"][0]["field"] == ["input", field]
    bad_role = await api.raw(CREATE, {"input": {"name": "x", "role": "OWNER"}})
    assert bad_role.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await api.query(LIST))["apiKeys"]["totalCount"] == 1


async def test_the_last_usable_admin_key_cannot_be_revoked(server, api):
    first = await own_key_id(api)
    refused = (await api.query(REVOKE, {"id": first}))["revokeApiKey"]
    assert refused["errors"][0]["code"] == "FAILED_PRECONDITION" and refused["apiKey"] is None
    # An expired ADMIN key does not count as a usable one.
    expiring = await create_key(api, "ADMIN", expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    async with server.db.write() as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == expiring["apiKey"]["databaseId"]).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert (await api.query(REVOKE, {"id": first}))["revokeApiKey"]["errors"][0]["code"] == "FAILED_PRECONDITION"
    second = as_key(api, (await create_key(api, "ADMIN", name="Second admin"))["secret"])
    assert (await second.query(REVOKE, {"id": first}))["revokeApiKey"]["errors"] == []
    assert (await api.raw(ORGANIZATION)).status_code == 401
    last = await own_key_id(second)
    assert (await second.query(REVOKE, {"id": last}))["revokeApiKey"]["errors"][0]["code"] == "FAILED_PRECONDITION"
    assert (await second.raw(ORGANIZATION)).status_code == 200


async def test_two_admins_revoking_each_other_at_once_leave_one(api):
    """Race-safe across connections: the organization's row is locked while the count is checked."""
    for _ in range(3):
        other = as_key(api, (await create_key(api, "ADMIN", name="Rival"))["secret"])
        mine, theirs = await own_key_id(api), await own_key_id(other)
        results = await asyncio.gather(api.query(REVOKE, {"id": theirs}), other.query(REVOKE, {"id": mine}))
        outcomes = sorted(result["revokeApiKey"]["errors"][0]["code"] if result["revokeApiKey"]["errors"] else "OK" for result in results)
        assert outcomes == ["FAILED_PRECONDITION", "OK"]
        survivor = api if (await api.raw(ORGANIZATION)).status_code == 200 else other
        usable_admins = [k for k in (await survivor.query(LIST))["apiKeys"]["nodes"] if k["role"] == "ADMIN" and k["usable"]]
        assert len(usable_admins) == 1
        api = survivor


async def test_another_organizations_key_is_not_found(api, other_api):
    theirs = await own_key_id(other_api)
    refused = (await api.query(REVOKE, {"id": theirs}))["revokeApiKey"]
    assert refused["errors"][0]["code"] == "NOT_FOUND"
    assert (await other_api.raw(ORGANIZATION)).status_code == 200
    assert theirs not in json.dumps(await api.query(LIST))


async def test_last_used_is_written_at_most_once_a_minute(server, api, sql):
    viewer = as_key(api, (await create_key(api, "VIEWER"))["secret"])
    already = len(sql.authentication)  # the admin key's own use
    for _ in range(5):
        await viewer.query(ORGANIZATION)
        await asyncio.sleep(0.3)
    touches = [s for s in sql.authentication[already:] if s.startswith("UPDATE")]
    assert len(touches) == 1, touches
    lookups = [s for s in sql.authentication[already:] if s.startswith("SELECT")]
    assert len(lookups) < 5, "a key read half a second ago is not read again"
    key = next(k for k in (await api.query(LIST))["apiKeys"]["nodes"] if viewer.key.startswith(k["prefix"]))
    first_use = datetime.fromisoformat(key["lastUsedAt"])
    async with server.db.write() as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == key["databaseId"]).values(last_used_at=first_use - timedelta(minutes=2))
        )
    await asyncio.sleep(0.6)
    await viewer.query(ORGANIZATION)
    key = next(k for k in (await api.query(LIST))["apiKeys"]["nodes"] if viewer.key.startswith(k["prefix"]))
    assert datetime.fromisoformat(key["lastUsedAt"]) > first_use - timedelta(minutes=1)


# --- several processes ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_processes(database_url, server, tmp_path_factory):
    """Two `switchboard serve` processes on the same database, each on its own port, so that a
    test knows which one it talks to."""
    env = serve_environment(database_url)
    cwd = tmp_path_factory.mktemp("key-workers")
    with switchboard_serve(env, cwd, free_port()) as first, switchboard_serve(env, cwd, free_port()) as second:
        yield first.url, second.url


async def test_a_key_revoked_on_one_worker_is_refused_by_another_within_a_second(api, two_processes):
    first_url, second_url = two_processes
    created = await create_key(api, "EDITOR")
    headers = {"X-API-Key": created["secret"]}
    body = {"query": ORGANIZATION}
    async with httpx.AsyncClient(base_url=first_url) as first, httpx.AsyncClient(base_url=second_url) as second:
        assert (await second.post("/graphql", json=body, headers=headers)).status_code == 200  # remembered there
        admin = {"X-API-Key": api.key}
        revoked = await first.post("/graphql", json={"query": REVOKE, "variables": {"id": created["apiKey"]["id"]}}, headers=admin)
        assert revoked.json()["data"]["revokeApiKey"]["errors"] == []
        started = time.monotonic()
        while (await second.post("/graphql", json=body, headers=headers)).status_code == 200:
            await asyncio.sleep(0.05)
        assert time.monotonic() - started < 1.0, "the other worker still accepted the key after a second"


# --- the command line ----------------------------------------------------------------------------


def run(env, cwd, *args) -> subprocess.CompletedProcess:
    return subprocess.run([SWITCHBOARD, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_cli_creates_lists_and_revokes_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env["SWITCHBOARD_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    env["SWITCHBOARD_SECRET_KEY"] = TEST_SECRET_KEY
    org = json.loads(run(env, tmp_path, "org", "create", "Acme", "--json").stdout)
    org_id = str(org["organization_id"])
    viewer = run(env, tmp_path, "apikey", "create", "--org", org_id, "--name", "Wallboard", "--role", "VIEWER", "--json")
    assert viewer.returncode == 0, viewer.stderr
    viewer_key = json.loads(viewer.stdout)["api_key"]
    listed = json.loads(run(env, tmp_path, "apikey", "list", "--org", org_id, "--json").stdout)
    assert [(key["name"], key["role"]) for key in listed] == [("First admin key", "ADMIN"), ("Wallboard", "VIEWER")]
    assert org["api_key"] not in json.dumps(listed) and viewer_key not in json.dumps(listed)
    assert viewer_key.startswith(listed[1]["prefix"])
    text = run(env, tmp_path, "apikey", "list", "--org", org_id)
    assert "Wallboard" in text.stdout and "VIEWER" in text.stdout and viewer_key not in text.stdout

    last_admin = run(env, tmp_path, "apikey", "revoke", "--org", org_id, str(listed[0]["id"]))
    assert last_admin.returncode == 2 and "last usable ADMIN key" in last_admin.stderr
    revoked = run(env, tmp_path, "apikey", "revoke", "--org", org_id, str(listed[1]["id"]))
    assert revoked.returncode == 0, revoked.stderr
    after = json.loads(run(env, tmp_path, "apikey", "list", "--org", org_id, "--json").stdout)
    assert after[1]["revoked_at"] is not None and after[0]["revoked_at"] is None

    with switchboard_serve(env, tmp_path, free_port()) as served:
        refused = httpx.post(f"{served.url}/graphql", json={"query": ORGANIZATION}, headers={"X-API-Key": viewer_key})
        assert refused.status_code == 401
        events = httpx.post(
            f"{served.url}/graphql",
            json={"query": "{ auditEvents { nodes { actor action targetId } } }"},
            headers={"X-API-Key": org["api_key"]},
        ).json()["data"]["auditEvents"]["nodes"]
    assert [(event["actor"], event["action"]) for event in events] == [("cli", "revokeApiKey"), ("cli", "createApiKey")]
    assert events[0]["targetId"] == to_global_id("ApiKey", listed[1]["id"])
    assert from_global_id(events[0]["targetId"]) == ("ApiKey", listed[1]["id"])

    missing = run(env, tmp_path, "apikey", "list", "--org", "999999")
    assert missing.returncode == 1 and "does not exist" in missing.stderr
