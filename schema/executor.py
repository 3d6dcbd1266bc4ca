"""graphql-core's executor with a short path for the fields that are most of every answer.

graphql-core spends about 6 µs on each field it resolves: a `Path`, a `GraphQLResolveInfo`,
argument coercion, the resolver call and the completion dispatch. Most fields of a page are
plain attributes with a scalar or enum type (`label`, `isActive`, `id`) or `__typename`, and
they need none of that. Such fields are answered here with one attribute read and the type's
own output coercion; every other field, and any plain field whose value is null or fails to
coerce, goes through graphql-core unchanged, so errors, paths and null propagation are exactly
graphql-core's.

Strawberry wraps every resolver in a chain (argument conversion, field extensions, exception
handlers) that a resolver without extensions, and without arguments other than built-in
scalars (which Strawberry passes on unconverted), does not use; `call_resolvers_directly`
gives such fields a resolver that builds the `Info`, renames the arguments and calls the
function. Within one execution a field's arguments are the same for every item of a list,
so the short path coerces them once.
"""

import inspect
import operator
from enum import Enum
from typing import Any, NamedTuple

import strawberry
from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.execution.executor import gather_with_cancel, to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

TYPENAME = "__typename"
# Marks the resolvers `call_resolvers_directly` installs, and those of them that ignore the
# resolve info (the function takes only its object): they are called without building one.
DIRECT = "_switchboard_direct"
INFO_FREE = "_switchboard_info_free"

# Values these scalars output unchanged: the Python type each one's coercion returns as is.
_UNCHANGED = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool, GraphQLInt: int}
_INT_RANGE = range(-(2**31), 2**31)
# Results that are never awaitable: no need to ask.
_SYNCHRONOUS = frozenset({str, int, bool, float, type(None), dict, list})


class PlannedField(NamedTuple):
    response_name: str
    field_details_list: Any
    # Set for the fields answered on the short path: a function of the source that reads the
    # value, the leaf type, and the Python type whose values the leaf outputs unchanged.
    read: Any
    leaf_type: Any
    nullable: bool
    unchanged_type: type | None = None
    # Set for fields with a direct resolver (see `call_resolvers_directly`) whose type is a
    # leaf or a single object: the field definition and, for an object, its type.
    direct: GraphQLField | None = None
    object_type: GraphQLObjectType | None = None
    arguments: dict[str, Any] | None = None
    field_nodes: list[Any] | None = None  # for the resolve info of a field with a direct resolver
    # For an enum leaf of Strawberry's: its Python enum class, and each member's output name.
    enum_outputs: tuple[type, dict[Any, str]] | None = None
    info_free: bool = False


def _plain_leaf(field_def: GraphQLField) -> bool:
    """A field Strawberry resolves by reading an attribute (no resolver, no extensions, no
    arguments) whose type is a scalar or an enum."""
    return (
        getattr(field_def.resolve, "_is_default", False) and not field_def.args and is_leaf_type(get_named_type(field_def.type))
    )


class SwitchboardExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plans by grouped field set; graphql-core memoizes the set per parent type and field
        # group, so a list of 100 items builds its plan once. The set is kept with its plan so
        # that its id is not reused while the execution runs.
        self._plans: dict[int, tuple[Any, list[PlannedField]]] = {}
        self._short_path = self.middleware_manager is None or self.middleware_manager._middleware_resolvers is None

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> list[PlannedField]:
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        plan = []
        for response_name, field_details_list in grouped_field_set.items():
            field_name = field_details_list[0].node.name.value
            field_def = self.schema.get_field(parent_type, field_name)
            plain = self._short_path and field_def is not None and not field_details_list[0].node.arguments
            if plain and field_name == TYPENAME:
                plan.append(PlannedField(response_name, field_details_list, TYPENAME, None, False))
            elif plain and _plain_leaf(field_def):
                leaf_type = get_named_type(field_def.type)
                plan.append(
                    PlannedField(
                        response_name,
                        field_details_list,
                        _reader(field_def),
                        leaf_type,
                        not is_non_null_type(field_def.type),
                        _UNCHANGED.get(leaf_type),
                        enum_outputs=_enum_outputs(leaf_type),
                    )
                )
            elif (
                (arguments := self._direct_arguments(field_def, field_details_list)) is not None
                and not is_list_type(get_nullable_type(field_def.type))
            ):
                named = get_named_type(field_def.type)
                plan.append(
                    PlannedField(
                        response_name,
                        field_details_list,
                        None,
                        named if is_leaf_type(named) else None,
                        not is_non_null_type(field_def.type),
                        _UNCHANGED.get(named),
                        field_def,
                        named if isinstance(named, GraphQLObjectType) else None,
                        arguments,
                        to_nodes(field_details_list),
                        info_free=getattr(field_def.resolve, INFO_FREE, False),
                    )
                )
            else:
                plan.append(PlannedField(response_name, field_details_list, None, None, True))
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def _direct_arguments(self, field_def: GraphQLField | None, field_details_list: Any) -> dict[str, Any] | None:
        """The coerced arguments of a field with a direct resolver, or None when the field takes
        graphql-core's path (no direct resolver, middleware, or arguments that do not coerce:
        graphql-core reports those)."""
        if not self._short_path or field_def is None or not getattr(field_def.resolve, DIRECT, False):
            return None
        if not field_details_list[0].node.arguments:
            return {}
        try:
            return get_argument_values(field_def, field_details_list[0].node, self.variable_values)
        except Exception:
            return None

    def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for planned in self._plan(parent_type, grouped_field_set):
                response_name, field_details_list, read, leaf_type, nullable, unchanged_type, direct = planned[:7]
                enum_outputs = planned.enum_outputs
                if direct is not None:
                    result = self._execute_direct(
                        parent_type, source_value, Path(path, response_name, parent_type.name), position_context, planned
                    )
                    results[response_name] = result
                    if type(result) not in _SYNCHRONOUS and is_awaitable(result):
                        awaitable_fields.append(response_name)
                    continue
                if read is TYPENAME:
                    results[response_name] = parent_type.name
                    continue
                if read is not None:
                    value = read(source_value)
                    value_type = type(value)
                    if value_type is unchanged_type and (value_type is not int or value in _INT_RANGE):
                        results[response_name] = value
                        continue
                    if enum_outputs is not None and value_type is enum_outputs[0]:
                        name = enum_outputs[1].get(value)
                        if name is not None:
                            results[response_name] = name
                            continue
                    if value is None and nullable:
                        results[response_name] = None
                        continue
                    if value is not None and not is_awaitable(value):
                        coerced = _coerce(leaf_type, value)
                        if coerced is not Undefined:
                            results[response_name] = coerced
                            continue
                result = self.execute_field(
                    parent_type, source_value, field_details_list, Path(path, response_name, parent_type.name), position_context
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _execute_direct(self, parent_type, source, path, position_context, planned: PlannedField):
        """graphql-core's `execute_field` for a field without middleware or Strawberry's
        resolver chain, with its arguments coerced once per execution, completing the common
        results itself: a leaf value of the type its scalar outputs unchanged, or an object of
        the field's type. Every other result (null, awaitable, anything to coerce) and every
        error take graphql-core's path."""
        field_def, field_details_list, field_nodes = planned.direct, planned.field_details_list, planned.field_nodes
        unchanged_type, object_type = planned.unchanged_type, planned.object_type
        return_type = field_def.type
        info = None if planned.info_free else self.build_resolve_info(field_def, field_nodes, parent_type, path)
        try:
            result = field_def.resolve(source, info, **planned.arguments)
            result_type = type(result)
            if result_type is unchanged_type and (result_type is not int or result in _INT_RANGE):
                return result
            if info is None:
                info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(return_type, field_details_list, info, path, result, position_context)
            if (
                object_type is not None
                and result is not None
                and not isinstance(result, Exception)
                and (object_type.is_type_of is None or object_type.is_type_of(result, info) is True)
            ):
                completed = self._subfields(object_type, field_details_list, path, result, position_context)
            else:
                completed = self.complete_value(return_type, field_details_list, info, path, result, position_context)
            if self.is_awaitable(completed):
                return self._reported(completed, return_type, field_details_list, path)
            return completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    def _subfields(self, object_type, field_details_list, path, source, position_context):
        """`collect_and_execute_subfields` without its two calls in between when nothing is
        deferred (graphql-core then executes the fields directly as well)."""
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if position_context is None and not new_defer_usages:
            return self.execute_fields(object_type, source, path, grouped_field_set, None)
        return self.execute_collected_subfields(object_type, source, path, grouped_field_set, new_defer_usages, position_context)

    def complete_list_item_value(
        self, item, complete_results, item_type, field_details_list, info, item_path, position_context
    ) -> bool:
        """graphql-core's, for an item of an object type that is an instance of it, without the
        dispatch of `complete_value` through the item's type (most list items are such objects);
        every other item, and every error, as graphql-core completes and reports it."""
        object_type = get_nullable_type(item_type)
        if (
            item is None
            or not isinstance(object_type, GraphQLObjectType)
            or isinstance(item, Exception)
            or (object_type.is_type_of is not None and object_type.is_type_of(item, info) is not True)
        ):
            return super().complete_list_item_value(
                item, complete_results, item_type, field_details_list, info, item_path, position_context
            )
        try:
            completed = self._subfields(object_type, field_details_list, item_path, item, position_context)
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field_details_list, item_path)
            complete_results.append(None)
            return False
        if self.is_awaitable(completed):
            complete_results.append(self._reported(completed, item_type, field_details_list, item_path))
            return True
        complete_results.append(completed)
        return False

    async def _reported(self, completed, return_type, field_details_list, path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


def _reader(field_def: GraphQLField) -> Any:
    """What Strawberry's resolver of a plain field does, without its two calls in between: read
    the attribute with the configured default resolver (`getattr` unless configured)."""
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(field, StrawberryField) and field.default_resolver is getattr:
        return operator.attrgetter(field.python_name)
    resolve = field_def.resolve
    return lambda source: resolve(source, None)


def _enum_outputs(leaf_type: Any) -> tuple[type, dict[Any, str]] | None:
    """What Strawberry's enum type outputs for each member of its Python enum (the name of the
    first GraphQL value equal to the member's value), looked up instead of searched per value."""
    enum_class = getattr(leaf_type, "wrapped_cls", None)
    if not isinstance(leaf_type, CustomGraphQLEnumType) or not isinstance(enum_class, type) or not issubclass(enum_class, Enum):
        return None
    outputs: dict[Any, str] = {}
    for member in enum_class:
        name = next((name for name, value in leaf_type.values.items() if member.value == value.value), None)
        if name is not None:
            outputs[member] = name
    return enum_class, outputs


def _coerce(leaf_type: Any, value: Any) -> Any:
    """The type's output coercion, or Undefined when it fails (graphql-core then reports it)."""
    try:
        coerced = leaf_type.coerce_output_value(value)
    except Exception:
        return Undefined
    return Undefined if coerced is None else coerced


def call_resolvers_directly(schema: GraphQLSchema, config: StrawberryConfig) -> None:
    """Replace Strawberry's resolver chain on every field that has a resolver, no field
    extensions (permission classes are extensions) and only built-in scalar arguments."""
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for field_def in graphql_type.fields.values():
            field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if isinstance(field, StrawberryField) and _direct_candidate(field, field_def):
                field_def.resolve = _direct_resolver(field, config)


# Argument types Strawberry hands to resolvers as graphql-core coerced them.
_PLAIN_ARGUMENT_TYPES = (int, str, bool, float, strawberry.ID)


def _plain_argument(argument: Any) -> bool:
    argument_type = argument.type
    if type(argument_type) is StrawberryOptional:  # not its subclass Maybe, which wraps values in Some
        argument_type = argument_type.of_type
    return any(argument_type is plain for plain in _PLAIN_ARGUMENT_TYPES)


def _direct_candidate(field: StrawberryField, field_def: GraphQLField) -> bool:
    return (
        field.base_resolver is not None
        and not field.extensions
        and len(field.arguments) == len(field_def.args)
        and all(_plain_argument(argument) for argument in field.arguments)
    )


def _direct_resolver(field: StrawberryField, config: StrawberryConfig) -> Any:
    resolver = field.base_resolver
    function = resolver.wrapped_func
    info_class = config.info_class
    passes_self = resolver.self_parameter is not None
    source_names = [p.name for p in (resolver.root_parameter, resolver.parent_parameter) if p is not None]
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    names = list(inspect.signature(function).parameters)
    # GraphQL argument name -> the resolver's parameter name.
    renamed = {config.name_converter.from_argument(argument): argument.python_name for argument in field.arguments}

    if passes_self and not source_names and not renamed and names == [resolver.self_parameter.name]:

        def resolve(source: Any, info: Any) -> Any:
            return function(source)

        setattr(resolve, INFO_FREE, True)

    elif passes_self and not source_names and not renamed and names == [resolver.self_parameter.name, info_name]:
        # The common `def field(self, info)`: positional, with no keyword dict to build.
        def resolve(source: Any, info: Any) -> Any:
            return function(source, info_class(_raw_info=info, _field=field))

    else:

        def resolve(source: Any, info: Any, **arguments: Any) -> Any:
            kwargs = {renamed[name]: value for name, value in arguments.items()}
            for name in source_names:
                kwargs[name] = source
            if info_name is not None:
                kwargs[info_name] = info_class(_raw_info=info, _field=field)
            return function(source, **kwargs) if passes_self else function(**kwargs)

    setattr(resolve, DIRECT, True)
    return resolve
