"""`python -m bench`: measure Switchboard against its reference on SQLite and PostgreSQL.

  python -m bench                   full run: 1 and 2 workers (the inbound scenario on one),
                                    concurrency 1/4/16/64; writes
                                    bench/results/{report.md,results.json,throughput.png}
  python -m bench --quick --json    one worker, concurrency 8, short runs (under two minutes)
  python -m bench --soak            20,000 mixed requests on one worker; fails on RSS >= 200 MB
                                    or growth between the 2nd and 4th 5,000
  python -m bench --profile         py-spy on one worker during the dashboard and number pages
                                    (--scenario inbound: during the inbound calls)
  python -m bench --flood           one key floods a worker with 1,000 distinct documents of each
                                    hostile kind while another key's { __typename } is timed;
                                    RSS of the worker (bench/flood.py; writes bench/results/flood.json)
  python -m bench --instructions    callgrind's instructions per dashboard, number page and
                                    inbound call, in-process, for Switchboard and the reference
                                    (valgrind; --scenario picks)
  python -m bench --db postgres --scenario dashboard --workers 1 --concurrency 64
                                    one point of the full run (each option repeatable)
  python -m bench --scenario inbound --workers 1 --concurrency 16
                                    signed Twilio call webhooks against their reference
  python -m bench --import          importPhoneNumbers of 1,000 numbers, seconds per import
                                    (issue 22: under 5 s); --db picks the databases
  python -m bench --live            1,000 subscriptions to one number on one worker (and two on
                                    PostgreSQL), with one document and with 1,000 different ones:
                                    event latency after a mutation, workers' RSS
                                    (bench/live.py; writes bench/results/live.json)

Progress goes to stderr; --json prints the summary on stdout.
"""

import argparse
import asyncio
import functools
import itertools
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from . import checks, dataset, driver, flood, imports, instructions, live, profiling, report, scenarios, servers

RESULTS = Path(__file__).resolve().parent / "results"
SOAK_BLOCK, SOAK_BLOCKS, SOAK_LIMIT_MB, SOAK_TOLERANCE_MB = 5_000, 4, 200.0, 2.0
SCENARIOS = ("dashboard", "number_page", "search", "inbound", "write_mix")
# Each inbound run gets this many signed calls per second it lasts: more than one worker of
# either server answers on this machine (a run that runs out fails, saying so).
INBOUND_CALLS_PER_SECOND = 4_000
INBOUND_WORKERS = 1


@dataclass(frozen=True)
class Plan:
    workers: tuple[int, ...]
    concurrencies: tuple[int, ...]
    seconds: float  # measured per round
    warmup: float  # load before each round's measurement, at least
    # Switchboard and its reference are measured in alternating rounds: on a shared machine
    # whose speed drifts over a minute (other tenants, CPU boost), one long run of each put
    # the drift into the ratio (+-30% between runs); alternating puts it into both sides.
    rounds: int

    def warmup_at(self, concurrency: int) -> float:
        """Long enough for every connection to have a request in progress at the server when
        counting starts: at 64 connections a dashboard takes two to three seconds."""
        return max(self.warmup, concurrency / 16)


