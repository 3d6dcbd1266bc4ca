"""Vonage against its fake: credential checks and inbound sync through the shared Voice application,
on both hosts (rest.nexmo.com and api.nexmo.com paths) behind one SWITCHBOARD_VONAGE_API_BASE.
The scenarios shared with Telnyx run through `TestVonageScenarios`."""

import json
import secrets
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import PUBLIC_BASE_URL
from helpers import create_config, create_number
from switchboard.providers.http import ProviderHttp
from switchboard.providers.vonage import VonageProvider
from test_telnyx import ApplicationLinkedScenarios, bound_fixture  # noqa: F401 (the `bound` fixture)
from test_twilio import CLEAR, VERIFY

INBOUND_URL = f"{PUBLIC_BASE_URL}/telephony/vonage/inbound"
STATUS_URL = f"{PUBLIC_BASE_URL}/telephony/vonage/status"
OLD_EVENTS = {"address": "https://events.example/vonage", "http_method": "POST"}
OLD_URL = "https://old-agent.example/vonage/answer"
PBX = "sip:reception@pbx.example.com"
APP_NAME = "Inbound agents"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"


def vonage_credentials() -> dict[str, str]:
    """A fresh API key (the account id of the routing key), secret and application."""
    return {
        "apiKey": secrets.token_hex(4),
        "apiSecret": "Sx" + secrets.token_hex(7),
        "applicationId": str(uuid.uuid4()),
        "privateKey": PEM,
        "signatureSecret": secrets.token_hex(16),
    }


class Vonage:
    """The fake seeded with one account: our application (answering elsewhere for now), another
    application, 14155550100 unlinked and a partial-match decoy linked to the other application.
    Also the adapter that `ApplicationLinkedScenarios` drives."""

    provider, display = "vonage", "Vonage"
    gives_back_on_last_detach = True

    def __init__(self, fake) -> None:
        self.fake = fake
        self.credentials = vonage_credentials()
        self.key, self.app_id = self.credentials["apiKey"], self.credentials["applicationId"]
        # The answer webhook names no account, so the URL does.
        self.inbound_url = f"{INBOUND_URL}?account={self.key}"
        self.status_url = f"{STATUS_URL}?account={self.key}"
        self.ours, self.other = self.app_id, str(uuid.uuid4())
        fake.add_account(self.key, self.credentials["apiSecret"], balance=12.5)
        fake.add_application(self.key, self.app_id, APP_NAME, OLD_URL)
        fake.add_application(self.key, self.other, "Someone else", "https://someone-else.example/answer")
        fake.add_number(self.key, "141555501000", app_id=self.other)
        fake.add_number(self.key, "14155550100")

    def number(self, msisdn: str):
        return self.fake.number(self.key, msisdn.lstrip("+"))

    @property
    def app(self):
        return self.fake.applications[self.app_id]

    # --- the adapter
    def add_number(self, e164: str) -> None:
        self.fake.add_number(self.key, e164.lstrip("+"))

    def link(self, e164: str) -> str | None:
        return self.number(e164).app_id

    def relink(self, e164: str, app_id: str) -> None:
        self.number(e164).app_id = app_id

    @property
    def app_url(self) -> str:
        return self.app.answer_url["address"]

    @property
    def event_url(self) -> dict:
        return self.app.capabilities["voice"]["webhooks"]["event_url"]

    def app_updates(self) -> list:
        return self.fake.sent("PUT", "/v2/applications/")

    def number_updates(self) -> list:
        return self.fake.sent("POST", "/number/update")

    def assert_unlink_request(self, request, e164: str) -> None:
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert request.form == {"country": "US", "msisdn": e164.lstrip("+"), "app_id": ""}

    def route_elsewhere(self, e164: str) -> str:
        """Link the number to the other application and forward it to a SIP URI, which takes its
        calls first; how the summaries name it."""
        number = self.number(e164)
        number.app_id, number.voice_callback_type, number.voice_callback_value = self.other, "sip", PBX
        return f"application {self.other} with SIP forwarding to {PBX}"

    def routing(self, e164: str):
        number = self.number(e164)
        return number.app_id, number.forwarding


