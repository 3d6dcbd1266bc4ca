"""/metrics over real HTTP: `switchboard serve --workers 2` with a metrics token, scraped while
both worker processes serve; what it counts (requests by operation and outcome, latency, SQL
statements, persisted queries, provider calls, front-door webhooks, the admission queue), the
bound on operation labels, and what it must never show (query text, variables, secrets)."""

import asyncio
import hashlib
import os
import secrets
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from conftest import PUBLIC_BASE_URL, free_port, new_organization, running_server, serve_environment
from helpers import Api, create_config
from live_client import live
from processes import switchboard_serve
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from switchboard.server.metrics import ANONYMOUS, MAX_OPERATION_LABELS, NO_OPERATION, OTHER

TOKEN = "metrics-" + secrets.token_hex(16)
# Text of the probe's document and of its variables: neither may ever appear in a scrape.
MARKER = "marker_" + secrets.token_hex(4)
NEEDLE = "needle-" + secrets.token_hex(4)
PROBE = f"query MetricsProbe($search: String) {{ {MARKER}: organization {{ name }} phoneNumbers(first: 5, search: $search) {{ totalCount }} }}"


CREATE_VIEWER_KEY = 'mutation { createApiKey(input: {name: "Live", role: VIEWER}) { apiKey { id } secret } }'
REVOKE_KEY = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { errors { code } } }"
RENAME_CONFIG = 'mutation($id: ID!) { updateTelephonyConfig(input: {id: $id, name: "Renamed"}) { errors { code } } }'


class Metered:
    def __init__(self, url: str, directory: Path) -> None:
        self.url = url
        self.directory = directory

    async def scrape(self, token: str = TOKEN) -> str:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            response = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        return response.text

    def per_worker(self, name: str, labels: dict[str, str]) -> dict[str, float]:
        """A counter's value in each worker's own file (worker pid -> value)."""
        found = {}
        for path in self.directory.glob("counter_*.db"):
            found[path.stem.removeprefix("counter_")] = value_of(MultiProcessCollector.merge([str(path)]), name, labels)
        return found


