"""Plivo's call webhooks at the front door, signed with plivo-python's V3 signature code.

`AuthIdFrontDoorTests` holds the scenarios Plivo and Vobiz share (test_inbound_vobiz.py runs them
too); what each provider sends comes from the `AuthIdCaller` subclass the `caller` fixture returns.
"""

import secrets
import string
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from conftest import PUBLIC_BASE_URL
from front_door import AGENT_URL, BoundNumber, bind_number, calls_of, front_door_url, get_webhook, local, post_webhook
from plivo_signing import PLIVO, VOBIZ, V3Signer
from switchboard.providers.registry import get_provider
from switchboard.resolvers.ids import from_global_id

NUMBER = "+14155550100"
CALLER = "+14155559876"


def random_upper(length: int) -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length))


class AuthIdCaller:
    """One fresh account at a Plivo-like fake (its application, NUMBER and the numbers a test adds),
    and the webhooks the provider sends for it. Subclasses name the provider and its auth ids."""

    provider: str
    signer: V3Signer
    #: The other provider's signer: its headers must not pass for this provider's.
    other_signer: V3Signer

    def __init__(self, fake, auth_id: str) -> None:
        self.fake = fake
        self.auth_id = auth_id
        app_id = str(10**16 + secrets.randbelow(9 * 10**16))
        self.credentials = {"authId": auth_id, "authToken": secrets.token_urlsafe(30), "applicationId": app_id}
        fake.add_account(auth_id, self.credentials["authToken"])
        self.app = fake.add_application(auth_id, app_id, "https://old.example/answer")
        fake.add_number(auth_id, NUMBER)
        self.inbound = front_door_url(self.provider, query=urlencode({"account": auth_id}))
        self.status = front_door_url(self.provider, "status", urlencode({"account": auth_id}))

    @property
    def token(self) -> str:
        return self.credentials["authToken"]

    async def bind(self, api, address: str = NUMBER, **options) -> BoundNumber:
        if address.startswith("+") and address not in self.fake.accounts[self.auth_id].numbers:
            self.fake.add_number(self.auth_id, address)
        return await bind_number(api, {self.provider: self.credentials}, address, **options)

    def call(self, call_id: str, to: str = NUMBER, **extra: str) -> dict[str, str]:
        """The answer request of an inbound call (numbers E.164 without "+")."""
        return {
            "CallUUID": call_id,
            "From": CALLER.lstrip("+"),
            "To": to.lstrip("+"),
            "CallStatus": "ringing",
            "Direction": "inbound",
            **extra,
        }

    def hangup(self, call_id: str) -> dict[str, str]:
        """The hangup URL's request at the end of the call."""
        return {
            "CallUUID": call_id,
            "From": CALLER.lstrip("+"),
            "To": NUMBER.lstrip("+"),
            "CallStatus": "completed",
            "Direction": "inbound",
            "HangupCause": "NORMAL_CLEARING",
            "Duration": "42",
            "BillDuration": "60",
        }

    def sign(self, form: dict[str, str], url: str, *, token: str | None = None, method: str = "POST") -> dict[str, str]:
        return self.signer.sign(token or self.token, method, url, form)

    async def deliver(self, server, form: dict[str, str], url: str | None = None, **sign) -> httpx.Response:
        url = url or self.inbound
        return await post_webhook(server.url, url, data=form, headers=self.sign(form, url, **sign))


def new_call_id() -> str:
    return str(uuid.uuid4())


def streamed(response: httpx.Response) -> dict[str, str]:
    """The Stream element's attributes and its URL's query, from a stream answer."""
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    document = ET.fromstring(response.content)
    assert document.tag == "Response" and [child.tag for child in document] == ["Stream"]
    stream = document.find("Stream")
    url = urlsplit(stream.text)
    assert f"{url.scheme}://{url.netloc}{url.path}" == AGENT_URL
    return {**stream.attrib, **{name: values[0] for name, values in parse_qs(url.query).items()}}


def assert_rejected(response: httpx.Response) -> None:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    document = ET.fromstring(response.content)
    assert [child.tag for child in document] == ["Speak", "Hangup"]
    assert document.find("Speak").text == "Sorry, this number cannot take your call. Goodbye."


