"""Switchboard's Telnyx requests against telnyx-python's, the official SDK (a test dependency):
for each operation the SDK, its base URL at the same fake, sends what it would send to Telnyx,
and the two requests must say the same thing (method, path, query, JSON body, key). The SDK is
the reference, not our notes."""

from collections.abc import Awaitable

import pytest
from fakes.base import Recorded
from helpers import create_number
from telnyx import AsyncTelnyx
from test_telnyx import APP_NAME, INBOUND_URL, Telnyx, bound_fixture, linked_fixture, telnyx_fixture  # noqa: F401 (fixtures)
from test_twilio import CLEAR, VERIFY


@pytest.fixture
async def sdk(telnyx):
    async with AsyncTelnyx(api_key=telnyx.key, base_url=f"{telnyx.fake.url}/v2", max_retries=0) as client:
        yield client


def said(request: Recorded) -> dict:
    """What a request says to the API; not the headers that only name the client (the SDK sends
    its Content-Type on bodiless requests too, so it counts only with a body)."""
    return {
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "authorization": request.headers.get("authorization"),
        "content-type": request.headers.get("content-type") if request.body else None,
        "body": request.json,
    }


async def sdk_said(telnyx: Telnyx, call: Awaitable) -> dict:
    """What the SDK's `call` said (the fake's record is cleared first: take Switchboard's before)."""
    telnyx.fake.reset()
    await call
    [request] = telnyx.fake.requests
    return said(request)


async def test_the_credential_check_is_the_sdks_balance(synced_api, telnyx, bound, sdk):
    config, _ = bound
    await synced_api.query(VERIFY, {"id": config["id"]})
    [ours] = telnyx.fake.sent("GET", "/v2/balance")
    assert said(ours) == await sdk_said(telnyx, sdk.balance.retrieve())


async def test_attach_and_detach_send_what_the_sdk_sends(synced_api, telnyx, bound, sdk):
    """Lookup (digits only), the application read and updated, the number put on it, and put back
    on the connection it was on."""
    config, workflow = bound
    telnyx.route_elsewhere("+14155550100")
    previous = telnyx.routing("+14155550100")
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    lookup, application = telnyx.fake.sent("GET")
    [app_update], [link] = telnyx.app_updates(), telnyx.number_updates()
    await synced_api.query(CLEAR, {"id": number["id"]})
    [restore] = telnyx.number_updates()[1:]
    number_id = telnyx.number("+14155550100").id

    for ours, call in (
        (lookup, sdk.phone_numbers.list(filter={"phone_number": "14155550100"}, page_number=1, page_size=100)),
        (application, sdk.call_control_applications.retrieve(telnyx.connection_id)),
        (
            app_update,
            sdk.call_control_applications.update(telnyx.connection_id, application_name=APP_NAME, webhook_event_url=INBOUND_URL),
        ),
        (link, sdk.phone_numbers.update(number_id, connection_id=telnyx.connection_id)),
        (restore, sdk.phone_numbers.update(number_id, connection_id=previous)),
    ):
        assert said(ours) == await sdk_said(telnyx, call), ours.path


async def test_taking_a_number_off_every_connection_is_the_sdks_empty_string(synced_api, telnyx, bound, sdk):
    """The SDK types connection_id as a string: there is no null to send."""
    config, workflow = bound
    number = (await create_number(synced_api, config["id"], "+14155550100", inboundWorkflowId=workflow))["phoneNumber"]
    await synced_api.query(CLEAR, {"id": number["id"]})
    [_, unlink] = telnyx.number_updates()
    assert unlink.json == {"connection_id": ""}
    assert said(unlink) == await sdk_said(telnyx, sdk.phone_numbers.update(telnyx.number("+14155550100").id, connection_id=""))
    assert telnyx.number("+14155550100").connection_id is None
