"""What an import row that did not insert is, and what a listing's search matches (SPEC §14)."""

import pytest
from switchboard.resolvers.rules.accounts import Holder, ImportStatus, matches, search_keys, unimported_status

MINE = {"organization_id": 1, "config_id": 10, "provider": "Twilio"}


@pytest.mark.parametrize("verified", [True, False])
def test_a_row_held_under_this_configuration_is_already_registered(verified):
    assert unimported_status(Holder(1, 10), **MINE, verified=verified) == (
        ImportStatus.ALREADY_REGISTERED,
        "The number is registered under this configuration already.",
    )


@pytest.mark.parametrize("verified", [True, False])
def test_a_row_held_under_another_configuration_of_the_organization_says_so(verified):
    assert unimported_status(Holder(1, 11), **MINE, verified=verified) == (
        ImportStatus.CONFLICT,
        "The number is registered under another configuration of this Twilio account.",
    )


@pytest.mark.parametrize("verified", [True, False])
def test_a_row_held_by_another_organization_names_nobody(verified):
    status, message = unimported_status(Holder(2, 20), **MINE, verified=verified)
    assert status is ImportStatus.CONFLICT
    assert message.startswith("The number is already registered for this Twilio account.")
    assert ("verify this configuration's credentials" in message) is not verified
    assert "2" not in message and "20" not in message


def test_a_row_held_by_another_organization_under_the_same_configuration_id_is_still_a_conflict():
    """Only the organization decides whose the number is: IDs of configurations are not per organization."""
    assert unimported_status(Holder(2, 10), **MINE, verified=True) == (
        ImportStatus.CONFLICT,
        "The number is already registered for this Twilio account.",
    )


def test_an_unverified_configuration_is_told_how_to_claim_a_number_held_elsewhere():
    assert unimported_status(Holder(2, 20), **MINE, verified=False)[1] == (
        "The number is already registered for this Twilio account. "
        "If the account is yours, verify this configuration's credentials and import it again."
    )


def test_a_row_whose_holder_vanished_is_to_be_imported_again():
    assert unimported_status(None, **MINE, verified=True) == (
        ImportStatus.CONFLICT,
        "The number was being changed by another request; import it again.",
    )


@pytest.mark.parametrize(
    ("address", "search", "found"),
    [
        ("+14155550101", None, True),
        ("+14155550101", "   ", True),
        ("+14155550101", "555 0101", True),
        ("+14155550101", "(415)", True),
        ("+14155550101", "0102", False),
        ("sip:Desk@pbx.example.com", "desk", True),
        ("sip:desk@pbx.example.com", "sales", False),
    ],
)
def test_a_search_matches_the_text_or_the_digits(address, search, found):
    assert matches(address, search_keys(search)) is found


@pytest.mark.parametrize(
    ("search", "keys"),
    [(None, None), ("", None), (" \t ", None), ("  Desk 12 ", ("desk 12", "12")), ("SALES", ("sales", ""))],
)
def test_a_search_is_its_trimmed_lower_case_text_and_its_digits(search, keys):
    assert search_keys(search) == keys
