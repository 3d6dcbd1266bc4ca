"""Table-driven tests for address normalization (SPEC §4)."""

import pytest
from switchboard.resolvers.rules.addresses import (
    AddressType,
    InvalidAddress,
    InvalidCountryCode,
    NormalizedAddress,
    normalize_address,
    normalize_country_code,
)

PSTN = AddressType.PSTN
SIP_URI = AddressType.SIP_URI
SIP_EXTENSION = AddressType.SIP_EXTENSION

# (id, address, country_code, normalized, type, returned country_code)
VALID = [
    # E.164 and international forms
    ("e164-plain", "+14155550100", None, "+14155550100", PSTN, "US"),
    ("e164-spaces", "+1 415 555 0100", None, "+14155550100", PSTN, "US"),
    ("e164-parentheses-dashes", "+1 (415) 555-0100", None, "+14155550100", PSTN, "US"),
    ("e164-dots", "+44.20.7946.0958", None, "+442079460958", PSTN, "GB"),
    ("e164-surrounding-whitespace", "  +442079460958 \t", None, "+442079460958", PSTN, "GB"),
    ("00-prefix", "0044 20 7946 0958", None, "+442079460958", PSTN, "GB"),
    ("00-prefix-compact", "00442079460958", None, "+442079460958", PSTN, "GB"),
    ("00-prefix-ignores-country", "0044 20 7946 0958", "US", "+442079460958", PSTN, "GB"),
    ("trunk-prefix-gb", "+44 (0)20 7946 0958", None, "+442079460958", PSTN, "GB"),
    ("trunk-prefix-de", "+49 (0)30 1234567", None, "+49301234567", PSTN, "DE"),
    ("trunk-prefix-national", "(0)20 7946 0958", "GB", "+442079460958", PSTN, "GB"),
    # national numbers with a country
    ("national-us", "4155550100", "US", "+14155550100", PSTN, "US"),
    ("national-us-formatted", "(415) 555-0100", "US", "+14155550100", PSTN, "US"),
    ("national-us-trunk-1", "1-415-555-0100", "US", "+14155550100", PSTN, "US"),
    ("national-gb", "020 7946 0958", "GB", "+442079460958", PSTN, "GB"),
    ("national-de", "030 1234567", "DE", "+49301234567", PSTN, "DE"),
    ("national-in", "98765 43210", "IN", "+919876543210", PSTN, "IN"),
    ("national-lowercase-country", "020 7946 0958", "gb", "+442079460958", PSTN, "GB"),
    ("national-padded-country", "020 7946 0958", " gb ", "+442079460958", PSTN, "GB"),
    # a + number keeps its own country; countryCode returned is the number's region
    ("plus-mismatching-country", "+14155550100", "GB", "+14155550100", PSTN, "US"),
    ("plus-gb-with-us-country", "+44 20 7946 0958", "us", "+442079460958", PSTN, "GB"),
    ("plus-nanp-region-ca", "+1 604 555 0100", None, "+16045550100", PSTN, "CA"),
    # no region derivable: non-geographic -> None; unassigned NANP -> the given, compatible one
    ("non-geographic-800", "+800 1234 5678", None, "+80012345678", PSTN, None),
    ("non-geographic-800-ignores-country", "+800 1234 5678", "GB", "+80012345678", PSTN, None),
    ("nanp-no-region", "+1 555 555 0100", None, "+15555550100", PSTN, None),
    ("nanp-no-region-compatible-country", "+1 555 555 0100", "CA", "+15555550100", PSTN, "CA"),
    ("nanp-no-region-incompatible-country", "+1 555 555 0100", "GB", "+15555550100", PSTN, None),
    # tel: URIs
    ("tel-lower", "tel:+14155550100", None, "+14155550100", PSTN, "US"),
    ("tel-upper", "TEL:+14155550100", None, "+14155550100", PSTN, "US"),
    ("tel-mixed-case", "Tel:+44-20-7946-0958", None, "+442079460958", PSTN, "GB"),
    ("tel-dashes", "tel:+1-415-555-0100", None, "+14155550100", PSTN, "US"),
    ("tel-dots-parens-spaces", "tel:+1 (415) 555.0100", None, "+14155550100", PSTN, "US"),
    ("tel-param-dropped", "tel:+1-415-555-0100;phone-context=example.com", None, "+14155550100", PSTN, "US"),
    ("tel-isub-dropped", "tel:+1-415-555-0100;isub=1234", None, "+14155550100", PSTN, "US"),
    ("tel-ignores-country", "tel:+14155550100", "DE", "+14155550100", PSTN, "US"),
    # sip: / sips: URIs
    ("sip-plain", "sip:alice@example.com", None, "sip:alice@example.com", SIP_URI, None),
    ("sip-scheme-host-lowered", "SIP:alice@Example.COM", None, "sip:alice@example.com", SIP_URI, None),
    ("sip-user-case-kept", "sip:Alice.Smith@example.com", None, "sip:Alice.Smith@example.com", SIP_URI, None),
    ("sips-scheme-lowered", "SIPS:Bob@PBX.Example.com", None, "sips:Bob@pbx.example.com", SIP_URI, None),
    ("sip-default-port-dropped", "sip:alice@example.com:5060", None, "sip:alice@example.com", SIP_URI, None),
    ("sips-default-port-dropped", "sips:alice@example.com:5061", None, "sips:alice@example.com", SIP_URI, None),
    ("sip-5061-kept", "sip:alice@example.com:5061", None, "sip:alice@example.com:5061", SIP_URI, None),
    ("sips-5060-kept", "sips:alice@example.com:5060", None, "sips:alice@example.com:5060", SIP_URI, None),
    ("sip-other-port-kept", "sip:alice@example.com:5080", None, "sip:alice@example.com:5080", SIP_URI, None),
    ("sip-params-kept", "Sip:Alice@Example.com:5060;transport=TCP", None, "sip:Alice@example.com;transport=TCP", SIP_URI, None),
    (
        "sip-params-and-port-kept",
        "sip:alice@example.com:5070;transport=tls;lr",
        None,
        "sip:alice@example.com:5070;transport=tls;lr",
        SIP_URI,
        None,
    ),
    ("sip-headers-kept", "sip:alice@example.com?Subject=Hi", None, "sip:alice@example.com?Subject=Hi", SIP_URI, None),
    ("sip-host-only", "sip:PBX.example.com", None, "sip:pbx.example.com", SIP_URI, None),
    ("sip-host-only-port", "sip:pbx.example.com:5060", None, "sip:pbx.example.com", SIP_URI, None),
    ("sip-ipv4", "sip:1001@192.0.2.10:5060", None, "sip:1001@192.0.2.10", SIP_URI, None),
    ("sip-ipv6", "sip:alice@[2001:DB8::1]:5060", None, "sip:alice@[2001:db8::1]", SIP_URI, None),
    ("sip-ipv6-port-kept", "sip:alice@[2001:db8::1]:5080", None, "sip:alice@[2001:db8::1]:5080", SIP_URI, None),
    ("sip-ipv6-host-only", "sip:[::1]", None, "sip:[::1]", SIP_URI, None),
    ("sip-e164-user", "sip:+14155550100@trunk.example.com", None, "sip:+14155550100@trunk.example.com", SIP_URI, None),
    ("sip-with-country", "sip:alice@example.com", "de", "sip:alice@example.com", SIP_URI, "DE"),
    # SIP extensions
    ("ext-1-digit", "7", None, "7", SIP_EXTENSION, None),
    ("ext-4-digits", "1001", None, "1001", SIP_EXTENSION, None),
    ("ext-7-digits", "1234567", None, "1234567", SIP_EXTENSION, None),
    ("ext-7-digits-leading-00", "0012345", None, "0012345", SIP_EXTENSION, None),
    ("ext-name", "alice", None, "alice", SIP_EXTENSION, None),
    ("ext-name-lowered", "Front.Desk", None, "front.desk", SIP_EXTENSION, None),
    ("ext-name-underscore-dash", "Sales_Team-2", None, "sales_team-2", SIP_EXTENSION, None),
    ("ext-name-x-digits", "x12", None, "x12", SIP_EXTENSION, None),
    ("ext-with-country", "1001", "us", "1001", SIP_EXTENSION, "US"),
]

