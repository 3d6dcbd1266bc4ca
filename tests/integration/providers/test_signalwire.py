"""SignalWire against its fake: the LaML (Twilio-compatible) API of a space, over real HTTP."""

import secrets
import uuid

import httpx
import pytest
from conftest import PUBLIC_BASE_URL
from helpers import UPDATE_NUMBER, create_config, create_number, create_workflow
from test_faults import assert_committed_and_failed
from test_twilio import CLEAR, VERIFY

INBOUND_URL = f"{PUBLIC_BASE_URL}/telephony/signalwire/inbound"
STATUS_URL = f"{PUBLIC_BASE_URL}/telephony/signalwire/status"
LAML = "/api/laml/2010-04-01"


def signalwire_credentials() -> dict[str, str]:
    """A fresh project: the project id is part of the routing key, shared by the whole session."""
    return {
        "spaceUrl": "example.signalwire.com",
        "projectId": str(uuid.uuid4()),
        "apiToken": "PT" + secrets.token_hex(24),
        "signingKey": "PSK_" + secrets.token_hex(12),
    }


class SignalWire:
    """The fake seeded with one project owning +14155550100 and a partial-match decoy."""

    def __init__(self, fake) -> None:
        self.fake = fake
        self.credentials = signalwire_credentials()
        self.project = self.credentials["projectId"]
        fake.add_account(self.project, self.credentials["apiToken"])
        fake.add_number(self.project, "+141555501000", voice_url="https://elsewhere.example/decoy")
        fake.add_number(self.project, "+14155550100")

    def number(self, phone_number: str):
        return self.fake.number(self.project, phone_number)


@pytest.fixture
def signalwire(fakes) -> SignalWire:
    return SignalWire(fakes["signalwire"])


@pytest.fixture
async def bound(synced_api, signalwire):
    config = await create_config(synced_api, "SignalWire", credentials={"signalwire": signalwire.credentials})
    workflow = await create_workflow(synced_api, "Reception")
    return config["telephonyConfig"], workflow


async def test_verify_calls_the_laml_account_with_basic_auth(synced_api, signalwire):
    config = await create_config(synced_api, "SignalWire", credentials={"signalwire": signalwire.credentials})
    payload = (await synced_api.query(VERIFY, {"id": config["telephonyConfig"]["id"]}))["verifyTelephonyConfig"]
    assert payload["verification"] == {
        "status": "VERIFIED",
        "message": "SignalWire accepted the credentials of 'Test account' (status active).",
        "checkedAt": payload["verification"]["checkedAt"],
    }
    [request] = signalwire.fake.sent("GET")
    assert request.path == f"{LAML}/Accounts/{signalwire.project}.json"
    assert request.basic_auth == (signalwire.project, signalwire.credentials["apiToken"])


async def test_verify_reports_a_rejected_token_without_revealing_it(synced_api, signalwire):
    wrong = {**signalwire.credentials, "apiToken": "PT" + "0" * 48}
    config = (await create_config(synced_api, "SignalWire", credentials={"signalwire": wrong}))["telephonyConfig"]
    payload = await synced_api.query(VERIFY, {"id": config["id"]})
    verification = payload["verifyTelephonyConfig"]["verification"]
    assert verification["status"] == "REJECTED"
    assert verification["message"] == (
        "SignalWire rejected the credentials (HTTP 401); check the Project ID and API Token, "
        "and that the token has the Voice and Numbers scopes."
    )
    assert wrong["apiToken"] not in str(payload)


async def test_the_fake_answers_401_in_the_laml_error_shape(signalwire):
    async with httpx.AsyncClient(base_url=signalwire.fake.url) as client:
        response = await client.get(f"{LAML}/Accounts/{signalwire.project}.json", auth=(signalwire.project, "PTwrong"))
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.signalwire.com/docs/errors/20003",
        "status": 401,
    }


async def test_a_project_id_in_upper_case_is_sent_lower_case(synced_api, signalwire):
    shouting = {**signalwire.credentials, "projectId": signalwire.project.upper()}
    config = (await create_config(synced_api, "SignalWire", credentials={"signalwire": shouting}))["telephonyConfig"]
    payload = await synced_api.query(VERIFY, {"id": config["id"]})
    assert payload["verifyTelephonyConfig"]["verification"]["status"] == "VERIFIED"
    assert signalwire.fake.sent("GET")[-1].basic_auth == (signalwire.project, signalwire.credentials["apiToken"])


