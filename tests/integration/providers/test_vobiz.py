"""Vobiz against its fake: the scenarios shared with Plivo (here with X-Auth headers, %2B numbers
and per-number bindings) plus what only Vobiz has: a paginated partial search and a DELETE that
treats 404 as already detached."""

import httpx
import pytest
from helpers import create_number
from test_plivo import DECOY, NUMBER, AuthIdAccount, AuthIdProviderTests, Call, random_upper
from test_twilio import CLEAR, DELETE, RESYNC


class VobizAccount(AuthIdAccount):
    provider, display = "vobiz", "Vobiz"
    auth_headers = ("x-auth-id", "x-auth-token", "authorization")
    verify_message = "Vobiz accepted the credentials (balance 23906.83 INR)."

    def __init__(self, fake) -> None:
        super().__init__(fake, "MA_" + random_upper(8))
        self.verify_path = f"/api/v1/account/{self.auth_id}/balance/INR"
        self.app_path = f"/api/v1/Account/{self.auth_id}/Application/{self.app_id}/"

    @property
    def app_read_path(self) -> str:
        # vobiz-python reads the application without the trailing slash it writes it with.
        return self.app_path.removesuffix("/")

    def binding_path(self, e164: str) -> str:
        # Recorded decoded; on the wire the number is %2B-encoded (the fake answers 404 otherwise).
        return f"/api/v1/account/{self.auth_id}/numbers/{e164}/application"

    def lookup(self, e164: str) -> Call:
        return ("GET", f"/api/v1/account/{self.auth_id}/numbers", None)

    def link(self, e164: str, app_id: str | None = None) -> Call:
        return ("POST", self.binding_path(e164), {"application_id": app_id or self.app_id})

    def unlink(self, e164: str) -> Call:
        return ("DELETE", self.binding_path(e164), None)

    def trunk_path(self, e164: str) -> str:
        return f"/api/v1/account/{self.auth_id}/numbers/{e164}/assign"

    def assert_auth(self, request) -> None:
        assert request.headers["x-auth-id"] == self.auth_id
        assert request.headers["x-auth-token"] == self.credentials["authToken"]
        assert "authorization" not in request.headers

    def auth(self) -> dict:
        return {"headers": {"x-auth-id": self.auth_id, "x-auth-token": self.credentials["authToken"]}}


