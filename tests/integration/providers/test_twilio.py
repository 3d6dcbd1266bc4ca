"""Twilio against its fake: credential checks and inbound-webhook sync with the real wire format."""

import httpx
import pytest
from conftest import PUBLIC_BASE_URL
from helpers import UPDATE_NUMBER, create_config, create_number, create_workflow

INBOUND_URL = f"{PUBLIC_BASE_URL}/telephony/twilio/inbound"
STATUS_URL = f"{PUBLIC_BASE_URL}/telephony/twilio/status"
OTHER_URL = "https://other.example.com/voice"
NUMBER = "+14155550100"
VERIFY = """
mutation($id: ID!) { verifyTelephonyConfig(input: {id: $id}) {
  verification { status message checkedAt } telephonyConfig { lastVerification { status message } } errors { code } } }"""
CLEAR = """
mutation($id: ID!) { clearInboundWorkflow(input: {phoneNumberId: $id}) {
  phoneNumber { inboundWorkflowId lastProviderSync { ok action message } } providerSync { ok action message } errors { code } } }"""
RESYNC = """
mutation($id: ID!) { resyncPhoneNumber(input: {phoneNumberId: $id}) { providerSync { ok action message } errors { code } } }"""
DELETE = """
mutation($id: ID!, $force: Boolean) { deletePhoneNumber(input: {id: $id, force: $force}) {
  deletedId providerSync { ok action message } errors { code message } } }"""


@pytest.fixture
def twilio(fakes, synced_api):
    fake = fakes["twilio"]
    fake.add_account(synced_api.twilio["accountSid"], synced_api.twilio["authToken"])
    return fake


@pytest.fixture
async def bound(synced_api, twilio):
    """A configuration, a workflow and +14155550100 owned at Twilio next to a partial-match decoy."""
    sid = synced_api.twilio["accountSid"]
    twilio.add_number(sid, "+141555501000", voice_url="https://elsewhere.example/decoy")
    twilio.add_number(sid, "+14155550100")
    config = (await create_config(synced_api))["telephonyConfig"]
    workflow = await create_workflow(synced_api, "Reception")
    return config, workflow


async def test_verify_stores_verified(synced_api, twilio):
    config = (await create_config(synced_api, verify=True))["telephonyConfig"]
    data = await synced_api.query(VERIFY, {"id": config["id"]})
    payload = data["verifyTelephonyConfig"]
    assert payload["verification"]["status"] == "VERIFIED"
    assert payload["telephonyConfig"]["lastVerification"]["status"] == "VERIFIED"
    request = twilio.sent("GET", ".json")[-1]
    assert request.path == f"/2010-04-01/Accounts/{synced_api.twilio['accountSid']}.json"
    assert request.basic_auth == (synced_api.twilio["accountSid"], synced_api.twilio["authToken"])


async def test_create_with_verify_reports_rejected_credentials(synced_api, twilio):
    wrong = {**synced_api.twilio, "authToken": "0" * 32}
    payload = await synced_api.query(
        "mutation($input: CreateTelephonyConfigInput!) { createTelephonyConfig(input: $input) { telephonyConfig { id readyForOutbound outboundBlockedReason warnings { code } } verification { status message } errors { code } } }",
        {"input": {"name": "Wrong", "credentials": {"twilio": wrong}, "verify": True}},
    )
    result = payload["createTelephonyConfig"]
    assert result["errors"] == []
    assert result["verification"] == {"status": "REJECTED", "message": "Twilio rejected the credentials (HTTP 401)."}
    assert result["telephonyConfig"]["readyForOutbound"] is False
    assert "CREDENTIALS_NOT_VERIFIED" in [w["code"] for w in result["telephonyConfig"]["warnings"]]
    assert "0" * 32 not in str(payload)