async def test_binding_sets_the_voice_url_and_status_callback_of_the_exact_number(synced_api, signalwire, bound):
    config, workflow = bound
    payload = await create_number(synced_api, config["id"], "+1 415 555 0100", inboundWorkflowId=workflow)
    assert payload["providerSync"] == {"ok": True}
    assert payload["phoneNumber"]["lastProviderSync"]["message"] == (
        "SignalWire now sends inbound calls to +14155550100 to Switchboard."
    )
    number = signalwire.number("+14155550100")
    assert (number.voice_url, number.voice_method) == (INBOUND_URL, "POST")
    assert (number.status_callback, number.status_callback_method) == (STATUS_URL, "POST")
    assert signalwire.number("+141555501000").voice_url == "https://elsewhere.example/decoy"
    [lookup] = signalwire.fake.sent("GET")
    assert lookup.path == f"{LAML}/Accounts/{signalwire.project}/IncomingPhoneNumbers.json"
    assert lookup.query["PhoneNumber"] == ["+14155550100"]
    [update] = signalwire.fake.sent("POST")
    assert update.path == f"{LAML}/Accounts/{signalwire.project}/IncomingPhoneNumbers/{number.sid}.json"
    assert str(uuid.UUID(number.sid)) == number.sid
    assert update.headers["content-type"] == "application/x-www-form-urlencoded"
    assert update.form == {
        "VoiceUrl": INBOUND_URL,
        "VoiceMethod": "POST",
        "VoiceApplicationSid": "",
        "TrunkSid": "",
        "StatusCallback": STATUS_URL,
        "StatusCallbackMethod": "POST",
    }
    assert update.basic_auth == (signalwire.project, signalwire.credentials["apiToken"])


async def test_the_exact_number_is_found_on_a_later_page(synced_api, signalwire, bound, monkeypatch):
    config, workflow = bound
    monkeypatch.setattr(signalwire.fake, "page_size", 1)
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    assert payload["providerSync"] == {"ok": True}
    first, second = signalwire.fake.sent("GET", "IncomingPhoneNumbers")
    # The next page is the one the API named, PageToken included.
    decoy = signalwire.number("+141555501000").sid
    assert second.path == first.path
    assert second.query == {"PhoneNumber": ["+14155550100"], "PageSize": ["1"], "Page": ["1"], "PageToken": [f"PA{decoy}"]}
    assert signalwire.number("+14155550100").voice_url == INBOUND_URL


