"""`python -m bench --import`: importPhoneNumbers of 1,000 numbers (SPEC §14, issue 22's target:
under 5 s on SQLite and PostgreSQL on this machine), through `switchboard serve` and a fake
Twilio account that holds the numbers, so each import lists the account first as it does in
production. Each run imports into a fresh account: 1,000 created rows; a second import of the
same rows (all ALREADY_REGISTERED) is timed too, and one of rows bound to a workflow, whose
attaches run at the fake within the provider time budget."""

import asyncio
import secrets
import statistics
import time

import httpx
from switchboard.db.api_keys import create_api_key
from switchboard.db.engine import create_database
from switchboard.db.migrate import migrate
from switchboard.db.organizations import create_organization

from . import servers

ROWS = 1000
RUNS = 3
IMPORT = """
mutation($input: ImportPhoneNumbersInput!) { importPhoneNumbers(input: $input) {
  createdCount accountListComplete results { status providerSync { ok } } errors { code message } } }"""
CREATE_CONFIG = """
mutation($input: CreateTelephonyConfigInput!) { createTelephonyConfig(input: $input) { telephonyConfig { id } errors { message } } }"""
CREATE_WORKFLOW = """
mutation { createWorkflow(input: {name: "Bench agents", agentStreamUrl: "wss://agent.bench.test/media"}) { workflow { id } } }"""


async def _organization(url: str) -> str:
    db = create_database(url)
    try:
        await migrate(db)
        async with db.write() as session:
            organization = await create_organization(session, "Import bench")
            _, key = await create_api_key(session, organization.id)
        return key
    finally:
        await db.dispose()


def _numbers(run: int) -> list[str]:
    return [f"+1415{run:03d}{n:04d}" for n in range(ROWS)]


def _query(client: httpx.Client, query: str, variables: dict | None = None) -> dict:
    body = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    if "errors" in body:
        raise RuntimeError(f"the bench's request failed: {body['errors']}")
    return body["data"]


def _timed_import(client: httpx.Client, config_id: str, run: int, **extra: str) -> tuple[float, dict]:
    started = time.perf_counter()
    payload = _query(client, IMPORT, {"input": {"telephonyConfigId": config_id, "addresses": _numbers(run), **extra}})["importPhoneNumbers"]
    return time.perf_counter() - started, payload


def measure(url: str, log) -> dict:
    """Seconds per import of ROWS numbers, run after run, on the database at `url` (migrated here)."""
    key = asyncio.run(_organization(url))
    accounts = {"AC" + secrets.token_hex(16): secrets.token_hex(16) for _ in range(RUNS + 1)}
    numbers = [(sid, e164) for run, sid in enumerate(accounts) for e164 in _numbers(run)]
    created, again, bound = [], [], None
    with servers.FakeTwilio(accounts, numbers) as fake, servers.running(servers.start_switchboard, servers.server_env(url, fake.url), 1) as server:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": key}, timeout=120) as client:
            configs = []
            for run, (sid, token) in enumerate(accounts.items()):
                credentials = {"twilio": {"accountSid": sid, "authToken": token}}
                made = _query(client, CREATE_CONFIG, {"input": {"name": f"Account {run}", "credentials": credentials}})
                configs.append(made["createTelephonyConfig"]["telephonyConfig"]["id"])
            for run in range(RUNS):
                seconds, payload = _timed_import(client, configs[run], run)
                if payload["createdCount"] != ROWS or payload["accountListComplete"] is not True:
                    raise RuntimeError(f"the import did not create every row: {payload['errors'] or payload['createdCount']}")
                created.append(seconds)
                seconds, payload = _timed_import(client, configs[run], run)
                if {row["status"] for row in payload["results"]} != {"ALREADY_REGISTERED"}:
                    raise RuntimeError("the second import of the same rows created some")
                again.append(seconds)
                log(f"import of {ROWS:,}: {created[-1]:.2f} s created, {again[-1]:.2f} s already registered")
            workflow = _query(client, CREATE_WORKFLOW)["createWorkflow"]["workflow"]["id"]
            seconds, payload = _timed_import(client, configs[RUNS], RUNS, inboundWorkflowId=workflow)
            attached = sum(1 for row in payload["results"] if row["providerSync"] and row["providerSync"]["ok"])
            bound = {"seconds": round(seconds, 2), "attached": attached}
            log(f"import of {ROWS:,} bound to a workflow: {seconds:.2f} s, {attached:,} attached at the fake Twilio")
    return {
        "rows": ROWS,
        "created_seconds": [round(s, 2) for s in created],
        "created_median_seconds": round(statistics.median(created), 2),
        "already_registered_seconds": [round(s, 2) for s in again],
        "bound_to_a_workflow": bound,
    }