QUICK = Plan(workers=(1,), concurrencies=(8,), seconds=1, warmup=1, rounds=2)
FULL = Plan(workers=(1, 2), concurrencies=(1, 4, 16, 64), seconds=2, warmup=1, rounds=3)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def database(kind: str, postgres_admin_url: str) -> Iterator[str]:
    """A fresh database for one run: a SQLite file in a temporary folder, or a new PostgreSQL database."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="switchboard-bench-") as folder:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"
        return
    url = asyncio.run(dataset.create_postgres_database(postgres_admin_url))
    try:
        yield url
    finally:
        asyncio.run(dataset.drop_postgres_database(url, postgres_admin_url))


@contextmanager
def prepared(kind: str, args: argparse.Namespace) -> Iterator[tuple[dataset.Dataset, servers.FakeTwilio]]:
    with database(kind, args.postgres_url) as url:
        log(f"[{kind}] generating the dataset")
        data = asyncio.run(dataset.generate(url))
        numbers = [(sid, e164) for sid, e164, _id in data.bind_targets]
        with servers.FakeTwilio(data.twilio_accounts, numbers) as fake:
            yield data, fake


def latencies(result: driver.LoadResult) -> tuple[float | None, float | None, float | None]:
    """p50, p95, p99; none when no request completed within the run (the server is overloaded)."""
    return (result.p50_ms, result.p95_ms, result.p99_ms) if result.requests else (None, None, None)


class DatabaseBench:
    """Every measurement on one database: statement counts, then each worker count's runs."""

    def __init__(self, kind: str, data: dataset.Dataset, fake: servers.FakeTwilio, plan: Plan, args: argparse.Namespace, results: report.Results):
        self.kind, self.data, self.fake, self.plan, self.args, self.results = kind, data, fake, plan, args, results
        self.tags = itertools.count(1)  # makes each run's created numbers and calls unique
        wanted = set(args.scenario or SCENARIOS)
        self.reads = [s for s in scenarios.read_scenarios(data) if s.name in wanted]
        self.inbound = "inbound" in wanted
        self.writes = scenarios.write_scenario(data) if "write_mix" in wanted else None

    def log(self, message: str) -> None:
        log(f"[{self.kind}] {message}")

    def count_statements(self) -> None:
        self.log("counting SQL statements in-process")
        reads = {**{s.name: s.bodies[:20] for s in self.reads}, **checks.page_size_bodies(self.data)}
        writes = {self.writes.name: self.writes.bodies[:25]} if self.writes else {}
        self.ours, problems = asyncio.run(checks.statements_per_operation(self.data, self.fake.url, {**reads, **writes}, next(self.tags)))
        self.theirs = asyncio.run(checks.reference_statements(self.data, reads))
        self.checks = self.results.checks[self.kind] = {
            "sql_per_op": self.ours,
            "reference_sql_per_op": self.theirs,
            "sql_does_not_grow_with_page_size": checks.does_not_grow_with_page_size(self.ours),
            "write_mix_problems": problems[:10],
            "identical_bytes": {},
        }
        if self.inbound:
            calls = [scenarios.inbound_calls(self.data, next(self.tags), 50) for _ in range(2)]
            mine, theirs, problems = asyncio.run(checks.inbound_statements(self.data, *calls))
            if problems:
                raise RuntimeError(f"Switchboard did not accept the inbound scenario's calls: {problems[:3]}")
            self.ours["inbound"], self.theirs["inbound"] = mine, theirs

    def measure(
        self, servers_: list[servers.Server], workload_of: Callable[[int], driver.Workload], concurrency: int
    ) -> list[tuple[driver.LoadResult, float]]:
        """Each server in turn, round after round (see `Plan.rounds`), each run with the workload
        made for its tag: once the servers have finished what the previous round left in flight,
        a run that counts only after its warm-up; per server, its rounds combined and its peak RSS."""
        rounds: list[list[driver.LoadResult]] = [[] for _ in servers_]
        peaks = [0.0 for _ in servers_]
        for _ in range(self.plan.rounds):
            for index, server in enumerate(servers_):
                tag = next(self.tags)
                workload = workload_of(tag)
                for other in servers_:
                    other.wait_until_idle()
                with servers.RssSampler(server) as rss:
                    rounds[index].append(
                        driver.run_load(
                            server.url, workload, connections=concurrency, seconds=self.plan.seconds,
                            warmup=self.plan.warmup_at(concurrency), tag=tag, use_wrk=self.args.wrk,
                        )
                    )
                peaks[index] = max(peaks[index], rss.peak_mb)
        return [(driver.combined(results), peak) for results, peak in zip(rounds, peaks, strict=True)]

    def compared_runs(
        self, name: str, workers: int, switchboard: servers.Server, reference: servers.Server,
        workload_of: Callable[[int, int], driver.Workload], comparable: bool,
    ) -> None:
        """Each concurrency against the reference, with the workload made for each run's
        (concurrency, tag); a ratio only when both servers gave the same answers."""
        for concurrency in self.plan.concurrencies:
            (mine, rss), (other, _) = self.measure([switchboard, reference], functools.partial(workload_of, concurrency), concurrency)
            run = report.Run(
                name, self.kind, workers, concurrency, mine.rps, *latencies(mine),
                mine.errors + other.errors, rss, self.ours.get(name),
                reference_rps=other.rps if comparable else None,
                reference_p99_ms=latencies(other)[2],
                reference_sql_per_op=self.theirs.get(name),
            )
            self.results.runs.append(run)
            self.log(f"{name} x{workers} c{concurrency}: {mine.rps:,.1f} req/s vs {other.rps:,.0f} "
                     f"(ratio {run.ratio or 0:.3f}), p50 {mine.p50_ms:.1f} ms, p99 {mine.p99_ms:.1f} ms, RSS {rss:.0f} MB, "
                     f"errors {run.errors}")

    def read_runs(self, scenario: scenarios.Scenario, workers: int, switchboard: servers.Server, reference: servers.Server) -> None:
        differences = checks.identical(switchboard.url, reference.url, scenario.bodies, self.data.api_key)
        self.checks["identical_bytes"][scenario.name] = not differences
        for difference in differences[:3]:
            self.log(f"{scenario.name}: {difference}")
        workload = driver.graphql(scenario.bodies, self.data.api_key)
        self.compared_runs(scenario.name, workers, switchboard, reference, lambda _c, _t: workload, comparable=not differences)

    def inbound_workload(self, concurrency: int, tag: int) -> driver.Workload:
        return inbound_workload(self.data, tag, self.plan.warmup_at(concurrency) + self.plan.seconds)

    def inbound_runs(self, workers: int, switchboard: servers.Server, reference: servers.Server) -> None:
        """Calls that must all be accepted: Switchboard answering one otherwise stops the bench."""
        calls = [scenarios.inbound_calls(self.data, next(self.tags), 20) for _ in range(2)]
        wrong, differences = checks.same_streams(switchboard.url, reference.url, *calls)
        if wrong:
            raise RuntimeError(f"Switchboard did not stream the inbound scenario's calls: {wrong[:3]}")
        self.checks["same_stream_twiml"] = not differences
        for difference in differences[:3]:
            self.log(f"inbound: {difference}")
        self.compared_runs("inbound", workers, switchboard, reference, self.inbound_workload, comparable=not differences)

    def write_runs(self, workers: int, switchboard: servers.Server) -> None:
        workload = driver.graphql(self.writes.bodies, self.data.api_key)
        for concurrency in self.plan.concurrencies:
            ((mine, rss),) = self.measure([switchboard], lambda _tag: workload, concurrency)
            self.fake.forget_requests()
            self.results.runs.append(report.Run(
                self.writes.name, self.kind, workers, concurrency, mine.rps, *latencies(mine), mine.errors, rss,
                self.ours.get(self.writes.name),
            ))
            self.log(f"{self.writes.name} x{workers} c{concurrency}: {mine.rps:,.1f} req/s, p99 {mine.p99_ms:.1f} ms, "
                     f"RSS {rss:.0f} MB, errors {mine.errors}")

    def run(self) -> None:
        """A fresh Switchboard for each scenario, so that its peak RSS is that scenario's."""
        self.count_statements()
        env = servers.server_env(self.data.url, self.fake.url)
        for workers in self.plan.workers:
            with servers.running(servers.start_reference, env, workers) as reference:
                for scenario in self.reads:
                    with servers.running(servers.start_switchboard, env, workers) as switchboard:
                        self.read_runs(scenario, workers, switchboard, reference)
                if self.inbound and workers == INBOUND_WORKERS:
                    with servers.running(servers.start_switchboard, env, workers) as switchboard:
                        self.inbound_runs(workers, switchboard, reference)
            if self.writes:  # last: they change what the reads return
                with servers.running(servers.start_switchboard, env, workers) as switchboard:
                    self.write_runs(workers, switchboard)


