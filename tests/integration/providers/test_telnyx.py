"""Telnyx against its fake: credential checks and inbound sync through the shared Call Control application.

`ApplicationLinkedScenarios` holds the scenarios that every provider whose webhook lives on an
application shared by its numbers must pass; test_vonage.py runs them too, with its own `linked`.
"""

import secrets

import httpx
import pytest
from conftest import PUBLIC_BASE_URL
from fakes.telnyx import new_id
from helpers import UPDATE_NUMBER, create_config, create_number, create_workflow
from test_twilio import CLEAR, DELETE, RESYNC, VERIFY

INBOUND_URL = f"{PUBLIC_BASE_URL}/telephony/telnyx/inbound"
OLD_URL = "https://old-agent.example/telnyx/events"
APP_NAME = "Inbound agents"


def telnyx_credentials() -> dict[str, str]:
    """A fresh key and Call Control application id: the connection id is part of the routing key."""
    return {"apiKey": "KEY" + secrets.token_hex(16).upper() + "_" + secrets.token_urlsafe(16), "connectionId": new_id()}


class Telnyx:
    """The fake seeded with one account: our application (pointing elsewhere for now), another
    application, +14155550100 on no connection and a partial-match decoy on the other application.
    Also the adapter that `ApplicationLinkedScenarios` drives (provider, ours, link(), ...)."""

    provider, display = "telnyx", "Telnyx"
    inbound_url = INBOUND_URL
    #: Whether detaching the last linked number writes the application again (Vonage's event URL).
    gives_back_on_last_detach = False

    def __init__(self, fake) -> None:
        self.fake = fake
        self.credentials = telnyx_credentials()
        self.key, self.connection_id = self.credentials["apiKey"], self.credentials["connectionId"]
        self.ours, self.other = self.connection_id, new_id()
        fake.add_account(self.key, balance="42.50")
        fake.add_application(self.key, self.connection_id, APP_NAME, OLD_URL)
        fake.add_application(self.key, self.other, "Someone else", "https://someone-else.example/hook")
        fake.add_number(self.key, "+141555501000", connection_id=self.other)
        fake.add_number(self.key, "+14155550100")

    def number(self, phone_number: str):
        return self.fake.number(self.key, phone_number)

    @property
    def app(self):
        return self.fake.application(self.key, self.connection_id)

    # --- the adapter
    def add_number(self, e164: str) -> None:
        self.fake.add_number(self.key, e164)

    def link(self, e164: str) -> str | None:
        return self.number(e164).connection_id

    def relink(self, e164: str, connection_id: str) -> None:
        self.number(e164).connection_id = connection_id

    @property
    def app_url(self) -> str:
        return self.app.webhook_event_url

    def app_updates(self) -> list:
        return self.fake.sent("PATCH", "/v2/call_control_applications/")

    def number_updates(self) -> list:
        return self.fake.sent("PATCH", "/v2/phone_numbers/")

    def assert_unlink_request(self, request, e164: str) -> None:
        assert request.path == f"/v2/phone_numbers/{self.number(e164).id}"
        assert request.json == {"connection_id": ""}

    def route_elsewhere(self, e164: str) -> str:
        """Put the number on a SIP connection; how the summaries name it."""
        pbx = self.fake.add_connection(self.key, new_id(), "Office PBX")
        self.number(e164).connection_id = pbx.id
        return f"connection 'Office PBX' ({pbx.id})"

    def routing(self, e164: str):
        return self.number(e164).connection_id


@pytest.fixture(name="telnyx")
def telnyx_fixture(fakes) -> Telnyx:
    return Telnyx(fakes["telnyx"])


@pytest.fixture(name="linked")
def linked_fixture(telnyx) -> Telnyx:
    return telnyx


@pytest.fixture(name="bound")
async def bound_fixture(synced_api, linked):
    """A configuration on the `linked` provider's credentials and a workflow (test_vonage.py imports it)."""
    config = await create_config(synced_api, linked.display, credentials={linked.provider: linked.credentials})
    workflow = await create_workflow(synced_api, "Reception")
    return config["telephonyConfig"], workflow


