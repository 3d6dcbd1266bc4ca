"""Load generation from a separate process: wrk with bench/wrk.lua when /usr/bin/wrk exists,
otherwise (or for a fixed number of requests) the asyncio client below, run as
`python -m bench.driver`. Both send the bodies of a file in turn over keep-alive connections
and report throughput and latency percentiles.
"""

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

WRK = shutil.which("wrk")
WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
MARKER = "BENCH_JSON "


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int  # socket errors and non-2xx answers
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def combined(rounds: list[LoadResult]) -> LoadResult:
    """Several runs as one: requests, time and errors added up; the median round's p50 and the
    worst round's p95, p99 and maximum (percentiles of separate runs do not merge exactly, and
    this errs on the slow side)."""
    answered = [r for r in rounds if r.requests] or rounds
    return LoadResult(
        requests=sum(r.requests for r in rounds),
        seconds=sum(r.seconds for r in rounds),
        errors=sum(r.errors for r in rounds),
        p50_ms=statistics.median(r.p50_ms for r in answered),
        p95_ms=max(r.p95_ms for r in answered),
        p99_ms=max(r.p99_ms for r in answered),
        max_ms=max(r.max_ms for r in answered),
    )


def _bodies_file(bodies: list[bytes]) -> Path:
    handle = tempfile.NamedTemporaryFile("wb", prefix="bench-bodies-", suffix=".jsonl", delete=False)
    with handle:
        handle.write(b"\n".join(bodies) + b"\n")
    return Path(handle.name)


def _parse(output: str) -> LoadResult:
    for line in output.splitlines():
        if line.startswith(MARKER):
            return LoadResult(**json.loads(line[len(MARKER):]))
    raise RuntimeError(f"the load driver printed no result:\n{output[-2000:]}")


def run_load(
    url: str, bodies: list[bytes], api_key: str, *, connections: int, tag: int,
    seconds: float | None = None, requests: int | None = None, use_wrk: bool = True, warmup: float = 0.0,
) -> LoadResult:
    """POST `bodies` in turn to `url` for `seconds` (wrk or asyncio client) or for exactly
    `requests` requests (asyncio client). With `warmup`, the load runs that much longer first
    and only the responses after it count: the measurement starts with every connection busy
    (at 64 connections a dashboard takes seconds, and a cold start would count none of it).
    Latency percentiles are over the whole run."""
    path = _bodies_file(bodies)
    try:
        if WRK and use_wrk and requests is None:
            command = [
                WRK, f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(warmup + seconds))}s", "--timeout", "30s",
                "-s", str(WRK_SCRIPT), url, "--", str(path), api_key, str(tag), str(warmup),
            ]
        else:
            command = [
                sys.executable, "-m", "bench.driver", url, str(path), api_key, "--tag", str(tag), "--connections", str(connections),
                "--warmup", str(warmup),
                *(["--requests", str(requests)] if requests is not None else ["--seconds", str(seconds)]),
            ]
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return _parse(done.stdout)
    finally:
        path.unlink(missing_ok=True)


# --- the asyncio client ----------------------------------------------------------------------


async def _connection(
    index: int, count: int, url: str, key: str, bodies: list[bytes], tag: int, stop_at: float, count_from: float,
    budget: list[int], latencies: list[float], errors: list[int],
) -> None:
    from .scenarios import substitute

    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\nX-API-Key: {key}\r\n".encode()
    offset, counter = index * len(bodies) // count, 0
    try:
        while time.monotonic() < stop_at and budget[0] != 0:
            budget[0] -= 1
            counter += 1
            payload = substitute(bodies[(offset + counter) % len(bodies)], tag * 10**7 + index * 10**5 + counter)
            started = time.perf_counter()
            writer.write(head + b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            if time.monotonic() >= count_from:
                latencies.append(time.perf_counter() - started)
            if not 200 <= status < 300:
                errors[0] += 1
    finally:
        writer.close()


async def _client(
    url: str, key: str, bodies: list[bytes], tag: int, connections: int, seconds: float | None, requests: int | None, warmup: float
) -> dict:
    latencies: list[float] = []
    errors, budget = [0], [requests if requests is not None else -1]
    count_from = time.monotonic() + warmup
    stop_at = count_from + (seconds if seconds is not None else 10**9)
    await asyncio.gather(
        *(_connection(i, connections, url, key, bodies, tag, stop_at, count_from, budget, latencies, errors) for i in range(connections))
    )
    elapsed = time.monotonic() - count_from
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000 if latencies else 0.0

    return asdict(
        LoadResult(len(latencies), elapsed, errors[0], percentile(50), percentile(95), percentile(99), percentile(100))
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.driver", description="asyncio HTTP/1.1 load client")
    parser.add_argument("url")
    parser.add_argument("bodies", type=Path, help="file of JSON bodies, one a line")
    parser.add_argument("api_key")
    parser.add_argument("--tag", type=int, default=0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=0.0, help="seconds of load before responses count")
    amount = parser.add_mutually_exclusive_group(required=True)
    amount.add_argument("--seconds", type=float)
    amount.add_argument("--requests", type=int)
    args = parser.parse_args()
    bodies = [line for line in args.bodies.read_bytes().splitlines() if line]
    try:
        from uvloop import run
    except ImportError:
        run = asyncio.run
    result = run(_client(args.url, args.api_key, bodies, args.tag, args.connections, args.seconds, args.requests, args.warmup))
    print(MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
