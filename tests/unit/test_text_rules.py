"""NUL detection in text and JSON inputs (SPEC §13)."""

import pytest
from switchboard.resolvers.rules.text import contains_nul


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("plain", False),
        ("a\x00b", True),
        (None, False),
        (7, False),
        ({"k": "v", "n": [1, "two", {"deep": "ok"}]}, False),
        ({"k\x00": "v"}, True),
        ({"k": ["ok", {"deep": "\x00"}]}, True),
        (["\x00"], True),
    ],
)
def test_contains_nul_looks_into_keys_values_and_lists(value, found):
    assert contains_nul(value) is found