@pytest.fixture(name="vonage")
def vonage_fixture(fakes) -> Vonage:
    return Vonage(fakes["vonage"])


@pytest.fixture(name="linked")
def linked_fixture(vonage) -> Vonage:
    return vonage


class TestVonageScenarios(ApplicationLinkedScenarios):
    pass


async def test_verify_checks_the_account_and_the_application(synced_api, vonage):
    config = (await create_config(synced_api, "Vonage", credentials={"vonage": vonage.credentials}))["telephonyConfig"]
    payload = (await synced_api.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]
    assert payload["verification"] == {
        "status": "VERIFIED",
        "message": f"Vonage accepted API key {vonage.key} (balance 12.5) and found application '{APP_NAME}'.",
        "checkedAt": payload["verification"]["checkedAt"],
    }
    balance, application = vonage.fake.sent("GET")
    assert balance.path == "/account/get-balance"
    assert application.path == f"/v2/applications/{vonage.app_id}"
    for request in (balance, application):
        assert request.basic_auth == (vonage.key, vonage.credentials["apiSecret"])


async def test_verify_reports_a_rejected_secret_without_revealing_it(synced_api, vonage):
    wrong = {**vonage.credentials, "apiSecret": "Wrong0secret99"}
    config = (await create_config(synced_api, "Vonage", credentials={"vonage": wrong}))["telephonyConfig"]
    payload = await synced_api.query(VERIFY, {"id": config["id"]})
    verification = payload["verifyTelephonyConfig"]["verification"]
    assert verification["status"] == "REJECTED"
    assert verification["message"].startswith("Vonage rejected the credentials (HTTP 401).")
    assert "API Settings" in verification["message"]
    assert "Wrong0secret99" not in str(payload)


async def test_verify_with_an_unknown_application_says_what_to_check(synced_api, vonage):
    del vonage.fake.applications[vonage.app_id]
    config = (await create_config(synced_api, "Vonage", credentials={"vonage": vonage.credentials}))["telephonyConfig"]
    verification = (await synced_api.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]["verification"]
    assert verification["status"] == "REJECTED"
    assert f"no application {vonage.app_id}" in verification["message"] and "Application ID" in verification["message"]


async def test_binding_points_the_application_and_links_the_exact_number(synced_api, vonage, bound):
    config, workflow = bound
    payload = await create_number(synced_api, config["id"], "+1 415 555 0100", inboundWorkflowId=workflow)
    assert payload["providerSync"] == {"ok": True}
    assert APP_NAME in payload["phoneNumber"]["lastProviderSync"]["message"]

    lookup = vonage.fake.sent("GET", "/account/numbers")[-1]
    assert lookup.query["pattern"] == ["14155550100"] and lookup.query["search_pattern"] == ["1"]
    assert lookup.basic_auth == (vonage.key, vonage.credentials["apiSecret"])
    [put] = vonage.fake.sent("PUT")
    assert put.path == f"/v2/applications/{vonage.app_id}"
    assert put.basic_auth == (vonage.key, vonage.credentials["apiSecret"])
    assert put.json["name"] == APP_NAME
    assert put.json["capabilities"]["voice"]["webhooks"]["answer_url"]["address"] == vonage.inbound_url
    assert "messages" in put.json["capabilities"] and "keys" in put.json
    [update] = vonage.fake.sent("POST", "/number/update")
    assert update.headers["content-type"] == "application/x-www-form-urlencoded"
    assert update.form == {"country": "US", "msisdn": "14155550100", "app_id": vonage.app_id}

    app = vonage.app
    assert app.name == APP_NAME and app.answer_url["address"] == vonage.inbound_url and app.answer_url["http_method"] == "POST"
    assert remembered_events(vonage) == OLD_EVENTS
    assert vonage.event_url["http_method"] == "POST"
    message = payload["phoneNumber"]["lastProviderSync"]["message"]
    assert "event URL now reports call ends to Switchboard (it was https://events.example/vonage" in message
    assert app.capabilities["voice"]["signed_callbacks"] is True
    assert app.capabilities["messages"]["webhooks"]["inbound_url"]["address"] == "https://messages.example/inbound"
    assert vonage.number("14155550100").app_id == vonage.app_id
    assert vonage.number("141555501000").app_id == vonage.other