async def test_clear_and_deactivate_detach_and_reactivate_attaches(synced_api, signalwire, bound):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    off = (await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": False}}))["updatePhoneNumber"]
    assert off["phoneNumber"]["lastProviderSync"] == {
        "ok": True,
        "action": "DETACH",
        "message": "SignalWire no longer sends inbound calls to +14155550100 to Switchboard.",
        "at": off["phoneNumber"]["lastProviderSync"]["at"],
    }
    assert (signalwire.number("+14155550100").voice_url, signalwire.number("+14155550100").status_callback) == ("", "")
    assert signalwire.fake.sent("POST")[-1].form == {"VoiceUrl": "", "VoiceMethod": "POST", "StatusCallback": ""}
    on = (await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": True}}))["updatePhoneNumber"]
    assert on["phoneNumber"]["lastProviderSync"]["action"] == "ATTACH"
    assert signalwire.number("+14155550100").voice_url == INBOUND_URL
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["ok"] is True and cleared["providerSync"]["action"] == "DETACH"
    assert signalwire.number("+14155550100").voice_url == ""
    assert signalwire.number("+141555501000").voice_url == "https://elsewhere.example/decoy"


async def test_attach_names_the_status_callback_it_replaced_and_detach_puts_it_back(synced_api, signalwire, bound):
    config, workflow = bound
    signalwire.number("+14155550100").status_callback = "https://crm.example/calls"
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    assert payload["phoneNumber"]["lastProviderSync"]["message"] == (
        "SignalWire now sends inbound calls to +14155550100 to Switchboard. It replaced status callback "
        "https://crm.example/calls; Switchboard keeps that and puts it back when the number is unbound."
    )
    assert signalwire.number("+14155550100").status_callback == STATUS_URL
    cleared = (await synced_api.query(CLEAR, {"id": payload["phoneNumber"]["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["message"] == (
        "SignalWire no longer sends inbound calls to +14155550100 to Switchboard; "
        "Switchboard put back status callback https://crm.example/calls."
    )
    assert signalwire.fake.sent("POST")[-1].form == {
        "VoiceUrl": "",
        "VoiceMethod": "POST",
        "StatusCallback": "https://crm.example/calls",
        "StatusCallbackMethod": "POST",
    }


async def test_a_number_on_a_trunk_is_taken_off_it_and_put_back(synced_api, signalwire, bound):
    config, workflow = bound
    trunk = signalwire.fake.new_sid("TK")
    signalwire.number("+14155550100").trunk_sid = trunk
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    assert f"It replaced SIP trunk {trunk};" in payload["phoneNumber"]["lastProviderSync"]["message"]
    assert signalwire.fake.destination(signalwire.project, "+14155550100") == INBOUND_URL
    off = await synced_api.query(UPDATE_NUMBER, {"input": {"id": payload["phoneNumber"]["id"], "isActive": False}})
    assert off["updatePhoneNumber"]["phoneNumber"]["lastProviderSync"]["message"].endswith(f"put back SIP trunk {trunk}.")
    assert signalwire.fake.destination(signalwire.project, "+14155550100") == f"trunk {trunk}"


async def test_detach_leaves_a_status_callback_that_is_not_ours(synced_api, signalwire, bound):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    signalwire.number("+14155550100").status_callback = "https://someone-else.example/status"
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["ok"] is True
    assert signalwire.fake.sent("POST")[-1].form == {"VoiceUrl": "", "VoiceMethod": "POST"}
    assert signalwire.number("+14155550100").status_callback == "https://someone-else.example/status"


async def test_the_fake_checks_methods_like_the_laml_api(signalwire):
    number = signalwire.number("+14155550100")
    async with httpx.AsyncClient(base_url=signalwire.fake.url) as client:
        response = await client.post(
            f"{LAML}/Accounts/{signalwire.project}/IncomingPhoneNumbers/{number.sid}.json",
            data={"StatusCallback": STATUS_URL, "StatusCallbackMethod": "PUT"},
            auth=(signalwire.project, signalwire.credentials["apiToken"]),
        )
    assert response.status_code == 400 and response.json()["code"] == 21403
    assert number.status_callback == ""


async def test_detach_leaves_a_url_that_is_not_ours(synced_api, signalwire, bound):
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    signalwire.number("+14155550100").voice_url = "https://someone-else.example/voice"
    signalwire.fake.reset()
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"] == {
        "ok": True,
        "action": "DETACH",
        "message": "+14155550100 does not point at Switchboard at SignalWire; left as it is.",
    }
    assert signalwire.number("+14155550100").voice_url == "https://someone-else.example/voice"
    assert signalwire.fake.sent("POST") == []


async def test_number_missing_in_the_project_fails_helpfully_and_the_write_stays(synced_api, signalwire, bound):
    config, workflow = bound
    payload = await create_number(synced_api, config["id"], "+14155550199", inboundWorkflowId=workflow)
    assert_committed_and_failed(payload, "+14155550199 is not in this SignalWire account.")
    assert signalwire.fake.sent("POST") == []
    cleared = (await synced_api.query(CLEAR, {"id": payload["phoneNumber"]["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["ok"] is True
    assert cleared["providerSync"]["message"] == "+14155550199 is no longer in this SignalWire account; nothing to detach."


async def test_a_token_without_the_numbers_scope_is_explained_on_attach(synced_api, signalwire, bound):
    config, workflow = bound
    signalwire.fake.fail_next("status", status=401)
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    sync = payload["phoneNumber"]["lastProviderSync"]
    assert sync["ok"] is False
    assert sync["message"].startswith("SignalWire rejected the credentials (HTTP 401); check the Project ID")
    assert "Voice and Numbers scopes" in sync["message"]


async def test_429_in_signalwire_shape_is_retried(synced_api, signalwire, bound):
    config, workflow = bound
    signalwire.fake.fail_next("status", status=429, retry_after="0")
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    assert payload["providerSync"] == {"ok": True}
    assert len(signalwire.fake.sent("GET", "IncomingPhoneNumbers")) == 2
    assert signalwire.number("+14155550100").voice_url == INBOUND_URL
    rate_limited = signalwire.fake.error(429)
    assert rate_limited.status_code == 429
    assert b'"more_info":"https://www.signalwire.com/docs/errors/20429"' in rate_limited.body