def value_of(families, name: str, labels: dict[str, str]) -> float:
    """The sum of `name`'s samples whose labels include `labels` (0 when there is none)."""
    return sum(
        sample.value
        for family in families
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def parsed(text: str) -> list:
    return list(text_string_to_metric_families(text))


def label_values(text: str, name: str, label: str) -> set[str]:
    return {sample.labels[label] for family in parsed(text) for sample in family.samples if sample.name == name}


@pytest.fixture(scope="module")
def metered(database_url, server, fakes, tmp_path_factory) -> Iterator[Metered]:
    """`switchboard serve --workers 2` with /metrics behind a token, the fake providers and a
    public base URL; its metrics files in a directory the test can read."""
    directory = tmp_path_factory.mktemp("metrics")
    api_bases = {k: v for k, v in os.environ.items() if k.startswith("SWITCHBOARD_") and k.endswith("_API_BASE")}
    env = serve_environment(database_url) | api_bases
    env |= {
        "SWITCHBOARD_METRICS_TOKEN": TOKEN,
        "SWITCHBOARD_METRICS_DIR": str(directory),
        "SWITCHBOARD_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SWITCHBOARD_RATE_LIMIT_PER_SECOND": "0",
        "SWITCHBOARD_PROVIDER_TIMEOUT": "2",
    }
    with switchboard_serve(env, tmp_path_factory.mktemp("metered"), free_port(), "--workers", "2") as served:
        yield Metered(served.url, directory)


@pytest.fixture
async def metered_api(metered: Metered, server) -> AsyncIterator[Api]:
    organization_id, key = await new_organization(server.db, "Metered")
    async with httpx.AsyncClient(base_url=metered.url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        yield Api(client, key, organization_id)


async def test_metrics_are_not_served_unless_enabled(http):
    response = await http.get("/metrics")
    assert response.status_code == 404


async def test_metrics_need_the_token(metered: Metered):
    async with httpx.AsyncClient(base_url=metered.url, timeout=30) as client:
        answers = [
            await client.get("/metrics"),
            await client.get("/metrics", headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"}),
            await client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}),
            await client.get("/metrics", headers={"Authorization": TOKEN}),
        ]
    for answer in answers:
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
        assert TOKEN not in answer.text and "switchboard_" not in answer.text
    assert "switchboard_query_admission_running" in await metered.scrape()


async def test_requests_served_by_both_workers_add_up(metered: Metered, metered_api: Api, api: Api, sql):
    await api.query(PROBE, {"search": NEEDLE})  # the same operation in-process, its statements counted
    statements = sql.count
    assert statements > 0
    probe = {"operation": "MetricsProbe", "outcome": "ok"}
    sent = 0

    async def send(requests: int) -> dict[str, float]:
        nonlocal sent
        await asyncio.gather(*(metered_api.query(PROBE, {"search": NEEDLE}) for _ in range(requests)))
        sent += requests
        return metered.per_worker("switchboard_graphql_requests_total", probe)

    served = await send(10)
    if len(served) == 1:
        # The kernel hands new connections to whichever worker accepts first, and on a busy machine
        # that can be the same one every time: stopped, it leaves the next ones to the other.
        (busy,) = served
        os.kill(int(busy), signal.SIGSTOP)
        try:
            served = await send(10)
        finally:
            os.kill(int(busy), signal.SIGCONT)
    assert len(served) == 2 and all(served.values()), served
    assert sum(served.values()) == sent

    text = await metered.scrape()
    families = parsed(text)
    assert value_of(families, "switchboard_graphql_requests_total", probe) == sent
    assert value_of(families, "switchboard_graphql_request_duration_seconds_count", {"operation": "MetricsProbe"}) == sent
    assert value_of(families, "switchboard_graphql_sql_statements_count", {"operation": "MetricsProbe"}) == sent
    assert value_of(families, "switchboard_graphql_sql_statements_sum", {"operation": "MetricsProbe"}) == sent * statements
    for hidden in (MARKER, NEEDLE, metered_api.key, api.key, TOKEN):
        assert hidden not in text


async def test_outcomes_and_who_may_name_operations(metered: Metered, metered_api: Api):
    before = parsed(await metered.scrape())
    stranger = await metered_api.http.post(
        "/graphql", json={"query": "query StrangerDanger { organization { name } }", "operationName": "StrangerDanger"}
    )
    assert stranger.status_code == 401
    invalid = await metered_api.raw("query BrokenProbe { organization { nosuchfield } }")
    assert invalid.json()["errors"]
    anonymous = await metered_api.query("{ organization { name } }")
    assert anonymous["organization"]["name"] == "Metered"
    text = await metered.scrape()
    after = parsed(text)

    def grew(labels: dict[str, str]) -> float:
        return value_of(after, "switchboard_graphql_requests_total", labels) - value_of(
            before, "switchboard_graphql_requests_total", labels
        )

    assert grew({"operation": NO_OPERATION, "outcome": "unauthenticated"}) == 1
    assert grew({"operation": "BrokenProbe", "outcome": "invalid"}) == 1
    assert grew({"operation": ANONYMOUS, "outcome": "ok"}) == 1
    assert "StrangerDanger" not in text


async def test_persisted_query_lookups(metered: Metered, metered_api: Api):
    query = f"query Persisted{secrets.token_hex(4)} {{ organization {{ name }} }}"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}
    before = parsed(await metered.scrape())
    post = lambda body: metered_api.http.post("/graphql", json=body, headers={"X-API-Key": metered_api.key})  # noqa: E731
    first = await post({"extensions": extensions})
    assert first.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert (await post({"query": query, "extensions": extensions})).json()["data"]
    answers = [await post({"extensions": extensions}) for _ in range(6)]  # either worker: found where it was stored
    after = parsed(await metered.scrape())

    def grew(result: str) -> float:
        labels = {"result": result}
        return value_of(after, "switchboard_persisted_queries_total", labels) - value_of(
            before, "switchboard_persisted_queries_total", labels
        )

    hits = sum(1 for answer in answers if "data" in answer.json())
    assert grew("registered") == 1
    assert grew("hit") == hits >= 1
    assert grew("miss") == 1 + len(answers) - hits


