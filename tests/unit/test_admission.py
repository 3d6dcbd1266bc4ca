"""schema/admission.py: queries run a few at a time and wait their turn in arrival order;
mutations never wait for a query's turn."""

import asyncio

import strawberry
from switchboard.schema.admission import query_admission


def gated_schema(slots: int, observer=None) -> tuple[strawberry.Schema, list[str], dict[str, asyncio.Event]]:
    """A schema whose `wait(name)` query and `act(name)` mutation record when they start and
    then wait for the test to open the gate of that name."""
    started: list[str] = []
    gates: dict[str, asyncio.Event] = {}

    async def hold(name: str) -> str:
        started.append(name)
        await gates.setdefault(name, asyncio.Event()).wait()
        return name

    @strawberry.type
    class Query:
        @strawberry.field
        async def wait(self, name: str) -> str:
            return await hold(name)

    @strawberry.type
    class Mutation:
        @strawberry.field
        async def act(self, name: str) -> str:
            return await hold(name)

    schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[query_admission(slots, observer)])
    return schema, started, gates


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def query(schema, name: str) -> asyncio.Task:
    return asyncio.create_task(schema.execute(f'{{ wait(name: "{name}") }}'))


async def test_queries_beyond_the_slots_wait_and_go_in_arrival_order() -> None:
    schema, started, gates = gated_schema(slots=2)
    tasks = [query(schema, name) for name in ("a", "b", "c", "d", "e")]
    await settle()
    assert started == ["a", "b"]
    for name in ("b", "a", "c", "d", "e"):
        gates.setdefault(name, asyncio.Event()).set()
        await settle()
    assert started == ["a", "b", "c", "d", "e"]
    results = await asyncio.gather(*tasks)
    assert [r.data["wait"] for r in results] == ["a", "b", "c", "d", "e"] and not any(r.errors for r in results)


async def test_a_mutation_does_not_wait_for_the_queries() -> None:
    schema, started, gates = gated_schema(slots=1)
    first, second = query(schema, "q1"), query(schema, "q2")
    mutation = asyncio.create_task(schema.execute('mutation { act(name: "m") }'))
    await settle()
    assert started == ["q1", "m"]  # q2 waits for q1's turn; the mutation goes at once
    for name in ("m", "q1", "q2"):
        gates.setdefault(name, asyncio.Event()).set()
    results = await asyncio.gather(first, second, mutation)
    assert not any(r.errors for r in results)


async def test_a_failed_query_gives_its_turn_back() -> None:
    schema, started, gates = gated_schema(slots=1)
    failed = await schema.execute("{ wait(name: 3) }")  # invalid: stops before execution
    assert failed.errors
    broken = query(schema, "x")
    await settle()
    broken.cancel()  # a client that went away
    await asyncio.gather(broken, return_exceptions=True)
    gates["y"] = asyncio.Event()
    gates["y"].set()
    answered = await asyncio.wait_for(schema.execute('{ wait(name: "y") }'), timeout=5)
    assert answered.data == {"wait": "y"}
    assert started == ["x", "y"]


async def test_the_observer_is_told_how_many_wait_and_run() -> None:
    seen: list[tuple[int, int]] = []
    schema, started, gates = gated_schema(slots=2, observer=lambda waiting, running: seen.append((waiting, running)))
    tasks = [query(schema, name) for name in ("a", "b", "c", "d")]
    await settle()
    assert seen[-1] == (2, 2)
    gates.setdefault("m", asyncio.Event()).set()
    await schema.execute('mutation { act(name: "m") }')
    assert seen[-1] == (2, 2)  # mutations are not counted
    waiting_task = query(schema, "e")
    broken = query(schema, "x")
    await settle()
    assert seen[-1] == (4, 2)
    broken.cancel()  # a client that went away while waiting
    await asyncio.gather(broken, return_exceptions=True)
    assert seen[-1] == (3, 2)
    for name in ("a", "b", "c", "d", "e"):
        gates.setdefault(name, asyncio.Event()).set()
    await asyncio.gather(*tasks, waiting_task)
    assert seen[-1] == (0, 0)
    assert max(waiting for waiting, _ in seen) == 4 and max(running for _, running in seen) == 2