async def test_numbers_travel_with_their_own_country(synced_api, vonage, bound):
    config, workflow = bound
    vonage.fake.add_number(vonage.key, "447700900123", country="GB")
    number = (await create_number(synced_api, config["id"], "+44 7700 900123", inboundWorkflowId=workflow))["phoneNumber"]
    assert number["lastProviderSync"]["ok"] is True
    assert vonage.fake.sent("GET", "/account/numbers")[-1].query["pattern"] == ["447700900123"]
    link = vonage.number_updates()[-1]
    assert link.form == {"country": "GB", "msisdn": "447700900123", "app_id": vonage.app_id}
    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
    assert cleared["providerSync"]["ok"] is True
    assert vonage.number_updates()[-1].form == {"country": "GB", "msisdn": "447700900123", "app_id": ""}
    assert vonage.number("447700900123").app_id is None


async def test_an_error_code_in_a_200_answer_is_a_failure(synced_api, vonage, bound):
    config, workflow = bound
    vonage.fake.answer_next_update("420", "Action failed")
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    sync = payload["phoneNumber"]["lastProviderSync"]
    assert sync["ok"] is False
    assert sync["message"] == (
        f"Vonage refused to link 14155550100 to application {vonage.app_id} (error-code 420: Action failed)."
    )
    assert vonage.number("14155550100").app_id is None


async def test_rate_limit_in_vonage_shape_honours_retry_after(synced_api, vonage, bound):
    config, workflow = bound
    vonage.fake.fail_next("status", status=429)  # problem+json with Retry-After: 1 and X-RateLimit-*
    started = time.monotonic()
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    assert payload["providerSync"] == {"ok": True}
    assert time.monotonic() - started >= 1.0
    assert len(vonage.fake.sent("GET", "/account/numbers")) == 2


async def test_fake_speaks_vonage_errors(vonage):
    """The fake's own fidelity: per-API error shapes, and PUT is a full replacement needing a name."""
    good = (vonage.key, vonage.credentials["apiSecret"])
    async with httpx.AsyncClient(base_url=vonage.fake.url) as client:
        numbers = await client.get("/account/numbers", auth=(vonage.key, "nope"))
        assert numbers.status_code == 401 and numbers.json() == {"error-code": "401", "error-code-label": "authentication failed"}
        balance = await client.get("/account/get-balance", auth=(vonage.key, "nope"))
        assert balance.status_code == 401 and balance.headers["content-type"] == "application/problem+json"
        none = await client.get("/account/numbers", params={"pattern": "999", "search_pattern": "1"}, auth=good)
        assert none.json() == {"count": 0}
        unnamed = await client.put(f"/v2/applications/{vonage.app_id}", json={"capabilities": {}}, auth=good)
        assert unnamed.status_code == 400
        as_json = await client.post("/number/update", json={"country": "US", "msisdn": "14155550100"}, auth=good)
        assert as_json.status_code == 400
        vonage.fake.fail_next("status", status=429)
        limited = await client.get("/account/get-balance", auth=good)
        assert limited.status_code == 429 and limited.headers["retry-after"] == "1" and "x-ratelimit-reset" in limited.headers
    assert vonage.app.answer_url["address"] == OLD_URL


async def test_one_api_base_replaces_both_hosts():
    plugin, credentials = VonageProvider(), vonage_credentials()
    for http, expected in (
        (ProviderHttp(), ("https://rest.nexmo.com", "https://api.nexmo.com")),
        (ProviderHttp({"vonage": "http://127.0.0.1:9/"}), ("http://127.0.0.1:9", "http://127.0.0.1:9")),
    ):
        api = plugin.api(http, credentials)
        assert (api.rest_host, api.api_host) == expected
        await http.aclose()


