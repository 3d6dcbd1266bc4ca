"""Telnyx's Ed25519 webhook signature: Switchboard's check against telnyx-python's verifier, on
requests signed in the test from Telnyx's documentation."""

import base64
import time

import pytest
from signers import TelnyxKey
from switchboard.providers.telnyx.signature import public_key_bytes, telnyx_signature_valid
from telnyx.lib.webhook_verification import WebhookVerificationError, verify_webhook_signature

BODY = b'{"data":{"event_type":"call.initiated","payload":{"to":"+14155550100"}}}'


def sdk_accepts(body: bytes, headers: dict[str, str], public_key: str) -> bool:
    try:
        verify_webhook_signature(body, headers, public_key)
    except WebhookVerificationError:
        return False
    return True


def ours(public_key: str, body: bytes, headers: dict[str, str], now: float | None = None) -> bool:
    return telnyx_signature_valid(
        public_key,
        body,
        headers.get("telnyx-signature-ed25519"),
        headers.get("telnyx-timestamp"),
        time.time() if now is None else now,
    )


@pytest.fixture(scope="module")
def key() -> TelnyxKey:
    return TelnyxKey()


def test_a_signed_body_is_valid_for_both(key):
    headers = key.headers(BODY)
    assert sdk_accepts(BODY, headers, key.public)
    assert ours(key.public, BODY, headers)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda body, headers: (body.replace(b"0100", b"0101"), headers), id="tampered body"),
        pytest.param(
            lambda body, headers: (body, {**headers, "telnyx-timestamp": str(int(headers["telnyx-timestamp"]) - 1)}),
            id="other timestamp",
        ),
        pytest.param(lambda body, headers: (body, {"telnyx-timestamp": headers["telnyx-timestamp"]}), id="no signature"),
        pytest.param(
            lambda body, headers: (body, {"telnyx-signature-ed25519": headers["telnyx-signature-ed25519"]}), id="no timestamp"
        ),
        pytest.param(lambda body, headers: (body, {**headers, "telnyx-timestamp": "soon"}), id="timestamp not a number"),
        pytest.param(lambda body, headers: (body, {**headers, "telnyx-signature-ed25519": "AAAA"}), id="short signature"),
        pytest.param(lambda body, headers: (body, {**headers, "telnyx-signature-ed25519": "%%%"}), id="signature not base64"),
    ],
)
def test_what_the_sdk_refuses_is_refused(key, change):
    body, headers = change(BODY, key.headers(BODY))
    assert not sdk_accepts(body, headers, key.public)
    assert not ours(key.public, body, headers)


def test_another_key_does_not_verify(key):
    headers = TelnyxKey().headers(BODY)
    assert not sdk_accepts(BODY, headers, key.public)
    assert not ours(key.public, BODY, headers)


@pytest.mark.parametrize(("age", "valid"), [(300, True), (301, False), (-300, True), (-301, False)])
def test_the_window_is_300_seconds_both_ways(key, age, valid):
    now = int(time.time())
    headers = key.headers(BODY, timestamp=now - age)
    assert ours(key.public, BODY, headers, now=now) is valid
    assert ours(key.public, BODY, headers, now=now + 0.9) is valid  # whole seconds, as the SDK counts


def test_the_sdk_refuses_an_old_signature_too(key):
    headers = key.headers(BODY, timestamp=int(time.time()) - 3600)
    assert not sdk_accepts(BODY, headers, key.public)
    assert not ours(key.public, BODY, headers)


def test_a_body_that_is_not_utf8_is_refused(key):
    body = b'{"x":"\xff"}'
    assert not ours(key.public, body, key.headers(body))


@pytest.mark.parametrize(
    "paste",
    [
        pytest.param(lambda public: public.rstrip("="), id="without its padding"),
        pytest.param(lambda public: f"  {public}\n", id="with spaces around"),
        pytest.param(lambda public: f"{public[:22]}\n{public[22:]}", id="over two lines"),
        pytest.param(lambda public: f"{public[:22]}\n{public[22:]}".rstrip("="), id="over two lines without its padding"),
        pytest.param(lambda public: f"{public[:22]}\r\n{public[22:]}".rstrip("="), id="over two CRLF lines without its padding"),
    ],
)
def test_a_pasted_key_may_lack_its_padding_or_be_wrapped(key, paste):
    """Mission Control's key ends with "="; the credential field accepts it without, or wrapped."""
    headers = key.headers(BODY)
    assert key.public.endswith("=")
    assert ours(paste(key.public), BODY, headers)
    assert public_key_bytes(paste(key.public)) == public_key_bytes(key.public) == base64.b64decode(key.public)


def test_a_timestamp_that_is_not_a_number_is_refused_even_when_signed(key):
    """Telnyx's timestamp is whole unix seconds; a signature over any other text is no fresh request."""
    signature = base64.b64encode(key.private.sign(b"soon|" + BODY)).decode()
    headers = {"telnyx-signature-ed25519": signature, "telnyx-timestamp": "soon"}
    assert not sdk_accepts(BODY, headers, key.public)
    assert not ours(key.public, BODY, headers)


@pytest.mark.parametrize("public_key", ["", "A", "not a key", "AAAA", "A" * 44, "A" * 42])
def test_a_key_that_is_not_32_bytes_of_base64_verifies_nothing(key, public_key):
    assert not ours(public_key, BODY, key.headers(BODY))
