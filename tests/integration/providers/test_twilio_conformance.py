"""Switchboard's Twilio and SignalWire requests against the official twilio SDK's (9.13) for the same
operation on the same fake: method, path, query, form, content type and Basic credentials must be
equal. The SDK is the reference.

The SDK is pointed at the fake by its API domain's base URL (`client.api.base_url`). For SignalWire
that is exactly what signalwire 2.1's `Client` does: base URL `https://{space}`, so its requests go
to `/2010-04-01/...` where Switchboard uses `/api/laml/2010-04-01/...`, the base URL of SignalWire's
API reference (and of the `next_page_uri` the API answers with); the space serves both, and the
comparison treats the two prefixes as one. signalwire 2.1 pins twilio 6.54, which cannot be
installed beside 9.13, so its `Client` is reproduced on twilio 9.13 (it sends the same parameter
names). The SDK is synchronous: it runs in a thread while the fake serves on the test event loop.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import PUBLIC_BASE_URL
from fakes.base import Recorded
from fakes.twilio_compat import TwilioCompatibleFake
from helpers import UPDATE_NUMBER, create_config, create_number, create_workflow
from test_signalwire import SignalWire
from test_twilio import CLEAR, VERIFY
from twilio.rest import Client

NUMBER, DECOY = "+14155550100", "+141555501000"
OTHER_URL = "https://other.example.com/voice"


@dataclass
class Account:
    """One account at one provider's fake, with Switchboard's credentials for it and the SDK's."""

    provider: str
    fake: TwilioCompatibleFake
    credentials: dict[str, str]
    sid: str
    token: str
    sdk_base: str
    #: The path prefix the SDK requests in place of Switchboard's (SignalWire's), if any.
    sdk_alias: tuple[str, str] | None = None

    @property
    def inbound_url(self) -> str:
        return f"{PUBLIC_BASE_URL}/telephony/{self.provider}/inbound"

    @property
    def status_url(self) -> str:
        return f"{PUBLIC_BASE_URL}/telephony/{self.provider}/status"

    def number(self, phone_number: str = NUMBER):
        return self.fake.number(self.sid, phone_number)

    async def sdk(self, call: Callable[[Any], Any]) -> tuple[Any, list[Recorded]]:
        """What `call(account context)` returns through the SDK, and the requests it made."""
        client = Client(self.sid, self.token)
        client.api.base_url = self.sdk_base
        self.fake.reset()
        result = await asyncio.to_thread(call, client.api.v2010.accounts(self.sid))
        return result, list(self.fake.requests)

    def wires(self, requests: list[Recorded]) -> list[tuple]:
        """What the provider sees of each request (the content type where there is a body), the
        SDK's prefix read as Switchboard's."""
        seen = []
        for request in requests:
            path = request.path
            if self.sdk_alias and path.startswith(self.sdk_alias[0]):
                path = self.sdk_alias[1] + path.removeprefix(self.sdk_alias[0])
            content_type = request.headers.get("content-type") if request.body else None
            body = request.form if request.method == "POST" else request.body.decode()
            seen.append((request.method, path, request.query, body, content_type, request.basic_auth))
        return seen


@pytest.fixture(params=["twilio", "signalwire"])
def account(request, fakes, synced_api) -> Account:
    if request.param == "signalwire":
        project = SignalWire(fakes["signalwire"])
        token = project.credentials["apiToken"]
        fake = project.fake
        alias = ("/2010-04-01/", "/api/laml/2010-04-01/")
        return Account("signalwire", fake, project.credentials, project.project, token, fake.url, alias)
    fake, credentials = fakes["twilio"], synced_api.twilio
    sid, token = credentials["accountSid"], credentials["authToken"]
    fake.add_account(sid, token)
    fake.add_number(sid, DECOY, voice_url="https://elsewhere.example/decoy")
    fake.add_number(sid, NUMBER)
    return Account("twilio", fake, credentials, sid, token, fake.url)


@pytest.fixture
async def bound(synced_api, account):
    """Switchboard's configuration for the account, and a workflow to bind numbers to."""
    config = await create_config(synced_api, account.provider, {account.provider: account.credentials})
    return config["telephonyConfig"]["id"], await create_workflow(synced_api, "Reception")


