"""server/garbage.py: with the collector's threshold raised for serving, the young generations
are also collected once the request bodies received add up to a budget."""

import gc

from switchboard.server.garbage import CollectByBodyBytes


async def answered(app, body: bytes) -> None:
    messages = [{"type": "http.request", "body": body[: len(body) // 2], "more_body": True},
                {"type": "http.request", "body": body[len(body) // 2 :], "more_body": False}]

    async def receive():
        return messages.pop(0)

    async def send(_message):
        pass

    await app({"type": "http"}, receive, send)


async def read_body(scope, receive, send):
    while (await receive())["more_body"]:
        pass


async def test_the_young_generations_are_collected_each_time_the_bodies_add_up_to_the_budget():
    collected: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            collected.append(info["generation"])

    app = CollectByBodyBytes(read_body, every_bytes=1000)
    was_enabled = gc.isenabled()
    gc.disable()  # only the middleware's collections
    gc.callbacks.append(record)
    try:
        await answered(app, b"x" * 600)
        assert collected == []
        await answered(app, b"x" * 600)
        assert collected == [1]
        await answered(app, b"x" * 600)
        assert collected == [1]  # counted again from zero
    finally:
        gc.callbacks.remove(record)
        if was_enabled:
            gc.enable()
