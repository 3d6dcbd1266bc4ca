"""Crash safety: kill -9 the server in the middle of a write load, restart it, and check that
every acknowledged mutation survived, nothing is half-written and the database is intact.

    python -m bench.crash --db sqlite --rounds 5 --seconds 8
    python -m bench.crash --db postgres --rounds 5 --seconds 8

tests/integration/test_crash_safety.py runs a short round of the same on each test database.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

SWITCHBOARD = str(Path(sys.executable).with_name("switchboard"))
SECRET_KEY = "n6wrjYzvU8DE4eSkfRZtLZ4hvm6sY0m4dQ1XWf4G9Ps="
CREATE_CONFIG = """mutation($name: String!, $sid: String!) { createTelephonyConfig(input: {name: $name,
  credentials: {twilio: {accountSid: $sid, authToken: "00000000000000000000000000000000"}}}) { telephonyConfig { id } errors { code } } }"""
CREATE_WORKFLOW = "mutation($name: String!) { createWorkflow(input: {name: $name}) { workflow { id } errors { code } } }"
CREATE_NUMBER = """mutation($config: ID!, $address: String!, $default: Boolean) { createPhoneNumber(input: {
  telephonyConfigId: $config, address: $address, isDefaultCallerId: $default}) { phoneNumber { id } errors { code } } }"""
SET_DEFAULT_OUTBOUND = "mutation($id: ID!) { setDefaultOutboundConfig(input: {id: $id}) { errors { code } } }"
STATE = """{ organization { defaultOutboundConfig { id } }
  workflows(first: 100) { totalCount }
  telephonyConfigs(first: 100) { nodes { id isDefaultOutbound } } }"""
NUMBERS = """query($config: ID!, $a: String) { phoneNumbers(telephonyConfigId: $config, first: 100, after: $a) {
  nodes { addressNormalized isDefaultCallerId } pageInfo { hasNextPage endCursor } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Acknowledged:
    """What the server confirmed before it was killed."""

    workflows: set[str] = field(default_factory=set)
    numbers: dict[str, set[str]] = field(default_factory=dict)  # config id -> normalized addresses


class Server:
    def __init__(self, database_url: str, workdir: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        # No rate limit: four writers share one key and write as fast as the server answers.
        self.env |= {
            "SWITCHBOARD_DATABASE_URL": database_url,
            "SWITCHBOARD_SECRET_KEY": SECRET_KEY,
            "SWITCHBOARD_LOG_LEVEL": "warning",
            "SWITCHBOARD_RATE_LIMIT_PER_SECOND": "0",
        }
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [SWITCHBOARD, "serve", "--port", str(self.port)],
            env=self.env,
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("switchboard serve did not become ready")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def new_key(self) -> str:
        created = subprocess.run(
            [SWITCHBOARD, "org", "create", f"Crash {uuid.uuid4().hex[:6]}", "--json"],
            env=self.env, cwd=self.workdir, capture_output=True, text=True, check=True,
        )
        return json.loads(created.stdout)["api_key"]


WORKFLOWS = "query($a: String) { workflows(first: 100, after: $a) { nodes { name } pageInfo { hasNextPage endCursor } } }"


async def _every_node(client: httpx.AsyncClient, query: str, variables: dict, field: str) -> list[dict]:
    """All nodes of a connection, page by page (a round can write more than one page)."""
    nodes, after = [], None
    while True:
        page = (await client.post("/graphql", json={"query": query, "variables": {**variables, "a": after}})).json()["data"][field]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def _call(client: httpx.AsyncClient, query: str, variables: dict) -> dict | None:
    """The root payload when the server answered it, None when the request died with the server."""
    try:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    except httpx.TransportError:
        return None
    if response.status_code != 200:
        return None
    data = response.json().get("data") or {}
    return next(iter(data.values()), None)


async def write_load(client: httpx.AsyncClient, configs: list[str], acknowledged: Acknowledged, stop: asyncio.Event) -> None:
    """Keep creating workflows and numbers (some as default caller ID) and moving the default config."""
    counter = 0
    while not stop.is_set():
        counter += 1
        name = f"wf-{uuid.uuid4().hex[:10]}"
        config = random.choice(configs)
        address = f"+1415{random.randrange(10**6, 10**7)}"
        results = await asyncio.gather(
            _call(client, CREATE_WORKFLOW, {"name": name}),
            _call(client, CREATE_NUMBER, {"config": config, "address": address, "default": counter % 3 == 0}),
            _call(client, SET_DEFAULT_OUTBOUND, {"id": random.choice(configs)}),
        )
        workflow, number, _ = results
        if workflow and not workflow["errors"]:
            acknowledged.workflows.add(name)
        if number and not number["errors"]:
            acknowledged.numbers.setdefault(config, set()).add(address)
        if None in results:
            return


async def one_round(server: Server, seconds: float) -> list[str]:
    """Load, kill -9 at a random moment, restart, and return the problems found."""
    key = server.new_key()
    async with httpx.AsyncClient(base_url=server.url, headers={"X-API-Key": key}, timeout=30) as client:
        configs = []
        for i in range(3):
            payload = await _call(client, CREATE_CONFIG, {"name": f"C{i}", "sid": "AC" + uuid.uuid4().hex})
            configs.append(payload["telephonyConfig"]["id"])
        acknowledged = Acknowledged()
        stop = asyncio.Event()
        loads = [asyncio.create_task(write_load(client, configs, acknowledged, stop)) for _ in range(4)]
        await asyncio.sleep(random.uniform(seconds / 2, seconds))
        server.kill()
        stop.set()
        await asyncio.gather(*loads)
    server.start()
    async with httpx.AsyncClient(base_url=server.url, headers={"X-API-Key": key}, timeout=30) as client:
        state = (await client.post("/graphql", json={"query": STATE})).json()["data"]
        names = {n["name"] for n in await _every_node(client, WORKFLOWS, {}, "workflows")}
        stored = {c["id"]: c for c in state["telephonyConfigs"]["nodes"]}
        numbers = {c: await _every_node(client, NUMBERS, {"config": c}, "phoneNumbers") for c in stored}
    problems = [f"acknowledged workflow {n} is missing" for n in acknowledged.workflows - names]
    for config_id, addresses in acknowledged.numbers.items():
        present = {n["addressNormalized"] for n in numbers[config_id]}
        problems += [f"acknowledged number {a} is missing" for a in addresses - present]
    if sum(c["isDefaultOutbound"] for c in stored.values()) > 1:
        problems.append("more than one default outbound configuration")
    for config_id, config_numbers in numbers.items():
        if sum(n["isDefaultCallerId"] for n in config_numbers) > 1:
            problems.append(f"more than one default caller ID in {config_id}")
    if not acknowledged.workflows:
        problems.append("no write was acknowledged before the kill: the round proved nothing")
    return problems


async def integrity_problems(database_url: str) -> list[str]:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.database) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            violations = connection.execute("PRAGMA foreign_key_check").fetchall()
        return ([] if result == "ok" else [f"integrity_check: {result}"]) + [f"foreign key violation: {v}" for v in violations]
    connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = await connection.fetch(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace"
        )
        for index in indexes:
            await connection.execute("SELECT bt_index_check($1::regclass, true)", index["relname"])
    except asyncpg.PostgresError as exc:
        return [f"amcheck: {exc}"]
    finally:
        await connection.close()
    return []


async def run(database_url: str, rounds: int, seconds: float, workdir: Path) -> list[str]:
    server = Server(database_url, workdir)
    server.start()
    problems: list[str] = []
    try:
        for number in range(1, rounds + 1):
            found = await one_round(server, seconds)
            print(f"round {number}: {'ok' if not found else found}", file=sys.stderr)
            problems += found
    finally:
        server.stop()
    return problems + await integrity_problems(database_url)


async def _admin(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.db == "sqlite":
            problems = asyncio.run(run(f"sqlite+aiosqlite:///{workdir / 'crash.db'}", args.rounds, args.seconds, workdir))
        else:
            name = f"switchboard_crash_{uuid.uuid4().hex[:8]}"
            asyncio.run(_admin(args.postgres_url, f'CREATE DATABASE "{name}"'))
            try:
                database_url = make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)
                problems = asyncio.run(run(database_url, args.rounds, args.seconds, workdir))
            finally:
                asyncio.run(_admin(args.postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(json.dumps({"db": args.db, "rounds": args.rounds, "problems": problems}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
