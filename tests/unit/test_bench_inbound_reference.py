"""The inbound benchmark's reference (bench/reference_inbound.py) checks Twilio's signature as
twilio-python signs it and answers Switchboard's TwiML byte for byte: a ratio against it is a
ratio against the same work."""

import pytest
from switchboard.providers.inbound import StreamTarget
from switchboard.providers.twiml import connect_stream
from switchboard.resolvers.ids import to_global_id
from twilio.request_validator import RequestValidator

from bench.reference_inbound import PATH, signature_valid, stream_twiml

TOKEN = "0123456789abcdef0123456789abcdef"
URL = f"https://switchboard.bench.test{PATH}"
URLS = (URL, f"https://switchboard.bench.test:443{PATH}")
FORM = [("CallSid", "CA" + "1" * 32), ("AccountSid", "AC" + "2" * 32), ("From", "+14155550100"), ("To", "+14155550101")]


def signed(url: str = URL, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, dict(FORM))


@pytest.mark.parametrize("url", URLS)
def test_a_signature_over_the_url_with_or_without_its_port_is_accepted(url):
    assert signature_valid(TOKEN, URLS, FORM, signed(url))


@pytest.mark.parametrize(
    "form, signature",
    [
        pytest.param([*FORM[:3], ("To", "+14155550199")], signed(), id="tampered parameter"),
        pytest.param(FORM, signed(token="f" * 32), id="another token"),
        pytest.param(FORM, signed(url="https://elsewhere.test" + PATH), id="another URL"),
        pytest.param(FORM, None, id="no signature"),
    ],
)
def test_anything_else_is_refused(form, signature):
    assert not signature_valid(TOKEN, URLS, form, signature)


def test_the_stream_answer_is_switchboards_byte_for_byte():
    calling, called = '+1415"<&>', "+14155550101"
    target = StreamTarget("wss://agent.bench.test/media?a=1&b=2", to_global_id("InboundCall", 42), to_global_id("Workflow", 7), calling, called)
    assert stream_twiml("wss://agent.bench.test/media?a=1&b=2", 42, 7, calling, called) == connect_stream(target).body

