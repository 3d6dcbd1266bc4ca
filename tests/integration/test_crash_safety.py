"""A short round of bench/crash.py on the test database: kill -9 during writes, restart, and
every acknowledged mutation is there, no invariant is broken and the database checks clean."""

from bench.crash import run


async def test_kill_minus_nine_during_writes_loses_nothing_acknowledged(database_url, server, tmp_path):
    assert await run(database_url, rounds=1, seconds=3, workdir=tmp_path) == []
