"""GraphQL objects built once per request.

graphql-core spends far more on an awaited field than on a plain value, so list resolvers
prefetch what their items need (see db/loaders.py `prefetch_*`) and the item fields use
`then` and `cached_or_load` from there; the objects they build come from here.
"""

from typing import Any

from switchboard.db.loaders import cached_or_load, then


def built_once(info: Any, graphql_type: Any, row: Any) -> Any:
    """`graphql_type.of(row)`, built once per request and row: the 100 numbers of a page that
    share three configurations get three configuration objects, not a hundred."""
    key = (graphql_type, row.id)
    built = info.context.built
    found = built.get(key)
    if found is None:
        found = built[key] = graphql_type.of(row)
    return found


def related_once(info: Any, graphql_type: Any, loader: Any, row_id: int) -> Any:
    """The object built from the row `loader` has for `row_id` (None when there is none): from
    this request's built objects when another item already asked, else through the loader."""
    found = info.context.built.get((graphql_type, row_id))
    if found is not None:
        return found
    return then(cached_or_load(loader, row_id), lambda row: built_once(info, graphql_type, row) if row else None)