# (id, address, country_code, substring expected in the message)
INVALID_ADDRESS = [
    ("empty", "", None, "empty"),
    ("blank", "   ", None, "empty"),
    ("blank-tabs-newlines", "\t\n ", "US", "empty"),
    ("too-long-256", "a" * 256, None, "255"),
    ("too-long-256-whitespace-counts", " " + "a" * 255, None, "255"),
    ("national-without-country", "4155550100", None, "countryCode"),
    ("8-digits-without-country", "12345678", None, "+"),
    ("national-formatted-without-country", "(415) 555-0100", None, "countryCode"),
    ("short-number-with-separators", "555 0100", "US", "too short"),
    ("impossible-national", "12345678901234", "US", "not a possible phone number for US"),
    ("impossible-plus-too-short", "+1 415", None, "not a possible phone number"),
    ("impossible-plus-too-long", "+44 20 7946 0958 1234 5678", None, "not a possible"),
    ("impossible-00", "00 1 415", None, "not a possible"),
    ("plus-then-00", "+0044 20 7946 0958", None, "known country calling code"),
    ("unknown-calling-code", "+999 1234 5678", None, "known country calling code"),
    ("unknown-calling-code-00", "00 999 1234 5678", "GB", "known country calling code"),
    ("extension-ext-dot", "+1 415 555 0100 ext. 12", None, "extensions are not supported"),
    ("extension-x", "+14155550100x12", None, "extensions are not supported"),
    ("extension-spaced-x", "415 555 0100 x 12", "US", "extensions are not supported"),
    ("extension-hash", "+1 415 555 0100 #12", None, "extensions are not supported"),
    ("extension-tel-param", "tel:+1-415-555-0100;ext=12", None, "extensions are not supported"),
    ("extension-tel-inline", "tel:+14155550100x12", None, "extensions are not supported"),
    ("sip-scheme-only", "sip:", None, "no host"),
    ("sips-scheme-only", "sips:", None, "no host"),
    ("sip-user-no-host", "sip:alice@", None, "no host"),
    ("sip-user-port-no-host", "sip:alice@:5060", None, "no host"),
    ("sip-params-no-host", "sip:alice@;transport=tcp", None, "no host"),
    ("sip-empty-user", "sip:@example.com", None, "not a valid SIP URI"),
    ("sip-space-in-uri", "sip:alice smith@example.com", None, "not a valid SIP URI"),
    ("sip-bad-ipv6", "sip:alice@[2001:zz::1]", None, "not a valid SIP URI"),
    ("sip-invalid-ipv6-literal", "sip:alice@[1:2:3]", None, "not an IPv6 address"),
    ("sip-port-non-numeric", "sip:alice@example.com:abc", None, "port"),
    ("sip-port-empty", "sip:alice@example.com:", None, "port"),
    ("sip-port-zero", "sip:alice@example.com:0", None, "port"),
    ("sip-port-out-of-range", "sip:alice@example.com:65536", None, "port"),
    ("sip-port-too-many-digits", "sip:alice@example.com:123456", None, "port"),
    ("sip-unbracketed-ipv6", "sip:2001:db8::1", None, "port"),
    ("tel-without-plus", "tel:4155550100", "US", "starting with +"),
    ("tel-00-prefix", "tel:0044 20 7946 0958", None, "starting with +"),
    ("tel-empty", "tel:", None, "starting with +"),
    ("tel-garbage", "tel:+hello", None, "not a phone number"),
    ("garbage-words", "hello world", None, "not a phone number"),
    ("plus-only", "+", None, "not a phone number"),
    ("double-plus", "++1", None, "not a phone number"),
    ("double-plus-full", "++14155550100", None, "not a phone number"),
    ("digits-then-letter", "12345678a", "US", "not a phone number"),
    ("name-starting-with-digit", "1st.floor", None, "not a phone number"),
    ("plus-inside", "1+4155550100", "US", "not a phone number"),
    ("non-ascii-digits", "\u0664\u0661\u0665\u0665\u0665\u0665\u0660\u0661\u0660\u0660", "US", "not a phone number"),
    ("other-scheme", "mailto:alice@example.com", None, "not a phone number"),
    ("separators-only", "(--)", None, "not a phone number"),
]

