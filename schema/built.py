"""Fields that answer at once when their data is already loaded, and defer otherwise.

graphql-core spends far more on an awaited field than on a plain value, so list resolvers
prefetch what their items need (see db/loaders.py `prefetch_*`) and the item fields use `then`.
"""

import inspect
from collections.abc import Callable
from typing import Any


def then(value: Any, wrap: Callable[[Any], Any]) -> Any:
    """`wrap(value)` now when `value` is plain, or an awaitable of it when `value` must be awaited."""
    if inspect.isawaitable(value):

        async def later() -> Any:
            return wrap(await value)

        return later()
    return wrap(value)


def built_once(info: Any, graphql_type: Any, row: Any) -> Any:
    """`graphql_type.of(row)`, built once per request and row: the 100 numbers of a page that
    share three configurations get three configuration objects, not a hundred."""
    key = (graphql_type, row.id)
    built = info.context.built
    found = built.get(key)
    if found is None:
        found = built[key] = graphql_type.of(row)
    return found