async def test_binding_attaches_the_exact_number(synced_api, twilio, bound):
    config, workflow = bound
    payload = await create_number(synced_api, config["id"], "+1 415 555 0100", inboundWorkflowId=workflow)
    assert payload["providerSync"] == {"ok": True}
    sid = synced_api.twilio["accountSid"]
    assert twilio.number(sid, "+14155550100").voice_url == INBOUND_URL
    assert twilio.number(sid, "+141555501000").voice_url == "https://elsewhere.example/decoy"
    lookup = twilio.sent("GET", "IncomingPhoneNumbers.json")[-1]
    assert lookup.query["PhoneNumber"] == ["+14155550100"]
    update = twilio.sent("POST")[-1]
    assert update.form == {
        "VoiceUrl": INBOUND_URL,
        "VoiceMethod": "POST",
        "VoiceApplicationSid": "",
        "TrunkSid": "",
        "StatusCallback": STATUS_URL,
        "StatusCallbackMethod": "POST",
    }
    assert twilio.number(sid, "+14155550100").status_callback == STATUS_URL
    assert payload["phoneNumber"]["lastProviderSync"]["message"] == (
        "Twilio now sends inbound calls to +14155550100 to Switchboard."
    )
    number = payload["phoneNumber"]
    assert number["inboundWebhookUrl"] == INBOUND_URL
    assert number["lastProviderSync"]["ok"] is True and number["lastProviderSync"]["action"] == "ATTACH"


async def test_rebinding_and_label_edits_make_no_provider_call(synced_api, twilio, bound):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    other = await create_workflow(synced_api, "Sales")
    twilio.reset()
    await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "inboundWorkflowId": other, "label": "Main"}})
    await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "extraMetadata": {"a": 1}}})
    assert twilio.requests == []


async def test_clear_detaches_and_deactivate_reactivate_syncs(synced_api, twilio, bound):
    config, workflow = bound
    sid = synced_api.twilio["accountSid"]
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    off = await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": False}})
    assert off["updatePhoneNumber"]["phoneNumber"]["lastProviderSync"]["action"] == "DETACH"
    assert twilio.number(sid, "+14155550100").voice_url == ""
    on = await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": True}})
    assert on["updatePhoneNumber"]["phoneNumber"]["lastProviderSync"]["action"] == "ATTACH"
    assert twilio.number(sid, "+14155550100").voice_url == INBOUND_URL
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["ok"] is True and cleared["providerSync"]["action"] == "DETACH"
    assert twilio.number(sid, "+14155550100").voice_url == ""


async def test_detach_leaves_a_url_that_is_not_ours(synced_api, twilio, bound):
    config, workflow = bound
    sid = synced_api.twilio["accountSid"]
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    twilio.number(sid, "+14155550100").voice_url = "https://someone-else.example/voice"
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["ok"] is True
    assert twilio.number(sid, "+14155550100").voice_url == "https://someone-else.example/voice"


async def test_number_missing_at_twilio_is_a_helpful_failure_and_the_write_stays(synced_api, twilio, bound):
    config, workflow = bound
    payload = await create_number(synced_api, config["id"], "+14155550199", inboundWorkflowId=workflow)
    assert payload["errors"] == []
    assert payload["phoneNumber"]["inboundWorkflowName"] == "Reception"
    sync = payload["phoneNumber"]["lastProviderSync"]
    assert sync["ok"] is False and sync["message"] == "+14155550199 is not in this Twilio account."
    warnings = await synced_api.query(
        "{ telephonyConfigWarnings { items(code: PROVIDER_SYNC_FAILED) { phoneNumber { id } message } } }"
    )
    assert warnings["telephonyConfigWarnings"]["items"][0]["phoneNumber"]["id"] == payload["phoneNumber"]["id"]
    twilio.add_number(synced_api.twilio["accountSid"], "+14155550199")
    resync = (await synced_api.query(RESYNC, {"id": payload["phoneNumber"]["id"]}))["resyncPhoneNumber"]
    assert resync["providerSync"]["ok"] is True and resync["providerSync"]["action"] == "ATTACH"
    warnings = await synced_api.query("{ telephonyConfigWarnings { items(code: PROVIDER_SYNC_FAILED) { message } } }")
    assert warnings["telephonyConfigWarnings"]["items"] == []


async def test_delete_keeps_the_number_when_detach_fails_unless_forced(synced_api, twilio, bound):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    twilio.fail_next("status", status=500, times=3)
    kept = (await synced_api.query(DELETE, {"id": number["id"]}))["deletePhoneNumber"]
    assert kept["deletedId"] is None
    assert kept["errors"][0]["code"] == "PROVIDER_ERROR"
    assert "force" in kept["errors"][0]["message"]
    assert kept["providerSync"]["ok"] is False
    assert (await synced_api.query("query($id: ID!) { phoneNumber(id: $id) { id } }", {"id": number["id"]}))["phoneNumber"]
    twilio.fail_next("status", status=500, times=3)
    forced = (await synced_api.query(DELETE, {"id": number["id"], "force": True}))["deletePhoneNumber"]
    assert forced["deletedId"] == number["id"] and forced["providerSync"]["ok"] is False


