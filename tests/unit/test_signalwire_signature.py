"""SignalWire's webhook signature against signalwire-python 2.1.1's RequestValidator.

The SDK pins twilio 6.54, which the test environment cannot install beside twilio 9, so its
verdicts were recorded once: each vector is (case, url, body, signature, what
RequestValidator(KEY).validate(url, body, signature) did), where the SDK was given the raw body as a
string. The form path is checked against twilio's own RequestValidator, to which the SDK delegates
form parameters."""

from urllib.parse import urlencode

import pytest
from switchboard.providers.signalwire_signature import hex_signature, signalwire_signature_valid
from twilio.request_validator import RequestValidator

KEY = "PSK_7TruNcSNTxp4zNrykMj4EPzF"
URL = "https://switchboard.example.test/telephony/signalwire/inbound"
RELAY = '{"event_type":"calling.call.received","params":{"call_id":"c1","device":{"params":{"to_number":"+14155550100"}}}}'
FLAT = '{"CallSid":"CA1","AccountSid":"p1","To":"+14155550100"}'
HASHED = URL + "?bodySHA256=2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"  # sha256("hello")

# What the SDK did: True or False, or the exception it raised (a request it cannot accept).
SDK_VECTORS = [
    ("raw body, hex over the URL", URL, RELAY, "8e3fbd70e779b15421c89554fa437678c2a5cbbb", True),
    ("raw body, hex over the URL with its port", URL, RELAY, "b771d5ea1fd21509610d71e0b6d443f3cc1d64dc", True),
    ("raw body, hex upper case", URL, RELAY, "8E3FBD70E779B15421C89554FA437678C2A5CBBB", "TypeError"),
    ("raw body, hex of another body", URL, RELAY, "280fefc33a9bbba017459f78423f716e9fc1cdc8", "TypeError"),
    ("raw form body, hex", URL, "CallSid=CA1&From=%2B14155559876&To=%2B14155550100", "26bec59163d808b56fffef5aeada82220e66d112", True),
    ("JSON of strings, Twilio's algorithm over its fields", URL, FLAT, "Df7QzNBKnqh0tL+njcW6LTaSH0w=", True),
    ("JSON of strings, Twilio's algorithm with the port", URL, FLAT, "KEY91F8jM1NnMI5Wo2It1M+1Zbo=", True),
    ("JSON with a number, Twilio's algorithm over the URL", URL, '{"CallSid":"CA1","Count":3}', "JU6A8XoSXPBcDenlgwOy8qCMjvc=", "TypeError"),
    ("JSON null, Twilio's algorithm over the URL", URL, "null", "JU6A8XoSXPBcDenlgwOy8qCMjvc=", True),
    ("JSON string with bodySHA256, Twilio's algorithm over the URL", HASHED, '"hello"', "gXC2A0xiitXh+theBMCQmDUHrNk=", True),
    ("JSON string without bodySHA256", URL, '"hello"', "JU6A8XoSXPBcDenlgwOy8qCMjvc=", "AttributeError"),
    ("not JSON, not hex-signed", URL, "CallSid=CA1", "tv0Q+cm2xc5+qja03r9hHWc6fZE=", False),
    ("empty body, hex over the URL", URL, "", "254e80f17a125cf05c0de9e58303b2f2a08c8ef7", True),
]


@pytest.mark.parametrize(("url", "body", "signature", "sdk"), [v[1:] for v in SDK_VECTORS], ids=[v[0] for v in SDK_VECTORS])
def test_raw_bodies_are_judged_as_the_sdk_judges_them(url, body, signature, sdk):
    assert signalwire_signature_valid(KEY, url, {}, body.encode(), signature) is (sdk is True)


def test_the_hex_signature_is_lower_case_hmac_sha1_of_url_and_body():
    assert hex_signature(KEY, URL, RELAY) == "8e3fbd70e779b15421c89554fa437678c2a5cbbb"


FORM = {"CallSid": "CA1", "From": "+14155559876", "To": "+14155550100"}


def params(form: dict[str, str]) -> dict[str, list[str]]:
    return {name: [value] for name, value in form.items()}


def test_twilio_signs_a_form_as_the_sdks_pinned_twilio_did():
    """validate(URL, FORM, "NSLofp9l7f9JwfhTvRE+OHu1qQc=") was True with the SDK (twilio 6.54)."""
    assert RequestValidator(KEY).compute_signature(URL, FORM) == "NSLofp9l7f9JwfhTvRE+OHu1qQc="


@pytest.mark.parametrize("signed_url", [URL, URL.replace(".test/", ".test:443/")], ids=["without port", "with port"])
def test_form_parameters_are_checked_with_twilios_algorithm(signed_url):
    signature = RequestValidator(KEY).compute_signature(signed_url, FORM)
    assert signalwire_signature_valid(KEY, URL, params(FORM), urlencode(FORM).encode(), signature)


def test_a_form_body_is_also_accepted_signed_raw():
    """The SDK accepts a form body's hex signature when given the body as a string, so it is authentic."""
    body = urlencode(FORM)
    assert signalwire_signature_valid(KEY, URL, params(FORM), body.encode(), hex_signature(KEY, URL, body))


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda form: form.update({"From": "+14155550000"}), id="a changed parameter"),
        pytest.param(lambda form: form.update({"Extra": "1"}), id="an added parameter"),
        pytest.param(lambda form: form.pop("To"), id="a removed parameter"),
    ],
)
def test_a_tampered_form_is_refused(tamper):
    signature = RequestValidator(KEY).compute_signature(URL, FORM)
    form = dict(FORM)
    tamper(form)
    assert not signalwire_signature_valid(KEY, URL, params(form), urlencode(form).encode(), signature)


def test_a_raw_body_is_not_checked_as_form_parameters():
    """A JSON body's caller passes it raw: a URL-only Twilio signature must not cover any JSON body."""
    url_only = RequestValidator(KEY).compute_signature(URL, {})
    assert signalwire_signature_valid(KEY, URL, {}, b"", url_only), "a request without a body: URL only"
    assert not signalwire_signature_valid(KEY, URL, {}, b'{"CallSid":"CA1","Count":3}', url_only)


@pytest.mark.parametrize(
    ("key", "signature"),
    [("", "NSLofp9l7f9JwfhTvRE+OHu1qQc="), (KEY, None), (KEY, ""), ("PSK_other", "NSLofp9l7f9JwfhTvRE+OHu1qQc=")],
    ids=["no key", "no signature", "empty signature", "another key"],
)
def test_without_the_key_or_a_signature_nothing_is_authentic(key, signature):
    assert not signalwire_signature_valid(key, URL, params(FORM), urlencode(FORM).encode(), signature)


def test_a_body_that_is_not_utf8_is_not_authentic():
    body = b"\xff\xfe"
    assert not signalwire_signature_valid(KEY, URL, {}, body, hex_signature(KEY, URL, body.decode("latin-1")))