async def test_provider_calls_by_provider_operation_and_outcome(metered: Metered, metered_api: Api, fakes):
    fakes["twilio"].add_account(metered_api.twilio["accountSid"], metered_api.twilio["authToken"])
    create = """mutation($input: CreateTelephonyConfigInput!) {
      createTelephonyConfig(input: $input) { verification { status } errors { code } } }"""
    good = await metered_api.query(
        create, {"input": {"name": "Good", "credentials": {"twilio": metered_api.twilio}, "verify": True}}
    )
    assert good["createTelephonyConfig"]["verification"]["status"] == "VERIFIED"
    wrong = {**metered_api.twilio, "authToken": "0" * 32}
    bad = await metered_api.query(create, {"input": {"name": "Wrong", "credentials": {"twilio": wrong}, "verify": True}})
    assert bad["createTelephonyConfig"]["verification"]["status"] == "REJECTED"
    text = await metered.scrape()
    families = parsed(text)
    name = "switchboard_provider_call_duration_seconds_count"
    assert value_of(families, name, {"provider": "twilio", "operation": "verify", "outcome": "ok"}) >= 1
    assert value_of(families, name, {"provider": "twilio", "operation": "verify", "outcome": "rejected"}) >= 1
    assert metered_api.twilio["authToken"] not in text and metered_api.twilio["accountSid"] not in text


async def test_front_door_webhooks_by_provider_and_outcome(metered: Metered):
    form = {
        "CallSid": "CA" + secrets.token_hex(16),
        "AccountSid": "AC" + secrets.token_hex(16),
        "To": "+14155550199",
        "From": "+14155550111",
    }
    async with httpx.AsyncClient(base_url=metered.url, timeout=30) as client:
        unknown = await client.post("/telephony/twilio/inbound", data=form)
        nowhere = await client.post("/telephony/madeupprovider/inbound", data=form)
    assert unknown.status_code == 200 and nowhere.status_code == 404
    text = await metered.scrape()
    assert (
        value_of(parsed(text), "switchboard_front_door_webhooks_total", {"provider": "twilio", "outcome": "unknown_number"}) >= 1
    )
    assert "madeupprovider" not in text and form["AccountSid"] not in text


async def test_the_admission_queue_is_a_gauge_of_live_workers(metered: Metered, metered_api: Api):
    await asyncio.gather(*(metered_api.query("query Busy { organization { name } }") for _ in range(20)))
    families = parsed(await metered.scrape())
    names = {sample.name for family in families for sample in family.samples}
    assert {"switchboard_query_admission_waiting", "switchboard_query_admission_running"} <= names
    assert value_of(families, "switchboard_query_admission_waiting", {}) == 0  # all answered
    assert value_of(families, "switchboard_query_admission_running", {}) == 0


async def test_a_flood_of_operation_names_stays_within_the_bound(metered: Metered, metered_api: Api):
    slots = asyncio.Semaphore(16)

    async def send(i: int) -> None:
        async with slots:
            await metered_api.query(f"query Flood{i} {{ __typename }}")

    await asyncio.gather(*(send(i) for i in range(1000)))
    text = await metered.scrape()
    operations = label_values(text, "switchboard_graphql_requests_total", "operation")
    flooded = {name for name in operations if name.startswith("Flood")}
    # Each worker labels at most MAX_OPERATION_LABELS names; the rest are OTHER.
    assert len(operations) <= 2 * MAX_OPERATION_LABELS + 3
    assert 0 < len(flooded) <= 2 * MAX_OPERATION_LABELS
    assert OTHER in operations
    families = parsed(text)
    counted = sum(value_of(families, "switchboard_graphql_requests_total", {"operation": name}) for name in flooded | {OTHER})
    assert counted == 1000


