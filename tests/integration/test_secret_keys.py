"""SPEC §3: secrets encrypted with rotatable keys; a wrong key is a masked internal error."""

import httpx
from conftest import TEST_SECRET_KEY, running_server
from cryptography.fernet import Fernet
from helpers import UPDATE_CONFIG, Api, create_config
from switchboard.db.models import TelephonyConfig


async def test_rotation_new_key_first_still_reads_old_secrets(api, settings, server):
    config = (await create_config(api))["telephonyConfig"]
    new_key = Fernet.generate_key().decode()
    rotated = settings.model_copy(update={"secret_key": f"{new_key},{TEST_SECRET_KEY}"})
    async with running_server(rotated, migrated=False) as second, httpx.AsyncClient(base_url=second.url) as client:
        payload = await Api(client, api.key, api.organization_id).query(
            UPDATE_CONFIG, {"input": {"id": config["id"], "credentials": {"twilio": {"authToken": "b" * 32}}}}
        )
    assert payload["updateTelephonyConfig"]["errors"] == []
    assert payload["updateTelephonyConfig"]["telephonyConfig"]["credentials"]["accountSid"] == api.twilio["accountSid"]
    async with server.db.read() as session:
        row = await session.get(TelephonyConfig, config["databaseId"])
    assert Fernet(new_key).decrypt(row.credentials["authToken"].encode()).decode() == "b" * 32


async def test_wrong_key_is_masked_internal_error_without_secrets(api, settings, http, caplog):
    config = (await create_config(api))["telephonyConfig"]
    wrong = settings.model_copy(update={"secret_key": Fernet.generate_key().decode()})
    async with running_server(wrong, migrated=False) as server:
        response = await http.post(
            f"{server.url}/graphql",
            json={"query": UPDATE_CONFIG, "variables": {"input": {"id": config["id"], "credentials": {"twilio": {}}}}},
            headers={"X-API-Key": api.key},
        )
    body = response.json()
    error = body["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"]
    assert api.twilio["authToken"] not in response.text
    assert api.twilio["authToken"] not in caplog.text
    assert "cannot be decrypted" in caplog.text
