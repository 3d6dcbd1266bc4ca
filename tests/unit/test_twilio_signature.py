"""Switchboard's Twilio signature check agrees with twilio-python's RequestValidator, the reference,
on generated requests: form webhooks, JSON webhooks carrying bodySHA256, ports, tampering."""

import hashlib
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from switchboard.providers.twilio_signature import twilio_signature_valid
from twilio.request_validator import RequestValidator

TOKENS = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
NAMES = st.sampled_from(["CallSid", "AccountSid", "From", "To", "Caller", "Called", "ToCountry", "Digits", "x"])
VALUES = st.text(max_size=20)
FORMS = st.dictionaries(NAMES, VALUES, max_size=8)
URLS = st.sampled_from(
    [
        "https://switchboard.example.test/telephony/twilio/inbound",
        "https://switchboard.example.test:443/telephony/twilio/inbound",
        "https://switchboard.example.test:8443/telephony/twilio/inbound?account=AC1",
        "http://switchboard.example.test/telephony/twilio/inbound?a=1&b=%20",
    ]
)


def as_params(form: dict[str, str]) -> dict[str, list[str]]:
    return {name: [value] for name, value in form.items()}


@settings(max_examples=300, deadline=None)
@given(token=TOKENS, url=URLS, form=FORMS)
def test_a_form_signed_by_the_sdk_is_valid(token, url, form):
    signature = RequestValidator(token).compute_signature(url, form)
    assert twilio_signature_valid(token, url, as_params(form), b"", signature)


@settings(max_examples=300, deadline=None)
@given(token=TOKENS, url=URLS, form=FORMS, signed_url=URLS, signed_form=FORMS)
def test_we_accept_exactly_what_the_sdk_accepts(token, url, form, signed_url, signed_form):
    signature = RequestValidator(token).compute_signature(signed_url, signed_form)
    expected = RequestValidator(token).validate(url, form, signature)
    assert twilio_signature_valid(token, url, as_params(form), b"", signature) is expected


@settings(max_examples=200, deadline=None)
@given(token=TOKENS, body=st.text(max_size=200), sent=st.text(max_size=200))
def test_json_bodies_are_checked_by_their_hash_as_the_sdk_does(token, body, sent):
    """The URL carries the hash of `body`; the request carries `sent` (the same, or another)."""
    for received in (body, sent):
        digest = hashlib.sha256(body.encode()).hexdigest()
        url = f"https://switchboard.example.test/telephony/twilio/inbound?bodySHA256={quote(digest)}"
        signature = RequestValidator(token).compute_signature(url, {})
        expected = RequestValidator(token).validate(url, received, signature)
        assert twilio_signature_valid(token, url, {}, received.encode(), signature) is expected


def test_a_wrong_token_or_no_signature_fails():
    url, form = "https://s.example/telephony/twilio/inbound", {"CallSid": "CA1"}
    signature = RequestValidator("a" * 32).compute_signature(url, form)
    assert not twilio_signature_valid("b" * 32, url, as_params(form), b"", signature)
    assert not twilio_signature_valid("a" * 32, url, as_params(form), b"", None)
    assert not twilio_signature_valid("", url, as_params(form), b"", signature)


PATH = "/telephony/twilio/inbound?account=AC1"


@pytest.mark.parametrize(
    ("received", "signed", "valid"),
    [
        ("https://s.example", "https://s.example:443", True),
        ("https://s.example:443", "https://s.example", True),
        ("http://s.example", "http://s.example:80", True),
        ("http://s.example:80", "http://s.example", True),
        ("https://s.example:8443", "https://s.example", True),
        ("http://s.example", "http://s.example:443", False),
        ("https://s.example", "https://s.example:80", False),
        ("https://s.example:8443", "https://s.example:443", False),
    ],
)
def test_the_url_is_tried_without_its_port_and_with_the_schemes_default_port(received, signed, valid):
    """Twilio signs the URL with or without the port it names, or the scheme's default when it names none."""
    token, form = "a" * 32, {"CallSid": "CA1"}
    signature = RequestValidator(token).compute_signature(signed + PATH, form)
    assert RequestValidator(token).validate(received + PATH, form, signature) is valid
    assert twilio_signature_valid(token, received + PATH, as_params(form), b"", signature) is valid


@pytest.mark.parametrize(
    ("received", "signed"),
    [
        ("https://[2001:db8::1]", "https://[2001:db8::1]"),
        ("https://[2001:db8::1]", "https://[2001:db8::1]:443"),
        ("https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"),
        ("https://[2001:db8::1]:8443", "https://[2001:db8::1]"),
        ("https://[2001:db8::1]:443", "https://[2001:db8::1]"),
    ],
)
def test_an_ipv6_host_keeps_its_address_when_the_port_is_dropped(received, signed):
    """Only the port after the last colon goes: twilio-python's validator cuts at the first colon,
    which leaves "https://[" of an IPv6 literal, so its signer is the reference here, not its verdict."""
    token, form = "a" * 32, {"CallSid": "CA1"}
    signature = RequestValidator(token).compute_signature(signed + PATH, form)
    assert twilio_signature_valid(token, received + PATH, as_params(form), b"", signature)