def inbound_workload(data: dataset.Dataset, tag: int, seconds: float) -> driver.Workload:
    """Enough distinct signed calls for a run of `seconds` (see INBOUND_CALLS_PER_SECOND)."""
    return scenarios.inbound_workload(data, tag, math.ceil(INBOUND_CALLS_PER_SECOND * (seconds + 1)))


def soak(kind: str, args: argparse.Namespace) -> checks.SoakVerdict:
    with prepared(kind, args) as (data, fake):
        bodies = scenarios.soak_mix(data)
        switchboard = servers.start_switchboard(servers.server_env(data.url, fake.url), 1)
        try:
            after = []
            for block in range(SOAK_BLOCKS):
                result = driver.run_load(
                    switchboard.url, driver.graphql(bodies, data.api_key), connections=8, requests=SOAK_BLOCK, tag=block + 1
                )
                fake.forget_requests()
                after.append(round(switchboard.rss_mb(), 1))
                log(f"[{kind}] soak block {block + 1}: {result.requests} requests, {result.rps:,.0f} req/s, "
                    f"{result.errors} errors, RSS {after[-1]} MB")
        finally:
            switchboard.stop()
    return checks.SoakVerdict(after, SOAK_LIMIT_MB, SOAK_TOLERANCE_MB)


def profile_database(kind: str, args: argparse.Namespace, results: report.Results, seconds: int = 12) -> None:
    with prepared(kind, args) as (data, fake):
        switchboard = servers.start_switchboard(servers.server_env(data.url, fake.url), 1)
        try:
            wanted = set(args.scenario or ("dashboard", "number_page"))
            reads = {s.name: driver.graphql(s.bodies, data.api_key) for s in scenarios.read_scenarios(data)}
            for name in [n for n in SCENARIOS if n in wanted and (n in reads or n == "inbound")]:
                workload_of = functools.partial(inbound_workload, data) if name == "inbound" else lambda _tag, _seconds, w=reads[name]: w
                driver.run_load(switchboard.url, workload_of(1, 2), connections=8, seconds=2, tag=1)
                raw = RESULTS / f"profile-{kind}-{name}.txt"
                spy = profiling.record(switchboard.worker_pids()[0], seconds, raw)
                driver.run_load(switchboard.url, workload_of(2, seconds + 1), connections=8, seconds=seconds + 1, tag=2)
                spy.wait()
                summary = profiling.summarize(raw).text()
                raw.with_name(f"profile-{kind}-{name}-summary.txt").write_text(summary + "\n")
                results.profiles[f"{kind} {name}"] = summary
                log(f"[{kind}] profiled {name}: {raw}")
        finally:
            switchboard.stop()


