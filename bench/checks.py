"""What the bench checks besides speed: that the reference answers with Switchboard's exact
bytes, that both answer the inbound scenario's calls with the same stream to the agent, how many
SQL statements each operation costs (in-process, counted with a SQLAlchemy event), that this
cost does not grow with page size, and the soak verdict."""

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import orjson
from switchboard.resolvers.ids import database_id_of, to_global_id
from switchboard.server.app import create_app
from switchboard.server.settings import Settings

from . import reference, scenarios
from .dataset import AGENT_STREAM_URL, PUBLIC_BASE_URL, SECRET_KEY, Dataset

JSON_HEADERS = {"Content-Type": "application/json"}


def _first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return f"bytes differ at {at}:\n  switchboard: {a[max(0, at - 120):at + 120]!r}\n  reference:   {b[max(0, at - 120):at + 120]!r}"


def identical(switchboard_url: str, reference_url: str, bodies: list[bytes], api_key: str) -> list[str]:
    """Problems found when each body is sent to both servers: different bytes, errors, or a
    page walk whose endCursor is not the next page's `after`."""
    problems = []
    headers = {**JSON_HEADERS, "X-API-Key": api_key}
    with httpx.Client(timeout=120) as client:
        previous_end = None
        for body in bodies:
            ours = client.post(f"{switchboard_url}/graphql", content=body, headers=headers)
            theirs = client.post(f"{reference_url}/graphql", content=body, headers=headers)
            if ours.status_code != 200 or b'"errors"' in ours.content:
                problems.append(f"switchboard answered {ours.status_code}: {ours.content[:300]!r}")
            elif ours.content != theirs.content:
                problems.append(_first_difference(ours.content, theirs.content))
            variables = orjson.loads(body)["variables"]
            if "after" in variables and variables["after"] is not None and variables["after"] != previous_end:
                problems.append(f"page walk broken: after={variables['after']} but the previous page ended at {previous_end}")
            if "after" in variables and ours.status_code == 200:
                previous_end = orjson.loads(ours.content)["data"]["phoneNumbers"]["pageInfo"]["endCursor"]
    return problems


def stream_problems(call: scenarios.SignedCall, answer: httpx.Response) -> list[str]:
    """What is wrong with an answer to an accepted call: it must stream the call to the
    workflow's agent, naming the call (an InboundCall's ID), the workflow and both numbers."""
    try:
        root = ET.fromstring(answer.content)
    except ET.ParseError:
        root = None
    stream = root.find("./Connect/Stream") if root is not None and root.tag == "Response" and len(root) == 1 else None
    if answer.status_code != 200 or stream is None:
        return [f"not a <Connect><Stream> answer ({answer.status_code}): {answer.content[:300]!r}"]
    parameters = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    call_id = parameters.pop("callId", None)
    expected = {"workflowId": to_global_id("Workflow", call.target.workflow_id), "from": call.form["From"], "to": call.form["To"]}
    problems = [f"streams to {stream.get('url')!r}, not the agent"] if stream.get("url") != AGENT_STREAM_URL else []
    if database_id_of(call_id or "", "InboundCall") is None:
        problems.append(f"callId {call_id!r} is not an InboundCall's ID")
    return problems + ([f"parameters {parameters}, expected {expected} besides callId"] if parameters != expected else [])


def _without_call_id(answer: bytes) -> bytes:
    return re.sub(rb'(<Parameter name="callId" value=")[^"]*', rb"\1", answer)


def same_streams(switchboard_url: str, reference_url: str, ours: list[scenarios.SignedCall], theirs: list[scenarios.SignedCall]) -> tuple[list[str], list[str]]:
    """Each of `ours` to Switchboard and its twin of `theirs` (the same number and caller, its
    own CallSid: the two servers record calls in one database) to the reference. Returns what
    is wrong with Switchboard's answers, and where the reference's differ from them other than
    in the call's ID."""
    wrong, different = [], []
    with httpx.Client(timeout=120) as client:
        for mine, twin in zip(ours, theirs, strict=True):
            answer = client.post(f"{switchboard_url}{scenarios.INBOUND_PATH}", content=mine.body, headers=mine.headers)
            other = client.post(f"{reference_url}{scenarios.INBOUND_PATH}", content=twin.body, headers=twin.headers)
            wrong += stream_problems(mine, answer)
            if _without_call_id(answer.content) != _without_call_id(other.content) or answer.headers["content-type"] != other.headers["content-type"]:
                different.append(_first_difference(answer.content, other.content))
    return wrong, different


@dataclass
class StatementCounter:
    count: int = 0

    def __call__(self, _statement: str) -> None:
        self.count += 1


def _payload_problems(body: bytes, answer: httpx.Response) -> list[str]:
    data = orjson.loads(answer.content)
    if answer.status_code != 200 or data.get("errors"):
        return [f"{answer.status_code}: {answer.content[:300]!r}"]
    problems = []
    for payload in (data.get("data") or {}).values():
        if isinstance(payload, dict) and "errors" in payload:
            if payload["errors"]:
                problems.append(f"{payload['errors']} for {body[:160]!r}")
            sync = payload.get("providerSync")
            if sync is not None and not sync["ok"]:
                problems.append(f"provider sync failed: {sync['message']}")
    return problems