async def test_one_worker_keeps_its_metrics_in_the_directory_too(database_url, server, tmp_path):
    """`serve` with one worker runs the application in its own process, which must not have
    imported prometheus_client before the directory was exported."""
    directory = tmp_path / "metrics"
    env = serve_environment(database_url) | {"SWITCHBOARD_METRICS_PUBLIC": "true", "SWITCHBOARD_METRICS_DIR": str(directory)}
    organization_id, key = await new_organization(server.db, "Single")
    with switchboard_serve(env, tmp_path, free_port()) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            api = Api(client, key, organization_id)
            await api.query("query Single { organization { name } }")
            text = (await client.get("/metrics")).text
        assert list(directory.glob("counter_*.db"))
    assert value_of(parsed(text), "switchboard_graphql_requests_total", {"operation": "Single", "outcome": "ok"}) == 1


async def test_a_server_without_the_directory_counts_for_itself(settings, server):
    """An application served otherwise than by `serve` (no PROMETHEUS_MULTIPROC_DIR) counts in memory."""
    async with running_server(settings.model_copy(update={"metrics_public": True}), migrated=False) as running:
        organization_id, key = await new_organization(running.db, "InMemory")
        async with httpx.AsyncClient(base_url=running.url, timeout=30) as client:
            await Api(client, key, organization_id).query("query InMemory { organization { name } }")
            text = (await client.get("/metrics")).text
    families = parsed(text)
    assert value_of(families, "switchboard_graphql_requests_total", {"operation": "InMemory", "outcome": "ok"}) == 1
    assert value_of(families, "switchboard_graphql_sql_statements_count", {"operation": "InMemory"}) == 1


async def test_live_connections_and_subscriptions_are_counted_while_open(metered: Metered, metered_api: Api):
    async def gauges() -> tuple[float, float]:
        families = parsed(await metered.scrape())
        return value_of(families, "switchboard_live_connections", {}), value_of(families, "switchboard_live_subscriptions", {})

    assert await gauges() == (0, 0)
    async with live(metered.url, metered_api.key) as client:
        await client.subscribe("1", "subscription { telephonyConfigChanged { change id } }")
        await client.subscribe("2", "subscription { phoneNumberChanged { change id } }")
        await client.nothing(0.5)  # the worker starts both
        assert await gauges() == (1, 2)
        await client.send({"id": "2", "type": "complete"})
        await client.nothing(0.5)
        assert await gauges() == (1, 1)
    await asyncio.sleep(0.5)
    assert await gauges() == (0, 0)


async def test_a_live_connection_closed_for_its_revoked_key_is_counted(settings, server):
    async with running_server(settings.model_copy(update={"metrics_public": True}), migrated=False) as running:
        organization_id, key = await new_organization(running.db, "Revoked")
        async with httpx.AsyncClient(base_url=running.url, timeout=30) as client:
            admin = Api(client, key, organization_id)
            created = (await admin.query(CREATE_VIEWER_KEY))["createApiKey"]
            config = (await create_config(admin))["telephonyConfig"]
            async with live(running.url, created["secret"]) as viewer:
                await viewer.subscribe("configs", "subscription { telephonyConfigChanged { change id } }")
                await viewer.nothing(0.2)
                await admin.query(REVOKE_KEY, {"id": created["apiKey"]["id"]})
                await asyncio.sleep(0.6)  # what a worker trusts a key for at most
                await admin.query(RENAME_CONFIG, {"id": config["id"]})
                assert (await viewer.closed())[0] == 4403
            text = (await client.get("/metrics")).text
    assert value_of(parsed(text), "switchboard_live_closes_total", {"reason": "forbidden"}) == 1
