"""Vobiz's call webhooks at the front door: the scenarios shared with Plivo, signed with
vobiz-python's V3 code, plus what only Vobiz has: national Indian numbers and the documented
signature variant (the URL without its query and the nonce; parameters unsigned)."""

import pytest
from front_door import calls_of, post_webhook
from plivo_signing import PLIVO, VOBIZ, new_nonce, vobiz_documented_signature
from test_inbound_plivo import AuthIdCaller, AuthIdFrontDoorTests, assert_rejected, new_call_id, random_upper, streamed

INDIAN = "+919876543210"


class VobizCaller(AuthIdCaller):
    provider = "vobiz"
    signer, other_signer = VOBIZ, PLIVO

    def __init__(self, fake) -> None:
        super().__init__(fake, "MA_" + random_upper(8))

    def documented(self, url: str, nonce: str | None = None, token: str | None = None) -> dict[str, str]:
        nonce = nonce or new_nonce()
        return VOBIZ.headers(vobiz_documented_signature(token or self.token, url, nonce), nonce)


class TestVobiz(AuthIdFrontDoorTests):
    @pytest.fixture
    def caller(self, fakes) -> VobizCaller:
        return VobizCaller(fakes["vobiz"])

    async def test_a_national_number_is_read_as_indian(self, synced_server, synced_api, caller):
        bound = await caller.bind(synced_api, INDIAN)
        form = caller.call(new_call_id(), to="09876543210", From="08012345678")
        stream = streamed(await caller.deliver(synced_server, form))
        assert (stream["to"], stream["from"]) == ("09876543210", "08012345678"), "the agent gets the numbers as Vobiz sent them"
        [call] = await calls_of(synced_api, bound.number_id)
        assert (call["status"], call["to"]) == ("CONNECTED", "09876543210")
        e164 = streamed(await caller.deliver(synced_server, caller.call(new_call_id(), to=INDIAN)))
        assert e164["to"] == INDIAN
        assert len(await calls_of(synced_api, bound.number_id)) == 2

    async def test_the_documented_signature_is_accepted_on_both_urls(self, synced_server, synced_api, caller):
        bound = await caller.bind(synced_api)
        call_id = new_call_id()
        form = caller.call(call_id)
        response = await post_webhook(synced_server.url, caller.inbound, data=form, headers=caller.documented(caller.inbound))
        assert streamed(response)["to"] == "+14155550100"
        hangup = {**caller.hangup(call_id), "Event": "Hangup"}
        response = await post_webhook(synced_server.url, caller.status, data=hangup, headers=caller.documented(caller.status))
        assert response.status_code == 204
        [call] = await calls_of(synced_api, bound.number_id)
        assert call["status"] == "ENDED"

    @pytest.mark.parametrize(
        "headers",
        [
            pytest.param(lambda c: c.documented(c.inbound.replace("/inbound", "/status")), id="another URL"),
            pytest.param(lambda c: c.documented(c.inbound, token="someone-elses-token"), id="another token"),
            pytest.param(lambda c: {**c.documented(c.inbound), "X-Vobiz-Signature-V3-Nonce": "1" * 20}, id="another nonce"),
        ],
    )
    async def test_a_documented_signature_for_something_else_is_rejected(self, synced_server, synced_api, caller, headers):
        bound = await caller.bind(synced_api)
        response = await post_webhook(synced_server.url, caller.inbound, data=caller.call(new_call_id()), headers=headers(caller))
        assert_rejected(response)
        assert await calls_of(synced_api, bound.number_id) == []

    async def test_the_documented_signature_covers_neither_the_parameters_nor_the_account(self, synced_server, synced_api, caller):
        """What Vobiz documents signs the URL's path and the nonce only: the same headers pass with
        other parameters. The account still has to be the one whose token signed."""
        bound = await caller.bind(synced_api)
        headers = caller.documented(caller.inbound)
        first = await post_webhook(synced_server.url, caller.inbound, data=caller.call(new_call_id()), headers=headers)
        second = await post_webhook(synced_server.url, caller.inbound, data=caller.call(new_call_id()), headers=headers)
        assert streamed(first) and streamed(second)
        assert len(await calls_of(synced_api, bound.number_id)) == 2
        elsewhere = caller.inbound + "0"
        assert_rejected(await post_webhook(synced_server.url, elsewhere, data=caller.call(new_call_id()), headers=headers))