async def test_delete_detaches_first(synced_api, twilio, bound):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    deleted = (await synced_api.query(DELETE, {"id": number["id"]}))["deletePhoneNumber"]
    assert deleted["deletedId"] == number["id"]
    assert deleted["providerSync"]["action"] == "DETACH" and deleted["providerSync"]["ok"] is True
    assert twilio.number(synced_api.twilio["accountSid"], "+14155550100").voice_url == ""


async def test_delete_config_reports_each_detach(synced_api, twilio, bound):
    config, workflow = bound
    sid = synced_api.twilio["accountSid"]
    twilio.add_number(sid, "+14155550101", voice_url="https://other.example.com/voice", voice_method="GET")
    await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    await create_number(synced_api, config["id"], "+14155550101", inboundWorkflowId=workflow)
    await create_number(synced_api, config["id"], "+14155550102")  # unbound: nothing to detach
    data = await synced_api.query(
        "mutation($id: ID!) { deleteTelephonyConfig(input: {id: $id}) { deletedId providerSync { ok action message } errors { code } } }",
        {"id": config["id"]},
    )
    payload = data["deleteTelephonyConfig"]
    assert payload["deletedId"] == config["id"]
    assert [(s["ok"], s["action"]) for s in payload["providerSync"]] == [(True, "DETACH"), (True, "DETACH")]
    assert twilio.number(sid, "+14155550100").voice_url == ""
    restored = twilio.number(sid, "+14155550101")
    assert (restored.voice_url, restored.voice_method) == ("https://other.example.com/voice", "GET")


async def test_without_public_base_url_attach_says_which_setting_is_missing(api, fakes):
    config = (await create_config(api))["telephonyConfig"]
    workflow = await create_workflow(api, "Reception")
    payload = await create_number(api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    sync = payload["phoneNumber"]["lastProviderSync"]
    assert sync["ok"] is False and "SWITCHBOARD_PUBLIC_BASE_URL" in sync["message"]
    assert fakes["twilio"].requests == []


def sync_of(payload: dict) -> dict:
    return {k: v for k, v in payload["lastProviderSync"].items() if k != "at"}


async def test_attach_takes_the_number_off_its_trunk_and_clear_puts_it_back(synced_api, twilio, bound):
    config, workflow = bound
    sid = synced_api.twilio["accountSid"]
    trunk = twilio.new_sid("TK")
    on_trunk = twilio.number(sid, NUMBER)
    on_trunk.voice_url, on_trunk.trunk_sid = OTHER_URL, trunk
    assert twilio.destination(sid, NUMBER) == f"trunk {trunk}"
    number = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
    assert sync_of(number) == {
        "ok": True,
        "action": "ATTACH",
        "message": f"Twilio now sends inbound calls to {NUMBER} to Switchboard. It replaced SIP trunk {trunk} and "
        f"voice URL {OTHER_URL} (POST); Switchboard keeps that and puts it back when the number is unbound.",
    }
    # A number on a trunk ignores its voice URL: calls reach Switchboard only once it is off the trunk.
    assert twilio.destination(sid, NUMBER) == INBOUND_URL
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]["providerSync"]
    assert (cleared["ok"], cleared["action"]) == (True, "DETACH")
    assert cleared["message"] == (
        f"Twilio no longer sends inbound calls to {NUMBER} to Switchboard; Switchboard put back "
        f"SIP trunk {trunk} and voice URL {OTHER_URL} (POST)."
    )
    assert twilio.sent("POST")[-1].form == {"VoiceUrl": OTHER_URL, "VoiceMethod": "POST", "TrunkSid": trunk, "StatusCallback": ""}
    assert twilio.destination(sid, NUMBER) == f"trunk {trunk}"
    assert twilio.number(sid, NUMBER).voice_url == OTHER_URL


