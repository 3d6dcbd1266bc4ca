"""What an import row that did not insert is, and what a listing's search matches (SPEC §14)."""

import pytest
from switchboard.resolvers.rules.accounts import Holder, ImportStatus, matches, search_keys, unimported_status

MINE = {"organization_id": 1, "config_id": 10, "provider": "Twilio"}


def test_a_row_held_under_this_configuration_is_already_registered():
    assert unimported_status(Holder(1, 10), **MINE, verified=True)[0] is ImportStatus.ALREADY_REGISTERED


def test_a_row_held_under_another_configuration_of_the_organization_says_so():
    status, message = unimported_status(Holder(1, 11), **MINE, verified=True)
    assert status is ImportStatus.CONFLICT and "another configuration" in message


@pytest.mark.parametrize("verified", [True, False])
def test_a_row_held_by_another_organization_names_nobody(verified):
    status, message = unimported_status(Holder(2, 20), **MINE, verified=verified)
    assert status is ImportStatus.CONFLICT
    assert message.startswith("The number is already registered for this Twilio account.")
    assert ("verify this configuration's credentials" in message) is not verified
    assert "2" not in message and "20" not in message


def test_a_row_whose_holder_vanished_is_to_be_imported_again():
    status, message = unimported_status(None, **MINE, verified=True)
    assert status is ImportStatus.CONFLICT and "import it again" in message


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
