"""schema/limits.py's selection count: fields of every operation and fragment definition, each
spread counted as the fields it brings in, fragments counted once, and an early stop."""

from graphql import parse
from switchboard.schema.limits import selection_count

UNLIMITED = 10**9


def count(document: str, limit: int = UNLIMITED) -> int:
    return selection_count(parse(document), limit)


def test_fields_at_every_level_count_and_inline_fragments_bring_their_fields():
    assert count("{ organization { name id } __typename }") == 4
    assert count("{ node(id: 1) { id ... on PhoneNumber { label address } } }") == 4


def test_each_spread_counts_what_its_fragment_brings_and_the_definition_counts_too():
    document = "{ ...F organization { ...F } } fragment F on Query { __typename a: __typename }"
    assert count(document) == 2 + 1 + 2 + 2  # two spreads, the field around one, the definition


def test_fragments_spread_twice_at_each_of_forty_levels_are_counted_without_expanding_them():
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(40))
    document = "{ ...F0 } " + fragments + " fragment F40 on Query { __typename }"
    # The operation brings 2**40 fields; the definitions F0..F40 2**40 + 2**39 + ... + 1 more.
    assert count(document, limit=2**50) == 2**40 + 2**41 - 1


def test_unknown_fragments_and_cycles_count_nothing_more():
    assert count("{ __typename ...Missing }") == 1
    cycle = "{ ...A } fragment A on Query { __typename ...B } fragment B on Query { __typename ...A }"
    assert count(cycle) < 10


def test_every_definition_counts_even_one_that_repeats_a_fragment_name():
    """Validation refuses the second `A`, but its rules still compare the first one's fields."""
    heavy = "organization { name } " * 150
    document = f"{{ ...A }} fragment A on Query {{ {heavy} }} fragment A on Query {{ __typename }}"
    assert count(document) == 1 + 300 + 1


def test_counting_stops_once_over_the_limit():
    document = "{ " + "organization { name } " * 400 + "}"
    assert 10 < count(document, limit=10) < 20
    assert count(document) == 800
