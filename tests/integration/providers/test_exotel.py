"""Exotel against its fake: credential checks over the v2_beta API, and no inbound sync (ExoPhones
can only point at Exotel flows, which are built in the Exotel dashboard)."""

import secrets
from urllib.parse import parse_qs

import httpx
import pytest
from conftest import PUBLIC_BASE_URL
from helpers import create_config, create_number, create_workflow

VERIFY = """
mutation($id: ID!) { verifyTelephonyConfig(input: {id: $id}) {
  verification { status message } telephonyConfig { lastVerification { status message } } errors { code } } }"""
CLEAR = """
mutation($id: ID!) { clearInboundWorkflow(input: {phoneNumberId: $id}) {
  phoneNumber { inboundWorkflowId lastProviderSync { ok action message } } providerSync { ok action message } errors { code } } }"""
FLOW_URL = "http://my.exotel.com/{sid}/exoml/start_voice/12345"


def credentials(subdomain: str = "api.in.exotel.com") -> dict[str, str]:
    return {
        "accountSid": "acme" + secrets.token_hex(4),
        "apiKey": secrets.token_hex(8),
        "apiToken": secrets.token_hex(8),
        "subdomain": subdomain,
    }


@pytest.fixture
def exotel(fakes):
    return fakes["exotel"]


@pytest.fixture
def account(exotel):
    """Credentials of a fresh account with two ExoPhones on the cluster the fake stands for."""
    creds = credentials()
    exotel.add_account(creds["accountSid"], creds["apiKey"], creds["apiToken"])
    exotel.add_number(creds["accountSid"], "+918030752400", voice_url=FLOW_URL.format(sid=creds["accountSid"]))
    exotel.add_number(creds["accountSid"], "+918030752401")
    return creds


async def verify(api, creds: dict[str, str]) -> dict:
    config = (await create_config(api, "Exotel", {"exotel": creds}))["telephonyConfig"]
    return (await api.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]


async def test_verify_lists_the_exophones_with_basic_auth(synced_api, exotel, account):
    payload = await verify(synced_api, account)
    sid = account["accountSid"]
    expected = f"Exotel accepted the API key and token of account '{sid}' on api.in.exotel.com (2 ExoPhones)."
    assert payload["verification"] == {"status": "VERIFIED", "message": expected}
    assert payload["telephonyConfig"]["lastVerification"] == {"status": "VERIFIED", "message": expected}
    [request] = exotel.requests
    assert (request.method, request.path) == ("GET", f"/v2_beta/Accounts/{sid}/IncomingPhoneNumbers")
    assert request.basic_auth == (account["apiKey"], account["apiToken"])


async def test_verify_counts_every_page(synced_api, exotel, account, monkeypatch):
    monkeypatch.setattr(exotel, "page_size", 2)
    exotel.add_number(account["accountSid"], "+918030752402")
    payload = await verify(synced_api, account)
    assert payload["verification"]["status"] == "VERIFIED"
    assert "(3 ExoPhones)" in payload["verification"]["message"]
    first, second = exotel.requests
    assert first.query == {}
    assert second.query == {"Page": ["1"], "PageSize": ["2"]}
    assert second.basic_auth == (account["apiKey"], account["apiToken"])


async def test_wrong_token_is_rejected_with_a_region_hint_and_no_secret(synced_api, exotel, account):
    wrong = {**account, "apiToken": secrets.token_hex(8)}
    payload = await verify(synced_api, wrong)
    verification = payload["verification"]
    assert verification["status"] == "REJECTED"
    assert verification["message"].startswith("Exotel rejected the credentials (HTTP 401).")
    assert "api.exotel.com (Singapore)" in verification["message"]
    assert wrong["apiToken"] not in str(payload) and wrong["apiKey"] not in str(payload)
    assert exotel.requests[-1].basic_auth == (wrong["apiKey"], wrong["apiToken"])