# (id, address, country_code)
INVALID_COUNTRY = [
    ("unknown-xx", "+14155550100", "XX"),
    ("unknown-xx-lower", "1001", "xx"),
    ("uk-is-not-iso", "020 7946 0958", "UK"),
    ("non-geo-001", "+80012345678", "001"),
    ("three-letters", "sip:alice@example.com", "GBR"),
    ("empty-string", "1001", ""),
    ("blank", "1001", "  "),
    # the country code is checked before (and whatever) the address
    ("with-invalid-address", "hello world", "XX"),
]


def _ids(rows):
    return [row[0] for row in rows]


@pytest.mark.parametrize(
    ("address", "country_code", "normalized", "address_type", "expected_country"),
    [row[1:] for row in VALID],
    ids=_ids(VALID),
)
def test_normalize_valid(address, country_code, normalized, address_type, expected_country):
    result = normalize_address(address, country_code)

    assert result == NormalizedAddress(normalized, address_type, expected_country)
    assert isinstance(result.type, AddressType)


@pytest.mark.parametrize(("address", "country_code"), [row[1:3] for row in VALID], ids=_ids(VALID))
def test_normalize_is_idempotent(address, country_code):
    result = normalize_address(address, country_code)

    assert normalize_address(result.normalized, result.country_code) == result


