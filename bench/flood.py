"""`python -m bench --flood`: one key floods a worker with distinct documents while another key's
`{ __typename }` is timed (issue 21, SPEC §13).

Each run starts a fresh one-worker `switchboard serve` on a database with two organizations,
then sends FLOOD_DOCUMENTS distinct documents of one kind from the first key, as fast as the
worker answers them, over `connections` connections; meanwhile a separate process sends the
second key's `{ __typename }` every PROBE_INTERVAL seconds and times each answer. Reported: the
flood's answers by status and its rate, the probe's latency percentiles, and the worker's RSS
before, at its peak (sampled every 0.2 s) and after.

The kinds of document:
  near_limit   494 copies of `organization { name }` with a new alias each time: 1,982 tokens,
               as in the issue (refused by the field limit)
  long_string  a query of a few fields and a 900 KB comment, new each time (refused by the
               length limit, inside the 1 MiB body)
  within_cap   50 copies of `organization { name }` with a new alias: 100 fields, the most
               a document may have; validated, executed and cached (the worst accepted case)

Runs are made with the rate limit off (what each document costs) and at its default (what one
key can do with it), after a run without a flood (`quiet`: the probe alone, for the machine's
own noise).
"""

import asyncio
import json
import multiprocessing
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import psutil

from . import servers

FLOOD_DOCUMENTS = 1000
QUIET = "quiet"
QUIET_SECONDS = 10.0
PROBE_INTERVAL = 0.02
PROBE = b'{"query": "{ __typename }"}'

KINDS: dict[str, Callable[[int], str]] = {
    "near_limit": lambda n: "{ a%d: organization { name } %s}" % (n, "organization { name } " * 493),
    "long_string": lambda n: "{ organization { name } } # %d %s" % (n, "x" * 900_000),
    "within_cap": lambda n: "{ a%d: organization { name } %s}" % (n, "organization { name } " * 49),
}


@dataclass
class FloodRun:
    kind: str
    rate_limit: str
    connections: int
    documents: int
    seconds: float
    statuses: dict[str, int]
    flood_p50_ms: float | None
    # The worker's CPU time during the flood, per document: what a document costs the server,
    # apart from the clients on the same machine.
    server_cpu_ms_per_document: float | None
    probes: int
    probe_p50_ms: float
    probe_p99_ms: float
    probe_max_ms: float
    probe_errors: int
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _create_organization(env: dict[str, str], name: str) -> str:
    created = subprocess.run(
        [servers.SWITCHBOARD, "org", "create", name, "--json"], env=env, capture_output=True, text=True, check=True, cwd=servers.REPO
    )
    return json.loads(created.stdout)["api_key"]


def _probe(url: str, key: str, stop, results) -> None:
    """In its own process, so that the flood's client does not delay the timing."""

    async def run() -> tuple[list[float], int]:
        latencies, errors = [], 0
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            while not stop.is_set():
                started = time.perf_counter()
                response = await client.post("/graphql", content=PROBE, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != 200
                await asyncio.sleep(PROBE_INTERVAL)
        return latencies, errors

    results.put(asyncio.run(run()))


async def _flood(url: str, key: str, kind: str, connections: int) -> tuple[Counter, list[float], float]:
    documents = iter(range(FLOOD_DOCUMENTS))
    statuses: Counter = Counter()
    latencies: list[float] = []
    headers = {"X-API-Key": key}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async def connection(client: httpx.AsyncClient) -> None:
        for n in documents:
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": KINDS[kind](n)}, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            errors = response.json().get("errors") if response.status_code == 200 else None
            statuses[f"{response.status_code} {errors[0]['extensions']['code']}" if errors else str(response.status_code)] += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(connection(client) for _ in range(connections)))
    return statuses, latencies, time.perf_counter() - started


def organizations(env: dict[str, str]) -> tuple[str, str]:
    """API keys of two new organizations: the flooder's and its neighbour's."""
    return _create_organization(env, "Flooder"), _create_organization(env, "Neighbour")


def run(env: dict[str, str], keys: tuple[str, str], kind: str, rate_limited: bool, connections: int) -> FloodRun:
    flooder, neighbour = keys
    env = dict(env)
    if rate_limited:
        del env["SWITCHBOARD_RATE_LIMIT_PER_SECOND"]  # the default
    with servers.running(servers.start_switchboard, env, 1) as server:
        httpx.post(f"{server.url}/graphql", content=PROBE, headers={"X-API-Key": neighbour, "Content-Type": "application/json"})
        rss_before = server.rss_mb()
        context = multiprocessing.get_context("spawn")
        stop, results = context.Event(), context.Queue()
        prober = context.Process(target=_probe, args=(server.url, neighbour, stop, results))
        prober.start()
        worker = psutil.Process(server.pid)
        with servers.RssSampler(server) as rss:
            time.sleep(1)  # the probe's first answers, before the flood
            cpu_before = servers.cpu_seconds(worker)
            if kind == QUIET:
                time.sleep(QUIET_SECONDS)
                statuses, flood_latencies, seconds = Counter(), [], QUIET_SECONDS
            else:
                statuses, flood_latencies, seconds = asyncio.run(_flood(server.url, flooder, kind, connections))
            cpu_seconds = servers.cpu_seconds(worker) - cpu_before
            stop.set()
            probe_latencies, probe_errors = results.get(timeout=60)
            prober.join(timeout=30)
        return FloodRun(
            kind=kind,
            rate_limit="default" if rate_limited else "off",
            connections=connections,
            documents=sum(statuses.values()),
            seconds=round(seconds, 1),
            statuses=dict(statuses),
            flood_p50_ms=round(statistics.median(flood_latencies), 1) if flood_latencies else None,
            server_cpu_ms_per_document=round(cpu_seconds * 1000 / len(flood_latencies), 2) if flood_latencies else None,
            probes=len(probe_latencies),
            probe_p50_ms=round(statistics.median(probe_latencies), 1),
            probe_p99_ms=round(_percentile(probe_latencies, 0.99), 1),
            probe_max_ms=round(max(probe_latencies), 1),
            probe_errors=probe_errors,
            rss_before_mb=round(rss_before, 1),
            rss_peak_mb=round(rss.peak_mb, 1),
            rss_after_mb=round(server.rss_mb(), 1),
        )


def table(runs: list[FloodRun]) -> str:
    lines = [
        "| documents | rate limit | conn. | answers | s | flood p50 ms | server CPU ms a document | probe p50 / p99 / max ms | RSS before / peak / after MB |",
        "|---|---|---:|---|---:|---:|---:|---|---|",
    ]
    for r in runs:
        answers = ", ".join(f"{count} × {status}" for status, count in sorted(r.statuses.items()))
        lines.append(
            f"| {r.kind} | {r.rate_limit} | {r.connections} | {answers} | {r.seconds} | {r.flood_p50_ms} | {r.server_cpu_ms_per_document} | "
            f"{r.probe_p50_ms} / {r.probe_p99_ms} / {r.probe_max_ms} | {r.rss_before_mb} / {r.rss_peak_mb} / {r.rss_after_mb} |"
        )
    return "\n".join(lines)


def write(runs: dict[str, list[FloodRun]], machine: dict, path: Path) -> None:
    """The runs by database."""
    by_database = {kind: [asdict(run) for run in kind_runs] for kind, kind_runs in runs.items()}
    path.write_text(json.dumps({"machine": machine, "runs": by_database}, indent=2) + "\n")
