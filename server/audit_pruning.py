"""Deleting audit events past their retention (SWITCHBOARD_AUDIT_RETENTION_DAYS): at start and
then hourly, in each worker. Deleting is idempotent, so workers need not agree on who does it."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from switchboard.db.audit import prune_events
from switchboard.db.engine import Database
from switchboard.db.types import utcnow

log = logging.getLogger("switchboard.audit")

PRUNE_INTERVAL_SECONDS = 3600


async def prune_once(db: Database, retention_days: int) -> int:
    deleted = await prune_events(db, utcnow() - timedelta(days=retention_days))
    if deleted:
        log.info("deleted %d audit events older than %d days", deleted, retention_days)
    return deleted


async def _prune_logging_failure(db: Database, retention_days: int) -> None:
    try:
        await prune_once(db, retention_days)
    except Exception:
        log.exception("pruning the audit log failed; retrying in an hour")


async def _prune_hourly(db: Database, retention_days: int) -> None:
    while True:
        await asyncio.sleep(PRUNE_INTERVAL_SECONDS)
        await _prune_logging_failure(db, retention_days)


@contextlib.asynccontextmanager
async def pruning(db: Database, retention_days: int) -> AsyncIterator[None]:
    """Prune before the block (the application's lifespan) and hourly while it runs."""
    await _prune_logging_failure(db, retention_days)
    task = asyncio.create_task(_prune_hourly(db, retention_days), name="audit-pruning")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
