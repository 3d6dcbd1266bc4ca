"""The V3 signature of Plivo and Vobiz against the SDKs' own code, over generated requests.

plivo 4.63.0 and vobiz-python 0.1.1 each ship ``utils/signature_v3.py``: their signer pieces
(``construct_get_url``/``construct_post_url`` and ``get_signature_v3``) make the expected signature,
and their ``validate_v3_signature`` must agree with Switchboard's on every header. Vobiz's documented
variant is checked with vobiz's V2 validator, which signs ``base URL + nonce``: the documented V3 is
that with ``"." + nonce``.
"""

import copy
from types import ModuleType
from urllib.parse import urlencode

import plivo.utils.signature_v3 as plivo_v3
import pytest
import vobiz.utils
import vobiz.utils.signature_v3 as vobiz_v3
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from switchboard.providers.plivo.signature import (
    signed_url,
    url_only_signature,
    url_only_signature_valid,
    v3_signature,
    v3_signature_valid,
)

SDKS = [pytest.param(plivo_v3, id="plivo"), pytest.param(vobiz_v3, id="vobiz")]

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)
host = st.from_regex(r"[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?(:[0-9]{1,5})?", fullmatch=True)
path = st.lists(st.text("abcXYZ019-._~%;:@!$'()*+,=", max_size=8), max_size=4).map(lambda parts: "/" + "/".join(parts))
# Mostly ASCII: a query that decodes to anything else is one the SDK cannot parse.
ascii_text = st.text(st.characters(max_codepoint=0x7F), max_size=12)
encoded_query = st.lists(st.tuples(ascii_text.filter(bool), st.one_of(ascii_text, ascii_text, text)), max_size=4).map(urlencode)
raw_query = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="#"), max_size=20)


@st.composite
def urls(draw) -> str:
    query = draw(st.one_of(st.just(""), encoded_query, raw_query))
    url = f"{draw(st.sampled_from(['http', 'https']))}://{draw(host)}{draw(path)}"
    return url + (f"?{query}" if query or draw(st.booleans()) else "")


params = st.dictionaries(names, st.lists(text, min_size=1, max_size=3), max_size=5)
requests = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST"]),
        "url": urls(),
        "params": params,
        "nonce": text,
        "token": st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
    }
)


def sdk_signature(sdk: ModuleType, method: str, url: str, params: dict, nonce: str, token: str) -> str:
    """The signature as the SDK's own pieces build it (``validate_v3_signature``'s first half)."""
    params = copy.deepcopy(params)
    signed = sdk.construct_get_url(url, params) if method == "GET" else sdk.construct_post_url(url, params)
    return sdk.get_signature_v3(token.encode(), signed.decode("utf-8"), nonce.encode()).decode()


def sdk_valid(sdk: ModuleType, request: dict, header: str) -> bool:
    """The SDK's verdict; it raises for a URL it cannot parse (not ASCII once decoded): not valid."""
    r = request
    try:
        return sdk.validate_v3_signature(r["method"], r["url"], r["nonce"], r["token"], header, copy.deepcopy(r["params"]))
    except UnicodeError:
        return False


def signable(sdk: ModuleType, request: dict) -> bool:
    try:
        sdk_signature(sdk, **request)
    except UnicodeError:
        return False
    return True


def ours_valid(request: dict, header: str) -> bool:
    r = request
    return v3_signature_valid(r["token"], r["method"], r["url"], r["params"], r["nonce"], header)


@pytest.mark.parametrize("sdk", SDKS)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests, other=requests, data=st.data())
def test_the_signature_and_the_verdict_are_the_sdks(sdk, request, other, data):
    r = request
    assume(signable(sdk, r) and signable(sdk, other))
    expected = sdk_signature(sdk, r["method"], r["url"], r["params"], r["nonce"], r["token"])
    assert v3_signature(r["token"], r["method"], r["url"], r["params"], r["nonce"]) == expected
    # Another request's signature, the other method's, another nonce's or token's, in lists.
    foreign = sdk_signature(sdk, other["method"], other["url"], other["params"], other["nonce"], other["token"])
    switched = sdk_signature(sdk, "POST" if r["method"] == "GET" else "GET", r["url"], r["params"], r["nonce"], r["token"])
    renonced = sdk_signature(sdk, r["method"], r["url"], r["params"], r["nonce"] + "1", r["token"])
    headers = [
        expected,
        f"{foreign},{expected}",
        f"{expected},{foreign}",
        f"{foreign}, {expected}",
        f" {expected}",
        foreign,
        switched,
        renonced,
        expected[:-1],
        expected.lower(),
        data.draw(st.text(max_size=50)),
        "",
    ]
    for header in headers:
        assert ours_valid(r, header) == sdk_valid(sdk, r, header), header
    assert ours_valid(r, expected) and ours_valid(r, f"{foreign},{expected}")


