"""Reading Plivo's and Vobiz's call webhooks: which requests are a call, an end, or ignored, and
how their numbers are read."""

from urllib.parse import urlencode

import pytest
from switchboard.providers.inbound import CallEndedWebhook, InboundCallWebhook, MalformedWebhook, WebhookRequest
from switchboard.providers.plivo.webhooks import number, parse_call, parse_hangup
from switchboard.resolvers.rules.addresses import normalize_address

URL = "https://switchboard.example.test/telephony/vobiz/inbound?account=MA_ABCDEFGH"
FORM = {"content-type": "application/x-www-form-urlencoded"}
CALL = {"CallUUID": "c-1", "From": "14155559876", "To": "14155550100", "CallStatus": "ringing", "Direction": "inbound"}


def post(fields: dict[str, str], url: str = URL, headers: dict[str, str] = FORM) -> WebhookRequest:
    return WebhookRequest("POST", url, headers, urlencode(fields).encode(), tuple(fields.items()))


@pytest.mark.parametrize(
    ("written", "country", "normalized"),
    [
        ("14155550100", None, "+14155550100"),
        ("14155550100", "IN", "+14155550100"),
        ("09876543210", "IN", "+919876543210"),
        ("+919876543210", "IN", "+919876543210"),
        ("sip:alice@example.com", None, "sip:alice@example.com"),
    ],
)
def test_numbers_are_e164_without_plus_or_national_where_the_provider_sends_those(written, country, normalized):
    address, region = number(written, country)
    assert normalize_address(address, region).normalized == normalized


def test_a_plivo_number_with_a_leading_zero_is_not_read_as_national():
    assert number("09876543210", None) == ("+09876543210", None)


def test_an_answer_request_is_a_call_of_the_account_in_the_url():
    call = parse_call(post(CALL), "IN")
    assert call == InboundCallWebhook("c-1", "MA_ABCDEFGH", "+14155550100", "+14155559876", None)
    national = parse_call(post({**CALL, "To": "09876543210", "From": "08012345678"}), "IN")
    assert (national.called, national.called_country, national.calling) == ("09876543210", "IN", "08012345678")


def test_a_get_reads_the_query():
    request = WebhookRequest("GET", f"{URL}&{urlencode(CALL)}", {}, b"")
    assert parse_call(request, None) == InboundCallWebhook("c-1", "MA_ABCDEFGH", "+14155550100", "+14155559876", None)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"Event": "StartApp", "CallStatus": "in-progress"}, InboundCallWebhook),
        ({"Event": "Ring"}, InboundCallWebhook),
        ({"Event": "Hangup"}, CallEndedWebhook),
        ({"CallStatus": "completed", "HangupCause": "NORMAL_CLEARING", "Duration": "12"}, CallEndedWebhook),
        ({"Event": "recording.completed"}, type(None)),
    ],
)
def test_what_else_reaches_the_answer_url(extra, expected):
    assert isinstance(parse_call(post({**CALL, **extra}), None), expected)


def test_the_hangup_url_ends_only_an_ended_call():
    ended = {"CallUUID": "c-1", "CallStatus": "completed", "HangupCause": "NORMAL_CLEARING", "Duration": "12"}
    assert parse_hangup(post(ended)) == CallEndedWebhook("c-1", "MA_ABCDEFGH")
    assert parse_hangup(post({"CallUUID": "c-1", "Event": "Hangup"})) == CallEndedWebhook("c-1", "MA_ABCDEFGH")
    assert parse_hangup(post({"CallUUID": "c-1", "CallStatus": "in-progress"})) is None


WITHOUT_ACCOUNT = URL.split("?")[0]
NOT_A_FORM = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("fields", "url", "headers"),
    [
        pytest.param(CALL, WITHOUT_ACCOUNT, FORM, id="no account in the URL"),
        pytest.param(CALL, WITHOUT_ACCOUNT + "?account=", FORM, id="blank account"),
        pytest.param({**CALL, "To": ""}, URL, FORM, id="blank To"),
        pytest.param({k: v for k, v in CALL.items() if k != "CallUUID"}, URL, FORM, id="no CallUUID"),
        pytest.param(CALL, URL, NOT_A_FORM, id="not a form"),
    ],
)
def test_a_malformed_answer_request(fields, url, headers):
    with pytest.raises(MalformedWebhook):
        parse_call(post(fields, url, headers), None)


@pytest.mark.parametrize(
    ("fields", "url", "headers"),
    [
        pytest.param({"CallUUID": "c-1", "CallStatus": "completed"}, WITHOUT_ACCOUNT, FORM, id="no account in the URL"),
        pytest.param({"CallStatus": "completed"}, URL, FORM, id="no CallUUID"),
        pytest.param({"CallUUID": "c-1", "CallStatus": "completed"}, URL, NOT_A_FORM, id="not a form"),
    ],
)
def test_a_malformed_hangup_request(fields, url, headers):
    with pytest.raises(MalformedWebhook):
        parse_hangup(post(fields, url, headers))
