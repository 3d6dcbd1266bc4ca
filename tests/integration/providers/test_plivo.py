"""Plivo against its fake: credential checks and inbound sync through the shared application.

`AuthIdProviderTests` holds the scenarios Plivo and Vobiz share (test_vobiz.py runs them too);
what each wire looks like comes from the `AuthIdAccount` subclass the `account` fixture returns.
"""

import asyncio
import secrets
import string
from collections.abc import Callable

import httpx
import pytest
from conftest import PUBLIC_BASE_URL
from helpers import UPDATE_NUMBER, create_config, create_number, create_workflow
from requests_loopback import wire
from test_twilio import CLEAR, DELETE, RESYNC, VERIFY

OLD_URL = "https://old-agent.example/answer"
NUMBER, DECOY, SECOND = "+14155550100", "+141555501000", "+14155550101"

Call = tuple[str, str, dict | None]  # method, decoded path, JSON body


def random_upper(length: int) -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length))


def app_id() -> str:
    return str(10**16 + secrets.randbelow(9 * 10**16))


class AuthIdAccount:
    """A fake seeded with one fresh account: our application (answering elsewhere for now),
    another application, NUMBER on no application and a partial-match DECOY on the other one.
    Subclasses describe their wire: paths, bodies, auth, messages."""

    provider: str
    display: str
    verify_message: str

    def __init__(self, fake, auth_id: str) -> None:
        self.fake = fake
        self.credentials = {"authId": auth_id, "authToken": secrets.token_urlsafe(30), "applicationId": app_id()}
        self.auth_id, self.app_id, self.other_app_id = auth_id, self.credentials["applicationId"], app_id()
        # The answer request carries no account id: Switchboard's URLs carry it (SPEC §11 step 2).
        self.inbound_url = f"{PUBLIC_BASE_URL}/telephony/{self.provider}/inbound?account={auth_id}"
        self.status_url = f"{PUBLIC_BASE_URL}/telephony/{self.provider}/status?account={auth_id}"
        fake.add_account(auth_id, self.credentials["authToken"])
        fake.add_application(auth_id, self.app_id, OLD_URL)
        fake.add_application(auth_id, self.other_app_id, "https://someone-else.example/answer")
        fake.add_number(auth_id, DECOY, self.other_app_id)
        fake.add_number(auth_id, NUMBER)

    # --- the fake's state
    def number(self, e164: str = NUMBER):
        return self.fake.number(self.auth_id, e164)

    @property
    def app(self):
        return self.fake.application(self.auth_id, self.app_id)

    def calls(self) -> list[Call]:
        return [(r.method, r.path, r.json) for r in self.fake.requests]

    def wire(self) -> list[tuple]:
        """Every request the fake received, as `requests_loopback.wire` compares them."""
        return [wire(r, self.auth_headers) for r in self.fake.requests]

    async def sdk_wire(self, calls: Callable[[], object]) -> list[tuple]:
        """The requests that `calls` (the official SDK, blocking, so run in a thread) make of the fake."""
        self.fake.reset()
        await asyncio.to_thread(calls)
        return self.wire()

    # --- the wire, per provider
    verify_path: str
    app_path: str
    auth_headers: tuple[str, ...]

    @property
    def app_read_path(self) -> str:
        return self.app_path

    def lookup(self, e164: str) -> Call: ...

    def link(self, e164: str, app_id: str | None = None) -> Call:
        """Linking `e164` to our application, or to `app_id`."""

    def unlink(self, e164: str) -> Call: ...

    def assert_auth(self, request) -> None: ...

    def auth(self) -> dict:
        """httpx keyword arguments that authenticate a request to the fake as this account."""

    def set_answer_url(self) -> Call:
        body = {"answer_url": self.inbound_url, "answer_method": "POST", "hangup_url": self.status_url, "hangup_method": "POST"}
        return ("POST", self.app_path, body)

    def assert_app_points_at_switchboard(self) -> None:
        app = self.app
        assert (app.answer_url, app.answer_method) == (self.inbound_url, "POST")
        assert (app.hangup_url, app.hangup_method) == (self.status_url, "POST")

    def attach(self, e164: str, *, app_update: bool = True) -> list[Call]:
        """What attaching `e164` sends: lookup, application read, its update if needed, link."""
        update = [self.set_answer_url()] if app_update else []
        return [self.lookup(e164), ("GET", self.app_read_path, None), *update, self.link(e164)]

    # --- Switchboard
    async def config(self, api, credentials: dict | None = None) -> dict:
        payload = await create_config(api, self.provider, credentials={self.provider: credentials or self.credentials})
        return payload["telephonyConfig"]

    async def verify_bind_and_unbind(self, api, addresses: tuple[str, ...]) -> None:
        """What a user does that makes each call of the plugin: verify a new configuration, bind
        `addresses` to a workflow one after the other, then unbind them."""
        config = await self.config(api)
        workflow = await create_workflow(api, "Reception")
        await api.query(VERIFY, {"id": config["id"]})
        numbers = [(await create_number(api, config["id"], a, inboundWorkflowId=workflow))["phoneNumber"] for a in addresses]
        for number in numbers:
            cleared = (await api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
            assert cleared["providerSync"]["ok"] is True


class PlivoAccount(AuthIdAccount):
    provider, display = "plivo", "Plivo"
    auth_headers = ("authorization",)
    verify_message = "Plivo accepted the credentials of 'Test account' (cash credits 4.88860)."

    def __init__(self, fake) -> None:
        super().__init__(fake, "MA" + random_upper(18))
        self.verify_path = f"/v1/Account/{self.auth_id}/"
        self.app_path = f"/v1/Account/{self.auth_id}/Application/{self.app_id}/"

    def number_path(self, e164: str) -> str:
        return f"/v1/Account/{self.auth_id}/Number/{e164.lstrip('+')}/"

    def lookup(self, e164: str) -> Call:
        return ("GET", self.number_path(e164), None)

    def link(self, e164: str, app_id: str | None = None) -> Call:
        return ("POST", self.number_path(e164), {"number": e164.lstrip("+"), "app_id": app_id or self.app_id})

    def unlink(self, e164: str) -> Call:
        return ("POST", self.number_path(e164), {"number": e164.lstrip("+"), "app_id": ""})

    def assert_auth(self, request) -> None:
        assert request.basic_auth == (self.auth_id, self.credentials["authToken"])

    def auth(self) -> dict:
        return {"auth": (self.auth_id, self.credentials["authToken"])}


class AuthIdProviderTests:
    """Scenarios shared by the Plivo and Vobiz plugins; subclasses provide the `account` fixture."""

    @pytest.fixture
    async def bound(self, synced_api, account):
        return await account.config(synced_api), await create_workflow(synced_api, "Reception")

    async def test_verify_stores_verified(self, synced_api, account):
        config = await account.config(synced_api)
        payload = (await synced_api.query(VERIFY, {"id": config["id"]}))["verifyTelephonyConfig"]
        assert payload["verification"]["status"] == "VERIFIED"
        assert payload["verification"]["message"] == account.verify_message
        assert payload["telephonyConfig"]["lastVerification"]["status"] == "VERIFIED"
        [request] = account.fake.requests
        assert (request.method, request.path) == ("GET", account.verify_path)
        account.assert_auth(request)

    async def test_verify_reports_rejected_credentials_without_revealing_them(self, synced_api, account):
        wrong = {**account.credentials, "authToken": "wrong-" + secrets.token_hex(12)}
        payload = await synced_api.query(VERIFY, {"id": (await account.config(synced_api, wrong))["id"]})
        verification = payload["verifyTelephonyConfig"]["verification"]
        assert verification["status"] == "REJECTED"
        assert verification["message"] == f"{account.display} rejected the credentials (HTTP 401)."
        assert wrong["authToken"] not in str(payload)

    async def test_binding_sets_the_answer_url_and_links_the_exact_number(self, synced_api, account, bound):
        config, workflow = bound
        payload = await create_number(synced_api, config["id"], "+1 415 555 0100", inboundWorkflowId=workflow)
        assert payload["providerSync"] == {"ok": True}
        sync = payload["phoneNumber"]["lastProviderSync"]
        assert sync["action"] == "ATTACH"
        assert sync["message"] == (
            f"{account.display} now sends inbound calls to {NUMBER} to Switchboard (application {account.app_id}). "
            f"It replaced the application's answer URL {OLD_URL} and hangup URL {OLD_URL}."
        )
        assert payload["phoneNumber"]["inboundWebhookUrl"] == account.inbound_url
        assert account.calls() == account.attach(NUMBER)
        for request in account.fake.requests:
            account.assert_auth(request)
        assert all(r.headers["content-type"] == "application/json" for r in account.fake.sent("POST"))
        account.assert_app_points_at_switchboard()
        assert account.number().app_id == account.app_id
        assert account.number(DECOY).app_id == account.other_app_id

    async def test_a_second_number_only_links_and_a_linked_number_needs_no_update(self, synced_api, account, bound):
        config, workflow = bound
        account.fake.add_number(account.auth_id, SECOND)
        await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        account.fake.reset()
        second = await create_number(synced_api, config["id"], SECOND, inboundWorkflowId=workflow)
        assert second["providerSync"] == {"ok": True}
        assert account.calls() == account.attach(SECOND, app_update=False)
        assert account.number(SECOND).app_id == account.number().app_id == account.app_id
        account.fake.reset()
        resync = (await synced_api.query(RESYNC, {"id": second["phoneNumber"]["id"]}))["resyncPhoneNumber"]
        assert resync["providerSync"]["ok"] is True
        assert account.calls() == [account.lookup(SECOND), ("GET", account.app_read_path, None)]

    async def test_an_application_answering_by_get_is_switched_to_post(self, synced_api, account, bound):
        config, workflow = bound
        account.app.answer_url, account.app.answer_method = account.inbound_url, "GET"
        payload = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        assert payload["providerSync"] == {"ok": True}
        assert account.calls() == account.attach(NUMBER)
        account.assert_app_points_at_switchboard()
        assert payload["phoneNumber"]["lastProviderSync"]["message"].endswith(
            f"It replaced the application's hangup URL {OLD_URL}."
        ), "the answer URL was already Switchboard's: only the hangup URL was replaced"

    async def test_only_a_differing_hangup_url_is_rewritten_and_the_summary_says_what_it_replaced(
        self, synced_api, account, bound
    ):
        config, workflow = bound
        account.app.answer_url = account.inbound_url
        account.app.hangup_url, account.app.hangup_method = "https://billing.example/hangup", "GET"
        payload = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        assert account.calls() == account.attach(NUMBER)
        account.assert_app_points_at_switchboard()
        assert payload["phoneNumber"]["lastProviderSync"]["message"] == (
            f"{account.display} now sends inbound calls to {NUMBER} to Switchboard (application {account.app_id}). "
            "It replaced the application's hangup URL https://billing.example/hangup."
        )

    async def test_a_hangup_method_alone_is_corrected_without_a_replacement_to_report(self, synced_api, account, bound):
        config, workflow = bound
        account.app.answer_url, account.app.hangup_url, account.app.hangup_method = account.inbound_url, account.status_url, "GET"
        payload = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        assert account.calls() == account.attach(NUMBER)
        account.assert_app_points_at_switchboard()
        assert "replaced" not in payload["phoneNumber"]["lastProviderSync"]["message"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"answer_url": "https://a.example/", "status_url": "https://a.example/s"}, "unexpected parameters: status_url"),
            ({"hangup_method": "PUT"}, "hangup_method must be GET or POST"),
            ({"hangup_url": "ftp://a.example/"}, "hangup_url must be a valid http or https URL"),
            ({"answer_url": ""}, "answer_url must be a valid http or https URL"),
        ],
    )
    async def test_the_fake_refuses_what_the_application_update_does_not_take(self, account, body, message):
        path = account.app_path
        async with httpx.AsyncClient(base_url=account.fake.url) as client:
            response = await client.post(path, json=body, **account.auth())
        assert response.status_code == 400 and message in response.text
        assert account.app.answer_url == OLD_URL and account.app.hangup_url == OLD_URL

    async def test_deactivate_and_clear_unlink_the_number_only(self, synced_api, account, bound):
        config, workflow = bound
        account.fake.add_number(account.auth_id, SECOND)
        number = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
        await create_number(synced_api, config["id"], SECOND, inboundWorkflowId=workflow)
        account.fake.reset()
        off = (await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": False}}))["updatePhoneNumber"]
        assert off["phoneNumber"]["lastProviderSync"]["action"] == "DETACH"
        assert off["phoneNumber"]["lastProviderSync"]["ok"] is True
        assert account.calls()[:2] == [account.lookup(NUMBER), account.unlink(NUMBER)]
        assert account.number().app_id is None
        # The application's URLs serve SECOND too: neither is restored while a number may use them.
        account.assert_app_points_at_switchboard()
        assert account.number(SECOND).app_id == account.app_id
        await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": True}})
        assert account.number().app_id == account.app_id
        cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
        assert cleared["providerSync"] == {
            "ok": True,
            "action": "DETACH",
            "message": f"{account.display} no longer sends inbound calls to {NUMBER} to Switchboard "
            f"(unlinked from application {account.app_id}).",
        }
        assert account.number().app_id is None
        account.assert_app_points_at_switchboard()

    async def test_detach_leaves_a_number_linked_to_another_application(self, synced_api, account, bound):
        config, workflow = bound
        number = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
        account.number().app_id = account.other_app_id
        account.fake.reset()
        cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
        assert cleared["providerSync"]["ok"] is True
        assert cleared["providerSync"]["message"] == (
            f"{NUMBER} is not linked to {account.display} application {account.app_id}; left as it is."
        )
        assert account.calls() == [account.lookup(NUMBER)] and account.number().app_id == account.other_app_id

    async def test_the_application_a_number_was_on_is_kept_and_restored(self, synced_api, account, bound):
        config, workflow = bound
        account.number().app_id = account.other_app_id
        payload = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        assert payload["providerSync"] == {"ok": True}
        assert payload["phoneNumber"]["lastProviderSync"]["message"].endswith(
            f"It was routed to application {account.other_app_id}; Switchboard keeps that and puts it back "
            "when the number is unbound."
        )
        assert account.number().app_id == account.app_id
        # A resync finds the number on our application: it replaces nothing, and the record stays.
        resync = (await synced_api.query(RESYNC, {"id": payload["phoneNumber"]["id"]}))["resyncPhoneNumber"]
        assert resync["providerSync"]["ok"] is True and "It was routed" not in resync["providerSync"]["message"]
        account.fake.reset()
        cleared = (await synced_api.query(CLEAR, {"id": payload["phoneNumber"]["id"]}))["clearInboundWorkflow"]
        assert cleared["providerSync"] == {
            "ok": True,
            "action": "DETACH",
            "message": f"{account.display} no longer sends inbound calls to {NUMBER} to Switchboard "
            f"(unlinked from application {account.app_id}). It is linked to application {account.other_app_id} "
            "again, as before Switchboard.",
        }
        assert account.calls() == [account.lookup(NUMBER), account.link(NUMBER, account.other_app_id)]
        assert account.number().app_id == account.other_app_id
        assert account.app.answer_url == account.inbound_url, "the shared application keeps Switchboard's URL"
        # Put back once, then forgotten: moved to no application in the console, the number is bound
        # again and deleted, and stays on none.
        account.number().app_id = None
        await synced_api.query(UPDATE_NUMBER, {"input": {"id": payload["phoneNumber"]["id"], "inboundWorkflowId": workflow}})
        assert account.number().app_id == account.app_id
        deleted = (await synced_api.query(DELETE, {"id": payload["phoneNumber"]["id"]}))["deletePhoneNumber"]
        assert deleted["providerSync"]["ok"] is True and "again" not in deleted["providerSync"]["message"]
        assert account.number().app_id is None

    async def test_deleting_a_number_puts_back_its_application_or_says_it_is_gone(self, synced_api, account, bound):
        config, workflow = bound
        account.fake.add_number(account.auth_id, SECOND, account.other_app_id)
        account.number().app_id = account.other_app_id
        first = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
        second = (await create_number(synced_api, config["id"], SECOND, inboundWorkflowId=workflow))["phoneNumber"]
        deleted = (await synced_api.query(DELETE, {"id": first["id"]}))["deletePhoneNumber"]
        assert deleted["deletedId"] == first["id"]
        assert deleted["providerSync"]["message"].endswith(
            f"It is linked to application {account.other_app_id} again, as before Switchboard."
        )
        assert account.number().app_id == account.other_app_id
        del account.fake.accounts[account.auth_id].applications[account.other_app_id]
        deleted = (await synced_api.query(DELETE, {"id": second["id"]}))["deletePhoneNumber"]
        assert deleted["deletedId"] == second["id"] and deleted["providerSync"]["ok"] is True
        assert deleted["providerSync"]["message"].endswith(
            f"Its previous application {account.other_app_id} no longer exists. It is on no application now."
        )
        assert account.number(SECOND).app_id is None

    async def test_number_missing_at_the_provider_is_reported_and_the_write_stays(self, synced_api, account, bound):
        config, workflow = bound
        payload = await create_number(synced_api, config["id"], "+14155550199", inboundWorkflowId=workflow)
        assert payload["errors"] == [] and payload["phoneNumber"]["inboundWorkflowName"] == "Reception"
        sync = payload["phoneNumber"]["lastProviderSync"]
        assert sync["ok"] is False and sync["message"] == f"+14155550199 is not in this {account.display} account."
        assert account.fake.sent("POST") == [] and account.app.answer_url == OLD_URL
        deleted = (await synced_api.query(DELETE, {"id": payload["phoneNumber"]["id"]}))["deletePhoneNumber"]
        assert deleted["deletedId"] == payload["phoneNumber"]["id"] and deleted["providerSync"]["ok"] is True
        assert deleted["providerSync"]["message"] == (
            f"+14155550199 is no longer in this {account.display} account; nothing to detach."
        )

    async def test_an_unknown_application_is_reported(self, synced_api, account, bound):
        config, workflow = bound
        del account.fake.accounts[account.auth_id].applications[account.app_id]
        payload = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        sync = payload["phoneNumber"]["lastProviderSync"]
        assert sync["ok"] is False
        assert sync["message"].startswith(
            f"{account.display} has no application {account.app_id} in this account; check the Application ID"
        )
        assert account.number().app_id is None

    async def test_429_in_the_provider_shape_is_retried_and_a_401_reported(self, synced_api, account, bound):
        config, workflow = bound
        account.fake.add_number(account.auth_id, SECOND)
        account.fake.fail_next("status", status=429)
        payload = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        assert payload["providerSync"] == {"ok": True}
        assert account.calls() == [account.lookup(NUMBER), *account.attach(NUMBER)]
        account.fake.accounts[account.auth_id].token = "rotated"
        second = await create_number(synced_api, config["id"], SECOND, inboundWorkflowId=workflow)
        assert second["phoneNumber"]["lastProviderSync"]["message"] == f"{account.display} rejected the credentials (HTTP 401)."
        assert account.credentials["authToken"] not in str(second)


class TestPlivo(AuthIdProviderTests):
    @pytest.fixture
    def account(self, fakes) -> PlivoAccount:
        return PlivoAccount(fakes["plivo"])

    async def test_errors_have_plivo_shape(self, account):
        assert account.fake.error(429).body.decode().endswith('"error":"Too many requests, rate limited"}')
        assert account.fake.error(401).body.decode().endswith('"error":"Authentication failed"}')

    async def test_detach_reports_a_number_kept_by_the_default_application(self, synced_api, account, bound):
        config, workflow = bound
        number = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
        account.fake.accounts[account.auth_id].default_app_id = account.app_id
        account.fake.reset()
        cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
        sync = cleared["providerSync"]
        assert sync["ok"] is False and "default number application" in sync["message"]
        assert account.calls() == [account.lookup(NUMBER), account.unlink(NUMBER), account.lookup(NUMBER)]
        assert cleared["phoneNumber"]["inboundWorkflowId"] is None

    async def test_a_number_left_without_application_goes_to_the_default_one_and_is_said_so(self, synced_api, account, bound):
        config, workflow = bound
        number = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
        account.fake.accounts[account.auth_id].default_app_id = account.other_app_id
        cleared = (await synced_api.query(CLEAR, {"id": number["id"]}))["clearInboundWorkflow"]
        assert cleared["providerSync"]["ok"] is True
        assert cleared["providerSync"]["message"].endswith(
            f"Plivo linked it to application {account.other_app_id}, the account's default number application."
        )
        assert account.number().app_id == account.other_app_id

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"app_id": "1", "voice_url": "https://a.example/"}, "unexpected parameters: voice_url"),
            ({"app_id": None}, "app_id must be a string"),
        ],
    )
    async def test_the_fake_refuses_what_the_number_update_does_not_take(self, account, body, message):
        async with httpx.AsyncClient(base_url=account.fake.url) as client:
            response = await client.post(account.number_path(NUMBER), json=body, **account.auth())
        assert response.status_code == 400 and message in response.text
        assert account.number().app_id is None
