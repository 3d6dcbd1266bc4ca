"""The short execution path (schema/executor.py) answers exactly as graphql-core does.

A small schema has every case the short path touches or must leave alone: plain leaves that
are null where the type allows it and where it does not, values that fail output coercion,
enums, `__typename`, aliases, fragments, @skip/@include, lists with nulls, resolvers taking
`self`, `info` or `root`, and fields with arguments. Each document runs on a schema with
Switchboard's executor and direct resolvers and on the same types with Strawberry's stock
execution; data and errors must be identical.
"""

from enum import Enum
from typing import Any, Optional

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig
from switchboard.schema.executor import DIRECT, INFO_FREE, WITH_INFO, SwitchboardExecutor, call_resolvers_directly


@strawberry.enum
class Color(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Plain:
    """A type without interfaces: graphql-core gets no `is_type_of` for it."""

    value: int
    note: str | None

    @strawberry.field
    def doubled(self) -> int:
        return self.value * 2


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Item(Named):
    label: str | None
    count: int
    color: Color
    tags: list[str | None]
    # A plain attribute holding a list of objects: completed for all items' lists at once.
    friends: list["Plain"] = strawberry.field(default_factory=lambda: [Plain(value=3, note="friend"), Plain(value=4, note=None)])

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def context_name(self, info: strawberry.Info) -> str:
        return f"{info.context['who']}:{self.name}"

    @strawberry.field
    def from_root(self, root: "Item") -> int:
        return root.count * 2

    @strawberry.field
    def repeat(self, times: int = 2) -> str:
        return self.name * times

    @strawberry.field
    def described(self, info: strawberry.Info, prefix: str | None = None, ident: strawberry.ID = "i") -> str:  # type: ignore[assignment]
        return f"{prefix}{info.context['who']}{ident}{self.name}"

    @strawberry.field(name="renamed")
    def renamed_field(self, how_many: int = 1, loud: bool | None = None) -> "Item":
        return Item(name=(self.name.upper() if loud else self.name) * how_many, label=None, count=0, color=Color.RED, tags=[])

    @strawberry.field
    def tinted(self, color: Color | None = None) -> str:
        return f"{self.name}:{color}"

    @strawberry.field
    def maybe(self, value: strawberry.Maybe[int]) -> str:
        return repr(value)

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("broken on purpose")

    @strawberry.field
    async def later(self) -> str:
        return f"later {self.name}"

    # Resolvers returning single objects or leaves, each way the short path must hand back.
    @strawberry.field
    def buddy(self) -> Optional["Item"]:
        return None if self.name == "b" else Item(name=self.name + "+", label=None, count=0, color=Color.RED, tags=[])

    @strawberry.field
    def must_buddy(self) -> "Item":
        return None  # type: ignore[return-value]

    @strawberry.field
    def wrong_buddy(self) -> Optional["Item"]:
        return Odd(big=1, small=1, flag=True, text="t", ident="i", ratio=1.0)  # type: ignore[return-value]

    @strawberry.field
    def raising_buddy(self) -> Optional["Item"]:
        raise ValueError("no buddy")

    @strawberry.field
    async def later_buddy(self) -> Optional["Item"]:
        return Item(name=self.name + "~", label=None, count=0, color=Color.RED, tags=[])

    # Resolvers returning lists of objects, each way the short path must hand back.
    @strawberry.field
    def pals(self) -> list[Optional["Plain"]]:
        return [] if self.name == "b" else [Plain(value=1, note=self.name), None, _later_plain(), Plain(value=2**31, note=None)]  # type: ignore[list-item]

    @strawberry.field
    def strict_pals(self) -> list["Item"]:
        return [Item(name=name, label=None, count=0, color=color, tags=[]) for name, color in [(self.name, Color.RED), ("z", "mauve")]]  # type: ignore[misc]

    @strawberry.field
    def odd_pals(self) -> list["Plain"] | None:
        if self.name == "a":
            return None
        return (Plain(value=5, note="in a tuple"),)  # type: ignore[return-value]

    @strawberry.field
    def raising_pals(self) -> list["Plain"] | None:
        raise ValueError("no pals")

    @strawberry.field
    async def later_pals(self) -> list["Plain"]:
        return [Plain(value=6, note="later pal")]

    @strawberry.field
    def plain(self) -> "Plain":
        return Plain(value=len(self.name), note=None if self.name == "a" else self.name)

    @strawberry.field
    async def later_plain(self) -> Optional["Plain"]:
        return Plain(value=2, note="later")

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:
        return f"{info.field_name}@{info.path.as_list()}:{info.parent_type.name}"

    @strawberry.field
    def maybe_broken(self) -> str | None:
        if self.name == "b":
            raise ValueError("maybe broken")
        return self.name

    @strawberry.field
    def counted(self) -> int:
        return {"a": 1, "b": 2**40}.get(self.name, 0)

    @strawberry.field
    def odd_text(self) -> str | None:
        return {"a": 12, "b": None}.get(self.name, "s")


@strawberry.type
class Odd:
    big: int | None
    small: int
    flag: bool
    text: str
    ident: strawberry.ID
    ratio: float


async def _later_plain() -> Plain:
    return Plain(value=9, note="awaited item")


@strawberry.type
class Query:
    @strawberry.field
    def plains(self) -> list[Plain | None]:
        return [Plain(value=1, note="one"), None, _later_plain(), Plain(value=2**31, note=None)]  # type: ignore[list-item]

    @strawberry.field
    def strict_items(self) -> list[Item]:
        return [
            Item(name=name, label=None, count=k, color=color, tags=[])
            for k, (name, color) in enumerate([("a", "green"), ("b", Color.RED), ("c", Color.BLUE), ("d", "mauve")])
        ]  # type: ignore[misc]

    @strawberry.field
    def items(self) -> list[Item | None]:
        return [
            Item(name="a", label="first", count=1, color=Color.RED, tags=["x", None]),
            None,
            Item(name="b", label=None, count=2, color=Color.BLUE, tags=[]),
        ]

    @strawberry.field
    def unnamed(self) -> Item:
        # `name` is non-null: the short path must leave the error and its propagation to graphql-core.
        return Item(name=None, label="x", count=3, color=Color.RED, tags=[])  # type: ignore[arg-type]

    @strawberry.field
    def bad_count(self) -> Item | None:
        return Item(name="c", label="y", count="not a number", color=Color.RED, tags=[])  # type: ignore[arg-type]

    @strawberry.field
    def bad_color(self) -> list[Item]:
        return [Item(name="d", label="z", count=4, color="green", tags=[])]  # type: ignore[arg-type]

    @strawberry.field
    def odd_values(self) -> list["Odd"]:
        """Values whose type is not the one their scalar outputs unchanged."""
        return [
            Odd(big=2**31, small=-(2**31), flag=1, text=5, ident=7, ratio=1),
            Odd(big=True, small=2**31 - 1, flag=True, text=True, ident="x", ratio=0.5),
        ]

    @strawberry.field
    def named(self) -> list[Named]:
        return [Item(name="n", label=None, count=5, color=Color.BLUE, tags=["t"])]


def _schema(fast: bool) -> strawberry.Schema:
    config = StrawberryConfig(auto_camel_case=True)
    if not fast:
        return strawberry.Schema(query=Query, config=config)
    schema = strawberry.Schema(query=Query, config=config, execution_context_class=SwitchboardExecutor)
    call_resolvers_directly(schema._schema, schema.config)
    return schema


FAST, STOCK = _schema(True), _schema(False)

DOCUMENTS = [
    "{ items { name label count color tags shout contextName fromRoot later __typename } }",
    "{ items { n: name l: label name again: name } }",
    "{ items { ...parts ... on Item { color } } } fragment parts on Item { name count }",
    "query($skip: Boolean!) { items { name label @skip(if: $skip) count @include(if: $skip) } }",
    "{ items { repeat repeat3: repeat(times: 3) } }",
    "{ unnamed { name label } }",
    "{ unnamed { label } items { name } }",
    "{ badCount { name count } }",
    "{ badColor { name color } }",
    "{ items { name broken } }",
    "{ named { __typename name ... on Item { label tags } } }",
    "{ __typename items { __typename } }",
    "{ oddValues { big small flag text ident ratio } }",
    "{ items { name buddy { name buddy { name } } counted oddText } }",
    "{ items { name mustBuddy { name } } }",
    "{ items { name wrongBuddy { name } } }",
    "{ items { name raisingBuddy { name } } }",
    "{ named { ... on Item { buddy { __typename name } } } }",
    '{ items { described d2: described(prefix: "p", ident: "x") renamed(howMany: 2, loud: true) { name } } }',
    "query($n: Int!, $loud: Boolean) { items { renamed(howMany: $n, loud: $loud) { name renamed { name } } } }",
    "query($n: Int) { items { renamed(howMany: $n) { name } } }",
    "{ items { tinted t2: tinted(color: BLUE) maybe(value: 3) } }",
    "{ items { name laterBuddy { name laterBuddy { name shout } } plain { value note doubled } laterPlain { note } } }",
    "{ items { where buddy { where } } named { ... on Item { where } } }",
    "{ items { name maybeBroken buddy { maybeBroken broken } } }",
    "{ plains { value note doubled __typename } }",
    "{ strictItems { name count shout } }",
    "{ strictItems { name color } }",
    "{ items { buddy { name mustBuddy { name } } } }",
    "{ items { name raisingBuddy { name } laterBuddy { broken } } }",
    "{ items { name friends { value note doubled } pals { value note doubled __typename } } }",
    "{ items { name strictPals { name color } } }",
    "{ items { name strictPals { name maybeBroken } mustStrict: strictPals { broken } } }",
    "{ items { oddPals { value } raisingPals { value } laterPals { value note } } }",
    "{ items { buddy { friends { doubled } pals { note } } } named { ... on Item { friends { value } } } }",
    "{ strictItems { friends { value } strictPals { name } } }",
]


async def _answer(schema: strawberry.Schema, document: str, variables: dict[str, Any]) -> tuple[Any, list]:
    """The data, and the errors in path order (the short path reports a list's errors field by
    field, graphql-core item by item; the GraphQL spec orders neither)."""
    result = await schema.execute(document, variable_values=variables, context_value={"who": "me"})
    errors = [error.formatted for error in result.errors or []]
    return result.data, sorted(errors, key=lambda e: ([str(p) for p in e.get("path") or []], e["message"]))


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("skip", [True, False])
async def test_short_path_answers_as_graphql_core(document: str, skip: bool) -> None:
    variables = {"skip": skip} if "$skip" in document else {}
    if "$n" in document:
        variables = {"n": 3 if skip else None, "loud": skip}
    assert await _answer(FAST, document, variables) == await _answer(STOCK, document, variables)


def test_the_comparison_runs_two_different_executions() -> None:
    """Guard against a vacuous comparison: the fast schema really uses its own resolvers."""
    fast_field = FAST._schema.type_map["Item"].fields["shout"]
    stock_field = STOCK._schema.type_map["Item"].fields["shout"]
    assert fast_field.resolve is not stock_field.resolve
    assert getattr(FAST._schema.type_map["Item"].fields["buddy"].resolve, DIRECT)
    item_fields = FAST._schema.type_map["Item"].fields
    assert getattr(item_fields["described"].resolve, DIRECT) and getattr(item_fields["renamed"].resolve, DIRECT)
    # Strawberry converts enums and wraps Maybe values: those keep its resolver chain.
    assert not hasattr(item_fields["tinted"].resolve, DIRECT) and not hasattr(item_fields["maybe"].resolve, DIRECT)
    # Called without a resolve info: those whose function takes only the object.
    assert getattr(item_fields["shout"].resolve, INFO_FREE) and getattr(item_fields["buddy"].resolve, INFO_FREE)
    assert not hasattr(item_fields["contextName"].resolve, INFO_FREE) and not hasattr(item_fields["repeat"].resolve, INFO_FREE)
    # Handed an Info built in one step: those whose function takes the object and the info.
    assert getattr(item_fields["contextName"].resolve, WITH_INFO) and getattr(item_fields["where"].resolve, WITH_INFO)
    assert not hasattr(item_fields["described"].resolve, WITH_INFO) and not hasattr(item_fields["shout"].resolve, WITH_INFO)
    assert FAST.execution_context_class is SwitchboardExecutor


async def test_errors_keep_their_paths_and_null_the_nearest_nullable_parent() -> None:
    data, errors = await _answer(FAST, "{ items { name broken } unnamed { name } }", {})
    # `broken` is non-null: its item becomes null; `unnamed.name` is non-null under a non-null field.
    assert data is None
    assert {tuple(e["path"]) for e in errors} == {("items", 0, "broken"), ("items", 2, "broken"), ("unnamed", "name")}
    data, errors = await _answer(FAST, "{ items { name broken } }", {})
    assert data == {"items": [None, None, None]}


async def test_a_failed_item_of_a_non_null_list_keeps_the_errors_of_fields_already_computed() -> None:
    """The one difference from graphql-core: a list's items are completed field by field, so
    when an item's non-null field fails and takes the whole list down, the errors of nullable
    fields already computed for the items after it are reported too (graphql-core stops at
    the failed item). Data are the same."""
    document = "{ strictItems { maybeBroken color } }"
    fast_data, fast_errors = await _answer(FAST, document, {})
    stock_data, stock_errors = await _answer(STOCK, document, {})
    assert fast_data == stock_data is None
    assert [e for e in fast_errors if e in stock_errors] == stock_errors
    assert [e["path"] for e in fast_errors if e not in stock_errors] == [["strictItems", 1, "maybeBroken"]]