@pytest.mark.parametrize(
    ("address", "country_code", "message"),
    [row[1:] for row in INVALID_ADDRESS],
    ids=_ids(INVALID_ADDRESS),
)
def test_normalize_rejects_address(address, country_code, message):
    with pytest.raises(InvalidAddress) as raised:
        normalize_address(address, country_code)

    assert message in str(raised.value)
    assert not isinstance(raised.value, InvalidCountryCode)


def test_national_without_country_message_asks_for_plus_or_country():
    with pytest.raises(InvalidAddress) as raised:
        normalize_address("020 7946 0958")

    message = str(raised.value)
    assert "+" in message
    assert "countryCode" in message


@pytest.mark.parametrize(("address", "country_code"), [row[1:] for row in INVALID_COUNTRY], ids=_ids(INVALID_COUNTRY))
def test_normalize_rejects_country_code(address, country_code):
    with pytest.raises(InvalidCountryCode) as raised:
        normalize_address(address, country_code)

    assert "ISO 3166-1 alpha-2" in str(raised.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("GB", "GB"), ("gb", "GB"), (" us ", "US"), ("De", "DE"), ("in", "IN")],
    ids=["upper", "lower", "padded", "mixed-case", "in"],
)
def test_normalize_country_code_accepts(value, expected):
    assert normalize_country_code(value) == expected


def test_normalize_country_code_message_names_the_code():
    with pytest.raises(InvalidCountryCode) as raised:
        normalize_country_code("XX")

    assert "'XX'" in str(raised.value)


def test_errors_are_value_errors():
    assert issubclass(InvalidAddress, ValueError)
    assert issubclass(InvalidCountryCode, ValueError)


def test_address_of_255_characters_is_accepted():
    address = "sip:alice@" + "a" * (255 - len("sip:alice@"))

    result = normalize_address(address)

    assert len(address) == 255
    assert result.type is AddressType.SIP_URI


