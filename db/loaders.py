"""Per-request DataLoaders. Every batch is scoped to the requesting organization.

Each batch is one bulk read (`Database.rows` or `records`) on its own connection: graphql-core
resolves sibling fields concurrently and a connection must not be shared between tasks.
"""

import asyncio
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, func, select
from strawberry.dataloader import DataLoader

from .engine import Database
from .inbound_calls import calls_in_progress_by_config, first_calls, inbound_facts
from .models import InboundCall, Organization, PhoneNumber, TelephonyConfig, Workflow
from .pagination import Page
from .sql import one_of
from .telephony import NUMBER_DETAILS, NUMBER_PARENT_COLUMN, first_numbers, flagged_numbers, number_facts, organization_configs

MISSING = object()


@functools.cache
def _by_id(model: Any, tenant_column: str, keys: tuple[str, ...] | None = None) -> Select:
    """Rows of one organization by id, whole or only the columns `keys` names; built once per
    shape (building and cache-keying a statement costs more than running it)."""
    selected = [model] if keys is None else [getattr(model, key) for key in keys]
    return select(*selected).where(getattr(model, tenant_column) == bindparam("organization_id"), one_of(model.id, "ids"))


@functools.cache
def _bound_counts() -> Select:
    """Numbers bound to each workflow in `:workflow_ids` of `:organization_id`."""
    return (
        select(PhoneNumber.inbound_workflow_id, func.count())
        .where(
            PhoneNumber.organization_id == bindparam("organization_id"), one_of(PhoneNumber.inbound_workflow_id, "workflow_ids")
        )
        .group_by(PhoneNumber.inbound_workflow_id)
    )


def cached(loader: DataLoader, key: Any) -> Any:
    """The value a loader already holds for `key`, or `MISSING`: lets a field resolve without an
    await (which costs far more in graphql-core than the lookup) when a list prefetched it."""
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception() is not None:
        return MISSING
    return future.result()


def cached_or_load(loader: DataLoader, key: Any) -> Any:
    """The value itself when already loaded, else an awaitable of it (graphql-core awaits it)."""
    value = cached(loader, key)
    return loader.load(key) if value is MISSING else value


async def load_all(loader: DataLoader, keys: Iterable[Any]) -> list[Any]:
    """What `loader.load_many(keys)` returns, without its machinery per key (a batch task, a
    done-callback and a gather over a future each): keys already loaded answer from the cache,
    keys another caller is loading are awaited, and the rest go to the batch function in one
    call. List resolvers prefetch hundreds of keys a request this way."""
    cache, keys = loader.cache_map, list(keys)
    futures: dict[Any, asyncio.Future] = {}
    missing: list[Any] = []
    for key in keys:
        if key in futures:
            continue
        future = cache.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            cache.set(key, future)  # in flight: concurrent callers wait for this call
            missing.append(key)
        futures[key] = future
    if missing:
        try:
            values = list(await loader.load_fn(missing))
            if len(values) != len(missing):
                raise ValueError(f"a batch function returned {len(values)} values for {len(missing)} keys")
        except BaseException as error:
            for key in missing:
                cache.delete(key)
                if isinstance(error, Exception):
                    futures[key].set_exception(error)
                    futures[key].exception()  # retrieved: only the callers awaiting it must see it
                else:
                    futures[key].cancel()
            raise
        for key, value in zip(missing, values, strict=True):
            futures[key].set_result(value)
    return [await futures[key] for key in keys]


def _is_awaitable_type(value_type: type) -> bool:
    """Whether values of the type are awaited (a loader's future, a coroutine: both define
    `__await__`), asked once per type: a failed `hasattr` formats an AttributeError's message,
    and `then` asks for most fields of every item of a list."""
    known = _AWAITABLE_TYPES.get(value_type)
    if known is None:
        known = _AWAITABLE_TYPES[value_type] = hasattr(value_type, "__await__")
    return known


_AWAITABLE_TYPES: dict[type, bool] = {}


