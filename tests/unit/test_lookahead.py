"""`arguments_below` finds a nested field's arguments the way graphql-core would coerce them:
through aliases, fragment spreads and inline fragments, with variables substituted, literal
numbers as ints and omitted arguments at their defaults."""

import strawberry
from strawberry.types import Info
from switchboard.schema.lookahead import arguments_below, fields_below

SEEN: list = []


@strawberry.type
class Leaf:
    name: str = "leaf"


@strawberry.type
class Child:
    @strawberry.field
    def leaves(self, first: int | None = None, is_active: bool | None = None) -> list[Leaf]:
        return [Leaf()]


@strawberry.type
class Page:
    nodes: list[Child]


@strawberry.type
class Query:
    @strawberry.field
    def page(self, info: Info) -> Page:
        SEEN.append(
            {
                "nodes": arguments_below(info, "nodes", "leaves"),
                "missing": arguments_below(info, "nodes", "nope"),
                "fields": fields_below(info, "nodes"),
                "own": fields_below(info),
            }
        )
        return Page(nodes=[Child()])


schema = strawberry.Schema(Query)


def seen(document: str, variables: dict | None = None) -> dict:
    SEEN.clear()
    result = schema.execute_sync(document, variable_values=variables)
    assert result.errors is None, result.errors
    (found,) = SEEN
    return found


def test_literal_and_variable_arguments_are_coerced():
    found = seen("query($a: Boolean) { page { nodes { leaves(first: 3, isActive: $a) { name } } } }", {"a": True})
    assert found["nodes"] == [{"first": 3, "isActive": True}]
    assert found["missing"] == []


def test_omitted_arguments_and_unset_variables_take_their_defaults():
    found = seen("query($n: Int) { page { nodes { leaves(first: $n) { name } } } }")
    assert found["nodes"] == [{"first": None, "isActive": None}]


def test_every_alias_and_fragment_is_found():
    document = """
      query { page { nodes {
        few: leaves(first: 1) { name }
        ...More
        ... on Child { leaves { name } }
      } } }
      fragment More on Child { many: leaves(first: 50, isActive: false) { name } }
    """
    assert seen(document)["nodes"] == [
        {"first": 1, "isActive": None},
        {"first": 50, "isActive": False},
        {"first": None, "isActive": None},
    ]


def test_a_field_not_selected_gives_nothing():
    assert seen("{ page { nodes { __typename } } }")["nodes"] == []


def test_fields_below_are_named_through_fragments_and_aliases():
    document = """
      query { page { nodes { few: leaves(first: 1) { name } ...Named } } }
      fragment Named on Child { __typename }
    """
    found = seen(document)
    assert found["fields"] == {"leaves", "__typename"}
    assert found["own"] == {"nodes"}
    assert seen("{ page { __typename } }")["fields"] == set()
