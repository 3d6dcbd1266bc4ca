"""Property tests: normalization is total and idempotent; masking never reveals more than 4 characters."""

from hypothesis import given, settings
from hypothesis import strategies as st
from switchboard.providers.credentials import MASK, mask_secret
from switchboard.resolvers.rules.addresses import (
    InvalidAddress,
    InvalidCountryCode,
    normalize_address,
)

COUNTRIES = st.sampled_from([None, "US", "GB", "DE", "IN", "FR", "BR", "JP", "AU", "us", "xx", ""])
PHONE_LIKE = st.from_regex(r"\A(\+|00|tel:\+|sip:|sips:)?[0-9 ().\-a-zA-Z@:;=]{0,40}\Z", fullmatch=True)
ADDRESSES = st.one_of(PHONE_LIKE, st.text(max_size=300))


@settings(max_examples=2000, deadline=None)
@given(address=ADDRESSES, country=COUNTRIES)
def test_normalization_never_raises_anything_else(address, country):
    try:
        normalize_address(address, country)
    except (InvalidAddress, InvalidCountryCode) as exc:
        assert str(exc)


@settings(max_examples=2000, deadline=None)
@given(address=ADDRESSES, country=COUNTRIES)
def test_normalizing_the_normalized_form_gives_it_back(address, country):
    try:
        first = normalize_address(address, country)
    except (InvalidAddress, InvalidCountryCode):
        return
    assert normalize_address(first.normalized, first.country_code) == first


@given(secret=st.text(max_size=200))
def test_mask_reveals_at_most_the_last_four_and_never_the_length(secret):
    masked = mask_secret(secret)
    assert masked.startswith(MASK)
    revealed = masked[len(MASK) :]
    assert len(revealed) <= 4
    assert revealed in secret
    if len(secret.splitlines()) <= 1:  # the end of the value as stored: stripped
        assert secret.strip().endswith(revealed)
    if len(secret) < 12:
        assert masked == MASK
    assert len(masked) in (len(MASK), len(MASK) + 4)