def then(value: Any, wrap: Callable[[Any], Any]) -> Any:
    """`wrap(value)` now when `value` is plain, or an awaitable of it when `value` must be awaited
    (a loader's future or a coroutine: both define `__await__`)."""
    if _is_awaitable_type(type(value)):

        async def later() -> Any:
            return wrap(await value)

        return later()
    return wrap(value)


def number_detail(loaders: "Loaders", number: Any, key: str) -> Any:
    """A column of `NUMBER_DETAILS` of a number: from the row when it was read whole, else (a
    row of a list) loaded by id, in one batch for every number of the list that asks."""
    try:
        return getattr(number, key)
    except AttributeError:
        return then(cached_or_load(loaders.number_details_by_id, number.id), lambda details: _detail_of(details, number.id, key))


def _detail_of(details: Any, number_id: int, key: str) -> Any:
    if details is None:
        raise LookupError(f"phone number {number_id} was deleted while it was being read")
    return getattr(details, key)


class NumberStats(NamedTuple):
    """Aggregates of one configuration's numbers: counts, capacity and warnings all read these."""

    total: int = 0
    active: int = 0
    has_default: bool = False
    default_active: bool = False
    bound: int = 0
    default_id: int | None = None

    @classmethod
    def of_groups(cls, groups: Iterable[Sequence[Any]]) -> dict[int, "NumberStats"]:
        """Per configuration, from `number_facts` rows: (configuration id, is_active,
        is_default_caller_id, numbers, bound numbers, highest id). A configuration has at most
        one default caller ID (a unique index), so its default group's highest id is the default."""
        # Added up in place, in this tuple's field order: a dashboard has a hundred or more groups.
        found: dict[int, list] = {}
        for config_id, is_active, is_default, numbers, bound, highest_id in groups:
            so_far = found.get(config_id)
            if so_far is None:
                so_far = found[config_id] = [0, 0, False, False, 0, None]
            so_far[0] += numbers
            if is_active:
                so_far[1] += numbers
            if is_default:
                so_far[2] = True
                so_far[3] = so_far[3] or bool(is_active)
                so_far[5] = highest_id
            so_far[4] += bound
        return {config_id: cls(*fields) for config_id, fields in found.items()}


class NumberPageKey(NamedTuple):
    """One nested page of numbers: the parent's id and the page arguments."""

    parent_id: int
    size: int
    after_id: int | None
    is_active: bool | None


