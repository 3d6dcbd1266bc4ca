"""Queries of one process run a few at a time, the others wait their turn in arrival order.

A worker is one thread: with 64 dashboards in progress, each one's later steps (the loaders'
batches after a database round trip, the nested lists) queue on the event loop behind the
first steps of requests that arrived after it, so every request takes as long as the whole
crowd and the slowest take several times the median. Admitted a few at a time, a query runs
almost as if alone once it starts; the others wait before they start, first come, first
served. Throughput is the same (the CPU was the limit either way); the latency of the slowest
requests falls toward the mean.

Only queries wait: a mutation may wait seconds on a provider's API, and must neither hold a
query's turn nor wait behind queries.
"""

import asyncio
from collections.abc import AsyncIterator, Callable

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

# Called with the number of queries waiting and the number running, whenever either changes.
AdmissionObserver = Callable[[int, int], None]


def query_admission(slots: int, observer: AdmissionObserver | None = None) -> Callable[[], SchemaExtension]:
    """A schema extension (as a factory) that admits `slots` queries of the process at once."""
    turns = asyncio.Semaphore(slots)
    report = observer or (lambda waiting, running: None)
    waiting = running = 0

    class QueryAdmission(SchemaExtension):
        async def on_execute(self) -> AsyncIterator[None]:
            nonlocal waiting, running
            if self.execution_context.operation_type is not OperationType.QUERY:
                yield
                return
            if turns.locked():
                waiting += 1
                report(waiting, running)
                try:
                    await turns.acquire()
                except BaseException:  # cancelled: the client went away
                    waiting -= 1
                    report(waiting, running)
                    raise
                waiting -= 1
            else:
                await turns.acquire()
            running += 1
            report(waiting, running)
            try:
                yield
            finally:
                running -= 1
                turns.release()
                report(waiting, running)

    return QueryAdmission