@asynccontextmanager
async def _switchboard_in_process(dataset: Dataset, twilio_api_base: str | None) -> AsyncIterator[tuple[httpx.AsyncClient, StatementCounter]]:
    """A client of an in-process Switchboard on the bench database, and its statement count."""
    if twilio_api_base:
        os.environ["SWITCHBOARD_TWILIO_API_BASE"] = twilio_api_base
    app = create_app(Settings(database_url=dataset.url, secret_key=SECRET_KEY, public_base_url=PUBLIC_BASE_URL, rate_limit_per_second=0))
    counter = StatementCounter()
    stop_counting = app.state.services.db.listen_statements(counter)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://switchboard", timeout=120) as client:
            yield client, counter
    finally:
        stop_counting()
        await app.state.services.db.dispose()


@asynccontextmanager
async def _reference_in_process(dataset: Dataset) -> AsyncIterator[tuple[httpx.AsyncClient, reference.Database]]:
    app = reference.create_app(dataset.url, PUBLIC_BASE_URL, SECRET_KEY)
    db = app.state.reference.db
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://reference", timeout=120) as client:
            yield client, db
    finally:
        await db.close()


async def statements_per_operation(dataset: Dataset, twilio_api_base: str | None, bodies: dict[str, list[bytes]], tag: int) -> tuple[dict[str, float], list[str]]:
    """Average SQL statements per request of each named body list, through an in-process
    Switchboard on the bench database; also returns problems seen in the answers."""
    headers = {**JSON_HEADERS, "X-API-Key": dataset.api_key}
    counts, problems = {}, []
    async with _switchboard_in_process(dataset, twilio_api_base) as (client, counter):
        await client.post("/graphql", content=b'{"query": "{ __typename }"}', headers=headers)  # caches the key
        for name, templates in bodies.items():
            before = counter.count
            for n, template in enumerate(templates):
                body = scenarios.substitute(template, tag * 10**7 + n)
                problems += _payload_problems(body, await client.post("/graphql", content=body, headers=headers))
            counts[name] = (counter.count - before) / len(templates)
    return counts, problems


async def reference_statements(dataset: Dataset, bodies: dict[str, list[bytes]]) -> dict[str, float]:
    headers = {**JSON_HEADERS, "X-API-Key": dataset.api_key}
    counts = {}
    async with _reference_in_process(dataset) as (client, db):
        await client.post("/graphql", content=next(iter(bodies.values()))[0], headers=headers)  # caches the key
        for name, templates in bodies.items():
            before = db.statements
            for template in templates:
                await client.post("/graphql", content=template, headers=headers)
            counts[name] = (db.statements - before) / len(templates)
    return counts


async def inbound_statements(dataset: Dataset, ours: list[scenarios.SignedCall], theirs: list[scenarios.SignedCall]) -> tuple[float, float, list[str]]:
    """SQL statements per accepted call of Switchboard (`ours`) and of the reference (`theirs`),
    in-process; also what is wrong with Switchboard's answers."""
    problems = []
    async with _switchboard_in_process(dataset, None) as (client, counter):
        for call in ours:
            problems += stream_problems(call, await client.post(scenarios.INBOUND_PATH, content=call.body, headers=call.headers))
        mine = counter.count / len(ours)
    async with _reference_in_process(dataset) as (client, db):
        for call in theirs:
            await client.post(scenarios.INBOUND_PATH, content=call.body, headers=call.headers)
        other = db.statements / len(theirs)
    return mine, other, problems


def page_size_bodies(dataset: Dataset) -> dict[str, list[bytes]]:
    """The read scenarios at a small and at the largest page size (the dashboard five times over:
    how DataLoader batches split can depend on scheduling, and the mean shows it)."""
    return {
        "dashboard@10": scenarios.dashboard(dataset, configs=10, numbers=2) * 5,
        "dashboard@50": scenarios.dashboard(dataset, configs=50, numbers=50) * 5,
        "number_page@10": scenarios.number_pages(dataset, size=10)[:10],
        "number_page@100": scenarios.number_pages(dataset, size=100)[:10],
        "search@10": scenarios.searches(dataset, first=10),
        "search@100": scenarios.searches(dataset, first=100),
    }


def does_not_grow_with_page_size(counts: dict[str, float]) -> dict[str, bool]:
    """No N+1: the largest page costs no more statements than the small one. (On PostgreSQL a
    small dashboard page can cost one or two more: its loads and the organization-wide warnings'
    loads of the other configurations land in one DataLoader batch or in two, as I/O completes.)"""
    return {
        name: counts[f"{name}@{big}"] <= counts[f"{name}@10"]
        for name, big in (("dashboard", 50), ("number_page", 100), ("search", 100))
    }


@dataclass
class SoakVerdict:
    rss_after_mb: list[float]  # after each block of requests
    limit_mb: float
    tolerance_mb: float

    @property
    def growth_mb(self) -> float:
        """Between the end of the second block and the end of the fourth."""
        return self.rss_after_mb[3] - self.rss_after_mb[1]

    @property
    def ok(self) -> bool:
        return self.rss_after_mb[-1] < self.limit_mb and self.growth_mb <= self.tolerance_mb