async def test_an_application_shared_with_another_number_is_given_back(synced_api, twilio, bound):
    config, workflow = bound
    sid = synced_api.twilio["accountSid"]
    application = twilio.add_application(sid, "https://ivr.example.com/answer")
    twilio.number(sid, NUMBER).voice_application_sid = application
    sibling = twilio.add_number(sid, "+14155550111", application=application)
    number = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
    assert f"It replaced application {application};" in number["lastProviderSync"]["message"]
    assert twilio.destination(sid, NUMBER) == INBOUND_URL
    assert sibling.voice_application_sid == application
    assert twilio.accounts[sid].applications[application] == "https://ivr.example.com/answer"
    deleted = (await synced_api.query(DELETE, {"id": number["id"]}))["deletePhoneNumber"]
    assert deleted["providerSync"]["ok"] is True and deleted["deletedId"] == number["id"]
    assert deleted["providerSync"]["message"].endswith(f"Switchboard put back application {application}.")
    assert twilio.destination(sid, NUMBER) == "https://ivr.example.com/answer"
    assert twilio.number(sid, NUMBER).voice_url == ""


async def test_another_voice_url_and_status_callback_are_put_back_exactly(synced_api, twilio, bound):
    config, workflow = bound
    sid = synced_api.twilio["accountSid"]
    before = twilio.number(sid, NUMBER)
    before.voice_url, before.voice_method = OTHER_URL, "GET"
    before.status_callback, before.status_callback_method = "https://crm.example.com/calls", "GET"
    number = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
    assert number["lastProviderSync"]["message"] == (
        f"Twilio now sends inbound calls to {NUMBER} to Switchboard. It replaced voice URL {OTHER_URL} (GET) and "
        "status callback https://crm.example.com/calls; Switchboard keeps that and puts it back when the number is unbound."
    )
    assert (before.voice_url, before.voice_method, before.status_callback) == (INBOUND_URL, "POST", STATUS_URL)
    # Attaching again finds Switchboard there: the routing kept the first time is still the one restored.
    resync = (await synced_api.query(RESYNC, {"id": number["id"]}))["resyncPhoneNumber"]
    assert resync["providerSync"] == {
        "ok": True,
        "action": "ATTACH",
        "message": f"Twilio now sends inbound calls to {NUMBER} to Switchboard.",
    }
    off = await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": False}})
    assert off["updatePhoneNumber"]["phoneNumber"]["lastProviderSync"]["message"] == (
        f"Twilio no longer sends inbound calls to {NUMBER} to Switchboard; Switchboard put back "
        f"voice URL {OTHER_URL} (GET) and status callback https://crm.example.com/calls."
    )
    assert (before.voice_url, before.voice_method) == (OTHER_URL, "GET")
    assert (before.status_callback, before.status_callback_method) == ("https://crm.example.com/calls", "GET")
    assert twilio.destination(sid, NUMBER) == OTHER_URL


async def test_a_trunk_put_on_the_number_after_the_attach_stays(synced_api, twilio, bound):
    config, workflow = bound
    sid = synced_api.twilio["accountSid"]
    twilio.number(sid, NUMBER).voice_application_sid = twilio.add_application(sid, "https://ivr.example.com/answer")
    number = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
    newer = twilio.new_sid("TK")
    twilio.number(sid, NUMBER).trunk_sid = newer  # the user moves the number to a trunk in the console
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["ok"] is True
    assert twilio.sent("POST")[-1].form == {"VoiceUrl": "", "VoiceMethod": "POST", "StatusCallback": ""}
    assert twilio.destination(sid, NUMBER) == f"trunk {newer}"


async def test_the_fake_refuses_parameters_twilio_would_ignore(synced_api, twilio, bound):
    number = twilio.number(synced_api.twilio["accountSid"], NUMBER)
    credentials = (synced_api.twilio["accountSid"], synced_api.twilio["authToken"])
    path = f"/2010-04-01/Accounts/{credentials[0]}/IncomingPhoneNumbers"
    async with httpx.AsyncClient(base_url=twilio.url, auth=credentials) as client:
        misspelt = await client.post(f"{path}/{number.sid}.json", data={"VoiceURL": INBOUND_URL})
        unknown_filter = await client.get(f"{path}.json", params={"Number": NUMBER})
    for response in (misspelt, unknown_filter):
        assert response.status_code == 400
        assert response.json()["code"] == 20001 and response.json()["more_info"].endswith("/20001")
    assert number.voice_url == ""