def remembered_events(vonage: Vonage) -> dict:
    """The event URL entry that Switchboard's event URL keeps, after checking it is Switchboard's."""
    address = urlsplit(vonage.event_url["address"])
    query = parse_qs(address.query)
    assert f"{address.scheme}://{address.netloc}{address.path}" == STATUS_URL and query["account"] == [vonage.key]
    return json.loads(query["previous"][0])


async def test_the_event_url_comes_back_when_the_last_number_is_unlinked(synced_api, vonage, bound):
    config, workflow = bound
    vonage.add_number("+14155550101")
    first = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    second = (await create_number(synced_api, config["id"], "+14155550101", inboundWorkflowId=workflow))["phoneNumber"]
    assert len(vonage.app_updates()) == 1 and remembered_events(vonage) == OLD_EVENTS

    cleared = (await synced_api.query(CLEAR, {"id": first["id"]}))["clearInboundWorkflow"]["providerSync"]
    assert cleared["ok"] is True and "event URL" not in cleared["message"]
    assert len(vonage.app_updates()) == 1, "another number still needs its calls' ends"
    count = vonage.fake.sent("GET", "/account/numbers")[-1]
    assert count.query["application_id"] == [vonage.app_id]

    cleared = (await synced_api.query(CLEAR, {"id": second["id"]}))["clearInboundWorkflow"]["providerSync"]
    assert cleared["ok"] is True
    assert cleared["message"].endswith("its event URL is https://events.example/vonage again.")
    assert vonage.event_url == OLD_EVENTS
    assert vonage.app_url == vonage.inbound_url, "the answer URL stays, as for every linked-application provider"
    restore = vonage.app_updates()[-1]
    assert restore.json["capabilities"]["messages"] == vonage.app.capabilities["messages"] and "keys" in restore.json


async def test_attaching_again_keeps_the_first_remembered_event_url(synced_api, vonage, bound):
    config, workflow = bound
    vonage.add_number("+14155550101")
    await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    vonage.app.capabilities["voice"]["webhooks"]["answer_url"]["address"] = OLD_URL  # someone changed it in the dashboard
    await create_number(synced_api, config["id"], "+14155550101", inboundWorkflowId=workflow)
    assert vonage.app_url == vonage.inbound_url and len(vonage.app_updates()) == 2
    assert remembered_events(vonage) == OLD_EVENTS


async def test_the_fake_refuses_invalid_voice_webhooks(vonage):
    good = (vonage.key, vonage.credentials["apiSecret"])
    app = vonage.app.resource()
    async with httpx.AsyncClient(base_url=vonage.fake.url) as client:
        for webhooks in (
            {"event_url": {"address": "https://x.example", "http_method": "PATCH"}},
            {"event_url": {"address": "not a url", "http_method": "POST"}},
            {"status_url": {"address": "https://x.example", "http_method": "POST"}},
            {"event_url": {"address": "https://x.example", "http_method": "POST", "method": "POST"}},
            {"answer_url": {"address": "https://x.example", "http_method": "POST", "connect_timeout": 1}},  # milliseconds
            {"answer_url": {"address": "https://x.example", "http_method": "POST", "socket_timeout": 60000}},
        ):
            body = {"name": app["name"], "capabilities": {"voice": {"webhooks": webhooks}}}
            refused = await client.put(f"/v2/applications/{vonage.app_id}", json=body, auth=good)
            assert refused.status_code == 400 and refused.json()["invalid_parameters"], webhooks
    assert vonage.app.capabilities["voice"]["webhooks"]["event_url"] == OLD_EVENTS