async def test_account_on_the_other_cluster_hints_at_the_region(synced_api, exotel):
    # The fake is the Mumbai cluster; an account it does not know answers 401 like the real API.
    creds = credentials(subdomain="api.exotel.com")
    payload = await verify(synced_api, creds)
    verification = payload["verification"]
    assert verification["status"] == "REJECTED"
    assert "choose that Region instead of api.exotel.com" in verification["message"]
    assert "api.in.exotel.com (Mumbai)" in verification["message"]
    body = exotel.requests[-1]
    assert body.path == f"/v2_beta/Accounts/{creds['accountSid']}/IncomingPhoneNumbers"


async def test_429_in_exotel_shape_is_retried(synced_api, exotel, account):
    exotel.fail_next("status", status=429, retry_after="0")
    payload = await verify(synced_api, account)
    assert payload["verification"]["status"] == "VERIFIED"
    assert len(exotel.sent("GET", "IncomingPhoneNumbers")) == 2


async def test_fake_answers_errors_in_the_rest_exception_shape(exotel, account):
    async with httpx.AsyncClient(base_url=exotel.url) as client:
        url = f"/v2_beta/Accounts/{account['accountSid']}/IncomingPhoneNumbers"
        denied = await client.get(url, auth=(account["apiKey"], "wrong"))
        assert denied.status_code == 401
        assert denied.json() == {"RestException": {"Status": 401, "Message": "Authentication is required to view this page."}}
        sid = exotel.number(account["accountSid"], "+918030752401").sid
        refused = await client.put(
            f"{url}/{sid}", data={"VoiceUrl": "https://switchboard.example.test/x"}, auth=(account["apiKey"], account["apiToken"])
        )
        assert refused.status_code == 400 and "RestException" in refused.json()


async def test_binding_reports_the_flow_to_build_as_a_manual_step_and_commits(synced_api, exotel, account):
    config = (await create_config(synced_api, "Exotel", {"exotel": account}))["telephonyConfig"]
    workflow = await create_workflow(synced_api, "Reception")
    exotel.reset()
    payload = await create_number(synced_api, config["id"], "+918030752401", inboundWorkflowId=workflow)
    assert payload["errors"] == []
    assert payload["providerSync"] == {"ok": True}
    number = payload["phoneNumber"]
    assert number["inboundWorkflowName"] == "Reception"
    # Exotel signs nothing: the URL to paste names the account and carries the configuration's token.
    url = number["inboundWebhookUrl"]
    base, _, query = url.partition("?")
    token = parse_qs(query)["token"][0]
    assert base == f"{PUBLIC_BASE_URL}/telephony/exotel/inbound"
    assert parse_qs(query) == {"account": [account["accountSid"]], "token": [token]} and len(token) >= 32
    sync = number["lastProviderSync"]
    assert (sync["ok"], sync["action"]) == (True, "MANUAL_STEP")
    assert f"a synchronous Passthru applet with the URL {url}; on 200 OK, a Voicebot applet with the same URL" in sync["message"]
    assert "/status in place of /inbound" in sync["message"] and "on 302, a Greeting" in sync["message"]
    assert sync["message"].endswith("Assign the ExoPhone +918030752401 to that flow.")

    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["phoneNumber"]["inboundWorkflowId"] is None
    undo = cleared["providerSync"]
    assert (undo["ok"], undo["action"]) == (True, "MANUAL_STEP")
    assert undo["message"].startswith("Switchboard no longer takes the calls of +918030752401: it refuses them")
    assert "assign the ExoPhone to another flow" in undo["message"]
    assert cleared["phoneNumber"]["lastProviderSync"] == undo
    assert exotel.requests == []
    flow = FLOW_URL.format(sid=account["accountSid"])
    assert exotel.number(account["accountSid"], "+918030752400").voice_url == flow


async def test_a_manual_step_is_no_sync_failure(synced_api, exotel, account):
    config = (await create_config(synced_api, "Exotel", {"exotel": account}))["telephonyConfig"]
    workflow = await create_workflow(synced_api, "Reception")
    await create_number(synced_api, config["id"], "+918030752401", inboundWorkflowId=workflow)
    warnings = await synced_api.query("{ telephonyConfigWarnings { items(code: PROVIDER_SYNC_FAILED) { message } } }")
    assert warnings["telephonyConfigWarnings"]["items"] == []