@dataclass
class Loaders:
    db: Database
    organization_id: int
    #: Connected calls that started before this no longer count as in progress (SPEC §12).
    calls_in_progress_since: datetime | None = None
    #: Rejected calls since this are reported by the warnings (SPEC §6).
    rejections_since: datetime | None = None

    def __post_init__(self) -> None:
        self.organization_by_id = self._rows_by_id(Organization, "id")
        self.workflow_by_id = self._rows_by_id(Workflow, "organization_id")
        self.telephony_config_by_id = self._rows_by_id(TelephonyConfig, "organization_id")
        self.configs_of_organization = DataLoader(load_fn=self._configs_of_organization)
        self.phone_number_by_id = self._rows_by_id(PhoneNumber, "organization_id")
        # The columns lists of numbers leave out (`NUMBER_DETAILS`).
        self.number_details_by_id = self._rows_by_id(PhoneNumber, "organization_id", ("id", *NUMBER_DETAILS))
        self.number_stats_by_config = DataLoader(load_fn=self._number_stats)
        self.flagged_numbers_by_config = DataLoader(load_fn=self._flagged_numbers)
        self.default_caller_id_by_config = DataLoader(load_fn=self._default_caller_ids)
        self.bound_count_by_workflow = DataLoader(load_fn=self._bound_counts)
        self.number_page_by_config = DataLoader(load_fn=lambda keys: self._number_pages(TelephonyConfig, keys))
        self.number_page_by_workflow = DataLoader(load_fn=lambda keys: self._number_pages(Workflow, keys))
        self.inbound_call_by_id = self._rows_by_id(InboundCall, "organization_id")
        self.calls_in_progress_by_config = DataLoader(load_fn=self._calls_in_progress)
        self.call_page_by_number = DataLoader(load_fn=self._call_pages)
        self.inbound_facts_by_config = DataLoader(load_fn=self._inbound_facts)

    def release(self) -> None:
        """Empty every cache and drop the loaders, whose batch functions refer back to this
        object: what the request loaded is freed at once instead of by the cyclic collector."""
        for loader in vars(self).values():
            if isinstance(loader, DataLoader):
                loader.clear_all()
        vars(self).clear()

    def _rows_by_id(self, model: Any, tenant_column: str, keys: tuple[str, ...] | None = None) -> DataLoader[int, Any]:
        """Records of `model` by id: whole rows, or the columns `keys` names."""
        stmt = _by_id(model, tenant_column, keys)

        async def load(ids: Sequence[int]) -> list[Any]:
            rows = await self.db.records(model, stmt, {"organization_id": self.organization_id, "ids": list(ids)})
            found = {row.id: row for row in rows}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    async def all_configs(self) -> list[TelephonyConfig]:
        """Every configuration of the organization, oldest first (see `organization_configs`):
        one read a request, shared by the fields that need them (the list, its warnings, the
        default outbound configuration)."""
        (configs,) = await load_all(self.configs_of_organization, [self.organization_id])
        return configs

    async def _configs_of_organization(self, organization_ids: Sequence[int]) -> list[list[TelephonyConfig]]:
        configs = await self.db.records(TelephonyConfig, organization_configs(), {"organization_id": self.organization_id})
        self.telephony_config_by_id.prime_many({config.id: config for config in configs})
        return [configs for _ in organization_ids]

    async def prefetch_number_relations(self, numbers: Sequence[PhoneNumber]) -> None:
        """Load the configurations and workflows of a page of numbers in (at most) two batches."""
        config_ids = {n.telephony_config_id for n in numbers}
        workflow_ids = {n.inbound_workflow_id for n in numbers if n.inbound_workflow_id is not None}
        await asyncio.gather(load_all(self.telephony_config_by_id, config_ids), load_all(self.workflow_by_id, workflow_ids))

    async def prefetch_config_facts(self, configs: Sequence[TelephonyConfig], *, warnings: bool = True) -> None:
        """Load what the fields of a page of configurations read: number aggregates, flagged numbers
        (failed syncs, numbers the account lacks) and default caller IDs, one batch each, and the inbound facts when the warnings are read."""
        ids = [config.id for config in configs]
        loaders = [self.number_stats_by_config, self.flagged_numbers_by_config, self.default_caller_id_by_config]
        if warnings:
            loaders.append(self.inbound_facts_by_config)
        await asyncio.gather(*(load_all(loader, ids) for loader in loaders))

    def _of_configs(self, config_ids: Sequence[int]) -> dict[str, Any]:
        """The parameters of the statements over `:config_ids` of `:organization_id`."""
        return {"organization_id": self.organization_id, "config_ids": list(config_ids)}

    async def _number_stats(self, config_ids: Sequence[int]) -> list[NumberStats]:
        found = NumberStats.of_groups(await self.db.rows(number_facts(), self._of_configs(config_ids)))
        return [found.get(i, NumberStats()) for i in config_ids]

    async def _flagged_numbers(self, config_ids: Sequence[int]) -> list[list[PhoneNumber]]:
        found: dict[int, list[PhoneNumber]] = defaultdict(list)
        for row in await self.db.records(PhoneNumber, flagged_numbers(), self._of_configs(config_ids)):
            found[row.telephony_config_id].append(row)
            self.phone_number_by_id.prime(row.id, row)  # warnings name these numbers
        return [found.get(i, []) for i in config_ids]

    async def _default_caller_ids(self, config_ids: Sequence[int]) -> list[PhoneNumber | None]:
        """By primary key, from the ids the number aggregates found (no scan of the numbers)."""
        stats = await load_all(self.number_stats_by_config, config_ids)
        ids = [s.default_id for s in stats if s.default_id is not None]
        found = {row.id: row for row in await load_all(self.phone_number_by_id, ids) if row is not None}
        return [found.get(s.default_id) for s in stats]

    async def _calls_in_progress(self, config_ids: Sequence[int]) -> list[int]:
        params = {**self._of_configs(config_ids), "since": self.calls_in_progress_since}
        found = {row[0]: int(row[1]) for row in await self.db.rows(calls_in_progress_by_config(), params)}
        return [found.get(i, 0) for i in config_ids]

    async def _inbound_facts(self, config_ids: Sequence[int]) -> list[list[tuple]]:
        """Each configuration's rows of `inbound_facts` (kind, id, label, reason, count)."""
        since = self.rejections_since
        params = {**self._of_configs(config_ids), "since": since, "since_hour": since.replace(minute=0, second=0, microsecond=0)}
        found: dict[int, list[tuple]] = defaultdict(list)
        for kind, config_id, row_id, label, reason, count in await self.db.rows(inbound_facts(), params):
            found[config_id].append((kind, row_id, label, reason, int(count)))
        return [found.get(i, []) for i in config_ids]

    async def _call_pages(self, keys: Sequence[NumberPageKey]) -> list[Page]:
        """Call pages of many numbers (`NumberPageKey.parent_id` is the number), newest first, in
        one query per distinct page arguments."""
        groups: dict[tuple, list[int]] = defaultdict(list)
        for key in keys:
            groups[(key.size, key.after_id)].append(key.parent_id)
        pages: dict[NumberPageKey, Page] = {}
        for (size, after_id), number_ids in groups.items():
            params = {"organization_id": self.organization_id, "number_ids": number_ids, "limit": size + 1, "after_id": after_id}
            by_number: dict[int, list[InboundCall]] = defaultdict(list)
            for row in await self.db.records(InboundCall, first_calls(after=after_id is not None), params):
                by_number[row.phone_number_id].append(row)
            for number_id in number_ids:
                found = by_number.get(number_id, [])
                pages[NumberPageKey(number_id, size, after_id, None)] = Page(rows=found[:size], has_next=len(found) > size)
        return [pages[key] for key in keys]

    async def _bound_counts(self, workflow_ids: Sequence[int]) -> list[int]:
        params = {"organization_id": self.organization_id, "workflow_ids": list(workflow_ids)}
        found = {row[0]: int(row[1]) for row in await self.db.rows(_bound_counts(), params)}
        return [found.get(i, 0) for i in workflow_ids]

    async def _number_pages(self, parent: Any, keys: Sequence[NumberPageKey]) -> list[Page]:
        """First pages of many parents in one query per distinct page arguments (usually one),
        with the configurations and workflows of all their numbers.

        See `first_numbers` for how each parent's page is read.
        """
        parent_column = getattr(PhoneNumber, NUMBER_PARENT_COLUMN[parent])
        groups: dict[tuple, list[int]] = defaultdict(list)
        for key in keys:
            groups[(key.size, key.after_id, key.is_active)].append(key.parent_id)
        pages: dict[NumberPageKey, Page] = {}
        for (size, after_id, is_active), parent_ids in groups.items():
            stmt = first_numbers(parent, after=after_id is not None, active=is_active is not None, lateral=not self.db.is_sqlite)
            params = {
                "organization_id": self.organization_id,
                "parent_ids": parent_ids,
                "limit": size + 1,
                "after_id": after_id,
                "is_active": is_active,
            }
            by_parent: dict[int, list[PhoneNumber]] = defaultdict(list)
            for row in await self.db.records(PhoneNumber, stmt, params):
                by_parent[getattr(row, parent_column.key)].append(row)
            for parent_id in parent_ids:
                found = by_parent.get(parent_id, [])
                pages[NumberPageKey(parent_id, size, after_id, is_active)] = Page(rows=found[:size], has_next=len(found) > size)
        await self.prefetch_number_relations([row for page in pages.values() for row in page.rows])
        return [pages[key] for key in keys]
