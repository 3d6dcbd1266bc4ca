"""`python -m bench --live`: live updates' fan-out (issue 24, SPEC §15).

A fresh `switchboard serve` (one worker on each database, and two workers on PostgreSQL) gets
SUBSCRIPTIONS subscriptions to one phone number, PER_CONNECTION on each WebSocket connection of
one key: all with one document, which a worker executes once per event for all of them, and on
one worker also each with a document of its own (its operation name), executed for each. Reported: the RSS of each worker before the connections and with every subscription
open and idle, which worker holds how many connections, and for MUTATIONS updates of the number
(sent over HTTP one after the other, half a second apart) the time from sending the mutation to
each subscription's event, over all events: p50, p99, max. The client runs in one asyncio
process, and its own receiving of 1,000 messages per mutation is part of the figures.
"""

import asyncio
import json
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass

import httpx
import psutil
import websockets

from . import servers

SUBSCRIPTIONS = 1000
PER_CONNECTION = 50
MUTATIONS = 20
SUBSCRIPTION = "subscription {name}($id: ID) {{ phoneNumberChanged(id: $id) {{ change phoneNumber {{ id label isActive }} }} }}"
UPDATE = "mutation($id: ID!, $label: String!) { updatePhoneNumber(input: {id: $id, label: $label}) { errors { code } } }"


@dataclass
class LiveRun:
    database: str
    workers: int
    # "identical": one document for all, which a worker executes once per event; "distinct": a
    # document (operation name) of its own for each, executed once per subscription and event.
    documents: str
    subscriptions: int
    events: int
    missing: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    rss_before_mb: list[float]
    rss_idle_mb: list[float]
    connections_per_worker: list[int]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _worker_rss(server: servers.Server) -> list[float]:
    return [round(psutil.Process(pid).memory_info().rss / 2**20, 1) for pid in server.worker_pids()]


def _worker_connections(server: servers.Server) -> list[int]:
    port = int(server.url.rsplit(":", 1)[1])
    return [
        sum(1 for c in psutil.Process(pid).net_connections("tcp") if c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED)
        for pid in server.worker_pids()
    ]


async def _setup(url: str, key: str) -> str:
    async with httpx.AsyncClient(base_url=url, timeout=30, headers={"X-API-Key": key}) as http:
        config = await http.post(
            "/graphql",
            json={
                "query": "mutation($input: CreateTelephonyConfigInput!) { createTelephonyConfig(input: $input) { telephonyConfig { id } } }",
                "variables": {
                    "input": {"name": "Live", "credentials": {"twilio": {"accountSid": "AC" + "0" * 32, "authToken": "0" * 32}}}
                },
            },
        )
        config_id = config.json()["data"]["createTelephonyConfig"]["telephonyConfig"]["id"]
        number = await http.post(
            "/graphql",
            json={
                "query": "mutation($input: CreatePhoneNumberInput!) { createPhoneNumber(input: $input) { phoneNumber { id } } }",
                "variables": {"input": {"telephonyConfigId": config_id, "address": "+14155550100"}},
            },
        )
        return number.json()["data"]["createPhoneNumber"]["phoneNumber"]["id"]


async def _measure(server: servers.Server, key: str, distinct: bool, log) -> tuple[list[float], int, list[float], list[int]]:
    number_id = await _setup(server.url, key)
    received: list[tuple[int, float]] = []
    sockets = []
    ws_url = server.url.replace("http://", "ws://") + "/graphql"
    for connection in range(SUBSCRIPTIONS // PER_CONNECTION):
        socket = await websockets.connect(ws_url, subprotocols=["graphql-transport-ws"], max_queue=None, compression=None)
        await socket.send(json.dumps({"type": "connection_init", "payload": {"X-API-Key": key}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        for index in range(PER_CONNECTION):
            await socket.send(
                json.dumps(
                    {
                        "id": str(index),
                        "type": "subscribe",
                        "payload": {
                            "query": SUBSCRIPTION.format(name=f"Live{connection}_{index}" if distinct else "Live"),
                            "variables": {"id": number_id},
                        },
                    }
                )
            )
        sockets.append(socket)

    async def receive(socket) -> None:
        async for frame in socket:
            message = json.loads(frame)
            if message.get("type") == "next":
                label = message["payload"]["data"]["phoneNumberChanged"]["phoneNumber"]["label"]
                received.append((int(label), time.perf_counter()))

    readers = [asyncio.create_task(receive(socket)) for socket in sockets]
    await asyncio.sleep(2)
    rss_idle = _worker_rss(server)
    connections = _worker_connections(server)
    log(f"{SUBSCRIPTIONS} subscriptions open and idle: worker RSS {rss_idle} MB, connections per worker {connections}")
    sent_at: dict[int, float] = {}
    async with httpx.AsyncClient(base_url=server.url, timeout=30, headers={"X-API-Key": key}) as http:
        for round_ in range(MUTATIONS):
            sent_at[round_] = time.perf_counter()
            answer = await http.post("/graphql", json={"query": UPDATE, "variables": {"id": number_id, "label": str(round_)}})
            assert answer.json()["data"]["updatePhoneNumber"]["errors"] == []
            await asyncio.sleep(0.5)
    await asyncio.sleep(1)
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*(socket.close() for socket in sockets))
    latencies = [(at - sent_at[round_]) * 1000 for round_, at in received]
    return latencies, SUBSCRIPTIONS * MUTATIONS - len(received), rss_idle, connections


def run(env: dict[str, str], database: str, workers: int, log, *, distinct: bool = False) -> LiveRun:
    env = env | {"SWITCHBOARD_WS_CONNECTIONS_PER_KEY": str(SUBSCRIPTIONS)}
    with servers.running(servers.start_switchboard, env, workers) as server:
        key = _new_key(env)
        time.sleep(1)
        rss_before = _worker_rss(server)
        latencies, missing, rss_idle, connections = asyncio.run(_measure(server, key, distinct, log))
    result = LiveRun(
        database=database,
        workers=workers,
        documents="distinct" if distinct else "identical",
        subscriptions=SUBSCRIPTIONS,
        events=len(latencies),
        missing=missing,
        p50_ms=round(statistics.median(latencies), 1),
        p99_ms=round(_percentile(latencies, 0.99), 1),
        max_ms=round(max(latencies), 1),
        rss_before_mb=rss_before,
        rss_idle_mb=rss_idle,
        connections_per_worker=connections,
    )
    log(f"[{database}, {workers} worker(s), {result.documents} documents] {asdict(result)}")
    return result


def _new_key(env: dict[str, str]) -> str:
    """A new organization's key, from `switchboard org create` (the database is fresh)."""
    created = subprocess.run(
        [servers.SWITCHBOARD, "org", "create", "Live", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=servers.REPO,
    )
    return json.loads(created.stdout)["api_key"]


def table(runs: list[LiveRun]) -> str:
    lines = [
        "| database | workers | documents | events received | p50 | p99 | max | RSS per worker before → with 1,000 idle subscriptions"
        " | connections per worker |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        rss = ", ".join(f"{b} → {i} MB" for b, i in zip(r.rss_before_mb, r.rss_idle_mb, strict=True))
        lines.append(
            f"| {r.database} | {r.workers} | {r.documents} | {r.events} of {r.events + r.missing} | {r.p50_ms} ms | {r.p99_ms} ms | {r.max_ms} ms | {rss} | "
            f"{', '.join(map(str, r.connections_per_worker))} |"
        )
    return "\n".join(lines)