class TestVobiz(AuthIdProviderTests):
    @pytest.fixture
    def account(self, fakes) -> VobizAccount:
        return VobizAccount(fakes["vobiz"])

    def pages(self, account: VobizAccount) -> list[list[str]]:
        return [r.query["page"] for r in account.fake.sent("GET", "/numbers")]

    async def test_the_lookup_searches_partially_and_pages_to_the_exact_number(self, synced_api, account, bound):
        config, workflow = bound
        account.fake.max_per_page = 1
        account.fake.add_number(account.auth_id, "+141555501001")
        numbers = account.fake.accounts[account.auth_id].numbers
        numbers[NUMBER] = numbers.pop(NUMBER)  # listed behind both decoys
        payload = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        assert payload["providerSync"] == {"ok": True}
        lookups = account.fake.sent("GET", "/numbers")
        assert [r.query for r in lookups] == [
            {"page": [str(page)], "per_page": ["100"], "search": [NUMBER]} for page in (1, 2, 3)
        ]
        assert account.number().app_id == account.app_id and account.number(DECOY).app_id == account.other_app_id
        del numbers[NUMBER]  # only the partial matches are left
        account.fake.reset()
        account.fake.max_per_page = 1
        resync = (await synced_api.query(RESYNC, {"id": payload["phoneNumber"]["id"]}))["resyncPhoneNumber"]
        assert resync["providerSync"] == {"ok": False, "action": "ATTACH", "message": f"{NUMBER} is not in this Vobiz account."}
        assert self.pages(account) == [["1"], ["2"]]

    async def test_a_binding_already_gone_at_delete_is_detached(self, synced_api, account, bound):
        config, workflow = bound
        number = (await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
        account.fake.reset()
        account.fake.unbind_after_listing.add(NUMBER)  # someone else detaches it between our two calls
        deleted = (await synced_api.query(DELETE, {"id": number["id"]}))["deletePhoneNumber"]
        assert deleted["deletedId"] == number["id"] and deleted["providerSync"]["ok"] is True
        assert account.calls() == [account.lookup(NUMBER), account.unlink(NUMBER)]
        assert account.number().app_id is None

    async def test_errors_have_the_vobiz_envelope(self, account):
        body = account.fake.error(401).body.decode()
        assert body.startswith('{"status":"error","error":{"code":"INVALID_CREDENTIALS"')

    async def test_a_number_on_a_sip_trunk_is_taken_off_it_and_put_back(self, synced_api, account, bound):
        config, workflow = bound
        trunk = "e3e55a78-1234-5678-90ab-cdef12345678"
        account.fake.accounts[account.auth_id].trunks.add(trunk)
        account.number().trunk_group_id = trunk
        payload = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        assert payload["providerSync"] == {"ok": True}
        assert payload["phoneNumber"]["lastProviderSync"]["message"].endswith(
            f"It was routed to trunk {trunk}; Switchboard keeps that and puts it back when the number is unbound."
        )
        # The trunk would take the calls whatever the application: the number leaves it first.
        lookup, read, update, unassign, link = account.calls()
        assert unassign == ("DELETE", account.trunk_path(NUMBER), None) and link == account.link(NUMBER)
        assert (account.number().trunk_group_id, account.number().app_id) == (None, account.app_id)
        account.fake.reset()
        cleared = (await synced_api.query(CLEAR, {"id": payload["phoneNumber"]["id"]}))["clearInboundWorkflow"]
        assert cleared["providerSync"]["message"] == (
            f"Vobiz no longer sends inbound calls to {NUMBER} to Switchboard (unlinked from application {account.app_id}). "
            f"It is on trunk {trunk} again."
        )
        assert account.calls() == [
            account.lookup(NUMBER),
            ("POST", account.trunk_path(NUMBER), {"trunk_group_id": trunk}),
            account.unlink(NUMBER),
        ]
        assert (account.number().trunk_group_id, account.number().app_id) == (trunk, None)

    async def test_a_trunk_or_application_gone_since_is_said_so_and_a_trunk_alone_is_left(self, synced_api, account, bound):
        config, workflow = bound
        trunk = "aabbccdd-1234-5678-90ab-cdef12345678"
        account.fake.accounts[account.auth_id].trunks.add(trunk)
        account.number().app_id, account.number().trunk_group_id = account.other_app_id, trunk
        account.fake.accounts[account.auth_id].applications.pop(account.other_app_id)
        payload = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        assert (
            "routed to trunk " + trunk + " and application " + account.other_app_id
            in (payload["phoneNumber"]["lastProviderSync"]["message"])
        )
        account.fake.accounts[account.auth_id].trunks.clear()
        account.fake.reset()
        deleted = (await synced_api.query(DELETE, {"id": payload["phoneNumber"]["id"]}))["deletePhoneNumber"]
        assert deleted["providerSync"]["ok"] is True
        assert deleted["providerSync"]["message"].endswith(
            f"Its previous trunk {trunk} no longer exists. Its previous application {account.other_app_id} no longer "
            "exists. It is on no application now."
        )
        assert (account.number().trunk_group_id, account.number().app_id) == (None, None)
        account.number().app_id, account.number().trunk_group_id = account.app_id, trunk
        account.fake.accounts[account.auth_id].trunks.add(trunk)
        account.fake.reset()
        number = await create_number(synced_api, config["id"], NUMBER, inboundWorkflowId=workflow)
        assert number["providerSync"] == {"ok": True}
        assert [call[0] for call in account.calls()] == ["GET", "GET", "DELETE"], "only the trunk was in the way"
        assert (account.number().trunk_group_id, account.number().app_id) == (None, account.app_id)

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/Account/{auth_id}/numbers",  # vobiz-python lists under /account/ (lower case)
            "/api/v1/account/{auth_id}/Application/{app_id}/",
            "/api/v1/account/{auth_id}/numbers/+14155550100/application",  # the number must be %2B-encoded
        ],
    )
    async def test_the_fake_knows_only_the_sdk_spelling_of_paths(self, account, path):
        method = "GET" if path.endswith(("numbers", "/")) else "DELETE"
        async with httpx.AsyncClient(base_url=account.fake.url) as client:
            response = await client.request(method, path.format(auth_id=account.auth_id, app_id=account.app_id), **account.auth())
        assert response.status_code == 404
