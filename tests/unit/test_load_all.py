"""`load_all` (db/loaders.py) answers as DataLoader.load_many does: values in key order, one
batch call for what is not loaded, shared with concurrent callers and with `load`; a failed
batch fails every caller waiting on it and is retried by the next one."""

import asyncio

import pytest
from strawberry.dataloader import DataLoader
from switchboard.db.loaders import load_all


def counting_loader(fail_first: int = 0) -> tuple[DataLoader, list[list[int]]]:
    calls: list[list[int]] = []

    async def batch(keys: list[int]) -> list[str]:
        calls.append(list(keys))
        await asyncio.sleep(0.01)
        if len(calls) <= fail_first:
            raise RuntimeError("database went away")
        return [f"v{k}" for k in keys]

    return DataLoader(load_fn=batch), calls


async def test_values_come_in_key_order_with_duplicates_and_one_batch():
    loader, calls = counting_loader()
    assert await load_all(loader, [3, 1, 3, 2]) == ["v3", "v1", "v3", "v2"]
    assert calls == [[3, 1, 2]]


async def test_loaded_keys_are_not_loaded_again():
    loader, calls = counting_loader()
    await loader.load(1)
    loader.prime(5, "primed")
    assert await load_all(loader, [1, 5, 6]) == ["v1", "primed", "v6"]
    assert calls == [[1], [6]]


async def test_concurrent_callers_share_the_batch_in_flight():
    loader, calls = counting_loader()
    first, second = await asyncio.gather(load_all(loader, [1, 2]), load_all(loader, [2, 1]))
    assert (first, second) == (["v1", "v2"], ["v2", "v1"])
    assert calls == [[1, 2]]
    loading = loader.load(3)  # DataLoader's own batch, in flight when load_all asks for 3
    assert await load_all(loader, [3, 4]) == ["v3", "v4"]
    assert await loading == "v3"
    assert sorted(calls[1:]) == [[3], [4]]


async def test_a_failed_batch_fails_its_waiters_and_the_next_call_retries():
    loader, calls = counting_loader(fail_first=1)
    results = await asyncio.gather(load_all(loader, [1]), load_all(loader, [1]), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await load_all(loader, [1]) == ["v1"]
    assert calls == [[1], [1]]


async def test_a_batch_of_the_wrong_length_is_an_error():
    async def short(keys: list[int]) -> list[str]:
        return ["only one"]

    loader = DataLoader(load_fn=short)
    with pytest.raises(ValueError, match="1 values for 2 keys"):
        await load_all(loader, [1, 2])
    assert loader.cache_map.get(1) is None


async def test_a_cancelled_caller_leaves_nothing_in_flight():
    loader, calls = counting_loader()
    task = asyncio.create_task(load_all(loader, [7]))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert loader.cache_map.get(7) is None
    assert await load_all(loader, [7]) == ["v7"]