@pytest.mark.parametrize("sdk", SDKS)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests, name=names, value=text)
def test_a_changed_parameter_or_query_gets_the_sdks_verdict(sdk, request, name, value):
    r = request
    assume(signable(sdk, r))
    signed = sdk_signature(sdk, r["method"], r["url"], r["params"], r["nonce"], r["token"])
    changed = {**r, "params": {**r["params"], name: [*r["params"].get(name, []), value]}}
    assert ours_valid(changed, signed) == sdk_valid(sdk, changed, signed)
    tampered = {**r, "url": r["url"] + ("&" if "?" in r["url"] else "?") + urlencode({name: value})}
    assert ours_valid(tampered, signed) == sdk_valid(sdk, tampered, signed)


def test_known_vector():
    """A fixed example, so a change in the algorithm shows without hypothesis."""
    url = "https://switchboard.example.test/telephony/plivo/inbound?account=MAXXXXXXXXXXXXXXXXXX"
    params = {"CallUUID": ["c1"], "To": ["14155550100"], "From": ["14155559876"]}
    signature = v3_signature("token", "POST", url, params, "12345")
    assert plivo_v3.validate_v3_signature("POST", url, "12345", "token", signature, dict(params))
    assert not v3_signature_valid("token", "POST", url, {**params, "To": ["14155550101"]}, "12345", signature)
    assert not v3_signature_valid("token", "POST", url, params, "12346", signature)
    assert not v3_signature_valid("", "POST", url, params, "12345", signature)
    assert not v3_signature_valid("token", "POST", url, params, "12345", None)


@pytest.mark.parametrize("query", ["account=MA\u00e9", "account=MA%C3%A9", "account=%ff"])
def test_a_url_the_sdk_cannot_parse_matches_no_signature(query):
    url = f"https://switchboard.example.test/telephony/plivo/inbound?{query}"
    with pytest.raises(UnicodeError):
        plivo_v3.validate_v3_signature("POST", url, "1", "token", "x", {})
    assert not v3_signature_valid("token", "POST", url, {}, "1", "x")
    assert not v3_signature_valid("token", "GET", url, {}, "1", "x")


@settings(max_examples=200, deadline=None)
@given(request=requests)
def test_what_the_sdk_cannot_parse_is_never_valid(request):
    r = request
    if not signable(plivo_v3, r):
        assert not ours_valid(r, "")
        with pytest.raises(ValueError):
            v3_signature(r["token"], r["method"], r["url"], r["params"], r["nonce"])


@settings(max_examples=300, deadline=None)
@given(request=requests, other=requests)
def test_vobiz_documented_variant_is_v2_with_a_dotted_nonce(request, other):
    r = request
    assume(signable(plivo_v3, r) and signable(plivo_v3, other))
    signature = url_only_signature(r["token"], r["url"], r["nonce"])
    assert vobiz.utils.validate_signature(r["url"], "." + r["nonce"], signature, r["token"])
    assert url_only_signature_valid(r["token"], r["url"], r["nonce"], signature)
    foreign = url_only_signature(other["token"], other["url"], other["nonce"])
    assert url_only_signature_valid(r["token"], r["url"], r["nonce"], foreign) == (foreign == signature)
    assert url_only_signature_valid(r["token"], r["url"], r["nonce"], f"{foreign},{signature}")
    assert not url_only_signature_valid(r["token"], r["url"], r["nonce"] + "1", signature)


BASE = "https://switchboard.example.test:8443/telephony/plivo/inbound"
CALL = {"CallUUID": ["c1"], "To": ["14155550100"], "From": ["14155559876"]}


