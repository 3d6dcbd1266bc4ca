"""What the client selected below the field being resolved.

A list resolver that knows which nested connections its items will be asked for can load
them for every item in one batch before graphql-core visits the items; the items' fields then
answer from the loaders' cache without an await (see schema/built.py for why that matters).
"""

from collections.abc import Iterable, Iterator
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, GraphQLObjectType, InlineFragmentNode, get_named_type
from graphql.execution.values import VariableValues, get_argument_values


def _fields(selections: Iterable[Any], fragments: dict[str, Any]) -> Iterator[FieldNode]:
    """The fields of a selection set, looking through fragment spreads and inline fragments."""
    for selection in selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set.selections, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            yield from _fields(fragments[selection.name.value].selection_set.selections, fragments)


def _selections_at(info: Any, path: tuple[str, ...]) -> tuple[Any, list[FieldNode]]:
    """The definition and every selection node of the field reached from the current field by
    `path` (object fields only); `(None, [])` when it is not selected."""
    raw = info._raw_info
    parent, nodes, field_def = get_named_type(raw.return_type), list(raw.field_nodes), None
    for name in path:
        if not isinstance(parent, GraphQLObjectType) or name not in parent.fields:
            return None, []
        field_def = parent.fields[name]
        nodes = [
            child
            for node in nodes
            if node.selection_set is not None
            for child in _fields(node.selection_set.selections, raw.fragments)
            if child.name.value == name
        ]
        parent = get_named_type(field_def.type)
    return field_def, nodes


def arguments_below(info: Any, *path: str) -> list[dict[str, Any]]:
    """The coerced arguments (by GraphQL name) of every selection of the field reached from the
    current field by `path`, under any alias and in any fragment; `[]` when it is not selected."""
    field_def, nodes = _selections_at(info, path)
    variables = info._raw_info.variable_values
    if not isinstance(variables, VariableValues):  # Strawberry's executor hands out the coerced dict
        variables = VariableValues(sources={}, coerced=variables)
    return [get_argument_values(field_def, node, variables) for node in nodes]


def fields_below(info: Any, *path: str) -> set[str]:
    """The names of the fields selected on the field reached from the current field by `path`
    (the current field itself without a path), in any fragment."""
    _, nodes = _selections_at(info, path) if path else (None, list(info._raw_info.field_nodes))
    return {
        child.name.value
        for node in nodes
        if node.selection_set is not None
        for child in _fields(node.selection_set.selections, info._raw_info.fragments)
    }
