"""Results: the machine they were measured on, the JSON summary, the markdown report and the plot."""

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import psutil

from .driver import WRK


@dataclass
class Run:
    """One scenario at one concurrency against one server setup."""

    name: str
    db: str
    workers: int
    concurrency: int
    rps: float
    p50_ms: float | None  # None when no request completed within the run
    p95_ms: float | None
    p99_ms: float | None
    errors: int
    rss_mb: float
    sql_per_op: float | None
    reference_rps: float | None = None
    reference_p99_ms: float | None = None
    reference_sql_per_op: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.rps / self.reference_rps if self.reference_rps else None

    def summary(self) -> dict:
        """The entry of `--json`'s `scenarios` list."""
        return {
            "name": self.name,
            "db": self.db,
            "workers": self.workers,
            "concurrency": self.concurrency,
            "rps": round(self.rps, 1),
            "reference_rps": round(self.reference_rps, 1) if self.reference_rps else None,
            "ratio": round(self.ratio, 3) if self.ratio is not None else None,
            "p50_ms": round(self.p50_ms, 1) if self.p50_ms is not None else None,
            "p99_ms": round(self.p99_ms, 1) if self.p99_ms is not None else None,
            "sql_per_op": round(self.sql_per_op, 2) if self.sql_per_op is not None else None,
            "rss_mb": round(self.rss_mb, 1),
        }


@dataclass
class Results:
    machine: dict
    runs: list[Run] = field(default_factory=list)
    checks: dict = field(default_factory=dict)  # db -> what was checked
    profiles: dict[str, str] = field(default_factory=dict)  # "db scenario" -> summary text

    def json(self) -> dict:
        return {"machine": self.machine, "scenarios": [run.summary() for run in self.runs], "checks": self.checks}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _postgres_version() -> str | None:
    try:
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def machine() -> dict:
    wrk = None
    if WRK:
        wrk = subprocess.run([WRK, "--version"], capture_output=True, text=True).stdout.split(" [")[0].strip() or "wrk"
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgres_version(),
        "load_driver": wrk or "asyncio client (bench.driver)",
        # Other work on the machine skews the numbers: the 1-minute load average when the run began.
        "load_average_start": round(os.getloadavg()[0], 2),
        "packages": {name: version(name) for name in ("strawberry-graphql", "graphql-core", "sqlalchemy", "starlette", "uvicorn", "asyncpg", "aiosqlite")},
    }


def _fmt(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def table(runs: list[Run]) -> str:
    lines = [
        "| scenario | db | workers | conc. | req/s | reference req/s | ratio | p50 ms | p95 ms | p99 ms | ref. p99 ms | SQL/op | ref. SQL/op | peak RSS MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r.name} | {r.db} | {r.workers} | {r.concurrency} | {_fmt(r.rps)} | {_fmt(r.reference_rps)} | {_fmt(r.ratio, 3)} "
            f"| {_fmt(r.p50_ms, 1)} | {_fmt(r.p95_ms, 1)} | {_fmt(r.p99_ms, 1)} | {_fmt(r.reference_p99_ms, 1)} "
            f"| {_fmt(r.sql_per_op, 1)} | {_fmt(r.reference_sql_per_op, 1)} | {_fmt(r.rss_mb)} |"
        )
    return "\n".join(lines)


def markdown(results: Results, plot_name: str | None) -> str:
    m = results.machine
    parts = [
        "# Switchboard benchmark",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GiB, {m['os']}; Python {m['python']}, "
        f"SQLite {m['sqlite']}, PostgreSQL {m['postgresql'] or 'not reached'}; load from {m['load_driver']} on the same machine; "
        f"1-minute load average {m['load_average_start']} at the start, {m.get('load_average_end', '?')} at the end.",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + ".",
        "",
        "Dataset: one organization with 50 configurations over the nine providers and 10,000 numbers, plus 20 smaller "
        "organizations. Ratio = Switchboard req/s / reference req/s (plain Starlette, hand-written SQL, orjson, same "
        "bytes), both measured in alternating rounds, each round one load run that counts responses only after its "
        "warm-up (concurrency/16 s, at least 1 s) and starts once both servers are idle. Latencies: over whole runs, "
        "p50 the median round's, p95 and p99 the worst round's. SQL/op counted in-process with Database.listen_statements. "
        "Peak RSS: the server's whole process tree. Inbound: Twilio call webhooks to the organization's bound Twilio numbers, "
        "each a new call signed over the public URL, all of which must be answered with a stream; its reference runs the same "
        "routing query, decrypts the auth token, checks the HMAC-SHA1, inserts the call and answers the same TwiML "
        "(checked apart from the call's ID).",
        "",
        table(results.runs),
        "",
    ]
    if plot_name:
        parts += [f"![throughput and p99 latency by concurrency]({plot_name})", ""]
    for db, checks in results.checks.items():
        parts += [f"## Checks on {db}", "", "```", _pretty(checks), "```", ""]
    for name, text in results.profiles.items():
        parts += [f"## Profile: {name}", "", "```", text, "```", ""]
    return "\n".join(parts)


def _pretty(value: object) -> str:
    import json

    return json.dumps(value, indent=2, default=str)


def _positive(value: float | None) -> float:
    """Log axes: a run where nothing completed (0 req/s, no latency) leaves a gap."""
    return value if value else float("nan")


def plot(runs: list[Run], path: Path) -> bool:
    """Throughput and p99 latency against concurrency, one row of charts per database."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    dbs = sorted({r.db for r in runs})
    fig, axes = plt.subplots(len(dbs), 2, figsize=(13, 4.5 * len(dbs)), squeeze=False)
    for row, db in enumerate(dbs):
        throughput, latency = axes[row]
        for (name, workers) in sorted({(r.name, r.workers) for r in runs if r.db == db}):
            series = sorted((r for r in runs if (r.db, r.name, r.workers) == (db, name, workers)), key=lambda r: r.concurrency)
            xs = [r.concurrency for r in series]
            line = throughput.plot(xs, [_positive(r.rps) for r in series], marker="o", label=f"{name} ×{workers}")[0]
            latency.plot(xs, [_positive(r.p99_ms) for r in series], marker="o", color=line.get_color(), label=f"{name} ×{workers}")
            if any(r.reference_rps for r in series):
                throughput.plot(xs, [_positive(r.reference_rps) for r in series], linestyle="--", color=line.get_color(), alpha=0.6)
                latency.plot(xs, [_positive(r.reference_p99_ms) for r in series], linestyle="--", color=line.get_color(), alpha=0.6)
        for axis, title, unit in ((throughput, "throughput", "requests/s"), (latency, "p99 latency", "ms")):
            axis.set_xscale("log", base=2)
            axis.set_yscale("log")
            axis.set_xlabel("concurrent connections")
            axis.set_ylabel(unit)
            axis.set_title(f"{db}: {title} (solid: Switchboard, dashed: reference; ×workers)", fontsize="medium")
            axis.grid(True, which="both", alpha=0.3)
        throughput.legend(fontsize="small", ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
