"""Load generation from a separate process: wrk with bench/wrk.lua when /usr/bin/wrk exists,
otherwise (or for a fixed number of requests) the asyncio client below, run as
`python -m bench.driver`. Both send the lines of a file in turn as POST bodies over keep-alive
connections (a `Workload`) and report throughput and latency percentiles, and how many answers
lacked the text every answer must contain.
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


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Workload:
    """What a load run sends: each of `lines` in turn as the body of a POST to `path`."""

    path: str
    lines: list[bytes]
    content_type: str = JSON
    api_key: str | None = None
    # Each line is "<value> <body>": the value goes in this header (a signature of that body).
    signed_by: str | None = None
    # Every answer must contain this; run_load fails when one does not.
    expect: bytes | None = None
    # No line may be sent twice (each is a distinct call): run_load fails when one was.
    once: bool = False


def graphql(bodies: list[bytes], api_key: str) -> Workload:
    return Workload("/graphql", bodies, api_key=api_key)


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int  # socket errors and non-2xx answers
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    unexpected: int = 0  # answers without the workload's `expect`, warm-up included
    # Whether a thread or connection went past its share of the lines, and so sent one twice.
    repeated: bool = False

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
        unexpected=sum(r.unexpected for r in rounds),
        repeated=any(r.repeated for r in rounds),
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
    server_url: str, workload: Workload, *, connections: int, tag: int,
    seconds: float | None = None, requests: int | None = None, use_wrk: bool = True, warmup: float = 0.0,
) -> LoadResult:
    """POST `workload`'s lines in turn to the server for `seconds` (wrk or asyncio client) or
    for exactly `requests` requests (asyncio client). With `warmup`, the load runs that much
    longer first and only the responses after it count: the measurement starts with every
    connection busy (at 64 connections a dashboard takes seconds, and a cold start would count
    none of it). Latency percentiles are over the whole run. Fails when an answer lacks the
    workload's `expect` or a `once` line was sent twice: the run did not measure what it claims."""
    url = f"{server_url}{workload.path}"
    path = _bodies_file(workload.lines)
    options = [workload.content_type, workload.api_key or "", workload.signed_by or "", (workload.expect or b"").decode()]
    try:
        if WRK and use_wrk and requests is None:
            command = [
                WRK, f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(warmup + seconds))}s", "--timeout", "30s",
                "-s", str(WRK_SCRIPT), url, "--", str(path), str(tag), str(warmup), *options,
            ]
        else:
            command = [
                sys.executable, "-m", "bench.driver", url, str(path), "--tag", str(tag), "--connections", str(connections),
                "--warmup", str(warmup), "--content-type", options[0], "--api-key", options[1], "--signed-by", options[2],
                "--expect", options[3],
                *(["--requests", str(requests)] if requests is not None else ["--seconds", str(seconds)]),
            ]
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        result = _parse(done.stdout)
    finally:
        path.unlink(missing_ok=True)
    if result.unexpected:
        raise RuntimeError(f"{url}: {result.unexpected} answers without {workload.expect!r}: the run measured another path")
    if workload.once and result.repeated:
        raise RuntimeError(f"{url}: {len(workload.lines)} lines were too few for the run, and some were sent twice")
    return result


# --- the asyncio client ----------------------------------------------------------------------


async def _connection(
    index: int, count: int, url: str, workload: Workload, tag: int, stop_at: float, count_from: float,
    budget: list[int], latencies: list[float], tally: dict[str, int],
) -> None:
    from .scenarios import substitute

    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {workload.content_type}\r\n"
    if workload.api_key:
        head += f"X-API-Key: {workload.api_key}\r\n"
    lines = workload.lines
    offset, counter, share = index * len(lines) // count, 0, len(lines) // count
    try:
        while time.monotonic() < stop_at and budget[0] != 0:
            budget[0] -= 1
            counter += 1
            payload, headers = lines[(offset + counter) % len(lines)], head.encode()
            if workload.signed_by:
                value, _, payload = payload.partition(b" ")
                headers += workload.signed_by.encode() + b": " + value + b"\r\n"
            payload = substitute(payload, tag * 10**7 + index * 10**5 + counter)
            started = time.perf_counter()
            writer.write(headers + b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            answer = await reader.readexactly(length)
            if time.monotonic() >= count_from:
                latencies.append(time.perf_counter() - started)
            if not 200 <= status < 300:
                tally["errors"] += 1
            if workload.expect and workload.expect not in answer:
                tally["unexpected"] += 1
    finally:
        tally["repeated"] |= counter > share
        writer.close()


async def _client(
    url: str, workload: Workload, tag: int, connections: int, seconds: float | None, requests: int | None, warmup: float
) -> dict:
    latencies: list[float] = []
    tally, budget = {"errors": 0, "unexpected": 0, "repeated": False}, [requests if requests is not None else -1]
    count_from = time.monotonic() + warmup
    stop_at = count_from + (seconds if seconds is not None else 10**9)
    await asyncio.gather(
        *(_connection(i, connections, url, workload, tag, stop_at, count_from, budget, latencies, tally) for i in range(connections))
    )
    elapsed = time.monotonic() - count_from
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1000 if latencies else 0.0

    return asdict(
        LoadResult(
            len(latencies), elapsed, tally["errors"], percentile(50), percentile(95), percentile(99), percentile(100),
            tally["unexpected"], tally["repeated"],
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.driver", description="asyncio HTTP/1.1 load client")
    parser.add_argument("url")
    parser.add_argument("lines", type=Path, help="file of bodies, one a line (see Workload)")
    parser.add_argument("--tag", type=int, default=0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=0.0, help="seconds of load before responses count")
    parser.add_argument("--content-type", default=JSON)
    parser.add_argument("--api-key", default="")
    parser.add_argument("--signed-by", default="", help="header whose value starts each line, before a space")
    parser.add_argument("--expect", default="", help="text every answer must contain")
    amount = parser.add_mutually_exclusive_group(required=True)
    amount.add_argument("--seconds", type=float)
    amount.add_argument("--requests", type=int)
    args = parser.parse_args()
    workload = Workload(
        urlsplit(args.url).path, [line for line in args.lines.read_bytes().splitlines() if line], args.content_type,
        args.api_key or None, args.signed_by or None, args.expect.encode() or None,
    )
    try:
        from uvloop import run
    except ImportError:
        run = asyncio.run
    result = run(_client(args.url, workload, args.tag, args.connections, args.seconds, args.requests, args.warmup))
    print(MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