class AuthIdFrontDoorTests:
    """Scenarios shared by Plivo and Vobiz; subclasses provide the `caller` fixture."""

    async def test_the_attach_points_the_application_at_the_urls_of_the_account(self, synced_api, caller):
        plugin = get_provider(caller.provider)
        assert plugin.supports_inbound_dispatch and plugin.account_in_inbound_url
        assert plugin.account_id(caller.credentials) == caller.auth_id
        bound = await caller.bind(synced_api)
        assert bound.inbound_url == caller.inbound == f"{PUBLIC_BASE_URL}/telephony/{caller.provider}/inbound?account={caller.auth_id}"
        assert (caller.app.answer_url, caller.app.answer_method) == (bound.inbound_url, "POST")
        assert (caller.app.hangup_url, caller.app.hangup_method) == (caller.status, "POST")

    async def test_a_bound_number_streams_to_the_agent_and_the_call_is_logged(self, synced_server, synced_api, caller):
        bound = await caller.bind(synced_api)
        call_id = new_call_id()
        stream = streamed(await caller.deliver(synced_server, caller.call(call_id)))
        [call] = await calls_of(synced_api, bound.number_id)
        assert stream == {
            "bidirectional": "true",
            "keepCallAlive": "true",
            "contentType": "audio/x-mulaw;rate=8000",
            "callId": call["id"],
            "workflowId": bound.workflow_id,
            "from": CALLER,
            "to": NUMBER,
        }
        assert from_global_id(call["id"])[0] == "InboundCall"
        assert (call["status"], call["rejectReason"], call["providerCallId"]) == ("CONNECTED", None, call_id)
        assert (call["from"], call["to"], call["provider"]) == (CALLER, NUMBER, caller.provider.upper())
        assert call["phoneNumber"]["id"] == bound.number_id and call["workflow"]["id"] == bound.workflow_id
        assert call["telephonyConfig"]["id"] == bound.config_id and call["endedAt"] is None

    async def test_an_answer_request_by_get_is_verified_over_its_query(self, synced_server, synced_api, caller):
        bound = await caller.bind(synced_api)
        url = f"{caller.inbound}&{urlencode(caller.call(new_call_id()))}"
        response = await get_webhook(synced_server.url, url, headers=caller.sign({}, url, method="GET"))
        assert streamed(response)["to"] == NUMBER
        [call] = await calls_of(synced_api, bound.number_id)
        assert call["status"] == "CONNECTED"

    async def test_a_retried_webhook_gets_the_same_answer_and_one_record(self, synced_server, synced_api, caller):
        """Providers retry the answer URL; the SDK keeps no nonce, so even the very same signed
        request is accepted again, and the call id makes it the same call."""
        bound = await caller.bind(synced_api)
        form = caller.call(new_call_id())
        headers = caller.sign(form, caller.inbound)
        first = await post_webhook(synced_server.url, caller.inbound, data=form, headers=headers)
        again = await caller.deliver(synced_server, form)
        replayed = await post_webhook(synced_server.url, caller.inbound, data=form, headers=headers)
        assert first.content == again.content == replayed.content
        assert len(await calls_of(synced_api, bound.number_id)) == 1

    async def test_the_hangup_callback_ends_the_call_and_a_forged_one_does_not(self, synced_server, synced_api, caller):
        bound = await caller.bind(synced_api)
        call_id = new_call_id()
        await caller.deliver(synced_server, caller.call(call_id))
        hangup = caller.hangup(call_id)
        forged = await caller.deliver(synced_server, hangup, caller.status, token="not-the-token")
        unsigned = await post_webhook(synced_server.url, caller.status, data=hangup)
        assert forged.status_code == unsigned.status_code == 204
        [call] = await calls_of(synced_api, bound.number_id)
        assert call["status"] == "CONNECTED", "an unauthentic hangup callback must not end the call"

        response = await caller.deliver(synced_server, hangup, caller.status)
        assert response.status_code == 204
        [call] = await calls_of(synced_api, bound.number_id)
        assert call["status"] == "ENDED" and call["endedAt"] is not None and call["durationSeconds"] >= 0

    async def test_a_hangup_sent_to_the_answer_url_ends_the_call(self, synced_server, synced_api, caller):
        """Vobiz sends its Hangup event to the answer flow; Plivo its hangup, without a hangup URL."""
        bound = await caller.bind(synced_api)
        call_id = new_call_id()
        await caller.deliver(synced_server, caller.call(call_id))
        ringing = await caller.deliver(synced_server, caller.call(call_id, Event="Ring"))
        assert streamed(ringing)["callId"] == (await calls_of(synced_api, bound.number_id))[0]["id"]
        ignored = await caller.deliver(synced_server, caller.call(call_id, Event="recording.completed"))
        assert ignored.status_code == 204
        response = await caller.deliver(synced_server, {**caller.hangup(call_id), "Event": "Hangup"})
        assert response.status_code == 204
        [call] = await calls_of(synced_api, bound.number_id)
        assert call["status"] == "ENDED"

    @pytest.mark.parametrize(
        "tamper",
        [
            pytest.param(lambda c, form, url: {c.signer.header: "AAAA", f"{c.signer.header}-Nonce": "1"}, id="wrong signature"),
            pytest.param(lambda c, form, url: {}, id="unsigned"),
            pytest.param(lambda c, form, url: c.sign(form, url, token="someone-elses-token"), id="another token"),
            pytest.param(lambda c, form, url: c.sign({**form, "From": "14155550000"}, url), id="a changed parameter"),
            pytest.param(
                lambda c, form, url: {**c.sign(form, url), f"{c.signer.header}-Nonce": "1" * 20}, id="another nonce"
            ),
            pytest.param(lambda c, form, url: c.sign(form, url.replace("/inbound", "/status")), id="another URL"),
            pytest.param(lambda c, form, url: c.sign(form, url + "0"), id="another account"),
            pytest.param(lambda c, form, url: c.other_signer.sign(c.token, "POST", url, form), id="the other provider"),
        ],
    )
    async def test_an_unauthentic_webhook_is_rejected_and_nothing_is_stored(self, synced_server, synced_api, caller, tamper):
        bound = await caller.bind(synced_api)
        form = caller.call(new_call_id())
        response = await post_webhook(synced_server.url, caller.inbound, data=form, headers=tamper(caller, form, caller.inbound))
        assert_rejected(response)
        assert await calls_of(synced_api, bound.number_id) == []

    async def test_one_valid_signature_among_several_is_enough(self, synced_server, synced_api, caller):
        await caller.bind(synced_api)
        form = caller.call(new_call_id())
        nonce = "12345678901234567890"
        wrong = caller.signer.signature("someone-elses-token", "POST", caller.inbound, form, nonce)
        right = caller.signer.signature(caller.token, "POST", caller.inbound, form, nonce)
        headers = caller.signer.headers(f"{wrong},{right}", nonce)
        response = await post_webhook(synced_server.url, caller.inbound, data=form, headers=headers)
        assert streamed(response)["to"] == NUMBER

    async def test_an_unknown_number_gets_the_same_answer_as_a_forged_call(self, synced_server, synced_api, caller):
        """Whether a number exists under some account must not show in the answer."""
        await caller.bind(synced_api)
        forged = await post_webhook(synced_server.url, caller.inbound, data=caller.call(new_call_id()))
        unknown = await caller.deliver(synced_server, caller.call(new_call_id(), to="+14155550199"))
        other = await caller.deliver(synced_server, caller.call(new_call_id()), caller.inbound + "0")
        assert_rejected(forged)
        assert forged.content == unknown.content == other.content

    async def test_a_signed_call_to_an_inactive_number_is_rejected_with_its_reason(self, synced_server, synced_api, caller):
        bound = await caller.bind(synced_api, isActive=False)
        response = await caller.deliver(synced_server, caller.call(new_call_id()))
        assert_rejected(response)
        [call] = await calls_of(synced_api, bound.number_id)
        assert (call["status"], call["rejectReason"]) == ("REJECTED", "NUMBER_INACTIVE")

    @pytest.mark.parametrize("kind", ["inbound", "status"])
    async def test_requests_that_are_not_call_webhooks_are_400(self, synced_server, caller, kind):
        without_account = front_door_url(caller.provider, kind)
        with_account = caller.inbound if kind == "inbound" else caller.status
        form = {**caller.call(new_call_id()), **caller.hangup(new_call_id())} if kind == "status" else caller.call(new_call_id())
        async with httpx.AsyncClient(base_url=synced_server.url) as client:
            for url, kwargs in [
                (without_account, {"data": form}),
                (with_account, {"json": form}),
                (with_account, {"data": {"From": "1"}}),
            ]:
                response = await client.post(local(url), **kwargs, headers=caller.sign(form, url))
                assert response.status_code == 400, (url, kwargs, response.text)


class PlivoCaller(AuthIdCaller):
    provider = "plivo"
    signer, other_signer = PLIVO, VOBIZ

    def __init__(self, fake) -> None:
        super().__init__(fake, "MA" + random_upper(18))


class TestPlivo(AuthIdFrontDoorTests):
    @pytest.fixture
    def caller(self, fakes) -> PlivoCaller:
        return PlivoCaller(fakes["plivo"])
