"""Normalization of phone-number addresses (SPEC §4).

The caller stores ``address`` verbatim; this module validates it and derives the normalized
form that the routing key uses. Rules, checked in this order on the stripped address:

* The address is 1–255 characters and not blank.
* ``sip:`` / ``sips:`` URIs (scheme in any case) -> ``SIP_URI``. Scheme and host are lower
  cased, the user part (and password) is kept as given, the default port (5060 for ``sip``,
  5061 for ``sips``) is dropped, other ports are kept, and the URI parameters and headers
  after the host (``;transport=tcp``, ``?subject=x``) are kept as given. ``sip:host`` (no user)
  is valid; a URI without a host, an unparsable IPv6 literal or a bad port is rejected.
* ``tel:`` URIs (scheme in any case) must be global numbers (``tel:+...``). Their ``;``
  parameters are dropped (``phone-context``, ``isub``, ...), except ``ext=``, which is rejected
  like any other extension.
* Plain SIP users -> ``SIP_EXTENSION``, lower case: up to 7 ASCII digits (``1001``), or a name
  that starts with a letter followed by letters, digits, ``.``, ``_``, ``-`` (``Front.Desk``).
  A name must start with a letter so that something like ``12345678a`` is not mistaken for one.
* Everything else must be a phone number: an optional leading ``+`` and digits, with the
  visual separators space, ``-``, ``.``, ``(`` and ``)``.

  - ``+`` or ``00`` (international prefix, read as ``+``) -> parsed without a region. The
    number keeps its own country whatever ``country_code`` says. A ``(0)`` trunk prefix is
    dropped: ``+44 (0)20 7946 0958`` -> ``+442079460958``.
  - Otherwise 8 or more digits -> parsed with ``country_code`` as the region; without
    ``country_code`` the number is rejected with a message asking for ``+`` or a countryCode.
    Fewer digits (with separators, so not an extension) are rejected.
  - The parsed number must pass ``phonenumbers.is_possible_number`` -> ``PSTN``, E.164.

* Extensions (``+1 415 555 0100 ext. 12``, ``x12``, ``#12``, ``tel:...;ext=12``) are rejected:
  a caller ID cannot carry an extension, so a PSTN address with one cannot be routed on.

``country_code`` is validated (and upper cased) whenever it is given, for every address type.
The returned ``country_code`` is, for PSTN, the number's own region
(``phonenumbers.region_code_for_number``); when the library cannot name one (non-geographic
numbers such as ``+800`` give ``"001"``, numbers matching no region of a shared calling code
such as ``+1 555 555 0100``) it is the given ``country_code`` if that region uses the same
calling code, otherwise ``None``. For SIP types it is the given ``country_code`` or ``None``.

Normalizing ``result.normalized`` with ``result.country_code`` again gives the same result.
Only :class:`InvalidAddress` and :class:`InvalidCountryCode` are raised, with user-facing
messages. No I/O.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass

import phonenumbers

from .text import contains_nul

MAX_ADDRESS_LENGTH = 255
MIN_NATIONAL_DIGITS = 8
_DEFAULT_PORTS = {"sip": 5060, "sips": 5061}


class AddressType(enum.StrEnum):
    PSTN = "PSTN"
    SIP_URI = "SIP_URI"
    SIP_EXTENSION = "SIP_EXTENSION"


@dataclass(frozen=True, slots=True)
class NormalizedAddress:
    normalized: str
    type: AddressType
    country_code: str | None


class InvalidAddress(ValueError):
    """The address is not a valid phone number, SIP URI or SIP extension.

    The message is user-facing and safe to show.
    """


class InvalidCountryCode(ValueError):
    """The country code is not an ISO 3166-1 alpha-2 region known to phonenumbers.

    The message is user-facing and safe to show.
    """


_SIP_USER_RE = re.compile(r"[0-9]{1,7}|[A-Za-z][A-Za-z0-9._-]*")
_SIP_SCHEME_RE = re.compile(r"sips?:", re.IGNORECASE)
_SIP_URI_RE = re.compile(
    r"(?P<scheme>sips?):"
    r"(?:(?P<user>[^@\s]+)@)?"
    r"(?P<host>\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|[A-Za-z0-9][A-Za-z0-9.-]*)"
    r"(?::(?P<port>[^;?@\s]*))?"
    r"(?P<tail>[;?]\S*)?",
    re.IGNORECASE,
)
_TEL_SCHEME_RE = re.compile(r"tel:", re.IGNORECASE)
_NUMBER_RE = re.compile(r"\+?[0-9 ().-]*[0-9][0-9 ().-]*")
_EXTENSION_RE = re.compile(
    r"(?P<number>.+?)\s*(?:[,;]\s*)?(?:extension|ext\.?|x|#)\s*[=:]?\s*[0-9]{1,10}",
    re.IGNORECASE,
)
_SEPARATORS_RE = re.compile(r"[ ().-]")


def normalize_country_code(value: str) -> str:
    """Return ``value`` stripped and upper cased, or raise :class:`InvalidCountryCode`."""
    code = value.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidCountryCode(
            f"'{value.strip()}' is not an ISO 3166-1 alpha-2 country code known to Switchboard."
        )
    return code


def normalize_address(address: str, country_code: str | None = None) -> NormalizedAddress:
    """Classify and normalize ``address`` (see the module docstring for the rules)."""
    region = normalize_country_code(country_code) if country_code is not None else None
    if not address or not address.strip():
        raise InvalidAddress("The address must not be empty.")
    if contains_nul(address):
        raise InvalidAddress("The address must not contain NUL characters.")
    if len(address) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress(f"The address must be at most {MAX_ADDRESS_LENGTH} characters.")
    text = address.strip()

    if _SIP_SCHEME_RE.match(text):
        return NormalizedAddress(_normalize_sip_uri(text), AddressType.SIP_URI, region)
    if _TEL_SCHEME_RE.match(text):
        return _normalize_tel_uri(text, region)
    if _SIP_USER_RE.fullmatch(text):
        return NormalizedAddress(text.lower(), AddressType.SIP_EXTENSION, region)
    return _normalize_number(text, text, region)


def _normalize_sip_uri(text: str) -> str:
    match = _SIP_URI_RE.fullmatch(text)
    if match is None:
        after_user = text.split(":", 1)[1].split("@", 1)[-1]
        if not after_user or after_user[0] in ":;?":
            raise InvalidAddress(f"'{text}' is not a valid SIP URI: it has no host.")
        raise InvalidAddress(
            f"'{text}' is not a valid SIP URI: expected sip:[user@]host[:port][;parameters]."
        )
    scheme = match["scheme"].lower()
    if match["ipv6"] is not None:
        try:
            ipaddress.IPv6Address(match["ipv6"])
        except ValueError:
            raise InvalidAddress(
                f"'{text}' is not a valid SIP URI: '{match['host']}' is not an IPv6 address."
            ) from None
    port = ""
    if match["port"] is not None:
        digits = match["port"]
        if not re.fullmatch(r"[0-9]{1,5}", digits) or not 1 <= int(digits) <= 65535:
            raise InvalidAddress(
                f"'{text}' is not a valid SIP URI: the port must be a number from 1 to 65535."
            )
        if int(digits) != _DEFAULT_PORTS[scheme]:
            port = f":{int(digits)}"
    user = f"{match['user']}@" if match["user"] is not None else ""
    return f"{scheme}:{user}{match['host'].lower()}{port}{match['tail'] or ''}"


def _normalize_tel_uri(text: str, region: str | None) -> NormalizedAddress:
    number, *parameters = text[len("tel:") :].split(";")
    number = number.strip()
    if any(p.strip().lower().startswith("ext=") for p in parameters):
        raise _extension_error(text)
    if not number.startswith("+"):
        raise InvalidAddress(
            f"'{text}' is not a valid tel: URI: the number must be in global form, starting with +."
        )
    return _normalize_number(number, text, region)


def _normalize_number(number: str, text: str, region: str | None) -> NormalizedAddress:
    """Parse ``number`` as a PSTN number; ``text`` is the whole address, for messages."""
    extension = _EXTENSION_RE.fullmatch(number)
    if extension is not None and _NUMBER_RE.fullmatch(extension["number"]):
        raise _extension_error(text)
    if not _NUMBER_RE.fullmatch(number):
        raise InvalidAddress(f"'{text}' is not a phone number, a SIP URI or a SIP extension.")

    compact = _SEPARATORS_RE.sub("", number)
    if compact.startswith(("+", "00")):
        # A "(0)" trunk prefix after the country code is not dialled internationally.
        compact = _SEPARATORS_RE.sub("", number.replace("(0)", ""))
        international = compact if compact.startswith("+") else "+" + compact[2:]
        to_parse, parse_region = international, None
    elif len(compact) >= MIN_NATIONAL_DIGITS:
        if region is None:
            raise InvalidAddress(
                f"'{text}' has no leading +: write it in international form "
                "(+ and the country calling code) or give a countryCode."
            )
        to_parse, parse_region = compact, region
    else:
        raise InvalidAddress(
            f"'{text}' is too short for a phone number (at least {MIN_NATIONAL_DIGITS} digits) "
            "and is not a SIP extension (up to 7 digits without separators, or a name)."
        )

    try:
        parsed = phonenumbers.parse(to_parse, parse_region)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            message = f"'{text}' does not start with a known country calling code."
            raise InvalidAddress(message) from None
        raise InvalidAddress(f"'{text}' is not a possible phone number.") from None
    own_region = phonenumbers.region_code_for_number(parsed)
    if own_region not in phonenumbers.SUPPORTED_REGIONS:  # None, "ZZ" or non-geographic "001"
        own_region = None
        if region and phonenumbers.country_code_for_region(region) == parsed.country_code:
            own_region = region
    if not phonenumbers.is_possible_number(parsed):
        main_region = phonenumbers.region_code_for_country_code(parsed.country_code)
        where = own_region or (
            main_region
            if main_region in phonenumbers.SUPPORTED_REGIONS
            else f"country calling code +{parsed.country_code}"
        )
        raise InvalidAddress(f"'{text}' is not a possible phone number for {where}.")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return NormalizedAddress(e164, AddressType.PSTN, own_region)


def _extension_error(text: str) -> InvalidAddress:
    return InvalidAddress(
        f"'{text}': extensions are not supported for PSTN numbers (a caller ID cannot carry "
        "an extension); remove the extension."
    )