async def test_verify_stores_verified_with_the_balance(synced_api, telnyx):
    config = (await create_config(synced_api, "Telnyx", credentials={"telnyx": telnyx.credentials}))["telephonyConfig"]
    payload = (await synced_api.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]
    assert payload["verification"]["status"] == "VERIFIED"
    assert payload["verification"]["message"] == "Telnyx accepted the API key (balance 42.50 USD)."
    assert payload["telephonyConfig"]["lastVerification"]["status"] == "VERIFIED"
    [request] = telnyx.fake.sent("GET")
    assert request.path == "/v2/balance"
    assert request.headers["authorization"] == f"Bearer {telnyx.key}"


async def test_verify_reports_a_rejected_key_without_revealing_it(synced_api, telnyx):
    wrong = {**telnyx.credentials, "apiKey": "KEY" + "0" * 32 + "_" + "A" * 22}
    config = (await create_config(synced_api, "Telnyx", credentials={"telnyx": wrong}))["telephonyConfig"]
    payload = await synced_api.query(VERIFY, {"id": config["id"]})
    verification = payload["verifyTelephonyConfig"]["verification"]
    assert verification["status"] == "REJECTED"
    assert verification["message"].startswith("Telnyx rejected the credentials (HTTP 401).")
    assert "Keys & Credentials" in verification["message"]
    assert wrong["apiKey"] not in str(payload)


async def test_binding_points_the_application_and_attaches_the_exact_number(synced_api, telnyx, bound):
    config, workflow = bound
    payload = await create_number(synced_api, config["id"], "+1 415 555 0100", inboundWorkflowId=workflow)
    assert payload["providerSync"] == {"ok": True}
    sync = payload["phoneNumber"]["lastProviderSync"]
    assert sync["action"] == "ATTACH" and APP_NAME in sync["message"]

    lookup = telnyx.fake.sent("GET", "/v2/phone_numbers")[-1]
    assert lookup.query["filter[phone_number]"] == ["14155550100"]
    assert lookup.headers["authorization"] == f"Bearer {telnyx.key}"
    [app_update] = telnyx.app_updates()
    assert app_update.path == f"/v2/call_control_applications/{telnyx.connection_id}"
    assert app_update.headers["content-type"] == "application/json"
    assert app_update.json == {"application_name": APP_NAME, "webhook_event_url": INBOUND_URL}
    [number_update] = telnyx.number_updates()
    assert number_update.path == f"/v2/phone_numbers/{telnyx.number('+14155550100').id}"
    assert number_update.json == {"connection_id": telnyx.connection_id}

    assert telnyx.app.webhook_event_url == INBOUND_URL and telnyx.app.application_name == APP_NAME
    assert telnyx.number("+14155550100").connection_id == telnyx.connection_id
    assert telnyx.number("+141555501000").connection_id == telnyx.other


async def test_unknown_connection_id_says_what_to_check(synced_api, telnyx, bound):
    config, workflow = bound
    del telnyx.fake.accounts[telnyx.key].applications[telnyx.connection_id]
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    sync = payload["phoneNumber"]["lastProviderSync"]
    assert sync["ok"] is False
    assert f"no Call Control application {telnyx.connection_id}" in sync["message"] and "Connection ID" in sync["message"]
    assert telnyx.number("+14155550100").connection_id is None


async def test_rate_limit_in_telnyx_shape_is_retried(synced_api, telnyx, bound):
    config, workflow = bound
    telnyx.fake.fail_next("status", status=429)
    payload = await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow)
    assert payload["providerSync"] == {"ok": True}
    assert len(telnyx.fake.sent("GET", "/v2/phone_numbers")) == 2
    telnyx.fake.fail_next("status", status=429, times=3)
    other = await create_number(synced_api, config["id"], "+14155550109", inboundWorkflowId=workflow)
    sync = other["phoneNumber"]["lastProviderSync"]
    assert sync["ok"] is False and "rate-limiting" in sync["message"]