async def test_phone_forwarding_is_cleared_on_attach_and_put_back_on_detach(synced_api, vonage, bound):
    """vonage-numbers: a tel (or sip) forwarding takes the calls before any application, so
    linking alone would report success while calls keep going to the other phone."""
    config, workflow = bound
    vonage.fake.add_number(vonage.key, "447700900123", country="GB", forwarding=("tel", "447700900001"))
    number = (await create_number(synced_api, config["id"], "+447700900123", inboundWorkflowId=workflow))["phoneNumber"]
    assert "It was routed to forwarding to +447700900001; Switchboard keeps that" in number["lastProviderSync"]["message"]
    link = vonage.number_updates()[-1]
    assert link.form == {
        "country": "GB",
        "msisdn": "447700900123",
        "app_id": vonage.app_id,
        "voiceCallbackType": "",
        "voiceCallbackValue": "",
    }
    assert vonage.number("447700900123").forwarding is None and vonage.link("+447700900123") == vonage.app_id

    cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]["providerSync"]
    assert cleared["ok"] is True and "It is routed to forwarding to +447700900001 again." in cleared["message"]
    assert vonage.number_updates()[-1].form == {
        "country": "GB",
        "msisdn": "447700900123",
        "app_id": "",
        "voiceCallbackType": "tel",
        "voiceCallbackValue": "447700900001",
    }
    assert vonage.routing("+447700900123") == (None, ("tel", "447700900001"))


async def test_a_number_on_our_application_but_forwarded_is_not_linked_yet(synced_api, vonage, bound):
    config, workflow = bound
    vonage.fake.add_number(vonage.key, "14155550102", app_id=vonage.app_id, forwarding=("sip", PBX))
    number = (await create_number(synced_api, config["id"], "+14155550102", inboundWorkflowId=workflow))["phoneNumber"]
    assert f"It was routed to SIP forwarding to {PBX};" in number["lastProviderSync"]["message"]
    assert vonage.routing("+14155550102") == (vonage.app_id, None)
    await synced_api.query(CLEAR, {"id": number["id"]})
    assert vonage.routing("+14155550102") == (None, ("sip", PBX))


async def test_an_answer_url_at_switchboard_with_get_is_switched_to_post(synced_api, vonage, bound):
    """The front door takes Vonage's webhooks as signed JSON POSTs: the address alone is not enough."""
    config, workflow = bound
    await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    webhooks = vonage.app.capabilities["voice"]["webhooks"]
    webhooks["answer_url"]["http_method"] = "GET"  # changed in the dashboard
    webhooks["event_url"]["http_method"] = "GET"
    event_address = webhooks["event_url"]["address"]
    vonage.add_number("+14155550101")
    second = (await create_number(synced_api, config["id"], "+14155550101", inboundWorkflowId=workflow))["phoneNumber"]
    assert "whose answer URL was updated" in second["lastProviderSync"]["message"]
    assert vonage.app.answer_url == {"address": vonage.inbound_url, "http_method": "POST", "connect_timeout": 1000, "socket_timeout": 5000}
    assert vonage.event_url == {"address": event_address, "http_method": "POST"}
    assert remembered_events(vonage) == OLD_EVENTS


async def test_the_fake_refuses_what_the_numbers_api_models_refuse(vonage):
    good = (vonage.key, vonage.credentials["apiSecret"])
    number = {"country": "US", "msisdn": "14155550100"}
    async with httpx.AsyncClient(base_url=vonage.fake.url) as client:
        for form in (
            {**number, "voiceCallbackType": "sip"},  # the value must come with the type
            {**number, "voiceCallbackType": "tel", "voiceCallbackValue": "sip:x@pbx.example.com"},
            {**number, "voice_callback_type": "sip", "voice_callback_value": PBX},  # Python names, not the wire's
        ):
            refused = await client.post("/number/update", data=form, auth=good)
            assert refused.status_code == 400 and refused.json()["error-code"] == "400", form
        listed = await client.get("/account/numbers", params={"msisdn": "14155550100"}, auth=good)
        assert listed.status_code == 400
    assert vonage.routing("+14155550100") == (None, None)
