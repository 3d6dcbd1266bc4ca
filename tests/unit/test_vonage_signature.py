"""Vonage's signed callbacks: Switchboard's check against vonage-jwt's verify_signature, on JWTs
signed in the test from Vonage's documentation, plus the claims the SDK leaves to the caller."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from signers import vonage_token
from switchboard.providers.vonage.signature import vonage_signature_valid
from vonage_jwt.errors import VonageVerifyJwtError
from vonage_jwt.verify_jwt import verify_signature

SECRET = "kCTPc9Tg3nMDV3bvDA8BR0rhDA2YOLFW"
ACCOUNT = "abcd1234"
BODY = b'{"to":"14155550100","from":"14155559876","uuid":"63f61863-4a51-4f6b-86e1-46edebcf9356"}'


def sdk_accepts(token: str, secret: str = SECRET) -> bool:
    try:
        return verify_signature(token, secret)
    except VonageVerifyJwtError:
        return False


def ours(
    token: str | None, body: bytes = BODY, *, method: str = "POST", query=(("account", ACCOUNT),), secret: str = SECRET
) -> bool:
    authorization = f"Bearer {token}" if token is not None else None
    return vonage_signature_valid(secret, authorization, method, body, query, dict(query).get("account"))


def test_a_signed_callback_is_valid_for_both():
    token = vonage_token(SECRET, ACCOUNT, BODY)
    assert sdk_accepts(token) and ours(token)


def test_another_secret_does_not_verify():
    token = vonage_token("another-signature-secret-of-32-by", ACCOUNT, BODY)
    assert not sdk_accepts(token) and not ours(token)


@pytest.mark.parametrize(
    "claims",
    [{"exp": int(time.time()) - 10}, {"iat": int(time.time()) + 3600}],
    ids=["expired", "issued in the future"],
)
def test_what_pyjwt_refuses_the_sdk_and_we_refuse(claims):
    token = vonage_token(SECRET, ACCOUNT, BODY, **claims)
    assert not sdk_accepts(token) and not ours(token)


def test_the_payload_hash_binds_the_body_which_the_sdk_alone_does_not_check():
    token = vonage_token(SECRET, ACCOUNT, BODY)
    tampered = BODY.replace(b"14155559876", b"14155550000")
    assert sdk_accepts(token)
    assert not ours(token, tampered)


def test_a_token_without_a_payload_hash_is_refused():
    token = jwt.encode({"iat": int(time.time()), "api_key": ACCOUNT}, SECRET, algorithm="HS256")
    assert sdk_accepts(token) and not ours(token)


def test_the_api_key_claim_must_be_the_account_of_the_url():
    assert not ours(vonage_token(SECRET, "other123", BODY))
    assert not ours(vonage_token(SECRET, ACCOUNT, BODY), query=())
    assert ours(vonage_token(SECRET, None, BODY)), "a token without api_key is checked by its secret alone"


def test_the_documented_payload_form_of_a_spaced_body_is_accepted():
    """The support article hashes the body's JSON serialized without whitespace."""
    spaced = json.dumps(json.loads(BODY), indent=2).encode()
    token = vonage_token(SECRET, ACCOUNT, BODY)
    assert ours(token, spaced)


def test_a_get_callback_hashes_its_parameters_as_json():
    parameters = (("to", "14155550100"), ("from", "14155559876"), ("uuid", "63f61863"))
    query = (("account", ACCOUNT), *parameters)
    for hashed in (dict(parameters), dict(query)):
        payload = json.dumps(hashed, separators=(",", ":")).encode()
        assert ours(vonage_token(SECRET, ACCOUNT, payload), b"", method="GET", query=query)
    reordered = json.dumps(dict(reversed(parameters)), separators=(",", ":")).encode()
    assert not ours(vonage_token(SECRET, ACCOUNT, reordered), b"", method="GET", query=query)


def test_non_ascii_parameters_are_hashed_as_utf8_json_not_escaped():
    """A caller's name with an accent is hashed as its UTF-8 characters, not as \\u escapes."""
    parameters = (("to", "14155550100"), ("from_name", "Zoë Müller"))
    payload = json.dumps(dict(parameters), separators=(",", ":"), ensure_ascii=False).encode()
    assert b"\\u" not in payload
    assert ours(vonage_token(SECRET, ACCOUNT, payload), b"", method="GET", query=(("account", ACCOUNT), *parameters))


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Basic YWJjOmRlZg==", "Bearer ", "Bearer not.a.jwt", "Token {token}", "{token}"],
)
def test_without_a_bearer_jwt_nothing_verifies(authorization):
    token = vonage_token(SECRET, ACCOUNT, BODY)
    authorization = authorization.format(token=token) if authorization else authorization
    assert not vonage_signature_valid(SECRET, authorization, "POST", BODY, (("account", ACCOUNT),), ACCOUNT)


@pytest.mark.parametrize(
    "authorization", ["Bearer {token}", "bearer {token}", "BEARER {token}", "Bearer  {token}", "Bearer {token} "]
)
def test_the_bearer_scheme_is_case_insensitive_and_spaces_around_the_token_do_not_matter(authorization):
    authorization = authorization.format(token=vonage_token(SECRET, ACCOUNT, BODY))
    assert vonage_signature_valid(SECRET, authorization, "POST", BODY, (("account", ACCOUNT),), ACCOUNT)


def test_an_account_without_a_signature_secret_verifies_nothing():
    """Not even a token signed with the empty secret (PyJWT itself refuses an empty key from 2.13 on)."""
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    claims = {"iat": int(time.time()), "api_key": ACCOUNT, "payload_hash": hashlib.sha256(BODY).hexdigest()}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    mac = base64.urlsafe_b64encode(hmac.new(b"", header + b"." + payload, hashlib.sha256).digest()).rstrip(b"=")
    token = b".".join([header, payload, mac]).decode()
    assert not ours(token, secret="")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 wants 64 bytes
def test_other_algorithms_are_refused():
    claims = {"iat": int(time.time()), "api_key": ACCOUNT, "payload_hash": hashlib.sha256(BODY).hexdigest()}
    assert not ours(jwt.encode(claims, SECRET, algorithm="HS512"))
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert not sdk_accepts(unsigned) and not ours(unsigned)
