"""Vobiz against its fake: the scenarios shared with Plivo (here with X-Auth headers, %2B numbers
and per-number bindings) plus what only Vobiz has: a paginated partial search and a DELETE that
treats 404 as already detached."""

import pytest
from helpers import create_number
from test_plivo import DECOY, NUMBER, AuthIdAccount, AuthIdProviderTests, Call, random_upper
from test_twilio import DELETE, RESYNC


class VobizAccount(AuthIdAccount):
    provider, display = "vobiz", "Vobiz"
    verify_message = "Vobiz accepted the credentials (balance 23906.83 INR)."

    def __init__(self, fake) -> None:
        super().__init__(fake, "MA_" + random_upper(8))
        self.verify_path = f"/api/v1/account/{self.auth_id}/balance/INR"
        self.app_path = f"/api/v1/Account/{self.auth_id}/Application/{self.app_id}/"

    def binding_path(self, e164: str) -> str:
        # Recorded decoded; on the wire the number is %2B-encoded (the fake answers 404 otherwise).
        return f"/api/v1/account/{self.auth_id}/numbers/{e164}/application"

    def lookup(self, e164: str) -> Call:
        return ("GET", f"/api/v1/Account/{self.auth_id}/numbers", None)

    def link(self, e164: str) -> Call:
        return ("POST", self.binding_path(e164), {"application_id": self.app_id})

    def unlink(self, e164: str) -> Call:
        return ("DELETE", self.binding_path(e164), None)

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
