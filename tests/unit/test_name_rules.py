"""Names of workflows and API keys: trimmed, not blank, no NUL, at most a given length."""

import pytest
from switchboard.resolvers.rules.names import InvalidName, clean_name


@pytest.mark.parametrize(
    ("given", "max_length", "kept"),
    [
        ("Reception", 100, "Reception"),
        ("  Front desk \t\n", 100, "Front desk"),
        ("x", 1, "x"),
        ("a" * 5, 5, "a" * 5),
        # The length is the trimmed name's.
        ("  " + "a" * 5 + "  ", 5, "a" * 5),
    ],
)
def test_a_name_is_kept_trimmed_up_to_the_maximum_length(given, max_length, kept):
    assert clean_name(given, max_length=max_length) == kept


@pytest.mark.parametrize(
    ("given", "max_length", "message"),
    [
        ("", 5, "Name must not be blank."),
        (" \t\n ", 5, "Name must not be blank."),
        ("a" * 6, 5, "Name must be at most 5 characters."),
        ("  " + "a" * 121 + "  ", 120, "Name must be at most 120 characters."),
        ("Front\x00desk", 100, "Name must not contain NUL characters."),
        # A lone NUL is not whitespace: it is refused as a NUL, not as a blank.
        ("\x00", 5, "Name must not contain NUL characters."),
    ],
)
def test_a_bad_name_is_refused_with_a_sentence(given, max_length, message):
    with pytest.raises(InvalidName) as refused:
        clean_name(given, max_length=max_length)
    assert str(refused.value) == message


def test_invalid_name_is_a_value_error():
    assert issubclass(InvalidName, ValueError)