def flood_runs(kind: str, args: argparse.Namespace) -> list[flood.FloodRun]:
    """The probe alone, then each kind of document with the rate limit off, then at its
    default; the issue's documents also over four connections."""
    runs = []
    with database(kind, args.postgres_url) as url:
        env = servers.server_env(url, None)
        keys = flood.organizations(env)
        plan = [(flood.QUIET, False, 0), *[(k, False, 1) for k in flood.KINDS], ("near_limit", False, 4), *[(k, True, 1) for k in flood.KINDS]]
        for document_kind, rate_limited, connections in plan:
            run = flood.run(env, keys, document_kind, rate_limited, connections)
            log(f"[{kind}] {document_kind}, rate limit {run.rate_limit}, {connections} connection(s): {run.statuses} in {run.seconds} s; "
                f"probe p50 {run.probe_p50_ms} ms, p99 {run.probe_p99_ms} ms, max {run.probe_max_ms} ms; "
                f"RSS {run.rss_before_mb} -> peak {run.rss_peak_mb} -> {run.rss_after_mb} MB")
            runs.append(run)
    return runs


def count_instructions(kinds: list[str], args: argparse.Namespace) -> dict:
    """Instructions per request by database and scenario (see bench/instructions.py)."""
    counted = {}
    for kind in kinds:
        with prepared(kind, args) as (data, fake):
            chosen = [n for n in instructions.SCENARIOS if n in (args.scenario or instructions.SCENARIOS)]
            for (which, scenario), millions in instructions.measure(data, servers.server_env(data.url, fake.url), chosen).items():
                counted.setdefault(kind, {}).setdefault(scenario, {})[which] = round(millions, 2)
                log(f"[{kind}] {scenario}: {which} {millions:.2f} M instructions a request")
    return counted


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="one worker, one concurrency, short runs")
    mode.add_argument("--soak", action="store_true", help="memory check over 20,000 requests; exit 1 when it fails")
    mode.add_argument("--profile", action="store_true", help="py-spy the dashboard and number-page scenarios (or --scenario's)")
    mode.add_argument("--flood", action="store_true", help="one key's flood of distinct documents, another key's latency, RSS")
    mode.add_argument("--instructions", action="store_true", help="callgrind instructions per request, in-process (or --scenario's)")
    mode.add_argument("--import", dest="import_", action="store_true", help="seconds per importPhoneNumbers of 1,000 numbers")
    mode.add_argument("--live", action="store_true", help="1,000 subscriptions: event latency and RSS (1 worker; 2 on PostgreSQL)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres-url", default=dataset.POSTGRES_ADMIN_URL, help="a database to connect to for CREATE/DROP DATABASE")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, help="only these (repeatable)")
    parser.add_argument("--workers", type=int, action="append", help="only these worker counts (repeatable)")
    parser.add_argument("--concurrency", type=int, action="append", help="only these concurrencies (repeatable)")
    parser.add_argument("--no-wrk", dest="wrk", action="store_false", help="use the asyncio client even when wrk is installed")
    args = parser.parse_args()

    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in kinds and not asyncio.run(dataset.postgres_reachable(args.postgres_url)):
        log(f"PostgreSQL is not reachable at {args.postgres_url}: SQLite only")
        kinds.remove("postgres")
    RESULTS.mkdir(exist_ok=True)
    results = report.Results(machine=report.machine())

    if args.soak:
        verdicts = {kind: soak(kind, args) for kind in kinds}
        summary = {
            kind: {"rss_after_each_5000_mb": v.rss_after_mb, "growth_2nd_to_4th_mb": round(v.growth_mb, 1), "ok": v.ok}
            for kind, v in verdicts.items()
        }
        load = f"{SOAK_BLOCKS} x {SOAK_BLOCK} requests of bench.scenarios.soak_mix, 8 connections, asyncio client"
        print(json.dumps({"machine": results.machine, "load": load, "soak": summary}, indent=None if args.json else 2))
        return 0 if all(v.ok for v in verdicts.values()) else 1

    if args.import_:
        timed = {}
        for kind in kinds:
            with database(kind, args.postgres_url) as url:
                timed[kind] = imports.measure(url, lambda message, kind=kind: log(f"[{kind}] {message}"))
        print(json.dumps({"machine": results.machine, "import_phone_numbers": timed}, indent=None if args.json else 2))
        return 0

    if args.live:
        runs = []
        for kind in kinds:
            for workers, distinct in [(1, False), (1, True)] + ([(2, False)] if kind == "postgres" else []):
                with database(kind, args.postgres_url) as url:
                    runs.append(live.run(servers.server_env(url, None), kind, workers, log, distinct=distinct))
        print(live.table(runs))
        (RESULTS / "live.json").write_text(json.dumps({"machine": results.machine, "runs": [vars(r) for r in runs]}, indent=2) + "\n")
        log(f"wrote {RESULTS / 'live.json'}")
        return 0

    if args.flood:
        runs = {kind: flood_runs(kind, args) for kind in kinds}
        for kind, kind_runs in runs.items():
            print(f"{kind}:\n{flood.table(kind_runs)}")
        flood.write(runs, results.machine, RESULTS / "flood.json")
        log(f"wrote {RESULTS / 'flood.json'}")
        return 0

    if args.instructions:
        if not instructions.available():
            log("valgrind is not installed (apt-get install valgrind)")
            return 2
        counted = count_instructions(kinds, args)
        print(json.dumps({"machine": results.machine, "million_instructions_per_request": counted}, indent=None if args.json else 2))
        return 0

    if args.profile:
        if not profiling.available():
            log("py-spy is not installed (pip install py-spy)")
            return 2
        for kind in kinds:
            profile_database(kind, args, results)
        results.machine["load_average_end"] = round(os.getloadavg()[0], 2)
        (RESULTS / "profile.md").write_text(report.markdown(results, None))
        log(f"wrote {RESULTS / 'profile.md'}")
        return 0

    plan = QUICK if args.quick else FULL
    plan = replace(
        plan, workers=tuple(args.workers or plan.workers), concurrencies=tuple(args.concurrency or plan.concurrencies)
    )
    for kind in kinds:
        with prepared(kind, args) as (data, fake):
            DatabaseBench(kind, data, fake, plan, args, results).run()
    results.machine["load_average_end"] = round(os.getloadavg()[0], 2)
    if not args.quick:
        plotted = report.plot(results.runs, RESULTS / "throughput.png")
        (RESULTS / "report.md").write_text(report.markdown(results, "throughput.png" if plotted else None))
        (RESULTS / "results.json").write_text(json.dumps(results.json(), indent=2) + "\n")
        log(f"wrote {RESULTS / 'report.md'}")
    if args.json:
        print(json.dumps(results.json()))
    else:
        print(report.table(results.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
