"""Unexpected failures are masked: a generic message, a code and a request id; details only in the log."""

import hashlib

import httpx
import pytest
from conftest import TEST_SECRET_KEY, running_server
from switchboard.server.settings import Settings


@pytest.fixture
async def broken_server(tmp_path):
    """A server whose database was never migrated: every query fails inside the server."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", secret_key=TEST_SECRET_KEY)
    async with running_server(settings, migrated=False) as running:
        yield running.url


async def test_failure_during_authentication_is_a_masked_500(broken_server, caplog):
    async with httpx.AsyncClient(base_url=broken_server) as client:
        response = await client.post(
            "/graphql", json={"query": "{ organization { name } }"}, headers={"X-API-Key": "sb_" + "k" * 43}
        )
    assert response.status_code == 500
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"]
    assert "no such table" not in response.text
    assert any(error["extensions"]["requestId"] in record.getMessage() for record in caplog.records)


async def test_the_log_of_a_database_failure_carries_no_statement_parameters(broken_server, caplog):
    """The failed statement's parameters (here the key's hash; elsewhere encrypted credentials or
    tenants' text) stay out of the log: the engines hide them."""
    key = "sb_" + "p" * 43
    async with httpx.AsyncClient(base_url=broken_server) as client:
        response = await client.post("/graphql", json={"query": "{ organization { name } }"}, headers={"X-API-Key": key})
    assert response.status_code == 500
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "no such table" in logged, "the failure itself is logged"
    assert hashlib.sha256(key.encode()).hexdigest() not in logged
    assert "parameters hidden" in logged