@pytest.mark.parametrize(
    ("method", "url", "params", "signed"),
    [
        ("GET", BASE, {}, BASE),
        ("GET", BASE + "?", {}, BASE),
        ("GET", BASE + "?b=2&a=1&a=0", {"c": ["x"]}, BASE + "?a=0&a=1&b=2&c=x"),
        ("GET", BASE + "?a=from+url", {"a": ["from params"], "b": ["y", "x"]}, BASE + "?a=from url&b=x&b=y"),
        ("GET", BASE + "?a=&b=%20", {}, BASE + "?a=&b= "),
        ("GET", BASE + ";v=1?a=1#top", {}, BASE + "?a=1"),
        ("POST", BASE, {}, BASE),
        ("POST", BASE + "?", {}, BASE),
        ("POST", BASE + "?b=2&a=1", {}, BASE + "?a=1&b=2"),
        ("POST", BASE, CALL, BASE + "?CallUUIDc1From14155559876To14155550100"),
        ("POST", BASE + "?account=MA1", CALL, BASE + "?account=MA1.CallUUIDc1From14155559876To14155550100"),
        ("POST", BASE + "?account=", {"b": ["2", "1"], "a": [""]}, BASE + "?account=.ab1b2"),
    ],
)
def test_what_is_signed_for_each_method_query_and_parameters(method, url, params, signed):
    """The SDK's own pieces sign ``signed``; ours sign the same and accept exactly that signature."""
    construct = plivo_v3.construct_get_url if method == "GET" else plivo_v3.construct_post_url
    assert construct(url, copy.deepcopy(params)).decode() == signed
    assert signed_url(method, url, params) == signed
    sdk = sdk_signature(plivo_v3, method, url, params, "12345", "token")
    assert v3_signature("token", method, url, params, "12345") == sdk
    assert v3_signature_valid("token", method, url, params, "12345", sdk)


@pytest.mark.parametrize(("token", "nonce"), [("token", "12345"), ("tøken", "12345"), ("token", "nönce€"), ("", "12345")])
def test_token_and_nonce_are_signed_as_the_sdk_reads_them(token, nonce):
    url, params = BASE + "?account=MA1", CALL
    expected = sdk_signature(plivo_v3, "POST", url, params, nonce, token) if token else "x"
    assert v3_signature_valid(token, "POST", url, params, nonce, expected) is bool(token)
    assert not v3_signature_valid(token, "POST", url, params, nonce + "1", expected)


@pytest.mark.parametrize(
    ("header", "valid"),
    [
        ("{sig}", True),
        ("{other},{sig}", True),
        ("{sig},{other}", True),
        ("{other}, {sig}", False),
        (" {sig}", False),
        ("{sig} ", False),
        ("{other}", False),
        ("{other},,{other}", False),
        ("", False),
        (None, False),
    ],
)
def test_one_of_the_comma_separated_signatures_must_match_whole(header, valid):
    url, params = BASE + "?account=MA1", CALL
    sig = sdk_signature(plivo_v3, "POST", url, params, "12345", "token")
    other = sdk_signature(plivo_v3, "POST", url, params, "12346", "token")
    header = header.format(sig=sig, other=other) if header is not None else None
    assert v3_signature_valid("token", "POST", url, params, "12345", header) is valid
    if header is not None:
        assert plivo_v3.validate_v3_signature("POST", url, "12345", "token", header, dict(params)) is valid


@pytest.mark.parametrize(
    ("url", "signed"),
    [
        (BASE, BASE),
        (BASE + "?account=MA1&x=2", BASE),
        (BASE + ";v=1?account=MA1#top", BASE),
    ],
)
def test_vobiz_documented_variant_signs_the_url_without_its_query(url, signed):
    signature = url_only_signature("token", url, "12345")
    assert vobiz.utils.validate_signature(signed, ".12345", signature, "token")
    assert url_only_signature_valid("token", url, "12345", signature)
    assert url_only_signature_valid("token", url, "12345", f"x,{signature}")
    assert not url_only_signature_valid("token", url, "12346", signature)
    assert not url_only_signature_valid("", url, "12345", url_only_signature("", url, "12345"))
    assert not url_only_signature_valid("token", url, "12345", None)


@pytest.mark.parametrize("query", ["account=MA\u00e9", "account=%ff"])
def test_vobiz_documented_variant_matches_nothing_for_a_url_the_sdk_cannot_parse(query):
    url = f"{BASE}?{query}"
    assert not url_only_signature_valid("token", url, "12345", "x")
