"""Inbound calls as live updates (SPEC §15): a call's start and end reach the organization's
subscribers; the webhooks are Twilio's, signed by twilio-python."""

import pytest
from front_door import bind_number
from live_client import live
from test_inbound_twilio import NUMBER, STATUS, call_form, call_sid, deliver, twilio  # noqa: F401 (fixture)

CALLS = """subscription($number: ID) {
  inboundCallChanged(phoneNumberId: $number) { change id inboundCall { __typename id status from phoneNumber { id } } }
}"""


@pytest.mark.usefixtures("twilio")
async def test_a_calls_start_and_end_reach_subscribers(synced_server, synced_api):
    bound = await bind_number(synced_api, {"twilio": synced_api.twilio}, NUMBER)
    sid = call_sid("live")
    async with live(synced_server.url, synced_api.key) as client:
        await client.subscribe("calls", CALLS, {"number": bound.number_id})
        await client.nothing(0.2)
        await deliver(synced_server, synced_api, call_form(synced_api.twilio["accountSid"], sid))
        started = (await client.next_data("calls"))["inboundCallChanged"]
        assert started["change"] == "CREATED"
        assert started["inboundCall"]["status"] == "CONNECTED"
        assert started["inboundCall"]["phoneNumber"] == {"id": bound.number_id}
        ended_form = {"CallSid": sid, "AccountSid": synced_api.twilio["accountSid"], "CallStatus": "completed"}
        await deliver(synced_server, synced_api, ended_form, url=STATUS)
        ended = (await client.next_data("calls"))["inboundCallChanged"]
        assert ended == {**started, "change": "UPDATED", "inboundCall": {**started["inboundCall"], "status": "ENDED"}}
        # A retried webhook records nothing new, and announces nothing.
        await deliver(synced_server, synced_api, call_form(synced_api.twilio["accountSid"], sid))
        await client.nothing(0.5)
