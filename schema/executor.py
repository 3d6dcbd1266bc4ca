"""graphql-core's executor with a short path for the fields that are most of every answer.

graphql-core spends about 6 µs on each field it resolves: a `Path`, a `GraphQLResolveInfo`,
argument coercion, the resolver call and the completion dispatch, and as much again on each
object of a list (its type check, its subfields, its dict). Most fields of a page are plain
attributes with a scalar or enum type (`label`, `isActive`) or `__typename`, or resolvers that
return such a value or an object (`id`, `telephonyConfig`), and they need little of that.

Here the objects of a list complete as one batch, field by field (`_complete_batch`): a plain
attribute is one `map` over the objects and one type check of the column; a resolver is
called for each object, with its arguments coerced once per execution and a resolve info
built only if the resolver reads more than its `context`; the objects the resolver returns
complete as one batch in turn, and so do the objects of the lists a field holds (a nested page's
nodes), across all the sources at once. A single object is a batch of one. Every value the short path
does not take as it is (null, a value to coerce, an awaitable, an error) completes through
graphql-core, so errors, paths and null propagation are graphql-core's; the one difference is
which errors are reported when a list itself fails (see `_complete_batch`).

Strawberry wraps every resolver in a chain (argument conversion, field extensions, exception
handlers) that a resolver without extensions, and without arguments other than built-in
scalars (which Strawberry passes on unconverted), does not use; `call_resolvers_directly`
gives such fields a resolver that builds the `Info`, renames the arguments and calls the
function.
"""

import functools
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
# Marks the direct resolvers of the common `def field(self, info)`: the function and its field,
# so that the short path hands the function a Strawberry `Info` it builds in one step.
WITH_INFO = "_switchboard_with_info"

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
    # Set for the fields computed by a call per source: those with a direct resolver (see
    # `call_resolvers_directly`) whose type is a leaf, an object or a list of objects, and
    # plain attributes holding a list of objects. The field definition and, for an object or
    # a list of objects, the object type.
    field_def: GraphQLField | None = None
    object_type: GraphQLObjectType | None = None
    arguments: dict[str, Any] | None = None
    field_nodes: list[Any] | None = None  # for the resolve info of the field
    # For an enum leaf of Strawberry's: its Python enum class, and each member's output name.
    enum_outputs: tuple[type, dict[Any, str]] | None = None
    # The function of the source alone that computes the value, called without a resolve info:
    # a resolver that takes only its object, or the reader of a plain attribute.
    info_free: Any = None
    # The function and field of a resolver of the `(self, info)` shape (see `WITH_INFO`).
    with_info: tuple[Any, StrawberryField] | None = None
    # The object type's `is_type_of` is Strawberry's own, which ignores the resolve info.
    type_check_without_info: bool = False
    # The field's type is a list of objects (items of `object_type`).
    is_list: bool = False


def _plain_attribute(field_def: GraphQLField) -> bool:
    """A field Strawberry resolves by reading an attribute (no resolver, no extensions, no
    arguments)."""
    return getattr(field_def.resolve, "_is_default", False) and not field_def.args


