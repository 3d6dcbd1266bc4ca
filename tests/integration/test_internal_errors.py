"""Unexpected failures are masked: a generic message, a code and a request id; details only in the log."""

import hashlib

import httpx
import pytest
from conftest import TEST_SECRET_KEY, running_server
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from switchboard.db.engine import create_database
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


async def test_a_failed_statement_run_through_sqlalchemy_names_no_parameter(tmp_path):
    """Writes run through SQLAlchemy, whose errors would quote their parameters (encrypted
    credentials, tenants' text); the engines hide them."""
    db = create_database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(OperationalError) as failure:
            async with db.write() as session:
                await session.execute(text("INSERT INTO telephony_configs (name) VALUES (:name)"), {"name": "secret-name"})
    finally:
        await db.dispose()
    assert "secret-name" not in str(failure.value)
    assert "parameters hidden" in str(failure.value)