def test_normalized_address_is_frozen():
    result = normalize_address("1001")

    with pytest.raises(AttributeError):
        result.normalized = "1002"  # type: ignore[misc]


@pytest.mark.parametrize(
    "address",
    [
        "\x00",
        "\u200b",
        "sip:\u00e9@h\u00f4st",
        "tel:+\uff11\uff12",
        "(0)",
        "00",
        "+(0)",
        "0" * 255,
        "+" + "9" * 254,
        "sip:[",
        "sip:a@b:99999999999999999999",
        "x" * 255,
        "+44 (0)(0)(0)",
        "tel:;ext=",
        "#12",
        "ext. 12",
    ],
)
def test_only_domain_errors_escape(address):
    try:
        result = normalize_address(address, "GB")
    except (InvalidAddress, InvalidCountryCode):
        return
    assert normalize_address(result.normalized, result.country_code) == result


# The exact message of each refusal: the message is user-facing, and part of the contract.
NO_PLUS = "has no leading +: write it in international form (+ and the country calling code) or give a countryCode."
TOO_SHORT = (
    "is too short for a phone number (at least 8 digits) and is not a SIP extension "
    "(up to 7 digits without separators, or a name)."
)
EXTENSION = ": extensions are not supported for PSTN numbers (a caller ID cannot carry an extension); remove the extension."
BAD_PORT = "is not a valid SIP URI: the port must be a number from 1 to 65535."
NOT_GLOBAL = "is not a valid tel: URI: the number must be in global form, starting with +."
MESSAGES = [
    ("empty", "", None, "The address must not be empty."),
    ("nul", "+1415\x005550100", None, "The address must not contain NUL characters."),
    ("too-long", "1" * 256, None, "The address must be at most 255 characters."),
    ("sip-no-host", "sip:alice@", None, "'sip:alice@' is not a valid SIP URI: it has no host."),
    ("sip-port-no-host", "sip::5060", None, "'sip::5060' is not a valid SIP URI: it has no host."),
    # The host is what follows the first @ after the scheme's colon: a password's colon or a
    # second @ does not move it.
    (
        "sip-password-no-host",
        "sip:+14155550100:secret@",
        None,
        "'sip:+14155550100:secret@' is not a valid SIP URI: it has no host.",
    ),
    # A user name that could be a host, and a password that is not a port.
    (
        "sip-name-password-no-host",
        "sip:alice:secret@",
        None,
        "'sip:alice:secret@' is not a valid SIP URI: it has no host.",
    ),
    # An invalid host is not a missing one, whatever letter it starts with.
    (
        "sip-invalid-host",
        "sip:alice@Xpbx_1.example.com",
        None,
        "'sip:alice@Xpbx_1.example.com' is not a valid SIP URI: expected sip:[user@]host[:port][;parameters].",
    ),
    (
        "sip-second-at",
        "sip:alice@bob@",
        None,
        "'sip:alice@bob@' is not a valid SIP URI: expected sip:[user@]host[:port][;parameters].",
    ),
    (
        "sip-unparsable",
        "sip:@example.com",
        None,
        "'sip:@example.com' is not a valid SIP URI: expected sip:[user@]host[:port][;parameters].",
    ),
    (
        "sip-bad-ipv6",
        "sip:alice@[1:2:3]",
        None,
        "'sip:alice@[1:2:3]' is not a valid SIP URI: '[1:2:3]' is not an IPv6 address.",
    ),
    ("sip-port-0", "sip:alice@example.com:0", None, f"'sip:alice@example.com:0' {BAD_PORT}"),
    ("sip-port-65536", "sip:alice@example.com:65536", None, f"'sip:alice@example.com:65536' {BAD_PORT}"),
    ("sip-port-letters", "sip:alice@example.com:50a0", None, f"'sip:alice@example.com:50a0' {BAD_PORT}"),
    ("tel-not-global", "tel:4155550100", "US", f"'tel:4155550100' {NOT_GLOBAL}"),
    ("tel-blank-not-global", "tel: ;phone-context=+1", None, f"'tel: ;phone-context=+1' {NOT_GLOBAL}"),
    ("not-a-number", "hello world", None, "'hello world' is not a phone number, a SIP URI or a SIP extension."),
    ("no-plus", "4155550100", None, f"'4155550100' {NO_PLUS}"),
    ("too-short", "555 0100", "US", f"'555 0100' {TOO_SHORT}"),
    ("unknown-calling-code", "+999 1234 5678", None, "'+999 1234 5678' does not start with a known country calling code."),
    ("unparsable-too-short", "+44 1", None, "'+44 1' is not a possible phone number."),
    # where the number is impossible: its own region, the calling code's main region, or the code
    ("impossible-own-region", "tel:+1 555 555 01001", "CA", "'tel:+1 555 555 01001' is not a possible phone number for CA."),
    ("impossible-main-region", "+1 415", None, "'+1 415' is not a possible phone number for US."),
    ("impossible-national", "12345678901234", "US", "'12345678901234' is not a possible phone number for US."),
    (
        "impossible-non-geographic",
        "+800 1234 5678 9999",
        None,
        "'+800 1234 5678 9999' is not a possible phone number for country calling code +800.",
    ),
    ("extension", "+1 415 555 0100 ext. 12", None, f"'+1 415 555 0100 ext. 12'{EXTENSION}"),
    ("extension-tel-param", "tel:+1-415-555-0100;EXT=12", None, f"'tel:+1-415-555-0100;EXT=12'{EXTENSION}"),
    ("extension-tel-param-spaced", "tel:+14155550100; ext=12", None, f"'tel:+14155550100; ext=12'{EXTENSION}"),
]