async def test_fake_speaks_telnyx_errors(telnyx):
    """The fake's own fidelity: 429 envelope and headers, 401 body, app updates need application_name,
    connection_id is a string, and the number filter takes digits only."""
    auth = {"Authorization": f"Bearer {telnyx.key}"}
    async with httpx.AsyncClient(base_url=telnyx.fake.url) as client:
        telnyx.fake.fail_next("status", status=429)
        limited = await client.get("/v2/balance", headers={"Authorization": f"Bearer {telnyx.key}"})
        assert limited.status_code == 429 and limited.json()["errors"][0]["code"] == "10011"
        assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(limited.headers)
        unauthorized = await client.get("/v2/balance", headers={"Authorization": "Bearer KEYwrong"})
        assert unauthorized.status_code == 401 and unauthorized.json()["errors"][0]["code"] == "10009"
        missing_name = await client.patch(
            f"/v2/call_control_applications/{telnyx.connection_id}",
            json={"webhook_event_url": INBOUND_URL},
            headers={"Authorization": f"Bearer {telnyx.key}"},
        )
        assert missing_name.status_code == 422
        assert missing_name.json()["errors"][0]["source"] == {"pointer": "/application_name"}
        number = telnyx.number("+141555501000")
        null = await client.patch(f"/v2/phone_numbers/{number.id}", json={"connection_id": None}, headers=auth)
        assert null.status_code == 422 and null.json()["errors"][0]["source"] == {"pointer": "/connection_id"}
        with_plus = await client.get("/v2/phone_numbers", params={"filter[phone_number]": "+14155550100"}, headers=auth)
        assert with_plus.status_code == 200 and with_plus.json()["data"] == []  # non-digits match nothing
        digits = await client.get("/v2/phone_numbers", params={"filter[phone_number]": "14155550100"}, headers=auth)
        assert [n["phone_number"] for n in digits.json()["data"]] == ["+141555501000", "+14155550100"]  # partial matches
        unknown = await client.get("/v2/phone_numbers", params={"filter[number]": "14155550100"}, headers=auth)
        assert unknown.status_code == 422
    assert telnyx.app.webhook_event_url == OLD_URL and number.connection_id == telnyx.other