def _list_of_objects(field_def: GraphQLField) -> GraphQLObjectType | None:
    """The object type of the items when the field's type is a list of objects."""
    list_type = get_nullable_type(field_def.type)
    if not is_list_type(list_type):
        return None
    item_type = get_nullable_type(list_type.of_type)
    return item_type if isinstance(item_type, GraphQLObjectType) else None


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
            if field_def is None:
                continue  # graphql-core leaves it out of the answer
            plain = self._short_path and not field_details_list[0].node.arguments
            items = self._batched_items(field_def, response_name, field_details_list)
            if plain and field_name == TYPENAME:
                plan.append(PlannedField(response_name, field_details_list, TYPENAME, None, False))
            elif plain and _plain_attribute(field_def) and is_leaf_type(get_named_type(field_def.type)):
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
            elif plain and _plain_attribute(field_def) and items is not None:
                plan.append(self._call_plan(response_name, field_details_list, field_def, {}, _reader(field_def), items))
            elif (arguments := self._direct_arguments(field_def, field_details_list)) is not None and (
                items is not None or not is_list_type(get_nullable_type(field_def.type))
            ):
                info_free = getattr(field_def.resolve, INFO_FREE, None)
                plan.append(self._call_plan(response_name, field_details_list, field_def, arguments, info_free, items))
            else:
                plan.append(PlannedField(response_name, field_details_list, None, None, True))
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def _batched_items(self, field_def: GraphQLField, response_name: str, field_details_list: Any) -> GraphQLObjectType | None:
        """The item type when the field is a list of objects whose lists the short path can
        complete together: not streamed (nor with an invalid @stream, which graphql-core
        reports) and nothing deferred below it."""
        item_type = _list_of_objects(field_def)
        if item_type is None or not self._short_path:
            return None
        try:
            if self.get_stream_usage(field_details_list, Path(None, response_name, None)) is not None:
                return None
        except Exception:
            return None
        _, new_defer_usages, _ = self.collect_subfields(item_type, field_details_list)
        return None if new_defer_usages else item_type

    @staticmethod
    def _call_plan(response_name, field_details_list, field_def, arguments, info_free, item_type) -> PlannedField:
        """The plan of a field computed by a call per source (see PlannedField.field_def);
        `item_type` for a list of objects."""
        named = get_named_type(field_def.type)
        object_type = item_type or (named if isinstance(named, GraphQLObjectType) else None)
        return PlannedField(
            response_name,
            field_details_list,
            None,
            named if is_leaf_type(named) else None,
            not is_non_null_type(field_def.type),
            _UNCHANGED.get(named),
            field_def,
            object_type,
            arguments,
            to_nodes(field_details_list),
            info_free=info_free,
            with_info=getattr(field_def.resolve, WITH_INFO, None),
            type_check_without_info=object_type is not None and _stock_type_check(object_type),
            is_list=item_type is not None,
        )

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
        """One object's fields: a batch of one (see `_complete_batch`)."""
        if position_context is not None or not self._short_path:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        (outcome,) = self._complete_batch(parent_type, grouped_field_set, [source_value], lambda _: path)
        if type(outcome) is _Failed:
            raise outcome.error
        return outcome

    def complete_list_value(self, return_type, field_details_list, info, path, result, position_context):
        """A list of objects of one type that graphql-core completes (the lists the short path
        does not compute itself) goes through `_complete_lists`; every other list as
        graphql-core completes it."""
        object_type = get_nullable_type(return_type.of_type)
        if (
            position_context is not None
            or not self._short_path
            or type(result) is not list
            or not isinstance(object_type, GraphQLObjectType)
            or self.get_stream_usage(field_details_list, path) is not None
        ):
            return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)
        (completed,) = self._complete_lists(return_type, field_details_list, grouped_field_set, [result], lambda _: path, lambda _: info)
        if type(completed) is _Failed:
            raise completed.error
        return completed

    def _complete_lists(self, list_type, field_details_list, grouped_field_set, lists, list_path, info_of) -> list[Any]:
        """Lists of `list_type`, whose items are objects (one list, or the values of one field
        for several sources): the objects of all of them complete as one batch, the other
        items (null, an error, an awaitable, another type) as graphql-core completes them.
        For each list: its completed items, an awaitable of them, or `_Failed` (a non-null
        item failed: the caller reports it for the list). `list_path(n)` and `info_of(n)` are
        the path and the resolve info of list n, built only where an item needs them."""
        item_type = list_type.of_type
        object_type = get_nullable_type(item_type)
        is_type_of = object_type.is_type_of
        check_without_info = is_type_of is not None and _stock_type_check(object_type)
        completed: list[list[Any]] = []
        pending: list[list[int]] = []  # per list, the indices of its awaitable items
        failures: dict[int, Exception] = {}
        objects, owners, positions = [], [], []
        for n, items in enumerate(lists):
            done: list[Any] = []
            awaited: list[int] = []
            completed.append(done)
            pending.append(awaited)
            batched = len(objects)
            try:
                for index, item in enumerate(items):
                    if item is not None and not isinstance(item, Exception):
                        if is_type_of is None:
                            is_object = not self.is_awaitable(item)
                        else:
                            is_object = is_type_of(item, None if check_without_info else info_of(n)) is True
                        if is_object:
                            objects.append(item)
                            owners.append(n)
                            positions.append(index)
                            done.append(None)
                            continue
                    item_path = list_path(n).add_key(index)
                    if self.is_awaitable(item):
                        done.append(self.complete_awaitable_list_item_value(item, item_type, field_details_list, info_of(n), item_path, None))
                        awaited.append(index)
                    elif super().complete_list_item_value(item, done, item_type, field_details_list, info_of(n), item_path, None):
                        awaited.append(index)
            except Exception as error:
                failures[n] = error
                self.track_async_work([done[index] for index in awaited])
                del objects[batched:], owners[batched:], positions[batched:]
        try:
            outcomes = self._complete_batch(object_type, grouped_field_set, objects, lambda j: list_path(owners[j]).add_key(positions[j]))
        except Exception:
            self.track_async_work([done[index] for n, done in enumerate(completed) for index in pending[n]])
            raise
        for n, index, outcome in zip(owners, positions, outcomes, strict=True):
            if n in failures:
                self.track_async_work([outcome])
            elif type(outcome) is dict:
                completed[n][index] = outcome
            else:
                try:
                    completed[n][index] = self._settled(outcome, item_type, field_details_list, list_path(n).add_key(index))
                except Exception as error:
                    failures[n] = error
                    self.track_async_work([completed[n][i] for i in pending[n]])
                    continue
                if completed[n][index] is not None:
                    pending[n].append(index)
        return [
            _Failed(failures[n]) if n in failures else done if not pending[n] else self._gathered(done, pending[n])
            for n, done in enumerate(completed)
        ]

    @staticmethod
    async def _gathered(completed: list[Any], awaitable_indices: list[int]) -> list[Any]:
        awaitable_indices.sort()
        awaited = await gather_with_cancel(*(completed[index] for index in awaitable_indices))
        for index, value in zip(awaitable_indices, awaited, strict=True):
            completed[index] = value
        return completed

    def _complete_batch(self, parent_type, grouped_field_set, sources, paths) -> list[Any]:
        """The fields of `sources`, objects of `parent_type`, computed field by field across
        all of them (a column each: one `map` for a plain attribute, one type check for the
        column), and for each source its result: a dict, an awaitable of one, or `_Failed`
        (a non-null field failed: the caller reports it for the object). `paths(k)` is the
        path of source k, built only where a resolve info or an error needs it.

        A source whose non-null field failed is skipped in the fields after it, as
        graphql-core skips them; unlike graphql-core, the sources after it have already
        been computed for the fields before, and errors come field by field rather than
        object by object (the GraphQL spec orders neither)."""
        plan = self._plan(parent_type, grouped_field_set)
        failed: dict[int, Exception] = {}
        awaiting: dict[int, list[int]] = {}  # source -> positions in the plan of its awaitable values
        columns = []
        try:
            for position, planned in enumerate(plan):
                columns.append(self._column(planned, position, parent_type, sources, paths, failed, awaiting))
        except Exception:
            self.track_async_work([value for column in columns for value in column])
            raise
        if not columns:
            return [{} for _ in sources]
        names = [planned.response_name for planned in plan]
        outcomes: list[Any] = []
        for k, row in enumerate(zip(*columns, strict=True)):
            pending = awaiting.get(k)
            if k in failed:
                if pending:
                    self.track_async_work([row[p] for p in pending])
                outcomes.append(_Failed(failed[k]))
                continue
            results = dict(zip(names, row, strict=True))
            outcomes.append(results if not pending else self._awaited_fields(results, [names[p] for p in pending]))
        return outcomes

    async def _awaited_fields(self, results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
        awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
        return results

    def _column(self, planned: PlannedField, position, parent_type, sources, paths, failed, awaiting) -> list[Any]:
        """The values of one planned field for every source (None for failed sources)."""
        read = planned.read
        if read is TYPENAME:
            return [parent_type.name] * len(sources)
        if read is not None:
            values = _read_column(planned, sources)
            if values is not None:
                return values
            return [
                None if k in failed else self._plain_value(planned, position, parent_type, source, k, paths, failed, awaiting)
                for k, source in enumerate(sources)
            ]
        if planned.is_list:
            return self._list_column(planned, position, parent_type, sources, paths, failed, awaiting)
        if planned.field_def is not None:
            return self._direct_column(planned, position, parent_type, sources, paths, failed, awaiting)
        return [
            None if k in failed else self._through_core(planned, position, parent_type, source, k, paths, failed, awaiting)
            for k, source in enumerate(sources)
        ]

    def _plain_value(self, planned: PlannedField, position, parent_type, source, k, paths, failed, awaiting) -> Any:
        """A plain leaf of one source when its column did not check out as a whole."""
        try:
            value = planned.read(source)
        except Exception:
            return self._through_core(planned, position, parent_type, source, k, paths, failed, awaiting)
        value_type = type(value)
        if _as_is(value, planned.unchanged_type):
            return value
        enum_outputs = planned.enum_outputs
        if enum_outputs is not None and value_type is enum_outputs[0] and value in enum_outputs[1]:
            return enum_outputs[1][value]
        if value is None and planned.nullable:
            return None
        if value is not None and not self.is_awaitable(value):
            coerced = _coerce(planned.leaf_type, value)
            if coerced is not Undefined:
                return coerced
        return self._through_core(planned, position, parent_type, source, k, paths, failed, awaiting)

    def _through_core(self, planned: PlannedField, position, parent_type, source, k, paths, failed, awaiting) -> Any:
        """graphql-core's `execute_field` for one source: its errors, null handling and paths."""
        path = _field_path(planned, parent_type, paths, k)
        try:
            result = self.execute_field(parent_type, source, planned.field_details_list, path, None)
        except Exception as error:
            failed[k] = error
            return None
        if type(result) not in _SYNCHRONOUS and self.is_awaitable(result):
            awaiting.setdefault(k, []).append(position)
        return result

    def _called(self, planned: PlannedField, parent_type, sources, paths, failed) -> tuple[list[Any], dict[int, Any]]:
        """The field's function called for every source that has not failed (None for those),
        with the arguments coerced once per execution: the results, what a call raised kept
        as `_Raised`, and the resolve infos handed out, by source."""
        function, infos = planned.info_free, {}
        values: list[Any] = []
        append = values.append
        if function is not None:
            for k, source in enumerate(sources):
                try:
                    append(None if k in failed else function(source))
                except Exception as error:
                    append(_Raised(error))
            return values, infos
        context, column = self.context_value, (self, planned, parent_type, paths)
        if planned.with_info is not None:
            call, field = planned.with_info
            info_of = functools.partial(_ShortPathInfo, context, field, column)
        else:
            call = functools.partial(planned.field_def.resolve, **planned.arguments)
            info_of = functools.partial(_DeferredInfo, context, column)
        for k, source in enumerate(sources):
            if k in failed:
                append(None)
                continue
            info = infos[k] = info_of(k)
            try:
                append(call(source, info))
            except Exception as error:
                append(_Raised(error))
        return values, infos

    def _direct_column(self, planned: PlannedField, position, parent_type, sources, paths, failed, awaiting) -> list[Any]:
        """A field with a direct resolver whose type is a leaf or an object: results of the type
        its scalar outputs unchanged are the answer, objects of the field's type complete as
        one batch, and every other result (null, an awaitable, a value to coerce, an error)
        completes as graphql-core completes it."""
        values, infos = self._called(planned, parent_type, sources, paths, failed)
        unchanged_type, object_type, nullable = planned.unchanged_type, planned.object_type, planned.nullable
        if unchanged_type is not None and _all_of_type(values, unchanged_type, nullable):
            return values
        is_type_of = object_type.is_type_of if object_type is not None else None
        nested, owners = [], []
        for k, value in enumerate(values):
            if k in failed or _as_is(value, unchanged_type) or (value is None and nullable):
                continue
            if object_type is not None and value is not None and type(value) is not _Raised and not isinstance(value, Exception):
                if is_type_of is None:
                    is_object = not self.is_awaitable(value)
                else:
                    info = None if planned.type_check_without_info else self._built_info(planned, parent_type, paths, k, infos)
                    is_object = is_type_of(value, info) is True
                if is_object:
                    nested.append(value)
                    owners.append(k)
                    continue
            values[k] = self._complete_one(planned, position, parent_type, value, k, infos, paths, failed, awaiting)
        if nested:
            self._complete_nested(planned, position, parent_type, values, nested, owners, infos, paths, failed, awaiting)
        return values

    def _complete_one(self, planned: PlannedField, position, parent_type, result, k, infos, paths, failed, awaiting) -> Any:
        """graphql-core's completion of one resolver result, or of the error it raised."""
        return_type, field_details_list = planned.field_def.type, planned.field_details_list
        info = self._built_info(planned, parent_type, paths, k, infos)
        try:
            if type(result) is _Raised:
                raise result.error
            if self.is_awaitable(result):
                awaiting.setdefault(k, []).append(position)
                return self.complete_awaitable_value(return_type, field_details_list, info, info.path, result, None)
            completed = self.complete_value(return_type, field_details_list, info, info.path, result, None)
            if self.is_awaitable(completed):
                awaiting.setdefault(k, []).append(position)
                return self._reported(completed, return_type, field_details_list, info.path)
            return completed
        except Exception as raw_error:
            try:
                self.handle_field_error(raw_error, return_type, field_details_list, info.path)
            except Exception as error:
                failed[k] = error
            return None

    def _complete_nested(self, planned: PlannedField, position, parent_type, values, nested, owners, infos, paths, failed, awaiting):
        """The objects a direct field returned for several sources, completed as one batch."""
        object_type, field_details_list = planned.object_type, planned.field_details_list
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            for k, value in zip(owners, nested, strict=True):
                values[k] = self._complete_one(planned, position, parent_type, value, k, infos, paths, failed, awaiting)
            return
        paths_of_nested = lambda j: _field_path(planned, parent_type, paths, owners[j])  # noqa: E731
        outcomes = self._complete_batch(object_type, grouped_field_set, nested, paths_of_nested)
        self._place(planned, position, parent_type, values, owners, outcomes, paths, failed, awaiting)

    def _list_column(self, planned: PlannedField, position, parent_type, sources, paths, failed, awaiting) -> list[Any]:
        """A field whose type is a list of objects, for every source: the objects of all its
        lists complete as one batch (see `_complete_lists`); every other value (null, an
        awaitable, another iterable, an error) completes as graphql-core completes it (a
        streamed field, or one with a deferred fragment below, is planned for graphql-core)."""
        field_details_list = planned.field_details_list
        grouped_field_set, _, _ = self.collect_subfields(planned.object_type, field_details_list)
        values, infos = self._called(planned, parent_type, sources, paths, failed)
        lists, owners = [], []
        for k, value in enumerate(values):
            if k in failed or (value is None and planned.nullable):
                continue
            if type(value) is list:
                lists.append(value)
                owners.append(k)
            else:
                values[k] = self._complete_one(planned, position, parent_type, value, k, infos, paths, failed, awaiting)
        if lists:
            outcomes = self._complete_lists(
                get_nullable_type(planned.field_def.type),
                field_details_list,
                grouped_field_set,
                lists,
                lambda n: _field_path(planned, parent_type, paths, owners[n]),
                lambda n: self._built_info(planned, parent_type, paths, owners[n], infos),
            )
            self._place(planned, position, parent_type, values, owners, outcomes, paths, failed, awaiting)
        return values

    def _place(self, planned: PlannedField, position, parent_type, values, owners, outcomes, paths, failed, awaiting) -> None:
        """Batch outcomes as the field's values for the sources that own them: a completed
        object or list as it is, a failure reported (the source fails where the field is
        non-null), an awaitable as a pending value."""
        for k, outcome in zip(owners, outcomes, strict=True):
            if type(outcome) is dict or type(outcome) is list:
                values[k] = outcome
                continue
            values[k] = None
            try:
                values[k] = self._settled(outcome, planned.field_def.type, planned.field_details_list, _field_path(planned, parent_type, paths, k))
            except Exception as error:
                failed[k] = error
                continue
            if values[k] is not None:
                awaiting.setdefault(k, []).append(position)

    def _settled(self, outcome, return_type, field_details_list, path) -> Any:
        """A batch outcome that is not a dict, as its field's or list item's value: null once a
        failure is reported (raised instead where the type is non-null), or an awaitable that
        reports its own."""
        if type(outcome) is _Failed:
            self.handle_field_error(outcome.error, return_type, field_details_list, path)
            return None
        return self._reported(outcome, return_type, field_details_list, path)

    def _info(self, planned: PlannedField, parent_type, paths, k) -> Any:
        path = _field_path(planned, parent_type, paths, k)
        return self.build_resolve_info(planned.field_def, planned.field_nodes, parent_type, path)

    def _built_info(self, planned: PlannedField, parent_type, paths, k, infos) -> Any:
        """The resolve info of source k's field, the one its resolver got if it got one."""
        deferred = infos.get(k)
        return deferred.built() if deferred is not None else self._info(planned, parent_type, paths, k)

    async def _reported(self, completed, return_type, field_details_list, path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


class _BuiltOnUse:
    """graphql-core's resolve info of source `_k` of a column, built on first use: a Path and
    a fifteen-field tuple per source and field otherwise, where most resolvers read only the
    `context`. The column is (the executor, the planned field, the parent type, the paths)."""

    __slots__ = ()

    def built(self) -> Any:
        if self._built is None:
            executor, planned, parent_type, paths = self._column
            self._built = executor._info(planned, parent_type, paths, self._k)
        return self._built


class _DeferredInfo(_BuiltOnUse):
    """graphql-core's resolve info as a resolver gets it on the short path: the `context` at
    once, everything else from the full info (see `_BuiltOnUse`)."""

    __slots__ = ("context", "_column", "_k", "_built")

    def __init__(self, context: Any, column: tuple, k: int) -> None:
        self.context = context
        self._column = column
        self._k = k
        self._built = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.built(), name)


class _ShortPathInfo(_BuiltOnUse, strawberry.Info):
    """Strawberry's `Info` as a `(self, info)` resolver gets it on the short path: one object
    per source and field, with the `context` at once and graphql-core's resolve info built on
    first use (see `_BuiltOnUse`), instead of an `Info` around a deferred info."""

    __slots__ = ("context", "_field", "_column", "_k", "_built")

    def __init__(self, context: Any, field: StrawberryField, column: tuple, k: int) -> None:
        self.context = context
        self._field = field
        self._column = column
        self._k = k
        self._built = None

    @property
    def _raw_info(self) -> Any:
        return self.built()


# Errors that name the type (an attribute a resolver misspelled) name the one its author wrote.
_ShortPathInfo.__name__ = _ShortPathInfo.__qualname__ = strawberry.Info.__name__


class _Failed(NamedTuple):
    """A source whose non-null field failed: its parent reports `error` for it."""

    error: Exception


class _Raised(NamedTuple):
    """What a resolver raised, kept in its column until the column's results complete."""

    error: Exception


def _field_path(planned: PlannedField, parent_type: GraphQLObjectType, paths: Any, k: int) -> Path:
    """The path of the planned field of source k."""
    return Path(paths(k), planned.response_name, parent_type.name)


def _as_is(value: Any, unchanged_type: type | None) -> bool:
    """The value is of the type its scalar outputs unchanged (an int in the Int range)."""
    value_type = type(value)
    return value_type is unchanged_type and (value_type is not int or value in _INT_RANGE)


def _all_of_type(values: list[Any], value_type: type, nullable: bool) -> bool:
    """Every value is of `value_type` (or None, where the field is nullable), ints in range."""
    types = set(map(type, values))
    if nullable:
        types.discard(type(None))
    if not types:
        return True
    if types != {value_type}:
        return False
    if value_type is int:
        ints = [value for value in values if value is not None]
        return min(ints) in _INT_RANGE and max(ints) in _INT_RANGE
    return True


def _read_column(planned: PlannedField, sources: list[Any]) -> list[Any] | None:
    """The plain leaf's outputs for every source, when the whole column checks out at once:
    all of the type its scalar outputs unchanged, or all members of its enum (nulls where
    the field is nullable); None otherwise (then each value is checked on its own)."""
    try:
        values = list(map(planned.read, sources))
    except Exception:
        return None
    unchanged_type = planned.unchanged_type
    if unchanged_type is not None and _all_of_type(values, unchanged_type, planned.nullable):
        return values
    enum_outputs = planned.enum_outputs
    if enum_outputs is not None and _all_of_type(values, enum_outputs[0], planned.nullable):
        outputs = enum_outputs[1]
        if all(value is None or value in outputs for value in values):
            return [None if value is None else outputs[value] for value in values]
    return None


def _reader(field_def: GraphQLField) -> Any:
    """What Strawberry's resolver of a plain field does, without its two calls in between: read
    the attribute with the configured default resolver (`getattr` unless configured)."""
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(field, StrawberryField) and field.default_resolver is getattr:
        return operator.attrgetter(field.python_name)
    resolve = field_def.resolve
    return lambda source: resolve(source, None)


@functools.lru_cache(maxsize=256)
def _enum_outputs(leaf_type: Any) -> tuple[type, dict[Any, str]] | None:
    """What Strawberry's enum type outputs for each member of its Python enum (the name of the
    first GraphQL value equal to the member's value), looked up instead of searched per value.
    Once per type: plans are made per request."""
    enum_class = getattr(leaf_type, "wrapped_cls", None)
    if not isinstance(leaf_type, CustomGraphQLEnumType) or not isinstance(enum_class, type) or not issubclass(enum_class, Enum):
        return None
    outputs: dict[Any, str] = {}
    for member in enum_class:
        name = next((name for name, value in leaf_type.values.items() if member.value == value.value), None)
        if name is not None:
            outputs[member] = name
    return enum_class, outputs


def _stock_type_check(object_type: GraphQLObjectType) -> bool:
    """The type has no `is_type_of`, or Strawberry's, which ignores its resolve info (an
    isinstance check against the type and its interfaces)."""
    is_type_of = object_type.is_type_of
    return is_type_of is None or is_type_of.__qualname__.startswith(GraphQLCoreConverter.__qualname__ + ".")


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
    """Subscription fields keep Strawberry's chain: their resolver is the event stream, which
    graphql-core subscribes to (`field_def.subscribe`), not a field's value."""
    return (
        field.base_resolver is not None
        and not field.is_subscription
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

        setattr(resolve, INFO_FREE, function)

    elif passes_self and not source_names and not renamed and names == [resolver.self_parameter.name, info_name]:
        # The common `def field(self, info)`: positional, with no keyword dict to build.
        def resolve(source: Any, info: Any) -> Any:
            return function(source, info_class(_raw_info=info, _field=field))

        if info_class is strawberry.Info:
            setattr(resolve, WITH_INFO, (function, field))

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