@pytest.mark.parametrize(("address", "country_code", "message"), [m[1:] for m in MESSAGES], ids=_ids(MESSAGES))
def test_each_refusal_says_exactly_what_is_wrong(address, country_code, message):
    with pytest.raises(InvalidAddress) as raised:
        normalize_address(address, country_code)
    assert str(raised.value) == message


def test_a_refused_country_code_is_quoted_trimmed_as_given():
    with pytest.raises(InvalidCountryCode) as raised:
        normalize_address("1001", " uk ")
    assert str(raised.value) == "'uk' is not an ISO 3166-1 alpha-2 country code known to Switchboard."


@pytest.mark.parametrize(
    ("address", "normalized"),
    [
        ("sip:alice@example.com:1", "sip:alice@example.com:1"),
        ("sip:alice@example.com:65535", "sip:alice@example.com:65535"),
        ("sips:alice@example.com:0443", "sips:alice@example.com:443"),
        ("sip:alice@example.com:05060", "sip:alice@example.com"),
    ],
)
def test_sip_ports_from_1_to_65535_are_kept_without_leading_zeros(address, normalized):
    assert normalize_address(address) == NormalizedAddress(normalized, SIP_URI, None)


@pytest.mark.parametrize(
    ("address", "country_code", "expected_country"),
    [
        ("tel:+1 555 555 0100", "CA", "CA"),
        ("tel:+1 555 555 0100", "GB", None),
        ("tel:+1 555 555 0100", None, None),
    ],
)
def test_a_tel_uri_without_a_region_of_its_own_takes_a_compatible_given_country(address, country_code, expected_country):
    assert normalize_address(address, country_code) == NormalizedAddress("+15555550100", PSTN, expected_country)


@pytest.mark.parametrize(
    ("address", "country_code"),
    [
        ("415.555.0100", "US"),
        ("415 555 0100", "US"),
        ("415-555-0100", "US"),
        ("(415)5550100", "US"),
        ("+1.415.555.0100", None),
        ("001.415.555.0100", None),
        ("+1 (0)415 555 0100", None),
    ],
)
def test_each_visual_separator_is_dropped(address, country_code):
    assert normalize_address(address, country_code) == NormalizedAddress("+14155550100", PSTN, "US")
