"""Asterisk ARI against its fake: credential checks over /ari/asterisk/info, and no inbound sync
(calls reach the ARI application only through the dialplan's Stasis())."""

import secrets

import httpx
import pytest
from helpers import UPDATE_NUMBER, create_config, create_number, create_workflow

VERIFY = """
mutation($id: ID!) { verifyTelephonyConfig(input: {id: $id}) {
  verification { status message } telephonyConfig { lastVerification { status message } } errors { code } } }"""
DELETE = """
mutation($id: ID!) { deletePhoneNumber(input: {id: $id}) { deletedId providerSync { ok action message } errors { code } } }"""
RESYNC = """
mutation($id: ID!) { resyncPhoneNumber(input: {phoneNumberId: $id}) { providerSync { ok action message } errors { code } } }"""


def credentials(endpoint: str = "http://pbx-{host}.example.com:8088") -> dict[str, str]:
    return {
        "ariEndpoint": endpoint.format(host=secrets.token_hex(4)),
        "appName": "switchboard_" + secrets.token_hex(6),
        "appPassword": "pw " + secrets.token_hex(8),
    }


async def verify(api, creds: dict[str, str]) -> dict:
    config = (await create_config(api, "PBX", {"ari": creds}))["telephonyConfig"]
    return (await api.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]


def host(creds: dict[str, str]) -> str:
    return creds["ariEndpoint"].split("://", 1)[1].split("/", 1)[0]


@pytest.fixture
def user(fakes):
    """Credentials of a fresh ari.conf user on the Asterisk the fake stands for."""
    creds = credentials()
    fakes["ari"].add_user(creds["appName"], creds["appPassword"])
    return creds


@pytest.fixture
def ari(fakes):
    return fakes["ari"]


async def test_verify_reads_the_asterisk_version_with_basic_auth(synced_api, ari, user):
    payload = await verify(synced_api, user)
    expected = f"Asterisk 20.5.0 at {host(user)} accepted the ARI user '{user['appName']}'."
    assert payload["verification"] == {"status": "VERIFIED", "message": expected}
    assert payload["telephonyConfig"]["lastVerification"] == {"status": "VERIFIED", "message": expected}
    [request] = ari.requests
    assert (request.method, request.path, request.query) == ("GET", "/ari/asterisk/info", {})
    assert request.basic_auth == (user["appName"], user["appPassword"])


async def test_endpoint_path_is_kept_without_a_trailing_slash(synced_api, ari):
    creds = credentials("https://pbx-{host}.example.com:8089/asterisk/")
    ari.add_user(creds["appName"], creds["appPassword"])
    ari.prefix = "/asterisk"
    payload = await verify(synced_api, creds)
    assert payload["verification"]["status"] == "VERIFIED"
    assert [r.path for r in ari.requests] == ["/asterisk/ari/asterisk/info"]


async def test_wrong_password_is_rejected_without_the_secret(synced_api, ari, user):
    wrong = {**user, "appPassword": "nope-" + secrets.token_hex(6)}
    payload = await verify(synced_api, wrong)
    verification = payload["verification"]
    assert verification["status"] == "REJECTED"
    assert verification["message"].startswith("Asterisk ARI rejected the credentials (HTTP 401).")
    assert f"[{user['appName']}]" in verification["message"] and "ari.conf" in verification["message"]
    assert wrong["appPassword"] not in str(payload)
    assert ari.requests[-1].basic_auth == (wrong["appName"], wrong["appPassword"])


async def test_not_booted_asterisk_is_unreachable_after_retries(synced_api, ari, user):
    ari.booted = False
    payload = await verify(synced_api, user)
    verification = payload["verification"]
    assert verification["status"] == "UNREACHABLE"
    assert "HTTP 503" in verification["message"] and "booted" in verification["message"]
    assert len(ari.sent("GET", "/ari/asterisk/info")) == 3


async def test_fake_speaks_res_ari(ari, user):
    async with httpx.AsyncClient(base_url=ari.url) as client:
        denied = await client.get("/ari/asterisk/info")
        assert denied.status_code == 401 and denied.json() == {"message": "Authentication required"}
        assert denied.headers["www-authenticate"] == 'Basic realm="Asterisk REST Interface"'
        auth = (user["appName"], user["appPassword"])
        slash = await client.get("/ari/asterisk/info/", auth=auth)
        assert slash.status_code == 404 and "do not end with a slash" in slash.json()["message"]
        by_key = await client.get("/ari/asterisk/info", params={"api_key": f"{auth[0]}:{auth[1]}"})
        assert by_key.status_code == 200 and by_key.json()["system"]["version"] == "20.5.0"
        ari.booted = False
        starting = await client.get("/ari/asterisk/info", auth=auth)
        assert starting.status_code == 503 and starting.json() == {"message": "Asterisk not booted"}


async def test_binding_reports_the_dialplan_step_and_commits(synced_api, ari, user):
    config = (await create_config(synced_api, "PBX", {"ari": user}))["telephonyConfig"]
    extension = (await create_number(synced_api, config["id"], "1000"))["phoneNumber"]
    assert extension["addressType"] == "SIP_EXTENSION" and extension["lastProviderSync"] is None
    ari.reset()
    workflow = await create_workflow(synced_api, "Reception")
    bound = await synced_api.query(UPDATE_NUMBER, {"input": {"id": extension["id"], "inboundWorkflowId": workflow}})
    result = bound["updatePhoneNumber"]
    assert result["errors"] == [] and result["phoneNumber"]["inboundWorkflowName"] == "Reception"
    sync = result["phoneNumber"]["lastProviderSync"]
    assert (sync["ok"], sync["action"]) == (True, "MANUAL_STEP")
    message = sync["message"]
    assert "exten => 1000,1,Stasis(<app name>)" in message and "dialplan reload" in message
    assert "over Asterisk's WebSocket" in message and "does not answer ARI calls" in message
    resync = (await synced_api.query(RESYNC, {"id": extension["id"]}))["resyncPhoneNumber"]
    assert resync["providerSync"] == {"ok": True, "action": "MANUAL_STEP", "message": message}
    deleted = (await synced_api.query(DELETE, {"id": extension["id"]}))["deletePhoneNumber"]
    assert deleted["errors"] == [] and deleted["deletedId"] == extension["id"]
    undo = deleted["providerSync"]
    assert (undo["ok"], undo["action"]) == (True, "MANUAL_STEP")
    assert "remove the Stasis(<app name>) line that routes 1000" in undo["message"]
    assert ari.requests == []