class ApplicationLinkedScenarios:
    """Inbound sync through an application shared by many numbers, driven by the `linked` adapter."""

    async def test_second_number_reuses_the_application_and_detach_leaves_it(self, synced_api, linked, bound):
        config, workflow = bound
        linked.add_number("+14155550101")
        first = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
        second = await create_number(synced_api, config["id"], "+14155550101", inboundWorkflowId=workflow)
        assert second["providerSync"] == {"ok": True}
        assert len(linked.app_updates()) == 1  # only the first attach changed the URL
        assert linked.link("+14155550101") == linked.ours

        linked.fake.reset()
        cleared = (await synced_api.query(CLEAR, {"id": first["id"]}))["clearInboundWorkflow"]
        assert cleared["providerSync"]["ok"] is True and cleared["providerSync"]["action"] == "DETACH"
        assert linked.app_updates() == []
        [unlink] = linked.number_updates()
        linked.assert_unlink_request(unlink, "+14155550100")
        assert linked.link("+14155550100") is None
        assert linked.link("+14155550101") == linked.ours
        assert linked.app_url == linked.inbound_url

    async def test_deactivate_and_reactivate_sync(self, synced_api, linked, bound):
        config, workflow = bound
        number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
        off = await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": False}})
        assert off["updatePhoneNumber"]["phoneNumber"]["lastProviderSync"]["action"] == "DETACH"
        assert linked.link("+14155550100") is None
        on = (await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": True}}))["updatePhoneNumber"]
        assert on["phoneNumber"]["lastProviderSync"]["action"] == "ATTACH" and on["phoneNumber"]["lastProviderSync"]["ok"] is True
        assert linked.link("+14155550100") == linked.ours
        # Only the first attach points the application, unless the detach gave something back.
        assert len(linked.app_updates()) == (3 if linked.gives_back_on_last_detach else 1)

    async def test_detach_leaves_a_number_linked_elsewhere(self, synced_api, linked, bound):
        config, workflow = bound
        number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
        linked.relink("+14155550100", linked.other)
        linked.fake.reset()
        cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
        assert cleared["providerSync"]["ok"] is True and "left as it is" in cleared["providerSync"]["message"]
        assert linked.app_updates() == [] and linked.number_updates() == []
        assert linked.link("+14155550100") == linked.other

    async def test_missing_number_is_a_helpful_failure_and_the_write_stays(self, synced_api, linked, bound):
        config, workflow = bound
        payload = await create_number(synced_api, config["id"], "+14155550199", inboundWorkflowId=workflow)
        assert payload["errors"] == []
        assert payload["phoneNumber"]["inboundWorkflowName"] == "Reception"
        sync = payload["phoneNumber"]["lastProviderSync"]
        assert sync["ok"] is False and sync["message"] == f"+14155550199 is not in this {linked.display} account."
        assert linked.app_updates() == [] and linked.number_updates() == []  # nothing changes, not even the application
        linked.add_number("+14155550199")
        resync = (await synced_api.query(RESYNC, {"id": payload["phoneNumber"]["id"]}))["resyncPhoneNumber"]
        assert resync["providerSync"]["ok"] is True and resync["providerSync"]["action"] == "ATTACH"
        assert linked.link("+14155550199") == linked.ours

    async def test_attach_replaces_other_routing_and_detach_puts_it_back(self, synced_api, linked, bound):
        """SPEC §4: the attach names what it replaced; clearing puts it back, binding again
        replaces it again, a resync that finds Switchboard keeps the record, and deleting the
        number puts it back too."""
        config, workflow = bound
        described = linked.route_elsewhere("+14155550100")
        before = linked.routing("+14155550100")
        number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
        sync = number["lastProviderSync"]
        assert sync["ok"] is True
        assert f"It was routed to {described}; Switchboard keeps that and puts it back when the number is unbound." in sync["message"]
        assert linked.link("+14155550100") == linked.ours

        cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]["providerSync"]
        assert cleared["ok"] is True and f"It is routed to {described} again." in cleared["message"]
        assert linked.routing("+14155550100") == before

        rebound = await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "inboundWorkflowId": workflow}})
        assert described in rebound["updatePhoneNumber"]["phoneNumber"]["lastProviderSync"]["message"]
        resync = (await synced_api.query(RESYNC, {"id": number["id"]}))["resyncPhoneNumber"]["providerSync"]
        assert resync["ok"] is True and "It was routed" not in resync["message"]  # Switchboard found itself there
        deleted = (await synced_api.query(DELETE, {"id": number["id"]}))["deletePhoneNumber"]
        assert deleted["deletedId"] == number["id"] and f"It is routed to {described} again." in deleted["providerSync"]["message"]
        assert linked.routing("+14155550100") == before

    async def test_delete_detaches_first_and_missing_numbers_have_nothing_to_detach(self, synced_api, linked, bound):
        config, workflow = bound
        number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
        deleted = (await synced_api.query(DELETE, {"id": number["id"]}))["deletePhoneNumber"]
        assert deleted["deletedId"] == number["id"] and deleted["providerSync"]["ok"] is True
        assert linked.link("+14155550100") is None
        gone = (await create_number(synced_api, config["id"], "+14155550177", inboundWorkflowId=workflow))["phoneNumber"]
        deleted = (await synced_api.query(DELETE, {"id": gone["id"]}))["deletePhoneNumber"]
        assert deleted["deletedId"] == gone["id"]
        assert deleted["providerSync"]["message"] == (
            f"+14155550177 is no longer in this {linked.display} account; nothing to detach."
        )


class TestTelnyxScenarios(ApplicationLinkedScenarios):
    pass