async def test_the_account_check_is_the_sdks_account_fetch(synced_api, account, bound):
    config_id, _ = bound
    account.fake.reset()
    verified = (await synced_api.query(VERIFY, {"id": config_id}))["verifyTelephonyConfig"]["verification"]
    assert verified["status"] == "VERIFIED"
    ours = list(account.fake.requests)
    fetched, theirs = await account.sdk(lambda api: api.fetch())
    assert account.wires(ours) == account.wires(theirs) and len(ours) == 1
    assert (fetched.sid, fetched.friendly_name, fetched.status) == (account.sid, "Test account", "active")


async def test_the_number_lookup_is_the_sdks_list_by_phone_number_page_after_page(synced_api, account, bound, monkeypatch):
    config_id, workflow = bound
    # One number a page: the partial-match decoy first, so the number is on the page the API links to.
    monkeypatch.setattr(account.fake, "page_size", 1)
    account.fake.reset()
    await create_number(synced_api, config_id, NUMBER, inboundWorkflowId=workflow)
    ours = account.fake.sent("GET")
    listed, theirs = await account.sdk(lambda api: api.incoming_phone_numbers.list(phone_number=NUMBER))
    assert account.wires(ours) == account.wires(theirs) and len(ours) == 2
    assert [number.phone_number for number in listed] == [DECOY, NUMBER]


async def test_the_attach_is_the_sdks_update_of_the_voice_settings(synced_api, account, bound):
    config_id, workflow = bound
    account.fake.reset()
    await create_number(synced_api, config_id, NUMBER, inboundWorkflowId=workflow)
    ours = account.fake.sent("POST")
    sid = account.number().sid
    updated, theirs = await account.sdk(
        lambda api: api.incoming_phone_numbers(sid).update(
            voice_url=account.inbound_url,
            voice_method="POST",
            voice_application_sid="",
            trunk_sid="",
            status_callback=account.status_url,
            status_callback_method="POST",
        )
    )
    assert account.wires(ours) == account.wires(theirs) and len(ours) == 1
    assert (updated.voice_url, updated.trunk_sid, updated.voice_application_sid) == (account.inbound_url, None, None)


async def test_the_detach_that_puts_a_trunk_back_is_the_sdks_update(synced_api, account, bound):
    config_id, workflow = bound
    trunk = account.fake.new_sid("TK")
    before = account.number()
    before.voice_url, before.voice_method, before.trunk_sid = OTHER_URL, "GET", trunk
    before.status_callback = "https://crm.example.com/calls"
    number = (await create_number(synced_api, config_id, NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
    account.fake.reset()
    await synced_api.query(CLEAR, {"id": number["id"]})
    ours = account.fake.sent("POST")
    restored, theirs = await account.sdk(
        lambda api: api.incoming_phone_numbers(before.sid).update(
            voice_url=OTHER_URL,
            voice_method="GET",
            trunk_sid=trunk,
            status_callback="https://crm.example.com/calls",
            status_callback_method="POST",
        )
    )
    assert account.wires(ours) == account.wires(theirs) and len(ours) == 1
    assert (restored.trunk_sid, restored.voice_url, restored.voice_method) == (trunk, OTHER_URL, "GET")


async def test_the_detach_that_blanks_the_voice_url_is_the_sdks_update(synced_api, account, bound):
    config_id, workflow = bound
    number = (await create_number(synced_api, config_id, NUMBER, inboundWorkflowId=workflow))["phoneNumber"]
    account.fake.reset()
    await synced_api.query(UPDATE_NUMBER, {"input": {"id": number["id"], "isActive": False}})
    ours = account.fake.sent("POST")
    sid = account.number().sid
    blanked, theirs = await account.sdk(
        lambda api: api.incoming_phone_numbers(sid).update(voice_url="", voice_method="POST", status_callback="")
    )
    assert account.wires(ours) == account.wires(theirs) and len(ours) == 1
    assert (blanked.voice_url, blanked.status_callback) == ("", "")
